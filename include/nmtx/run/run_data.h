// The data of a training run, from its configuration: a toy task generated into the run
// directory or corpus files read from disk; the segmenters (words, characters or
// SentencePiece models trained on the training set) and vocabularies, built once when a
// run starts and saved in the run directory, and read back from there when it resumes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nmtx/data/corpus.h"
#include "nmtx/data/segmenter.h"
#include "nmtx/data/vocab.h"
#include "nmtx/config/config.h"

namespace nmtx {

// A set to evaluate on: the model's input and the text BLEU compares with.
struct EvalSet {
  std::string name;                      // "dev", "test"
  ParallelCorpus corpus;                 // in vocabulary ids
  std::vector<std::string> references;   // the target side as text (normalised as the segmenter does)
  std::vector<std::string> sources;      // the source side as text
  std::vector<std::size_t> lines;        // each pair's 1-based line in the files (pairs with an empty side are skipped)
};

struct RunData {
  std::unique_ptr<Segmenter> src_segmenter, tgt_segmenter;
  Vocab src_vocab, tgt_vocab;
  ParallelCorpus train;
  std::size_t train_skipped_empty = 0, train_skipped_long = 0;
  EvalSet dev;
  std::optional<EvalSet> test;
};

// Files a run directory holds besides checkpoints (names relative to it).
namespace run_files {
inline const char* const config = "config.yaml";
inline const char* const src_vocab = "src.vocab";
inline const char* const tgt_vocab = "tgt.vocab";
inline const char* const src_spm = "src.spm.model";
inline const char* const tgt_spm = "tgt.spm.model";
inline const char* const toy_data = "data";  // toy tasks: data/{train,dev,test}.{src,tgt,align}
}  // namespace run_files

// Prepares a new run in `dir` (which must exist and be empty: the caller creates it under
// a temporary name): generates a toy task, trains SentencePiece models, builds and saves
// the vocabularies. Returns the loaded data. `log` receives progress lines.
// The seed SentencePiece trains with: data.subword.seed, or training.seed when it is -1.
std::uint32_t subword_seed(const Config& config);

RunData prepare_run_data(const Config& config, const std::string& dir, const std::function<void(const std::string&)>& log);
// Reads the data of an existing run `dir` with its saved segmenters and vocabularies.
RunData load_run_data(const Config& config, const std::string& dir);

// The segmenter of one side of run `dir`: SentencePiece (its saved model), words or
// characters, lowercasing as configured.
std::unique_ptr<Segmenter> run_segmenter(const DataConfig& data, const std::string& dir, bool source);

// Writes a toy task's train/dev/test sets (and their gold alignments, Pharaoh src-tgt,
// 0-based) into `dir` as {train,dev,test}.{src,tgt,align}.
void write_toy_task(const ToyDataSettings& toy, const std::string& dir);

}  // namespace nmtx
