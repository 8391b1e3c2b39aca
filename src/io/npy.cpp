#include "nmtx/io/npy.h"

#include "nmtx/data/text.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <xtensor/xadapt.hpp>
#include <xtensor/xnpy.hpp>

namespace nmtx {

namespace {

namespace fs = std::filesystem;

std::vector<std::size_t> dims_of(const Shape& s) { return std::vector<std::size_t>(s.begin(), s.end()); }

}  // namespace

void save_npy(const std::string& path, const Tensor& t) {
  write_file_atomically(path, xt::dump_npy(xt::adapt(t.data(), t.size(), xt::no_ownership(), dims_of(t.shape()))));
}

void save_npy(const std::string& path, const std::vector<int>& values, const Shape& shape) {
  if (values.size() != shape.size()) throw std::invalid_argument("save_npy: " + path + ": values do not fill " + shape.str());
  std::vector<std::int32_t> v(values.begin(), values.end());
  write_file_atomically(path, xt::dump_npy(xt::adapt(v.data(), v.size(), xt::no_ownership(), dims_of(shape))));
}

TensorData load_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open (missing file?)");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The prefix: magic, version, header length (2 bytes in version 1, 4 in version 2).
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw std::runtime_error(path + ": not a .npy file");
  const int major = static_cast<unsigned char>(bytes[6]);
  const std::size_t prefix = major == 1 ? 10 : 12;
  if (bytes.size() < prefix) throw std::runtime_error(path + ": truncated header");
  std::size_t header = static_cast<unsigned char>(bytes[8]) | static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8;
  if (major != 1) header |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[10])) << 16 |
                            static_cast<std::size_t>(static_cast<unsigned char>(bytes[11])) << 24;
  const std::string header_text = bytes.substr(prefix, header);
  if (header_text.find("'<f4'") == std::string::npos) {
    throw std::runtime_error(path + ": expected float32 ('<f4') data; header: " + header_text);
  }
  if (header_text.find("'fortran_order': True") != std::string::npos) {
    throw std::runtime_error(path + ": Fortran-ordered arrays are not supported");
  }
  std::istringstream stream(bytes);
  xt::xarray<float> a;
  try {
    a = xt::load_npy<float>(stream);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": malformed .npy file (" + e.what() + ")");
  }
  const std::size_t expected = prefix + header + a.size() * sizeof(float);
  if (bytes.size() != expected) {
    throw std::runtime_error(path + ": truncated or padded: " + std::to_string(bytes.size()) + " bytes, expected " +
                             std::to_string(expected) + " for shape " + [&] {
                               std::string s = "(";
                               for (std::size_t i = 0; i < a.dimension(); ++i) s += (i ? ", " : "") + std::to_string(a.shape()[i]);
                               return s + ")";
                             }());
  }
  if (a.dimension() > static_cast<std::size_t>(Shape::kMaxRank)) throw std::runtime_error(path + ": rank above 4");
  Shape shape;
  for (std::size_t i = a.dimension(); i-- > 0;) shape = shape.prepend(a.shape()[i]);
  return TensorData(shape, std::vector<float>(a.begin(), a.end()));
}

void save_parameters(const ParameterSet& params, const std::string& dir) {
  fs::create_directories(dir);
  for (const Parameter& p : params.all()) save_npy((fs::path(dir) / (p.name() + ".npy")).string(), p.value());
}

void load_parameters(ParameterSet& params, const std::string& dir) {
  for (const Parameter& p : params.all()) {
    const std::string path = (fs::path(dir) / (p.name() + ".npy")).string();
    const TensorData t = load_npy(path);
    if (t.shape != p.shape()) {
      throw std::runtime_error(path + ": shape " + t.shape.str() + " does not match parameter " + p.name() + " " +
                               p.shape().str());
    }
    p.value().copy_from(t.values.data());
  }
}

}  // namespace nmtx
