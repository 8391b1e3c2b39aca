// Attention: how the decoder reads the encoder's states. One family per file in
// src/attention/, each opening with its equations; this header is what they share.
//
// A variant is a type and a score (short names TYPE or TYPE-SCORE):
//   type                score (first = default)                   attends from
//   bahdanau            concat (additive)                         s_{i-1}, before the RNN update
//   luong               general, dot, concat, location,           h_t, after the RNN update
//                       scaled-dot, multi-head
//   local-m, local-p    general, dot, concat, scaled-dot          h_t, after the RNN update
//   location-sensitive  concat (additive + location features)     s_{i-1}, before the RNN update
// Options for every variant: normalisation softmax | sigmoid (Chorowski et al. 2015's
// smoothing, σ(e) / Σ σ(e)); at inference, hard (argmax) attention and the monotonic
// and windowed constraints (InferenceConstraints).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "nmtx/core/enum_names.h"
#include "nmtx/core/graph.h"
#include "nmtx/nn/init.h"

namespace nmtx {

// How scores become weights (attention/common.h): softmax, or a sigmoid per position
// normalised to sum to 1.
enum class Normalization { softmax, sigmoid };
const EnumNames<Normalization>& normalization_names();  // "softmax", "sigmoid"

// The attention families (one file each) and the score functions they take; the registry
// (registry.cpp) says which type takes which scores and names each (type, score) variant.
enum class AttentionType { luong, bahdanau, local_m, local_p, location_sensitive };
const EnumNames<AttentionType>& attention_type_names();  // "luong", "bahdanau", "local-m", "local-p", "location-sensitive"
enum class AttentionScore { general, dot, concat, location, scaled_dot, multi_head };
const EnumNames<AttentionScore>& attention_score_names();  // "general", "dot", "concat", "location", "scaled-dot", "multi-head"
inline bool is_local(AttentionType t) { return t == AttentionType::local_m || t == AttentionType::local_p; }

struct AttentionConfig {
  AttentionType type = AttentionType::luong;
  AttentionScore score = AttentionScore::general;
  std::size_t dim = 0;                 // A: hidden size of additive/concat/local-p/multi-head scores (0: decoder size)
  float window = 10.0f;                // D of local-m / local-p (σ = D / 2)
  std::size_t max_src_len = 100;       // longest source the location score can attend over
  std::size_t heads = 4;               // multi-head
  std::size_t location_filters = 32;   // location-sensitive: convolution filters
  std::size_t location_kernel = 31;    // location-sensitive: convolution width (odd)
  Normalization normalize = Normalization::softmax;
};

// ---- the registry of variants (src/attention/registry.cpp) ------------------------
struct Variant {
  AttentionType type = AttentionType::luong;
  AttentionScore score = AttentionScore::general;
  std::string name() const;  // the short name: "bahdanau", "luong-dot", "local-p", "local-m-dot", ...
};
// The score a type takes when none is named (bahdanau: concat, luong: general, ...).
AttentionScore default_score(AttentionType type);
// Every accepted (type, score) pair, in a fixed order.
std::vector<Variant> accepted_variants();
// The short names of the main variants, as nmtx documents them.
std::vector<std::string> variant_names();
// "local-p" → (local-p, general), "luong-scaled-dot" → (luong, scaled-dot); throws listing valid names.
Variant parse_variant(const std::string& name);
// Throws std::invalid_argument for a score the type does not accept, listing what is valid.
void validate_variant(AttentionType type, AttentionScore score);
// The variant a recipe's type and score name (an empty score: the type's default); throws
// std::invalid_argument naming what is unknown or not accepted, listing what is valid.
Variant variant_of(const std::string& type, const std::string& score);

// ---- what attention reads, step by step ------------------------------------------
struct Memory {
  Expr values;               // (B, S, De) encoder states, batch-major
  Expr mask;                 // (B, S) 1 at real positions
  std::vector<int> lengths;  // (B)
  std::size_t batch = 0, length = 0, dim = 0;  // B, S, De
};

// A memory with what its family precomputes once per batch (never per step): the
// meaning of each field is given in the family's file. keys and values are per sentence,
// the sentences in order along their first axis ((B, ...), or (B·k, ...) with k rows
// each); query_weight is a weight shared by all (select_sentences relies on this).
struct PreparedMemory {
  Memory memory;
  Expr keys, values, query_weight;
};

// What-if at one output step (the inspector's intervention, after Lee et al. 2017): the
// step's weights, once normalised (and made hard if asked), are replaced:
//   pin    a_t(s) = [s = position]
//   scale  a_t(s) = w(s) · Σ_s' a_t(s') / Σ_s' w(s'),  w = a_t with a_t(position) multiplied
//          by factor: the row keeps its mass (1, or less for local-p's Gaussian); a row
//          whose w sums to 0 stays 0
// Multi-head attention applies it to every head. The context, the focus of the monotonic
// and windowed constraints, and so every later step follow the changed weights.
struct AttentionIntervention {
  enum class Kind { none, pin, scale };
  Kind kind = Kind::none;
  std::size_t step = 0;      // t, 0-based
  std::size_t position = 0;  // s, below the sentence's length
  float factor = 1.0f;       // scale only, >= 0
};

// Inference-time options (decoding only; never used in training).
struct InferenceConstraints {
  bool hard = false;       // one-hot weights at each step's most attended position
  bool monotonic = false;  // never attend before the previous step's most attended position
  std::size_t window = 0;  // > 0: only positions within `window` of the previous focus
  AttentionIntervention intervention;
};

// What a decoder carries from step to step for its attention.
struct AttentionState {
  Expr cumulative;         // (B, S) Σ of previous weights (location-sensitive), invalid at step 0
  std::vector<int> focus;  // per sentence, the previous step's most attended position (0 at step 0)
};

struct AttentionOutput {
  Expr context;   // (B, De) c_t = Σ_s a_t(s) h_s
  Expr weights;   // (B, S) a_t; exactly 0 at padding (and outside local windows)
  Expr position;  // (B, 1) p_t of local-m / local-p; invalid otherwise
  Expr heads;     // (B, k, S) each head's a_t^j of multi-head attention (`weights` is their
                  // mean); invalid otherwise
};

enum class AttentionOrder { before_update, after_update };

class Attention {
 public:
  virtual ~Attention() = default;
  // Which decoder state is the query: s_{i-1} before the RNN update, or h_t after it.
  virtual AttentionOrder order() const = 0;
  // Binds the memory and precomputes what does not depend on the step, once per batch.
  virtual PreparedMemory prepare(Graph& g, const Memory& memory) const = 0;
  // One step: query (B, Dq) at target step t (0-based).
  virtual AttentionOutput attend(Graph& g, const PreparedMemory& memory, const Expr& query, std::size_t t,
                                 AttentionState& state, const InferenceConstraints& constraints) const = 0;
};

// A setting a model cannot be built with. `field` names it as a path in ModelConfig
// ("attention.window", "decoder_hidden"); the message says why, not how it was set (the
// configuration layer names its recipe key: check_config).
class InvalidSetting : public std::invalid_argument {
 public:
  InvalidSetting(const std::string& field, const std::string& why)
      : std::invalid_argument(field + ": " + why), field_(field), why_(why) {}
  const std::string& field() const { return field_; }
  const std::string& why() const { return why_; }

 private:
  std::string field_, why_;
};

// Which decoder state a type's query is (Bahdanau and location-sensitive: before the update).
AttentionOrder attention_order(AttentionType type);

// Throws InvalidSetting (field relative to AttentionConfig: "window", "heads", ...) unless
// the variant can be built for the decoder state size Dq = query_dim and the encoder state
// size De = memory_dim; make_attention checks it first.
void check_attention_config(const AttentionConfig& config, std::size_t query_dim, std::size_t memory_dim);

// Registers the variant's parameters under `prefix` and returns it. query_dim is the
// decoder state size Dq, memory_dim the encoder state size De.
std::unique_ptr<Attention> make_attention(const AttentionConfig& config, ParameterFactory& factory,
                                          std::size_t query_dim, std::size_t memory_dim,
                                          const std::string& prefix = "decoder.attn");

AttentionState initial_attention_state(std::size_t batch);

}  // namespace nmtx
