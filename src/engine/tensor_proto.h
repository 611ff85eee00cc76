// Conversion between engine Tensors and onnx::TensorProto.
//
//   ADS_ASSIGN_OR_RETURN(Tensor t, TensorFromProto(proto));           // inline data
//   ADS_ASSIGN_OR_RETURN(Tensor w, TensorFromProto(proto, {&env, dir})); // external data
//   onnx::TensorProto out;
//   TensorToProto(t, &out);
//
// Reading accepts raw_data and every typed field (float_data, double_data,
// int32_data for the small ints/bool/float16, int64_data, uint64_data,
// string_data) and data_location=EXTERNAL. External data is resolved relative
// to the model's folder; locations that escape it (absolute paths, "..",
// symlinks) are rejected.
//
// Thread-safety: stateless functions.
#ifndef ADS_ENGINE_TENSOR_PROTO_H_
#define ADS_ENGINE_TENSOR_PROTO_H_

#include <string>

#include "base/env.h"
#include "base/status.h"
#include "engine/tensor.h"

namespace onnx {
class TensorProto;
}  // namespace onnx

namespace ads::engine {

struct ExternalDataContext {
  Env* env = nullptr;      // null: external data is rejected
  std::string model_dir;   // folder that holds the model file
};

Result<Tensor> TensorFromProto(const onnx::TensorProto& proto,
                               const ExternalDataContext& external = {});

// Writes name-less proto with raw_data (or string_data for strings).
void TensorToProto(const Tensor& tensor, onnx::TensorProto* proto);

}  // namespace ads::engine

#endif  // ADS_ENGINE_TENSOR_PROTO_H_
