// .npy files: round trips, parameter directories, and clear errors for bad files.
#include <doctest/doctest.h>

#include "test_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "grad_test.h"
#include "nmtx/io/npy.h"

namespace test = nmtx::test;

using namespace nmtx;
using nmtx::test::fresh_dir;
namespace fs = std::filesystem;

TEST_CASE("a tensor survives a round trip through .npy, in every rank") {
  const fs::path d = fresh_dir("npy");
  for (const Shape& s : {Shape{}, Shape{5}, Shape{2, 3}, Shape{2, 1, 4}, Shape{1, 2, 3, 2}}) {
    CAPTURE(s.str());
    TensorData t = nmtx::test::random_tensor(s, 3);
    save_npy((d / "t.npy").string(), t.view());
    const TensorData back = load_npy((d / "t.npy").string());
    REQUIRE(back.shape == s);
    CHECK(back.values == t.values);
  }
  // The numpy header: magic, version 1.0, a dict with descr, fortran_order and shape.
  std::ifstream in(d / "t.npy", std::ios::binary);
  std::string head(128, '\0');
  in.read(head.data(), 128);  // the whole version-1 header
  CHECK(head.compare(0, 6, "\x93NUMPY") == 0);
  CHECK(head.find("'descr': '<f4'") != std::string::npos);
  CHECK(head.find("'shape': (1, 2, 3, 2)") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "t.npy.tmp"));
  fs::remove_all(d);
}

TEST_CASE("bad .npy files give errors that name the file") {
  const fs::path d = fresh_dir("npy-bad");
  TensorData t = nmtx::test::random_tensor({4, 4}, 1);
  save_npy((d / "good.npy").string(), t.view());
  const auto size = fs::file_size(d / "good.npy");
  fs::copy_file(d / "good.npy", d / "short.npy");
  fs::resize_file(d / "short.npy", size - 5);
  CHECK_THROWS_WITH_AS(load_npy((d / "short.npy").string()), doctest::Contains("short.npy: truncated or padded"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(load_npy((d / "missing.npy").string()), doctest::Contains("missing.npy: cannot open"), std::runtime_error);
  std::ofstream((d / "text.npy").string()) << "hello";
  CHECK_THROWS_WITH_AS(load_npy((d / "text.npy").string()), doctest::Contains("text.npy: not a .npy file"), std::runtime_error);
  save_npy((d / "ints.npy").string(), std::vector<int>{1, 2, 3}, Shape{3});
  CHECK_THROWS_WITH_AS(load_npy((d / "ints.npy").string()), doctest::Contains("expected float32"), std::runtime_error);
  fs::remove_all(d);
}

namespace {

// A .npy file from its parts: version, header text (padded as given) and data bytes.
std::string npy_file(int major, const std::string& header, const std::string& data = "") {
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  const std::size_t n = header.size();
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
  return out + header + data;
}

std::string dict(const std::string& shape, const std::string& descr = "<f4") {
  return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n";
}

std::string floats(std::size_t n) { return std::string(4 * n, '\0'); }

const fs::path kFixtures = fs::path(NMTX_SOURCE_DIR) / "tests" / "data" / "npy";

}  // namespace

TEST_CASE("files numpy wrote are read: versions 1, 2 and 3, every rank, a 182-byte version-1 header") {
  // tests/data/npy/make_fixtures.py wrote these with numpy: np.arange(n, dtype='<f4') / 4.
  const std::vector<std::pair<std::string, Shape>> files = {
      {"v1.npy", Shape{2, 3}},   {"v2.npy", Shape{2, 3}},        {"v3.npy", Shape{2, 3}},
      {"scalar.npy", Shape{}},   {"rank1.npy", Shape{5}},        {"rank4.npy", Shape{1, 2, 3, 2}},
      {"empty.npy", Shape{0, 3}}, {"v1_header_182.npy", Shape{2, 3}}};
  for (const auto& file_shape : files) {
    const std::string& file = file_shape.first;
    const Shape& shape = file_shape.second;
    CAPTURE(file);
    const TensorData t = load_npy((kFixtures / file).string());
    REQUIRE(t.shape == shape);
    REQUIRE(t.values.size() == shape.size());
    for (std::size_t i = 0; i < t.values.size(); ++i) CHECK(t.values[i] == static_cast<float>(i) / 4.0f);
  }
  // The 182-byte header's length has its low byte's high bit set (182 = 0xB6).
  const std::string bytes = test::read_file(kFixtures / "v1_header_182.npy");
  REQUIRE(bytes.size() > 10);
  CHECK(static_cast<unsigned char>(bytes[8]) == 182);
  CHECK(parse_npy_header(bytes, "x").data_offset == 192);
}

TEST_CASE("hostile .npy files: an error naming the file and what is wrong, nothing allocated first") {
  const fs::path d = fresh_dir("npy-hostile");
  const auto fails_with = [&](const std::string& file, const std::string& bytes, const std::string& message) {
    CAPTURE(file);
    test::write_file(d / file, bytes);
    for (const bool from_disk : {true, false}) {
      const std::string name = from_disk ? (d / file).string() : file;
      std::string error;
      try {
        from_disk ? load_npy(name) : parse_npy(bytes, name);
      } catch (const std::runtime_error& e) {
        error = e.what();
      }
      CAPTURE(error);
      CHECK(error.rfind(name + ": ", 0) == 0);  // the file first
      CHECK(error.find(message) != std::string::npos);
    }
  };
  // A version-2 header length of about 2 GiB in a 1.8 KB file: refused before reading it.
  std::string huge = npy_file(2, dict("(3,)") + std::string(1800, ' '));
  huge[8] = '\xF0', huge[9] = '\xFF', huge[10] = '\xFF', huge[11] = '\x7F';
  fails_with("v2_2gib_header.npy", huge, ".npy header of 2147483632 bytes; nmtx reads headers up to 4096 bytes");
  // 69 bytes declaring 500,000,000 floats: refused by size before any allocation.
  fails_with("claims_2gb.npy", npy_file(1, "{'descr':'<f4','fortran_order':False,'shape':(500000000,)}"),
             "truncated or padded: 68 bytes, expected 2000000068 for shape (500000000,)");
  // An element count that overflows 64 bits.
  fails_with("overflow.npy", npy_file(1, dict("(4294967296, 4294967296)")),
             "shape (4294967296, 4294967296) holds more than 2^64 elements");
  fails_with("dim_overflow.npy", npy_file(1, dict("(99999999999999999999999,)")), "a dimension above 2^64");
  // An empty shape value.
  fails_with("empty_shape.npy", npy_file(1, "{'descr':'<f4','fortran_order':False,'shape':}"),
             "malformed .npy header: expected '('");
  // Long dtype strings: past the cap, and within it (echoed short).
  fails_with("dtype_100k.npy", npy_file(2, dict("(3,)", std::string(100000, 'f')), floats(3)),
             ".npy header of 100055 bytes; nmtx reads headers up to 4096 bytes");
  fails_with("dtype_4k.npy", npy_file(1, dict("(3,)", std::string(3900, 'f')), floats(3)),
             "expected float32 ('<f4') data, found 'ffffffffffffffffffffffffffffffff...'");
  // Versions, keys, syntax, rank.
  fails_with("version4.npy", npy_file(4, dict("(3,)"), floats(3)), ".npy version 4.0 (nmtx reads 1.0, 2.0 and 3.0)");
  fails_with("fortran.npy", npy_file(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }\n", floats(3)),
             "Fortran-ordered arrays are not supported");
  fails_with("rank5.npy", npy_file(1, dict("(1, 1, 1, 1, 1)"), floats(1)), "more than 4 dimensions");
  fails_with("twice.npy", npy_file(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", floats(3)),
             "key 'descr' given twice");
  fails_with("extra_key.npy", npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}", floats(3)),
             "unexpected key 'x'");
  fails_with("missing_key.npy", npy_file(1, "{'descr': '<f4', 'shape': (3,)}", floats(3)), "missing key fortran_order");
  fails_with("int_shape.npy", npy_file(1, dict("(3)"), floats(3)), "a one-element shape is written (N,)");
  fails_with("unterminated.npy", npy_file(1, "{'descr': '<f4"), "unterminated string");
  fails_with("trailing.npy", npy_file(1, dict("(3,)") + "x", floats(3)), "unexpected text after the dict");
  fails_with("short_prefix.npy", std::string("\x93NUMPY\x02\x00\x10\x00", 10), "truncated .npy header");
  fails_with("short_header.npy", npy_file(1, dict("(3,)")).substr(0, 40), "truncated .npy header");
  fails_with("padded.npy", npy_file(1, dict("(3,)"), floats(4)), "truncated or padded");
  fs::create_directories(d / "dir.npy");
  CHECK_THROWS_WITH_AS(load_npy((d / "dir.npy").string()), doctest::Contains("is a directory"), std::runtime_error);
  fs::remove_all(d);
}

TEST_CASE("nmtx's .npy files have numpy's layout: version 1.0, data aligned to 64 bytes") {
  const fs::path d = fresh_dir("npy-layout");
  save_npy((d / "a.npy").string(), nmtx::test::random_tensor({2, 3}, 1).view());
  const std::string bytes = test::read_file(d / "a.npy");
  const NpyHeader h = parse_npy_header(bytes, "a.npy");
  CHECK(h.major_version == 1);
  CHECK(h.descr == "<f4");
  CHECK(h.data_offset % 64 == 0);
  REQUIRE(h.shape.size() == 2);
  CHECK(h.shape[0] == 2);
  CHECK(h.shape[1] == 3);
  CHECK(bytes.size() == h.data_offset + 6 * sizeof(float));
  fs::remove_all(d);
}

TEST_CASE("parameter sets are saved and loaded by name, and a changed shape is an error") {
  const fs::path d = fresh_dir("params");
  ParameterSet a(1), b(2), c(3);
  for (ParameterSet* ps : {&a, &b}) {
    ps->add("encoder.embed", Shape{5, 3}, Init::uniform(1.0f));
    ps->add("decoder.out.b", Shape{5}, Init::uniform(1.0f));
  }
  save_parameters(a, d.string());
  CHECK(fs::exists(d / "encoder.embed.npy"));
  CHECK(fs::exists(d / "decoder.out.b.npy"));
  load_parameters(b, d.string());
  CHECK(std::vector<float>(a.values(), a.values() + a.numel()) == std::vector<float>(b.values(), b.values() + b.numel()));
  c.add("encoder.embed", Shape{6, 3}, Init::zeros());
  CHECK_THROWS_WITH_AS(load_parameters(c, d.string()),
                       doctest::Contains("shape (5, 3) does not match parameter encoder.embed (6, 3)"), std::runtime_error);
  ParameterSet e(4);
  e.add("decoder.W_c", Shape{2, 2}, Init::zeros());
  CHECK_THROWS_WITH_AS(load_parameters(e, d.string()), doctest::Contains("decoder.W_c.npy: cannot open"), std::runtime_error);
  fs::remove_all(d);
}
