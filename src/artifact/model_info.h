// Model file inspection: what a serialized model file says about itself.
//
// Recognises ONNX (protobuf ModelProto) and the three XGBoost formats (JSON,
// UBJSON, legacy binary) by their content, checks the file extension against
// the content, and reports the format, the framework and its version, the
// algorithm, hyperparameters, a use-case guess, and the input/output tensors.
// See docs/model-files.md for the detection rules.
//
//   ADS_ASSIGN_OR_RETURN(ModelInfo info, InspectModelFile(env, "a/model.onnx"));
//   if (info.format == ModelFormat::kOnnx) { ... info.inputs[0].shape ... }
//
// Thread-safety: free functions without shared state; safe to call
// concurrently.
#ifndef ADS_ARTIFACT_MODEL_INFO_H_
#define ADS_ARTIFACT_MODEL_INFO_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"

namespace ads::artifact {

enum class ModelFormat { kUnknown, kOnnx, kXgboostJson, kXgboostUbj, kXgboostBinary };

// "onnx", "xgboost_json", "xgboost_ubj", "xgboost_binary" or "unknown".
std::string_view ModelFormatName(ModelFormat format);

struct TensorInfo {
  std::string name;
  // numpy names: float32, float64, int64, int32, bool, string, ... Non-tensor
  // ONNX values use the ONNX notation, e.g. "seq(map(int64,float32))".
  std::string dtype;
  std::vector<int64_t> shape;  // -1 = dynamic; empty for scalars and non-tensors
};

struct OpsetImport {
  std::string domain;  // "" is the default domain (ai.onnx)
  int64_t version = 0;
};

struct ModelInfo {
  ModelFormat format = ModelFormat::kUnknown;
  std::string serialization_format;  // onnx | json | ubj | bin
  std::string framework;             // ADS Framework value, or "" when unknown
  std::string framework_version;     // "" when the file does not say
  std::string algorithm;             // "" when unknown
  Json hyperparameters;              // object, or null when unknown
  std::string use_case_type;         // ADS UseCaseType guess, or ""
  std::vector<TensorInfo> inputs, outputs;
  int64_t num_features = -1;

  // Additions beyond the ADS taxonomy (all optional).
  int64_t num_classes = -1;                // classifiers, when known
  std::vector<std::string> feature_names;  // XGBoost feature_names, when saved
  // ONNX only.
  int64_t ir_version = -1;
  std::string producer_name, producer_version;
  std::vector<OpsetImport> opset_imports;
  std::vector<std::string> op_types;  // distinct node op types, in graph order
};

// Files larger than this are refused (protobuf's own limit is 2 GiB).
inline constexpr uint64_t kMaxModelFileBytes = (uint64_t{2} << 30) - 1;

// Reads `path` through `env` and inspects it. Errors: kNotFound/kIoError from
// the Env; kInvalidArgument for empty, truncated, unrecognised or corrupt
// files and for an extension that contradicts the content; kOutOfRange for
// files above kMaxModelFileBytes.
Result<ModelInfo> InspectModelFile(Env& env, const std::string& path);

// Same, for bytes already in memory; `file_name` supplies the extension that
// is checked and the name used in error messages.
Result<ModelInfo> InspectModelBytes(std::string_view bytes, const std::string& file_name);

// True when neither the file name's extension nor the content claims a
// format ads reads (a joblib or pickle file, say): only an artifact's own
// score.py can load such a model.
bool IsForeignModelFile(std::string_view bytes, const std::string& file_name);

// The format the bytes look like, without a full parse (kUnknown when none;
// anything that is not recognisably XGBoost is reported as a possible kOnnx).
ModelFormat SniffModelFormat(std::string_view bytes);

namespace internal {

// Format-specific inspectors; `what` names the file in error messages.
Result<ModelInfo> InspectOnnx(std::string_view bytes, const std::string& what);
Result<ModelInfo> InspectXgboostJson(const Json& doc, const std::string& what);
Result<ModelInfo> InspectXgboostBinary(std::string_view bytes, const std::string& what);

// Decodes Universal Binary JSON (draft 12, as XGBoost writes it: big-endian,
// optimised '$' type and '#' count containers, no end marker after a count).
// Typed numeric arrays become JSON arrays of numbers.
Result<Json> DecodeUbjson(std::string_view bytes, const std::string& what);

}  // namespace internal
}  // namespace ads::artifact

#endif  // ADS_ARTIFACT_MODEL_INFO_H_
