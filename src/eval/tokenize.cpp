// Each rule of sacreBLEU's tokenisers is a Python re.sub over code points with a pattern
// of one or two single-character classes: scanning left to right, a match consumes its
// characters and the scan resumes after them. substitute_pairs() does exactly that.
#include "nmtx/eval/tokenize.h"

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include <functional>
#include <stdexcept>

namespace nmtx {

namespace {

using CodePoints = std::u32string;

CodePoints decode(std::string_view s) {
  CodePoints out;
  out.reserve(s.size());
  std::int32_t i = 0;
  const auto n = static_cast<std::int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const std::uint8_t*>(s.data()), i, n, c);
    out.push_back(c < 0 ? 0xFFFD : static_cast<char32_t>(c));
  }
  return out;
}

void encode(char32_t c, std::string& out) {
  std::uint8_t buf[4];
  std::int32_t len = 0;
  UBool error = false;
  U8_APPEND(buf, len, 4, static_cast<UChar32>(c), error);
  (void)error;  // code points come from decode(): always encodable
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
}

// Python's str.isspace(): bidirectional class WS, B or S, or general category Zs.
bool is_python_space(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

using Class = std::function<bool(char32_t)>;

// re.sub(r'(A)(B)', r'\1 \2 ') (spaces_after) or r' \1 \2' (spaces_before).
CodePoints substitute_pairs(const CodePoints& s, const Class& first, const Class& second, bool spaces_after) {
  CodePoints out;
  out.reserve(s.size() + s.size() / 4);
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      if (spaces_after) {
        out += s[i];
        out += U' ';
        out += s[i + 1];
        out += U' ';
      } else {
        out += U' ';
        out += s[i];
        out += U' ';
        out += s[i + 1];
      }
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// re.sub(r'(A)', r' \1 ').
CodePoints surround(const CodePoints& s, const Class& cls) {
  CodePoints out;
  out.reserve(s.size() + s.size() / 4);
  for (char32_t c : s) {
    if (cls(c)) {
      out += U' ';
      out += c;
      out += U' ';
    } else {
      out += c;
    }
  }
  return out;
}

// ' '.join(s.split())
std::string join_split(const CodePoints& s) {
  std::string out;
  bool pending = false;
  for (char32_t c : s) {
    if (is_python_space(c)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    encode(c, out);
  }
  return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
}

bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool in_category(char32_t c, std::uint32_t mask) { return (U_GET_GC_MASK(static_cast<UChar32>(c)) & mask) != 0; }
bool is_number(char32_t c) { return in_category(c, U_GC_N_MASK); }
bool is_punctuation(char32_t c) { return in_category(c, U_GC_P_MASK); }
bool is_symbol(char32_t c) { return in_category(c, U_GC_S_MASK); }

}  // namespace

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> out;
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto n = static_cast<std::int32_t>(text.size());
  std::int32_t i = 0, start = -1;
  while (i < n) {
    const std::int32_t at = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    const bool space = c >= 0 && is_python_space(static_cast<char32_t>(c));
    if (space && start >= 0) {
      out.push_back(text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(at - start)));
      start = -1;
    } else if (!space && start < 0) {
      start = at;
    }
  }
  if (start >= 0) out.push_back(text.substr(static_cast<std::size_t>(start)));
  return out;
}

std::string_view rstrip_whitespace(std::string_view text) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  auto end = static_cast<std::int32_t>(text.size());
  while (end > 0) {
    std::int32_t i = end;
    UChar32 c;
    U8_PREV(p, 0, i, c);
    if (c < 0 || !is_python_space(static_cast<char32_t>(c))) break;
    end = i;
  }
  return text.substr(0, static_cast<std::size_t>(end));
}

std::string full_lowercase(std::string_view text) {
  // UTF-8 → UTF-16 → u_strToLower (root locale: full mappings, final sigma) → UTF-8.
  UErrorCode status = U_ZERO_ERROR;
  std::int32_t len16 = 0;
  u_strFromUTF8WithSub(nullptr, 0, &len16, text.data(), static_cast<std::int32_t>(text.size()), 0xFFFD, nullptr, &status);
  status = U_ZERO_ERROR;
  std::u16string in(static_cast<std::size_t>(len16), u'\0');
  u_strFromUTF8WithSub(in.data(), len16, nullptr, text.data(), static_cast<std::int32_t>(text.size()), 0xFFFD, nullptr,
                       &status);
  status = U_ZERO_ERROR;
  const std::int32_t lower_len = u_strToLower(nullptr, 0, in.data(), len16, "", &status);
  status = U_ZERO_ERROR;
  std::u16string lower(static_cast<std::size_t>(lower_len), u'\0');
  u_strToLower(lower.data(), lower_len, in.data(), len16, "", &status);
  if (U_FAILURE(status)) throw std::runtime_error("lowercasing failed: " + std::string(u_errorName(status)));
  status = U_ZERO_ERROR;
  std::int32_t len8 = 0;
  u_strToUTF8(nullptr, 0, &len8, lower.data(), lower_len, &status);
  status = U_ZERO_ERROR;
  std::string out(static_cast<std::size_t>(len8), '\0');
  u_strToUTF8(out.data(), len8, nullptr, lower.data(), lower_len, &status);
  return out;
}

std::string tokenize_13a(std::string_view line) {
  std::string s(line);
  replace_all(s, "<skipped>", "");
  replace_all(s, "-\n", "");
  replace_all(s, "\n", " ");
  replace_all(s, "&quot;", "\"");
  replace_all(s, "&amp;", "&");
  replace_all(s, "&lt;", "<");
  replace_all(s, "&gt;", ">");
  CodePoints t = decode(" " + s + " ");
  // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) → ' \1 ': ASCII punctuation except ' - . ,
  t = surround(t, [](char32_t c) {
    return (c >= U'{' && c <= U'~') || (c >= U'[' && c <= U'`') || (c >= U' ' && c <= U'&') ||
           (c >= U'(' && c <= U'+') || (c >= U':' && c <= U'@') || c == U'/';
  });
  const Class period_comma = [](char32_t c) { return c == U'.' || c == U','; };
  const Class not_digit = [](char32_t c) { return !is_digit(c); };
  t = substitute_pairs(t, not_digit, period_comma, /*spaces_after=*/true);   // ([^0-9])([\.,]) → '\1 \2 '
  t = substitute_pairs(t, period_comma, not_digit, /*spaces_after=*/false);  // ([\.,])([^0-9]) → ' \1 \2'
  t = substitute_pairs(t, is_digit, [](char32_t c) { return c == U'-'; }, true);  // ([0-9])(-) → '\1 \2 '
  return join_split(t);
}

std::string tokenize_intl(std::string_view line) {
  CodePoints t = decode(line);
  const Class not_number = [](char32_t c) { return !is_number(c); };
  t = substitute_pairs(t, not_number, is_punctuation, /*spaces_after=*/true);   // (\P{N})(\p{P}) → '\1 \2 '
  t = substitute_pairs(t, is_punctuation, not_number, /*spaces_after=*/false);  // (\p{P})(\P{N}) → ' \1 \2'
  t = surround(t, is_symbol);                                                   // (\p{S}) → ' \1 '
  return join_split(t);
}

}  // namespace nmtx
