// A trained run loaded once: the model a run directory holds, with its configuration,
// segmenters, vocabularies and the parameters of one checkpoint (the best by default).
// What translate, score, align and compare (and a future inspector or server) share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/core/params.h"
#include "nmtx/data/segmenter.h"
#include "nmtx/data/vocab.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx {

struct TrainedRun {
  Config config;                    // the run's config.yaml
  std::unique_ptr<Segmenter> src_segmenter, tgt_segmenter;
  Vocab src_vocab, tgt_vocab;
  std::unique_ptr<ParameterSet> params;
  std::unique_ptr<Seq2Seq> model;
  std::string checkpoint;           // the directory the parameters came from
  std::string dir;                  // the run directory

  // A line of text as the model reads it: segmented, then vocabulary ids (unknown tokens
  // become <unk>). `tokens` is set to the segments.
  std::vector<int> source_ids(const std::string& line, std::vector<std::string>& tokens) const;
  std::vector<int> target_ids(const std::string& line, std::vector<std::string>& tokens) const;
};

// How the run reads one side of the text: "words, cased", "characters, lowercased" or
// "SentencePiece model <digest of its file>, cased".
std::string reading(const TrainedRun& run, bool source);

// An ensemble's members (decode/ensemble.h) must share the target side: throws
// std::invalid_argument naming the first run whose target vocabulary or target reading
// differs from the first run's, and how.
void check_ensemble(const std::vector<const TrainedRun*>& runs);
// Whether every run reads the source exactly as the first does (reading and vocabulary),
// so that their attention over it can be averaged.
bool same_source_reading(const std::vector<const TrainedRun*>& runs);

// Loads RUN_DIR with the checkpoint `which`: "best", "latest", a checkpoint's name
// (step-00001200, or step-1200 as people type it) or a checkpoint directory's path. Errors
// name what is missing and, for a checkpoint not there, the run's checkpoints.
std::unique_ptr<TrainedRun> load_trained_run(const std::string& run_dir, const std::string& which = "best");

// A checkpoint directory of a run (RUN/checkpoints/NAME), which people who know OpenNMT or
// fairseq give where a run belongs: the run and the checkpoint's name. Nothing otherwise.
struct RunCheckpoint {
  std::string run, name;
};
std::optional<RunCheckpoint> run_checkpoint_of(const std::string& path);

}  // namespace nmtx
