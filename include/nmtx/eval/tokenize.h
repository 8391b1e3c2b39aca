// The text handling sacreBLEU applies before counting n-grams, reproduced code point for
// code point: Python's str.split() / rstrip() whitespace and str.lower(), the 13a
// tokeniser (mteval-v13a.pl, WMT's default) and the international one (mteval-v14.pl,
// Unicode punctuation and symbols). Unicode properties come from ICU.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nmtx {

// Python's str.split(): runs of Unicode whitespace separate the tokens.
std::vector<std::string_view> split_whitespace(std::string_view text);
// Python's str.rstrip(): trailing Unicode whitespace removed.
std::string_view rstrip_whitespace(std::string_view text);
// Python's str.lower(): full Unicode lowercase mapping (ICU's root locale).
std::string full_lowercase(std::string_view text);

// sacreBLEU's tokenize=13a: unescapes &quot; &amp; &lt; &gt;, separates ASCII
// punctuation, periods and commas not next to digits, and dashes after digits.
std::string tokenize_13a(std::string_view line);
// sacreBLEU's tokenize=intl: separates Unicode punctuation (P*) unless between digits
// (N*) on the side concerned, and every symbol (S*).
std::string tokenize_intl(std::string_view line);

}  // namespace nmtx
