// Model file inspection: format detection and the XGBoost formats. The ONNX
// side is in model_info_onnx.cc, the UBJSON decoder in model_info_ubjson.cc.
#include "artifact/model_info.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <optional>

#include "base/strings.h"

namespace ads::artifact {
namespace {

// XGBoost's legacy binary model: an optional "binf" tag, then the 136-byte
// LearnerModelParamLegacy (base_score f32, num_feature u32, num_class i32,
// contain_extra_attrs i32, contain_eval_metrics i32, major_version u32,
// minor_version u32, num_target u32, 26 reserved i32), then the objective and
// booster names as dmlc strings (u64 little-endian length + bytes), then the
// booster, whose GBTreeModelParam starts with num_trees (i32).
constexpr size_t kLegacyParamBytes = 136;
constexpr uint64_t kMaxNameBytes = 256;

struct LegacyHeader {
  float base_score = 0;
  uint32_t num_feature = 0;
  int32_t num_class = 0;
  uint32_t major = 0, minor = 0;
  std::string objective, booster;
  int64_t num_trees = -1;
};

template <typename T>
T LoadLittleEndian(std::string_view bytes, size_t offset) {
  // x86-64 and aarch64 builds are little-endian, like every XGBoost file.
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof(T));
  return v;
}

// Reads a dmlc string at *offset; false when it does not fit or is not a
// plausible name (printable ASCII, 1..kMaxNameBytes bytes).
bool ReadDmlcName(std::string_view bytes, size_t* offset, std::string* out) {
  if (bytes.size() - *offset < 8) return false;
  uint64_t len = LoadLittleEndian<uint64_t>(bytes, *offset);
  if (len == 0 || len > kMaxNameBytes || bytes.size() - *offset - 8 < len) return false;
  std::string_view s = bytes.substr(*offset + 8, len);
  for (char c : s) {
    if (!std::isprint(static_cast<unsigned char>(c))) return false;
  }
  *out = std::string(s);
  *offset += 8 + len;
  return true;
}

bool ParseLegacyHeader(std::string_view bytes, LegacyHeader* h) {
  size_t off = bytes.substr(0, 4) == "binf" ? 4 : 0;
  if (bytes.size() < off + kLegacyParamBytes) return false;
  h->base_score = LoadLittleEndian<float>(bytes, off);
  h->num_feature = LoadLittleEndian<uint32_t>(bytes, off + 4);
  h->num_class = LoadLittleEndian<int32_t>(bytes, off + 8);
  h->major = LoadLittleEndian<uint32_t>(bytes, off + 20);
  h->minor = LoadLittleEndian<uint32_t>(bytes, off + 24);
  off += kLegacyParamBytes;
  if (!ReadDmlcName(bytes, &off, &h->objective) || !ReadDmlcName(bytes, &off, &h->booster)) {
    return false;
  }
  if (h->booster != "gbtree" && h->booster != "gblinear" && h->booster != "dart") return false;
  if (h->booster != "gblinear" && bytes.size() - off >= 4) {
    h->num_trees = LoadLittleEndian<int32_t>(bytes, off);
  }
  return h->num_class >= 0;
}

// The algorithm name the XGBoost scikit-learn wrapper would carry.
std::string AlgorithmFromObjective(const std::string& objective) {
  if (objective.starts_with("binary:") || objective.starts_with("multi:")) {
    return "XGBClassifier";
  }
  if (objective.starts_with("reg:") || objective.starts_with("count:") ||
      objective.starts_with("survival:")) {
    return "XGBRegressor";
  }
  if (objective.starts_with("rank:")) return "XGBRanker";
  return "";
}

std::string UseCaseFromObjective(const std::string& objective, int64_t num_class) {
  if (objective.starts_with("binary:")) return "binary_classification";
  if (objective.starts_with("multi:")) {
    return num_class == 2 ? "binary_classification" : "multinomial_classification";
  }
  if (objective.starts_with("reg:") || objective.starts_with("count:")) return "regression";
  return "";
}

// XGBoost's JSON stores scalar parameters as strings ("5E-1", "3").
std::optional<double> NumberParam(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return std::nullopt;
  const Json& v = object[key];
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
  return d;
}

const Json* FindGbtreeParam(const Json& booster) {
  // gbtree: gradient_booster.model; dart: gradient_booster.gbtree.model.
  for (const Json* m : {&booster, booster.is_object() && booster.contains("gbtree")
                                      ? &booster["gbtree"] : nullptr}) {
    if (m && m->is_object() && m->contains("model") && (*m)["model"].is_object() &&
        (*m)["model"].contains("gbtree_model_param")) {
      return &(*m)["model"]["gbtree_model_param"];
    }
  }
  return nullptr;
}

// A file's number as an int64 (truncated toward zero as Python's int() does);
// nullopt for NaN, infinities and values outside int64, whose cast would be
// undefined behaviour.
std::optional<int64_t> ToInt64(std::optional<double> v) {
  // 2^63 is exactly representable; every double below it fits in int64.
  constexpr double kLimit = 9223372036854775808.0;
  if (!v || !std::isfinite(*v) || *v >= kLimit || *v < -kLimit) return std::nullopt;
  return static_cast<int64_t>(*v);
}

void SetInteger(Json& out, const char* key, std::optional<double> v) {
  if (std::optional<int64_t> n = ToInt64(v)) out[key] = *n;
}

// Merges the scikit-learn wrapper's saved parameters (the "scikit_learn"
// attribute) into `info`: the estimator type and every non-null parameter.
void MergeSklearnAttribute(const Json& learner, ModelInfo& info) {
  const Json* attrs = learner.contains("attributes") ? &learner["attributes"] : nullptr;
  if (!attrs || !attrs->is_object() || !attrs->contains("scikit_learn") ||
      !(*attrs)["scikit_learn"].is_string()) {
    return;
  }
  Result<Json> params = ParseJson((*attrs)["scikit_learn"].get<std::string>(), "scikit_learn");
  if (!params.ok() || !params->is_object()) return;
  const std::string type = StringMemberOr(*params, "_estimator_type");
  if (type == "classifier") info.algorithm = "XGBClassifier";
  if (type == "regressor") info.algorithm = "XGBRegressor";
  if (type == "ranker") info.algorithm = "XGBRanker";
  for (const auto& [key, value] : params->items()) {
    if (key.starts_with("_") || key.ends_with("_") || value.is_null()) continue;
    if (value.is_number_float() && !std::isfinite(value.get<double>())) continue;
    if (!info.hyperparameters.contains(key)) info.hyperparameters[key] = value;
  }
}

Status XgbError(const std::string& what, std::string problem) {
  while (!problem.empty() && problem.back() == '.') problem.pop_back();
  return InvalidArgumentError(what + " is not a valid XGBoost model: " + problem + ".");
}

std::string FileExtension(const std::string& name) {
  std::string base = BaseName(name);
  size_t dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? "" : ToLower(base.substr(dot + 1));
}

// The format an extension promises, or kUnknown when it promises nothing.
ModelFormat FormatForExtension(const std::string& ext) {
  if (ext == "onnx") return ModelFormat::kOnnx;
  if (ext == "json") return ModelFormat::kXgboostJson;
  if (ext == "ubj") return ModelFormat::kXgboostUbj;
  if (ext == "bin" || ext == "bst" || ext == "deprecated") return ModelFormat::kXgboostBinary;
  return ModelFormat::kUnknown;
}

std::string_view FormatDescription(ModelFormat f) {
  switch (f) {
    case ModelFormat::kOnnx: return "an ONNX model";
    case ModelFormat::kXgboostJson: return "an XGBoost JSON model";
    case ModelFormat::kXgboostUbj: return "an XGBoost UBJSON model";
    case ModelFormat::kXgboostBinary: return "an XGBoost legacy binary model";
    case ModelFormat::kUnknown: break;
  }
  return "an unrecognised format";
}

Result<ModelInfo> InspectDetected(ModelFormat format, std::string_view bytes,
                                  const std::string& what) {
  switch (format) {
    case ModelFormat::kXgboostJson: {
      Result<Json> doc = ParseJson(bytes, "the text");
      if (!doc.ok()) return XgbError(what, doc.status().message());
      return internal::InspectXgboostJson(*doc, what);
    }
    case ModelFormat::kXgboostUbj: {
      ADS_ASSIGN_OR_RETURN(Json doc, internal::DecodeUbjson(bytes, what));
      ADS_ASSIGN_OR_RETURN(ModelInfo info, internal::InspectXgboostJson(doc, what));
      info.format = ModelFormat::kXgboostUbj;
      info.serialization_format = "ubj";
      return info;
    }
    case ModelFormat::kXgboostBinary:
      return internal::InspectXgboostBinary(bytes, what);
    case ModelFormat::kOnnx:
    case ModelFormat::kUnknown:
      break;
  }
  return internal::InspectOnnx(bytes, what);
}

}  // namespace

std::string_view ModelFormatName(ModelFormat format) {
  switch (format) {
    case ModelFormat::kOnnx: return "onnx";
    case ModelFormat::kXgboostJson: return "xgboost_json";
    case ModelFormat::kXgboostUbj: return "xgboost_ubj";
    case ModelFormat::kXgboostBinary: return "xgboost_binary";
    case ModelFormat::kUnknown: break;
  }
  return "unknown";
}

ModelFormat SniffModelFormat(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[i]))) ++i;
  if (i < bytes.size() && bytes[i] == '{') {
    // JSON continues with a quote, whitespace or '}'; UBJSON with a marker.
    if (i + 1 >= bytes.size()) return ModelFormat::kXgboostJson;
    char next = bytes[i + 1];
    bool json = next == '"' || next == '}' || std::isspace(static_cast<unsigned char>(next));
    return json ? ModelFormat::kXgboostJson : ModelFormat::kXgboostUbj;
  }
  if (bytes.substr(0, 4) == "binf") return ModelFormat::kXgboostBinary;
  LegacyHeader header;
  if (ParseLegacyHeader(bytes, &header)) return ModelFormat::kXgboostBinary;
  if (bytes.empty()) return ModelFormat::kUnknown;
  return ModelFormat::kOnnx;
}

Result<ModelInfo> InspectModelBytes(std::string_view bytes, const std::string& file_name) {
  if (bytes.empty()) {
    return InvalidArgumentError("Model file " + Quoted(file_name) + " is empty.");
  }
  if (bytes.size() > kMaxModelFileBytes) {
    return OutOfRangeError("Model file " + Quoted(file_name) + " is larger than 2 GiB.");
  }
  const std::string what = "Model file " + Quoted(file_name);
  const std::string ext = FileExtension(file_name);
  ModelFormat expected = FormatForExtension(ext);
  ModelFormat detected = SniffModelFormat(bytes);
  // SniffModelFormat says kOnnx for anything that is not XGBoost, so for a
  // ".onnx" name the ONNX parser below gives the more useful error.
  if (expected != ModelFormat::kUnknown && detected != expected) {
    if (detected == ModelFormat::kOnnx) {
      // Not recognisably XGBoost: say so unless it really is ONNX.
      if (!internal::InspectOnnx(bytes, what).ok()) {
        return InvalidArgumentError(what + " is not " + std::string(FormatDescription(expected)) +
                                    " and not any other model format ads recognises.");
      }
    }
    return InvalidArgumentError(what + " has the extension ." + ext + " but contains " +
                                std::string(FormatDescription(detected)) + ".")
        .WithHint("Rename the file to match its content.");
  }
  if (expected == ModelFormat::kUnknown && detected == ModelFormat::kOnnx) {
    // Neither the name nor the content promised ONNX: a failed parse means
    // the file is nothing we know, which is the clearer thing to say.
    Result<ModelInfo> onnx = internal::InspectOnnx(bytes, what);
    if (!onnx.ok()) {
      return InvalidArgumentError(what + " is not in a model format ads recognises (ONNX, or "
                                  "XGBoost JSON, UBJSON or legacy binary).");
    }
    return onnx;
  }
  return InspectDetected(detected, bytes, what);
}

bool IsForeignModelFile(std::string_view bytes, const std::string& file_name) {
  return FormatForExtension(FileExtension(file_name)) == ModelFormat::kUnknown &&
         SniffModelFormat(bytes) == ModelFormat::kOnnx &&
         !internal::InspectOnnx(bytes, file_name).ok();
}

Result<ModelInfo> InspectModelFile(Env& env, const std::string& path) {
  ADS_ASSIGN_OR_RETURN(FileInfo st, env.Stat(path));
  if (!st.is_file()) {
    return InvalidArgumentError("Model file " + Quoted(path) + " is not a regular file.");
  }
  if (st.size > kMaxModelFileBytes) {
    return OutOfRangeError("Model file " + Quoted(path) + " is larger than 2 GiB.");
  }
  ADS_ASSIGN_OR_RETURN(std::string bytes, env.ReadFile(path));
  return InspectModelBytes(bytes, path);
}

namespace internal {

Result<ModelInfo> InspectXgboostJson(const Json& doc, const std::string& what) {
  if (!doc.is_object() || !doc.contains("learner") || !doc["learner"].is_object()) {
    return XgbError(what, "there is no \"learner\" object");
  }
  const Json& learner = doc["learner"];
  ModelInfo info;
  info.format = ModelFormat::kXgboostJson;
  info.serialization_format = "json";
  info.framework = "xgboost";
  if (doc.contains("version") && doc["version"].is_array()) {
    std::vector<std::string> parts;
    for (const Json& p : doc["version"]) {
      if (!p.is_number_integer()) return XgbError(what, "\"version\" is not a list of integers");
      parts.push_back(std::to_string(p.get<int64_t>()));
    }
    info.framework_version = Join(parts, ".");
  }
  std::string objective;
  if (const Json* obj = FindMember(learner, "objective")) objective = StringMemberOr(*obj, "name");
  if (objective.empty()) return XgbError(what, "learner.objective.name is missing");
  const Json& mparam = learner.value("learner_model_param", Json::object());
  info.num_features = ToInt64(NumberParam(mparam, "num_feature")).value_or(-1);
  std::optional<double> num_class = NumberParam(mparam, "num_class");

  Json& hp = info.hyperparameters = Json::object();
  hp["objective"] = objective;
  const Json& booster = learner.value("gradient_booster", Json::object());
  if (booster.is_object() && booster.contains("name") && booster["name"].is_string()) {
    hp["booster"] = booster["name"];
  }
  SetInteger(hp, "num_class", num_class);
  SetInteger(hp, "num_feature", NumberParam(mparam, "num_feature"));
  if (auto base = NumberParam(mparam, "base_score"); base && std::isfinite(*base)) {
    hp["base_score"] = *base;
  }
  if (const Json* tree_param = FindGbtreeParam(booster)) {
    SetInteger(hp, "num_trees", NumberParam(*tree_param, "num_trees"));
    SetInteger(hp, "num_parallel_tree", NumberParam(*tree_param, "num_parallel_tree"));
  }
  info.algorithm = AlgorithmFromObjective(objective);
  MergeSklearnAttribute(learner, info);
  if (objective.starts_with("binary:")) info.num_classes = 2;
  if (objective.starts_with("multi:")) {
    if (std::optional<int64_t> n = ToInt64(num_class)) info.num_classes = *n;
  }
  info.use_case_type = UseCaseFromObjective(objective, info.num_classes);
  if (learner.contains("feature_names") && learner["feature_names"].is_array()) {
    for (const Json& n : learner["feature_names"]) {
      if (n.is_string()) info.feature_names.push_back(n.get<std::string>());
    }
  }
  info.inputs.push_back({"input", "float32", {-1, info.num_features}});
  return info;
}

Result<ModelInfo> InspectXgboostBinary(std::string_view bytes, const std::string& what) {
  LegacyHeader h;
  if (!ParseLegacyHeader(bytes, &h)) {
    return XgbError(what, "the legacy binary header is truncated or corrupt");
  }
  ModelInfo info;
  info.format = ModelFormat::kXgboostBinary;
  info.serialization_format = "bin";
  info.framework = "xgboost";
  // Files written before 1.0 leave the version fields zero (reserved).
  if (h.major != 0 || h.minor != 0) {
    info.framework_version = std::to_string(h.major) + "." + std::to_string(h.minor);
  }
  info.num_features = h.num_feature;
  info.algorithm = AlgorithmFromObjective(h.objective);
  Json& hp = info.hyperparameters = Json::object();
  hp["objective"] = h.objective;
  hp["booster"] = h.booster;
  hp["num_class"] = h.num_class;
  hp["num_feature"] = h.num_feature;
  hp["base_score"] = static_cast<double>(h.base_score);
  if (h.num_trees >= 0) hp["num_trees"] = h.num_trees;
  if (h.objective.starts_with("binary:")) info.num_classes = 2;
  if (h.objective.starts_with("multi:")) info.num_classes = h.num_class;
  info.use_case_type = UseCaseFromObjective(h.objective, info.num_classes);
  info.inputs.push_back({"input", "float32", {-1, info.num_features}});
  return info;
}

}  // namespace internal
}  // namespace ads::artifact
