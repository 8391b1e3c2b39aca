// Tensors as NumPy .npy files (format via xtensor's xnpy), and parameter sets as a
// directory of NAME.npy files under the names docs/model.md gives, readable with
// numpy.load. Writes are atomic: a temporary file in the same directory, then rename,
// so a file under its real name is always complete.
#pragma once

#include <string>

#include "nmtx/core/params.h"
#include "nmtx/core/tensor.h"

namespace nmtx {

// Writes a float32 tensor (C order) to `path` atomically.
void save_npy(const std::string& path, const Tensor& t);
void save_npy(const std::string& path, const std::vector<int>& values, const Shape& shape);  // int32
// Reads a float32 .npy file; throws std::runtime_error naming the file for a missing,
// truncated or malformed file, or another dtype.
TensorData load_npy(const std::string& path);

// Writes every parameter as DIR/NAME.npy (the directory is created if needed).
void save_parameters(const ParameterSet& params, const std::string& dir);
// Reads every parameter of `params` from DIR/NAME.npy; a missing file or a shape that
// differs from the parameter's is an error naming both.
void load_parameters(ParameterSet& params, const std::string& dir);

}  // namespace nmtx
