// cxxopts as every subcommand uses it. Repeated options are collected whole: by default
// cxxopts would also split each value at commas, which breaks `--set compare.variants=[a,b]`.
// (Every file of the tool includes cxxopts through here, so they all agree.)
#pragma once

#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>
#include <filesystem>
#include <string>

namespace nmtx::cli {

// What a stray argument most likely meant, for the message that refuses it.
enum class StrayHint { none, set, model };

// options.parse, refusing every argument that no option or positional took: cxxopts keeps
// them aside silently, so `nmtx train r.yaml model.hidden=64` trained without the change.
// `hint` names the option the command has that a stray argument may have meant: --set for
// a KEY=VALUE, --model for a run directory.
inline cxxopts::ParseResult parse_command_line(cxxopts::Options& options, int argc, char** argv,
                                               StrayHint hint = StrayHint::none) {
  cxxopts::ParseResult args = options.parse(argc, argv);
  if (args.unmatched().empty()) return args;
  const std::string& stray = args.unmatched().front();
  std::string message = "unexpected argument \"" + stray + "\"";
  std::error_code ignored;
  if (hint == StrayHint::set && stray.find('=') != std::string::npos) {
    message += "; a recipe key is overridden with --set " + stray;
  } else if (hint == StrayHint::model && std::filesystem::is_directory(stray, ignored)) {
    message += "; a run directory is given with --model " + stray;
  }
  throw cxxopts::exceptions::parsing(message);
}

}  // namespace nmtx::cli
