// Output JSON: model outputs printed as the generated score.py returns them
// through json.dumps — ndarray.tolist() nested lists, floats in Python's repr
// (float32 values widened to double first, as tolist() does: 0.1f prints as
// 0.10000000149011612), ", " and ": " separators, NaN/Infinity as bare tokens.
//
//   std::string out;
//   AppendTensorJson(Tensor::FromVector<float>({2}, {0.5f, 1.0f}), &out);  // "[0.5, 1.0]"
//
// Sequences print as lists; maps (ZipMap rows) as dicts with keys in
// ascending order, as onnxruntime builds them from a std::map, and integer keys
// quoted as json.dumps does.
//
// Thread-safety: pure functions.
#ifndef ADS_RUNTIME_OUTPUT_JSON_H_
#define ADS_RUNTIME_OUTPUT_JSON_H_

#include <cstdint>
#include <span>
#include <string>

#include "base/status.h"
#include "engine/tensor.h"
#include "engine/value.h"

namespace ads::runtime {

void AppendTensorJson(const engine::Tensor& tensor, std::string* out);
// Fails only for a value that score.py could not serialise either (none).
Status AppendValueJson(const engine::Value& value, std::string* out);
// Python's repr of a float (as base's PythonFloatRepr, which it must equal),
// appended without temporary strings: outputs print thousands of them.
void AppendPythonFloat(double value, std::string* out);
// float32 data of `shape` (row-major) as nested lists.
void AppendFloatsJson(std::span<const float> data, const engine::Shape& shape, std::string* out);

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_OUTPUT_JSON_H_
