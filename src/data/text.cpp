#include "nmtx/data/text.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cwctype>
#include <filesystem>
#include <istream>
#include <locale>

namespace nmtx {

namespace fs = std::filesystem;

InputError::InputError(const std::string& file, std::size_t line, const std::string& what)
    : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + what) {}

namespace {

std::string line_too_long() {
  return "a line longer than " + std::to_string(kMaxLineBytes) + " bytes (is this a text file of one sentence per line?)";
}

// gzread reads a plain file as itself, so one reader serves both.
class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path) {
    if (fs::is_directory(path)) throw InputError(path, 0, "is a directory, expected a text file");
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) throw InputError(path, 0, std::string("cannot open: ") + std::strerror(errno));
    gzbuffer(file_, 1 << 17);
  }
  ~GzReader() { gzclose(file_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads the next line into `line` (without '\n'); false at the end of the file.
  bool next(std::string& line, std::size_t number) {
    line.clear();
    for (;;) {
      if (line.size() > kMaxLineBytes) throw InputError(path_, number, line_too_long());
      if (pos_ == end_) {
        const int n = gzread(file_, buffer_, sizeof buffer_);
        if (n < 0) {
          int code = 0;
          const char* message = gzerror(file_, &code);
          throw InputError(path_, 0, std::string("cannot read (corrupt gzip data?): ") + message);
        }
        if (n == 0) {
          int code = 0;
          gzerror(file_, &code);
          // Z_BUF_ERROR: the file ended inside a gzip stream.
          if (code != Z_OK) throw InputError(path_, 0, "cannot read: truncated gzip data");
          return !line.empty();
        }
        pos_ = 0;
        end_ = static_cast<std::size_t>(n);
      }
      const char* start = buffer_ + pos_;
      const void* newline = std::memchr(start, '\n', end_ - pos_);
      if (newline != nullptr) {
        const std::size_t len = static_cast<const char*>(newline) - start;
        line.append(start, len);
        pos_ += len + 1;
        if (line.size() > kMaxLineBytes) throw InputError(path_, number, line_too_long());
        return true;
      }
      line.append(start, end_ - pos_);
      pos_ = end_;
    }
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
  char buffer_[1 << 16];
  std::size_t pos_ = 0, end_ = 0;
};

}  // namespace

std::size_t invalid_utf8_at(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0, min = 0;
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, min = 0x10000;
    else return i;
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

void for_each_line(const std::string& path, const std::function<void(std::string_view, std::size_t)>& fn) {
  GzReader reader(path);
  std::string line;
  for (std::size_t number = 1; reader.next(line, number); ++number) {
    std::string_view view(line);
    if (number == 1 && view.substr(0, 3) == "\xEF\xBB\xBF") view.remove_prefix(3);  // byte-order mark
    if (!view.empty() && view.back() == '\r') view.remove_suffix(1);                 // CRLF
    const std::size_t bad = invalid_utf8_at(view);
    if (bad != std::string_view::npos) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(view[bad]));
      throw InputError(path, number, "invalid UTF-8 (byte " + std::string(byte) + " at column " +
                                         std::to_string(bad + 1) + "); the text must be UTF-8");
    }
    fn(view, number);
  }
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  for_each_line(path, [&](std::string_view line, std::size_t) { lines.emplace_back(line); });
  return lines;
}

bool LineReader::next(std::string& line) {
  if (!std::getline(in_, line)) return false;
  ++number_;
  if (line.size() > kMaxLineBytes) throw InputError(name_, number_, line_too_long());
  if (number_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::size_t bad = invalid_utf8_at(line);
  if (bad != std::string::npos) {
    throw InputError(name_, number_, "invalid UTF-8 at column " + std::to_string(bad + 1) + "; the text must be UTF-8");
  }
  return true;
}

std::vector<std::string> read_lines(std::istream& in, const std::string& name) {
  std::vector<std::string> lines;
  LineReader reader(in, name);
  for (std::string line; reader.next(line);) lines.push_back(std::move(line));
  return lines;
}

namespace {

// Decodes one code point of valid UTF-8 at s[i], advancing i.
char32_t decode(std::string_view s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n'; }

}  // namespace

std::string utf8_lowercase(std::string_view s) {
  // A locale object, not the global locale: nothing else in the process changes.
  static const std::locale utf8_locale("C.UTF-8");
  static const auto& ctype = std::use_facet<std::ctype<wchar_t>>(utf8_locale);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {  // ASCII fast path
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      ++i;
      continue;
    }
    encode(static_cast<char32_t>(ctype.tolower(static_cast<wchar_t>(decode(s, i)))), out);
  }
  return out;
}

TokenLevel parse_token_level(const std::string& name) {
  if (name == "word") return TokenLevel::word;
  if (name == "char") return TokenLevel::character;
  throw std::invalid_argument("unknown token level \"" + name + "\"; valid: word, char");
}

void tokenize(std::string_view line, TokenLevel level, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  if (level == TokenLevel::word) {
    while (i < line.size()) {
      while (i < line.size() && is_space(line[i])) ++i;
      const std::size_t start = i;
      while (i < line.size() && !is_space(line[i])) ++i;
      if (i > start) out.push_back(line.substr(start, i - start));
    }
    return;
  }
  bool pending_space = false;
  while (i < line.size()) {
    if (is_space(line[i])) {
      pending_space = !out.empty();
      ++i;
      continue;
    }
    if (pending_space) out.push_back(kSpaceSymbol);
    pending_space = false;
    const std::size_t start = i;
    decode(line, i);
    out.push_back(line.substr(start, i - start));
  }
}

std::string detokenize(const std::vector<std::string>& tokens, TokenLevel level) {
  std::string out;
  for (const std::string& t : tokens) {
    if (level == TokenLevel::word) {
      if (!out.empty()) out += ' ';
      out += t;
    } else {
      out += t == kSpaceSymbol ? std::string(" ") : t;
    }
  }
  return out;
}

}  // namespace nmtx
