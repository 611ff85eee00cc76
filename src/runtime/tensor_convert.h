// Conversions from decoded payloads to typed tensors: numpy's
// np.asarray(value, dtype=...) for JSON values, ndarray.astype(...) for
// arrays, and DataFrame.values for frames, with errors that name the element.
//
//   ADS_ASSIGN_OR_RETURN(Tensor x, JsonToTensor(json, DataType::kFloat, "input 'X'"));
//   // [[1, 2], [3, 4]] -> float[2,2]; [[1, 2], [3]] -> "input 'X': inhomogeneous shape ..."
//
// Element rules (as numpy's casts): numbers and bools become numbers
// (true = 1); null becomes NaN for floating types and false for bool, and is
// an error for integers; floats cast to integers truncate toward zero (NaN,
// infinities and out-of-range values are errors); string tensors take strings
// only, and numeric tensors take no strings.
//
// Thread-safety: pure functions.
#ifndef ADS_RUNTIME_TENSOR_CONVERT_H_
#define ADS_RUNTIME_TENSOR_CONVERT_H_

#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "engine/tensor.h"
#include "runtime/payload.h"

namespace ads::runtime {

// A rectangular nested JSON list (or a scalar) as a tensor of `type`.
Result<engine::Tensor> JsonToTensor(const Json& value, engine::DataType type,
                                    std::string_view what);
// The tensor as `type`; the same buffer when the type already matches.
Result<engine::Tensor> CastTensor(const engine::Tensor& value, engine::DataType type,
                                  std::string_view what);
// DataFrame.values of the given columns (by index, in that order): [rows, columns].
Result<engine::Tensor> FrameToTensor(const Frame& frame, const std::vector<size_t>& columns,
                                     engine::DataType type, std::string_view what);
// One column: scalars give [rows, 1]; a column of sequences gives the
// sequences stacked, [rows, ...].
Result<engine::Tensor> ColumnToTensor(const Frame& frame, size_t column, engine::DataType type,
                                      std::string_view what);
// value[index] along the first axis (a view of the same buffer for numbers).
Result<engine::Tensor> FirstAxisItem(const engine::Tensor& value, int64_t index);

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_TENSOR_CONVERT_H_
