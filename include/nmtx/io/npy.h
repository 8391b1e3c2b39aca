// Tensors as NumPy .npy files, and parameter sets as a directory of NAME.npy files under
// the names docs/model.md gives, readable with numpy.load.
//
// The format (numpy's NEP 1, numpy/lib/format.py): the magic "\x93NUMPY", a version
// byte pair (1.0, 2.0 or 3.0), the header's length (2 bytes little-endian in version 1,
// 4 bytes in versions 2 and 3), then the header: a Python dict literal
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and ended by '\n', then the data in C order.
//
// The reader is written for files from anywhere (a run someone sent): the header is
// capped at kMaxNpyHeader bytes, parsed without regular expressions, every shape entry
// and their product are overflow-checked, and prefix + header + 4 × elements must equal
// the file's size before anything is allocated for the data. Writes are atomic: a
// temporary file in the same directory, then rename.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nmtx/core/params.h"
#include "nmtx/core/tensor.h"

namespace nmtx {

// The longest header nmtx reads, in bytes. numpy writes 118 bytes for any array nmtx
// stores (rank <= 4, dtype '<f4' or '<i4'); hostile files declare gigabytes.
inline constexpr std::size_t kMaxNpyHeader = 4096;

struct NpyHeader {
  int major_version = 1;
  std::string descr;            // the dtype, e.g. "<f4"
  bool fortran_order = false;
  std::vector<std::size_t> shape;
  std::size_t data_offset = 0;  // prefix + header: where the data starts
  std::size_t count = 0;        // elements: the product of `shape` (1 for shape ())
};

// Parses the prefix and header at the start of `bytes` (which may continue with the
// data). Checks the magic, the version, the header's length against kMaxNpyHeader and
// against `bytes`, the dict's syntax and keys, and that the element count does not
// overflow. Throws std::runtime_error "NAME: ..." naming what is wrong.
NpyHeader parse_npy_header(std::string_view bytes, const std::string& name);

// A whole float32 .npy file held in memory (what load_npy reads); errors as load_npy's.
TensorData parse_npy(std::string_view bytes, const std::string& name);

// Reads a float32 ('<f4', C order, rank <= 4) .npy file; throws std::runtime_error naming
// the file for a missing, truncated, padded or malformed file, or another dtype.
TensorData load_npy(const std::string& path);

// Writes a float32 tensor (C order) to `path` atomically.
void save_npy(const std::string& path, const Tensor& t);
void save_npy(const std::string& path, const std::vector<int>& values, const Shape& shape);  // int32

// DIR/NAME.npy: where a parameter's values are kept.
std::string parameter_file(const std::string& dir, const Parameter& p);
// Writes every parameter as DIR/NAME.npy (the directory is created if needed).
void save_parameters(const ParameterSet& params, const std::string& dir);
// Reads every parameter of `params` from DIR/NAME.npy; a missing file or a shape that
// differs from the parameter's is an error naming both.
void load_parameters(ParameterSet& params, const std::string& dir);

}  // namespace nmtx
