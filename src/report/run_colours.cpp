#include "nmtx/report/run_colours.h"

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

namespace nmtx {

namespace {

constexpr std::array<const char*, 8> kPalette = {"#4d4d4d", "#c51b7d", "#8c6d31", "#a50026",
                                                 "#00a6a6", "#f781bf", "#000000", "#bf812d"};

// The variants nmtx compare's recipes train, each its own entry.
constexpr std::array<std::pair<std::string_view, std::size_t>, 8> kMain = {{{"bahdanau", 0},
                                                                            {"luong-general", 1},
                                                                            {"luong-dot", 2},
                                                                            {"luong-concat", 3},
                                                                            {"local-m", 4},
                                                                            {"local-p", 5},
                                                                            {"luong-location", 6},
                                                                            {"location-sensitive", 7}}};

}  // namespace

std::string run_colour(const std::string& variant) {
  for (const auto& [name, index] : kMain) {
    if (variant == name) return kPalette[index];
  }
  std::uint32_t h = 2166136261u;  // FNV-1a: the same name, the same colour, in every process
  for (const unsigned char c : variant) h = (h ^ c) * 16777619u;
  return kPalette[h % kPalette.size()];
}

}  // namespace nmtx
