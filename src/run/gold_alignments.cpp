#include "nmtx/run/gold_alignments.h"

#include <filesystem>
#include <stdexcept>

#include "nmtx/data/text.h"

namespace nmtx {

std::vector<AlignmentLine> gold_alignments(const Config& run, const std::string& run_dir, const EvalSet& set,
                                           const std::string& given_path, bool one_based) {
  std::string path = given_path;
  if (run.data.is_toy()) {
    path = (std::filesystem::path(run_dir) / run_files::toy_data / (set.name + ".align")).string();
    one_based = false;
  }
  if (path.empty()) return {};
  const std::vector<std::string> lines = read_lines(path);
  std::vector<AlignmentLine> out;
  for (std::size_t line : set.lines) {
    if (line > lines.size()) {
      throw InputError(path, 0, "has " + std::to_string(lines.size()) + " lines, fewer than the " + set.name + " set");
    }
    try {
      out.push_back(parse_alignment(lines[line - 1], one_based));
      check_alignment_lengths(out.back(), set.corpus.src.length(out.size() - 1), set.corpus.tgt.length(out.size() - 1));
    } catch (const std::invalid_argument& e) {
      throw InputError(path, line, e.what());
    }
  }
  return out;
}

}  // namespace nmtx
