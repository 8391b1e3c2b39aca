// What decoding gives: hypotheses (tokens, log-probabilities, what they attended to) and,
// when asked for, the search as a tree (the inspector draws it).
#pragma once

#include <vector>

#include "nmtx/decode/attention_record.h"

namespace nmtx {

struct Hypothesis {
  std::vector<int> tokens;                      // without </s>
  double log_prob = 0.0;                        // Σ log p of the tokens and </s> (if produced), natural log
  std::vector<double> token_log_probs;          // per output step (</s> included); they sum to log_prob in order
  double score = 0.0;                           // what ranks it: log_prob (greedy), length-normalised (beam)
  bool finished = false;                        // it produced </s> (not cut by the length limit)
  AttentionRecord attention;                    // per output step (</s> included): weights over the source, p_t
};

// The search as a tree, one per sentence. Node 0 is the start (<s>); every other node is a
// candidate some step considered: a live hypothesis (its parent) extended by one token. In
// beam search every live hypothesis offers its beam_size most probable tokens (and, on a
// forced prefix, the prefix's token), and the beam_size best of all candidates go on (on a
// forced prefix, the prefix's token only). Greedy decoding's tree is beam size 1's: a chain
// of the chosen tokens, with the model's own choice beside each forced prefix token.
struct BeamNode {
  // pruned: not among the step's best; kept: went on to the next step (or was live when
  // the search ended early); finished: ended the hypothesis (</s>, or the step limit).
  enum class Fate { pruned, kept, finished };
  int parent = -1;              // node index; -1 for the root
  int token = -1;               // the token it adds (the root: <s>)
  std::size_t depth = 0;        // tokens from the root: this token is output step depth - 1
  double log_prob = 0.0;        // of the hypothesis through this token
  double token_log_prob = 0.0;  // of this token alone
  Fate fate = Fate::pruned;
};
struct BeamTree {
  std::vector<BeamNode> nodes;
  std::vector<int> results;  // the node each returned hypothesis ends in, best first

  // A tree holding only its root, the start token `bos` (kept).
  static BeamTree rooted(int bos) { return {{BeamNode{-1, bos, 0, 0.0, 0.0, BeamNode::Fate::kept}}, {}}; }
};

}  // namespace nmtx
