// What several subcommands share: input lines from a file or standard input, output to a
// file (atomically) or standard output, loading a trained run (--model, --checkpoint),
// and the hypotheses and references of bleu and chrf.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nmtx/eval/aer.h"
#include "nmtx/run/trained_run.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/eval/chrf.h"
#include "nmtx/eval/ter.h"
#include "options.h"

namespace nmtx::cli {

// The lines of the file option `key`, or of standard input when it is absent (checked as
// files are: UTF-8, line length).
std::vector<std::string> read_input(const cxxopts::ParseResult& args, const char* key);
// Writes to --output atomically, or to standard output.
void write_output(const cxxopts::ParseResult& args, const std::string& text);

// --model (repeatable: an ensemble), --checkpoint, --batch, --threads, --help.
void add_model_options(cxxopts::Options& options);
// A checkpoint's path given where a run belongs (the OpenNMT / fairseq habit): an error
// saying what to type instead, `typed` (what the user wrote) then `instead` followed by
// "RUN --checkpoint NAME". Nothing for any other path.
void refuse_checkpoint_path(const std::string& path, const std::string& typed, const std::string& instead);
// Every --model, with --checkpoint; several must share the target side (check_ensemble).
std::vector<std::unique_ptr<TrainedRun>> load_models(const cxxopts::ParseResult& args);
std::vector<const TrainedRun*> pointers(const std::vector<std::unique_ptr<TrainedRun>>& runs);

// --src and --tgt: two files with a line each per pair.
struct LinePairs {
  std::string src_path, tgt_path;
  std::vector<std::string> src, tgt;
};
LinePairs read_line_pairs(const cxxopts::ParseResult& args);

// Every line of a Pharaoh file (one_based: positions count from 1; reverse: the file lists
// target-source); a bad link is an InputError naming the file and line.
std::vector<AlignmentLine> read_alignments(const std::string& path, bool one_based, bool reverse);

// bleu and chrf: REF [REF...] positional, hypotheses on standard input or --input (several:
// systems compared, the first the baseline), --lowercase, and the paired tests' options.
void add_reference_options(cxxopts::Options& options);
// parse_command_line for bleu, chrf and ter, taking sacreBLEU's way of giving several
// values to one option (`-i A B C`, `-m bleu chrf`) as cxxopts takes them (`-i A -i B -i C`).
cxxopts::ParseResult parse_scoring_command_line(cxxopts::Options& options, int argc, char** argv);
struct ScoredText {
  std::vector<std::string> names;                     // each system's file as given ("standard input")
  std::vector<std::vector<std::string>> systems;      // their hypotheses, each as long as the references
  std::vector<std::vector<std::string>> references;   // one set per file
  const std::vector<std::string>& hypotheses() const { return systems.front(); }
};
ScoredText read_scored_text(const cxxopts::ParseResult& args);
// Whether the command compares systems (several -i files, a paired test, or -m).
bool compares_systems(const cxxopts::ParseResult& args, const ScoredText& in);
// Several systems (or --paired-bs / --paired-ar): their scores under `metrics` (the
// command's own unless -m names others), with the paired test's p-values, means and 95%
// intervals; as a table, or with -f json as sacreBLEU's JSON.
int print_system_comparison(const cxxopts::ParseResult& args, const ScoredText& in, const std::string& own_metric,
                            const BleuOptions& bleu, const ChrfOptions& chrf, const TerOptions& ter = {});

// The help text of `options` when --help was given (then the command returns 0).
bool print_help(const cxxopts::ParseResult& args, const cxxopts::Options& options,
                const std::vector<std::string>& groups = {""});

}  // namespace nmtx::cli
