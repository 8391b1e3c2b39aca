#include "snapshots.h"

#include <algorithm>
#include <filesystem>

#include "nmtx/decode/corpus.h"
#include "nmtx/io/files.h"
#include "nmtx/run/gold_alignments.h"

namespace nmtx {

namespace fs = std::filesystem;

std::vector<std::size_t> snapshot_sentences(const EvalSet& dev, std::size_t k) {
  const std::size_t n = dev.corpus.size();
  std::vector<std::size_t> by_length(n);
  for (std::size_t i = 0; i < n; ++i) by_length[i] = i;
  std::stable_sort(by_length.begin(), by_length.end(),
                   [&](std::size_t a, std::size_t b) { return dev.corpus.src.length(a) < dev.corpus.src.length(b); });
  std::vector<std::size_t> chosen;
  const std::size_t count = std::min(k, n);
  // The middle of each of `count` equal parts of the sorted set: distinct positions.
  for (std::size_t q = 0; q < count; ++q) chosen.push_back(by_length[(2 * q + 1) * n / (2 * count)]);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

SnapshotRecorder::SnapshotRecorder(const Config& config, const RunData& data, std::string dir)
    : data_(data), dir_(std::move(dir)),
      chosen_(snapshot_sentences(data.dev, static_cast<std::size_t>(config.validation.snapshots))) {
  if (recording()) gold_ = gold_alignments(config, dir_, data.dev);
}

void SnapshotRecorder::start(std::int64_t step) const {
  if (!recording()) return;
  const EvalSet& dev = data_.dev;
  SnapshotSentences s;
  for (const std::size_t i : chosen_) {
    SnapshotSentence x;
    x.index = i;
    x.line = dev.lines[i];
    for (std::size_t k = 0; k < dev.corpus.src.length(i); ++k) x.source.push_back(data_.src_vocab.token(dev.corpus.src.begin(i)[k]));
    for (std::size_t k = 0; k < dev.corpus.tgt.length(i); ++k) x.reference.push_back(data_.tgt_vocab.token(dev.corpus.tgt.begin(i)[k]));
    if (!gold_.empty()) x.gold = gold_[i];
    s.sentences.push_back(std::move(x));
  }
  const fs::path dir = snapshots_dir(dir_);
  fs::create_directories(dir);
  write_file_atomically((dir / "sentences.json").string(), snapshot_sentences_text(s));
  // What a killed session left: its snapshots after `step`, and a write's temporary file.
  std::vector<fs::path> kept{dir / "sentences.json"};
  for (const std::int64_t earlier : snapshot_steps(dir_)) {
    if (earlier <= step) kept.emplace_back(snapshot_path(dir_, earlier));
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (std::find(kept.begin(), kept.end(), entry.path()) == kept.end()) fs::remove_all(entry.path());
  }
}

void SnapshotRecorder::record(std::int64_t step, const std::vector<Hypothesis>& dev_outputs,
                              const Translator& translator) const {
  if (!recording()) return;
  ParallelCorpus references;
  for (const std::size_t i : chosen_) {
    references.src.push_back(data_.dev.corpus.src.begin(i), data_.dev.corpus.src.length(i));
    references.tgt.push_back(data_.dev.corpus.tgt.begin(i), data_.dev.corpus.tgt.length(i));
  }
  std::vector<AttentionRecord> forced = forced_attention(*translator.model, references, chosen_.size());
  Snapshot snapshot{step, {}};
  for (std::size_t k = 0; k < chosen_.size(); ++k) {
    const std::size_t i = chosen_[k];
    const Hypothesis& h = dev_outputs.at(i);
    SnapshotOutput o;
    for (const int id : h.tokens) o.output.push_back(data_.tgt_vocab.token(id));
    if (h.finished) o.output.push_back("</s>");
    o.attention = h.attention.weights;
    o.positions = h.attention.positions;
    o.reference_attention = std::move(forced[k].weights);
    o.reference_positions = std::move(forced[k].positions);
    o.heads = h.attention.heads;
    o.reference_heads = std::move(forced[k].heads);
    snapshot.sentences.push_back(std::move(o));
  }
  write_file_atomically(snapshot_path(dir_, step), snapshot_text(snapshot));
}

std::optional<AttentionMeasures> SnapshotRecorder::measure(const Translator& translator, std::size_t batch) const {
  if (gold_.empty()) return std::nullopt;
  const std::vector<SentenceAttention> sentences = reference_attention(translator, data_.dev, batch);
  const GoldAgreement agreement = agreement_with_gold(sentences, gold_);
  return AttentionMeasures{agreement.aer, agreement.argmax_accuracy, mean_reference_entropy(sentences)};
}

}  // namespace nmtx
