// Reading text corpora: one segment per line, UTF-8, optionally gzip-compressed (read
// transparently: a plain file reads as itself). A byte-order mark at the start and CRLF
// line endings are tolerated; invalid UTF-8 is an error naming the file, line and byte.
// Tokenisation is by whitespace (words) or by code point (characters, for toy tasks).
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nmtx {

// An error in an input file, with its place: "FILE:LINE: WHAT" (LINE omitted when 0).
class InputError : public std::runtime_error {
 public:
  InputError(const std::string& file, std::size_t line, const std::string& what);
};

// The longest line the readers accept: far above any sentence, far below what a
// decompression bomb would make one line hold.
inline constexpr std::size_t kMaxLineBytes = 1 << 20;

// Calls fn(line, line_number) for every line of `path` (1-based numbers, without the line
// ending). Throws InputError for a missing or unreadable file, invalid UTF-8 and a line
// longer than kMaxLineBytes.
void for_each_line(const std::string& path, const std::function<void(std::string_view, std::size_t)>& fn);
std::vector<std::string> read_lines(const std::string& path);
// The same from a stream (standard input): `name` is what errors call it.
std::vector<std::string> read_lines(std::istream& in, const std::string& name);
// The lines of a stream one at a time, each checked as read_lines checks it: what an
// interactive reader (nmtx translate on a terminal) answers before the next line comes.
class LineReader {
 public:
  LineReader(std::istream& in, std::string name) : in_(in), name_(std::move(name)) {}
  // The next line (without its ending) into `line`; false at the end. Throws InputError.
  bool next(std::string& line);

 private:
  std::istream& in_;
  std::string name_;
  std::size_t number_ = 0;
};

// The offset of the first invalid UTF-8 byte in `s` (overlong forms, surrogates and code
// points above U+10FFFF are invalid), or npos when it is valid.
std::size_t invalid_utf8_at(std::string_view s);

// Lowercases by code point (the C.UTF-8 locale's towlower: Latin, Greek, Cyrillic, ...).
std::string utf8_lowercase(std::string_view s);

enum class TokenLevel { word, character };
TokenLevel parse_token_level(const std::string& name);  // "word" | "char"

// Character level: every code point is a token and a space becomes "▁" (U+2581), so that
// detokenize() restores the text exactly (runs of whitespace become one space).
constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";

// Splits a line into tokens (whitespace: space, tab, vertical tab, form feed, CR).
void tokenize(std::string_view line, TokenLevel level, std::vector<std::string_view>& out);
std::string detokenize(const std::vector<std::string>& tokens, TokenLevel level);

}  // namespace nmtx
