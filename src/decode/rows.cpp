#include "rows.h"

#include <initializer_list>

#include "nmtx/core/ops.h"

namespace nmtx {

namespace {

// Rows of x whose first axis holds the B sentences in order, one row each (B, ...) or a
// block of rows each (B·k, ...), as PreparedMemory's fields do.
Expr gather_sentences(const Expr& x, std::size_t B, const std::vector<int>& rows) {
  if (!x.valid()) return x;
  const Shape s = x.shape();
  const Expr per_sentence = reshape(x, {B, s.size() / B});
  return reshape(gather_rows(per_sentence, rows), s.with(0, s[0] / B * rows.size()));
}

}  // namespace

EncodedBatch select_sentences(const EncodedBatch& batch, const std::vector<int>& rows) {
  const EncoderOutput& in = batch.encoder;
  const std::size_t B = in.batch;
  auto gather = [&](const Expr& x) { return gather_sentences(x, B, rows); };
  EncodedBatch out;
  EncoderOutput& enc = out.encoder;
  enc.batch = rows.size();
  enc.length = in.length;
  for (int r : rows) enc.lengths.push_back(in.lengths.at(static_cast<std::size_t>(r)));
  enc.memory = gather(in.memory);
  enc.states = transpose(enc.memory, {1, 0, 2});
  enc.mask = gather(in.mask);
  for (const RnnState& s : in.forward_final) enc.forward_final.push_back({gather(s.h), gather(s.c)});
  for (const RnnState& s : in.backward_first) enc.backward_first.push_back({gather(s.h), gather(s.c)});
  const PreparedMemory& m = batch.memory;
  // Attention reads the encoder's memory and mask (Seq2Seq::encode): gathered above.
  out.memory.memory = Memory{enc.memory, enc.mask, enc.lengths, enc.batch, m.memory.length, m.memory.dim};
  out.memory.keys = gather(m.keys);
  out.memory.values = gather(m.values);
  out.memory.query_weight = m.query_weight;  // a weight, the same for every sentence
  return out;
}

DecoderState select_rows(const DecoderState& state, const std::vector<int>& rows) {
  auto gather = [&](const Expr& x) { return x.valid() ? gather_rows(x, rows) : x; };
  DecoderState out;
  for (const RnnState& layer : state.layers) out.layers.push_back({gather(layer.h), gather(layer.c)});
  out.feed = gather(state.feed);
  out.attention.cumulative = gather(state.attention.cumulative);
  if (!state.attention.focus.empty()) {
    for (int r : rows) out.attention.focus.push_back(state.attention.focus.at(static_cast<std::size_t>(r)));
  }
  return out;
}

namespace {

// The Exprs a rewind keeps (the valid ones among those named).
struct KeptExprs {
  std::vector<Expr*> exprs;
  void add(std::initializer_list<Expr*> xs) {
    for (Expr* x : xs) {
      if (x->valid()) exprs.push_back(x);
    }
  }
  void add(std::vector<RnnState>& layers) {
    for (RnnState& s : layers) add({&s.h, &s.c});
  }
};

}  // namespace

void rewind_keeping(Graph& g, const Graph::Mark& m, DecoderState& state) {
  KeptExprs keep;
  keep.add(state.layers);
  keep.add({&state.feed, &state.attention.cumulative});
  g.rewind(m, keep.exprs);
}

void rewind_keeping(Graph& g, const Graph::Mark& m, EncodedBatch& batch) {
  EncoderOutput& enc = batch.encoder;
  PreparedMemory& pm = batch.memory;
  KeptExprs keep;
  keep.add({&enc.states, &enc.memory, &enc.mask});
  keep.add(enc.forward_final);
  keep.add(enc.backward_first);
  keep.add({&pm.memory.values, &pm.memory.mask, &pm.keys, &pm.values, &pm.query_weight});
  g.rewind(m, keep.exprs);
}

}  // namespace nmtx
