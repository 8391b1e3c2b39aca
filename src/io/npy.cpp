#include "nmtx/io/npy.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "nmtx/io/files.h"

namespace nmtx {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .npy reader and writer assume a little-endian machine");

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagic = "\x93NUMPY";

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// Keeps text echoed from a file short and printable.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 32)) out += c >= 0x20 && c < 0x7F ? c : '?';
  return s.size() > 32 ? out + "..." : out;
}

// The header dict, read as the subset of Python literals numpy writes: string keys, a
// string (descr), True/False (fortran_order) and a tuple of non-negative integers (shape).
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  NpyHeader parse() {
    NpyHeader h;
    bool descr = false, fortran = false, shape = false;
    expect('{');
    for (;;) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        seen(descr, key);
        h.descr = string_literal();
      } else if (key == "fortran_order") {
        seen(fortran, key);
        h.fortran_order = boolean();
      } else if (key == "shape") {
        seen(shape, key);
        h.shape = tuple();
      } else {
        fail("unexpected key '" + printable(key) + "' (numpy's header holds descr, fortran_order and shape)");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    ++pos_;  // '}'
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the dict");
    if (!descr || !fortran || !shape) {
      fail(std::string("missing key ") + (!descr ? "descr" : !fortran ? "fortran_order" : "shape"));
    }
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(name_ + ": malformed .npy header: " + what + " at byte " + std::to_string(pos_) +
                             " of the header");
  }
  void seen(bool& flag, const std::string& key) {
    if (flag) fail("key '" + key + "' given twice");
    flag = true;
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r' ||
                                s_[pos_] == '\f')) {
      ++pos_;
    }
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    const std::size_t start = ++pos_;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\' || s_[pos_] == '\n') fail("escapes and line breaks in strings are not supported");
      ++pos_;
    }
    if (pos_ == s_.size()) fail("unterminated string");
    return std::string(s_.substr(start, pos_++ - start));
  }
  bool boolean() {
    skip_space();
    if (s_.substr(pos_, 4) == "True") return pos_ += 4, true;
    if (s_.substr(pos_, 5) == "False") return pos_ += 5, false;
    fail("expected True or False");
  }
  // "()", "(3,)", "(2, 3)", "(2, 3,)"; a one-element tuple needs its comma, as in Python.
  std::vector<std::size_t> tuple() {
    std::vector<std::size_t> dims;
    expect('(');
    for (;;) {
      skip_space();
      if (peek() == ')') break;
      if (dims.size() == static_cast<std::size_t>(Shape::kMaxRank)) {
        fail("more than " + std::to_string(Shape::kMaxRank) + " dimensions (nmtx's tensors have rank <= 4)");
      }
      dims.push_back(integer());
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ')') fail("expected ',' or ')' in the shape");
      if (dims.size() == 1) fail("a one-element shape is written (N,)");
    }
    ++pos_;
    return dims;
  }
  std::size_t integer() {
    if (peek() < '0' || peek() > '9') fail("expected a dimension (a non-negative integer)");
    if (peek() == '0' && pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9') {
      fail("a dimension with a leading zero");
    }
    std::uint64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, static_cast<unsigned>(peek() - '0'), &v)) {
        fail("a dimension above 2^64");
      }
      ++pos_;
    }
    return static_cast<std::size_t>(v);
  }

  std::string_view s_;
  const std::string& name_;
  std::size_t pos_ = 0;
};

std::string npy_header(const char* descr, const Shape& shape) {
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " +
                     shape_text(std::vector<std::size_t>(shape.begin(), shape.end())) + ", }";
  // Spaces, then '\n', so that the data starts at a multiple of 64 bytes (numpy's layout).
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xFF);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict;
}

// Checks what load_npy and parse_npy require beyond a well-formed header: float32, C
// order, and exactly as many bytes as the shape needs. Returns the data's length.
std::size_t check_float32(const NpyHeader& h, std::uint64_t file_size, const std::string& name) {
  if (h.descr != "<f4") {
    throw std::runtime_error(name + ": expected float32 ('<f4') data, found '" + printable(h.descr) + "'");
  }
  if (h.fortran_order) throw std::runtime_error(name + ": Fortran-ordered arrays are not supported");
  std::uint64_t expected = 0;
  const bool overflow = __builtin_mul_overflow(static_cast<std::uint64_t>(h.count), std::uint64_t{4}, &expected) ||
                        __builtin_add_overflow(expected, static_cast<std::uint64_t>(h.data_offset), &expected);
  if (overflow || expected != file_size) {
    throw std::runtime_error(name + ": truncated or padded: " + std::to_string(file_size) + " bytes, expected " +
                             (overflow ? std::string("more than 2^64") : std::to_string(expected)) + " for shape " +
                             shape_text(h.shape));
  }
  return h.count * 4;
}

TensorData to_tensor(const NpyHeader& h, const char* data) {
  Shape shape;
  for (std::size_t i = h.shape.size(); i-- > 0;) shape = shape.prepend(h.shape[i]);
  TensorData t(shape);
  if (h.count > 0) std::memcpy(t.values.data(), data, h.count * sizeof(float));
  return t;
}

}  // namespace

NpyHeader parse_npy_header(std::string_view bytes, const std::string& name) {
  if (bytes.size() < 10 || bytes.substr(0, kMagic.size()) != kMagic) throw std::runtime_error(name + ": not a .npy file");
  NpyHeader h;
  const auto byte = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(bytes[i])); };
  h.major_version = static_cast<int>(byte(6));
  if ((h.major_version < 1 || h.major_version > 3) || byte(7) != 0) {
    throw std::runtime_error(name + ": .npy version " + std::to_string(byte(6)) + "." + std::to_string(byte(7)) +
                             " (nmtx reads 1.0, 2.0 and 3.0)");
  }
  const std::size_t prefix = h.major_version == 1 ? 10 : 12;
  if (bytes.size() < prefix) throw std::runtime_error(name + ": truncated .npy header");
  std::size_t length = byte(8) | byte(9) << 8;
  if (h.major_version > 1) length |= byte(10) << 16 | byte(11) << 24;
  if (length > kMaxNpyHeader) {
    throw std::runtime_error(name + ": .npy header of " + std::to_string(length) + " bytes; nmtx reads headers up to " +
                             std::to_string(kMaxNpyHeader) + " bytes");
  }
  if (bytes.size() < prefix + length) throw std::runtime_error(name + ": truncated .npy header");
  const NpyHeader dict = HeaderParser(bytes.substr(prefix, length), name).parse();
  h.descr = dict.descr;
  h.fortran_order = dict.fortran_order;
  h.shape = dict.shape;
  h.data_offset = prefix + length;
  h.count = 1;
  for (std::size_t d : h.shape) {
    if (__builtin_mul_overflow(h.count, d, &h.count)) {
      throw std::runtime_error(name + ": shape " + shape_text(h.shape) + " holds more than 2^64 elements");
    }
  }
  return h;
}

TensorData parse_npy(std::string_view bytes, const std::string& name) {
  const NpyHeader h = parse_npy_header(bytes, name);
  check_float32(h, bytes.size(), name);
  return to_tensor(h, bytes.data() + h.data_offset);
}

TensorData load_npy(const std::string& path) {
  std::error_code error;
  if (fs::is_directory(path, error)) throw std::runtime_error(path + ": is a directory, expected a .npy file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open (missing file?)");
  in.seekg(0, std::ios::end);
  const auto file_size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  // The header first, at most as long as allowed; the data only once its size is right.
  std::string head(static_cast<std::size_t>(std::min<std::uint64_t>(file_size, 12 + kMaxNpyHeader)), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  if (!in) throw std::runtime_error(path + ": cannot read");
  const NpyHeader h = parse_npy_header(head, path);
  const std::size_t data_bytes = check_float32(h, file_size, path);
  std::string data(data_bytes, '\0');
  in.seekg(static_cast<std::streamoff>(h.data_offset));
  in.read(data.data(), static_cast<std::streamsize>(data_bytes));
  if (!in) throw std::runtime_error(path + ": cannot read its data");
  return to_tensor(h, data.data());
}

void save_npy(const std::string& path, const Tensor& t) {
  const std::string header = npy_header("<f4", t.shape());
  write_file_atomically(path, {header, {reinterpret_cast<const char*>(t.data()), t.size() * sizeof(float)}});
}

void save_npy(const std::string& path, const std::vector<int>& values, const Shape& shape) {
  if (values.size() != shape.size()) throw std::invalid_argument("save_npy: " + path + ": values do not fill " + shape.str());
  std::string bytes = npy_header("<i4", shape);
  for (int v : values) {
    const auto x = static_cast<std::int32_t>(v);
    bytes.append(reinterpret_cast<const char*>(&x), sizeof x);
  }
  write_file_atomically(path, bytes);
}

std::string parameter_file(const std::string& dir, const Parameter& p) {
  return (fs::path(dir) / (p.name() + ".npy")).string();
}

void save_parameters(const ParameterSet& params, const std::string& dir) {
  fs::create_directories(dir);
  for (const Parameter& p : params.all()) save_npy(parameter_file(dir, p), p.value());
}

void load_parameters(ParameterSet& params, const std::string& dir) {
  for (const Parameter& p : params.all()) {
    const std::string path = parameter_file(dir, p);
    const TensorData t = load_npy(path);
    if (t.shape != p.shape()) {
      throw std::runtime_error(path + ": shape " + t.shape.str() + " does not match parameter " + p.name() + " " +
                               p.shape().str());
    }
    p.value().copy_from(t.values.data());
  }
}

}  // namespace nmtx
