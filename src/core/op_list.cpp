#include "nmtx/core/op_list.h"

namespace nmtx {

const char* op_name(Op op) {
  switch (op) {
#define NMTX_OP_CASE(name) \
  case Op::name:           \
    return #name;
    NMTX_OPS(NMTX_OP_CASE)
#undef NMTX_OP_CASE
  }
  return "unknown";
}

}  // namespace nmtx
