// .npy files: round trips, parameter directories, and clear errors for bad files.
#include <doctest/doctest.h>

#include "test_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "grad_test.h"
#include "nmtx/io/npy.h"

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
