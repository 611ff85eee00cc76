#include "engine/value.h"

namespace ads::engine {

std::string Value::Describe() const {
  if (is_tensor()) return "tensor " + tensor().TypeAndShape();
  if (is_sequence()) return "sequence(" + std::to_string(sequence().items.size()) + ")";
  if (is_map()) {
    return "map(" + std::string(DataTypeName(map().keys.dtype())) + " -> " +
           std::string(DataTypeName(map().values.dtype())) + ", " +
           std::to_string(map().keys.size()) + ")";
  }
  return "none";
}

}  // namespace ads::engine
