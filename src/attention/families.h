// The constructors of the attention families, one per file; make_attention picks one.
#pragma once

#include <memory>
#include <string>

#include "nmtx/attention/attention.h"

namespace nmtx::attention {

struct Dims {
  std::size_t query, memory, attention;  // Dq, De, A
};

std::unique_ptr<Attention> make_bahdanau(const AttentionConfig& c, ParameterFactory& f, Dims d, const std::string& prefix);
std::unique_ptr<Attention> make_luong_global(const AttentionConfig& c, ParameterFactory& f, Dims d, const std::string& prefix);
std::unique_ptr<Attention> make_luong_local(const AttentionConfig& c, ParameterFactory& f, Dims d, const std::string& prefix);
std::unique_ptr<Attention> make_multi_head(const AttentionConfig& c, ParameterFactory& f, Dims d, const std::string& prefix);
std::unique_ptr<Attention> make_location_sensitive(const AttentionConfig& c, ParameterFactory& f, Dims d,
                                                   const std::string& prefix);

}  // namespace nmtx::attention
