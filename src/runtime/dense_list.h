// DenseList: the fast path for the most common predict body, a rectangular
// JSON list of plain numbers ([[5.1, 3.5], [4.9, 3.0]]), parsed straight into
// a float64 tensor without building a JSON tree.
//
//   std::optional<engine::Tensor> t = ParseDenseList("[[1, 2.5], [3, 4]]");  // double[2,2]
//
// It answers only when the result is exactly what np.asarray(json.loads(body))
// followed by a cast gives: numbers (integers only up to 2^53, which float64
// holds exactly), NaN/Infinity tokens, no empty lists, no booleans, nulls or
// strings. Anything else (including malformed JSON) returns nullopt, and the
// caller takes the general path, which also produces the error messages.
//
// Thread-safety: a pure function.
#ifndef ADS_RUNTIME_DENSE_LIST_H_
#define ADS_RUNTIME_DENSE_LIST_H_

#include <optional>
#include <string_view>

#include "engine/tensor.h"

namespace ads::runtime {

std::optional<engine::Tensor> ParseDenseList(std::string_view body);

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_DENSE_LIST_H_
