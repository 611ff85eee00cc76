// The native check set: what our own ONNX/XGBoost runtimes need from an
// artifact that has no score.py (or our unmodified generated one).
#include <algorithm>
#include <set>
#include <string>

#include "artifact/introspect_internal.h"
#include "artifact/model_info.h"
#include "artifact/score_py.h"
#include "base/strings.h"
#include "base/yaml.h"

namespace ads::artifact::internal {
namespace {

constexpr const char* kModelFile = "native_model_file";
constexpr const char* kModelParse = "native_model_parse";
constexpr const char* kInputSchema = "native_input_schema";
constexpr const char* kRuntimeYaml = "native_runtime_yaml";

Json NativeTests() {
  struct Spec {
    const char* key;
    const char* category;
    const char* description;
    const char* error_msg;
  };
  static const Spec kSpecs[] = {
      {kModelFile, "Model File Check",
       "Check that the model file exists in the top level directory of the artifact directory",
       "The model file is missing."},
      {kModelParse, "Model File Check",
       "Check that the model file is an ONNX or XGBoost model the native runtime can read",
       "The model file cannot be read."},
      {kInputSchema, "input_schema.json",
       "Check that input_schema.json, when present, matches the inputs of the model",
       "input_schema.json does not match the inputs of the model."},
      {kRuntimeYaml, "runtime.yaml",
       "Check that runtime.yaml, when present, is a mapping with MODEL_ARTIFACT_VERSION set to 3.0",
       "runtime.yaml is not valid."},
  };
  Json tests = Json::object();
  for (const Spec& s : kSpecs) {
    tests[s.key] = {{"category", s.category}, {"description", s.description},
                    {"error_msg", s.error_msg}};
  }
  return tests;
}

bool HasName(const ArtifactView& view, const std::string& name) {
  return std::find(view.names.begin(), view.names.end(), name) != view.names.end();
}

bool IsRegularFile(Env& env, const ArtifactView& view, const std::string& name) {
  if (view.is_zip) return view.zip_files.count(name) > 0;
  auto st = env.Stat(JoinPath(view.path, name));
  return st.ok() && st->is_file();
}

// JSON files ADS writes into artifacts; never the model.
bool IsKnownNonModelJson(const std::string& name) {
  static const std::set<std::string> kNames = {
      "input_schema.json",     "output_schema.json",         "test_json_output.json",
      "Hyperparameters.json",  "model_artifact_manifest.json", "onnx_data_transformer.json",
      "openapi.json",          "model_description.json"};
  return kNames.count(name) > 0;
}

bool LooksLikeModelFile(const std::string& name) {
  for (const char* ext : {".onnx", ".json", ".ubj", ".bin"}) {
    const std::string e(ext);
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
      return !IsKnownNonModelJson(name);
    }
  }
  return false;
}

// Sets "success" and, on failure, the message; returns the message ("" = passed).
std::string Fail(Json& test, const std::string& message) {
  test["success"] = false;
  test["error_msg"] = message;
  return message;
}

std::string ResolveModelFile(Env& env, const ArtifactView& view, const IntrospectOptions& options,
                             Json& test, std::string& model_file) {
  model_file = options.model_file_name;
  if (model_file.empty() && HasName(view, "score.py")) {
    auto text = ReadArtifactFile(env, view, "score.py");
    if (text.ok()) {
      ScorePyOrigin origin = RecognizeScorePy(*text);
      if (origin.kind == ScorePyOrigin::kGeneratedUnmodified) model_file = origin.model_file_name;
    }
  }
  if (model_file.empty()) {
    std::vector<std::string> found;
    for (const std::string& name : view.names) {
      if (LooksLikeModelFile(name) && IsRegularFile(env, view, name)) found.push_back(name);
    }
    if (found.empty()) {
      return Fail(test, "No model file (.onnx, .json, .ubj or .bin) was found at the top level of "
                        "the artifact.");
    }
    if (found.size() > 1) {
      return Fail(test, "Several model files were found (" + Join(found, ", ") +
                            "); name the one to serve.");
    }
    model_file = found[0];
  }
  if (!IsRegularFile(env, view, model_file)) {
    return Fail(test, "The model file '" + model_file + "' is missing.");
  }
  test["success"] = true;
  test["value"] = model_file;
  return "";
}

std::vector<std::string> SchemaColumns(const Json& schema) {
  std::vector<std::string> columns;
  for (const Json& col : schema) {
    const Json& name = col.is_object() && col.contains("name") ? col["name"] : Json();
    columns.push_back(name.is_string() ? name.get<std::string>() : PyStr(name));
  }
  return columns;
}

// The number of features a single-input model takes, or -1 when unknown.
int64_t ExpectedFeatures(const ModelInfo& info) {
  if (info.num_features > 0) return info.num_features;
  if (info.inputs.size() == 1 && info.inputs[0].shape.size() >= 2 &&
      info.inputs[0].shape.back() > 0) {
    return info.inputs[0].shape.back();
  }
  return -1;
}

std::string CheckInputSchema(Env& env, const ArtifactView& view, const ModelInfo& info,
                             Json& test) {
  if (!HasName(view, "input_schema.json")) {
    test["success"] = true;
    return "";
  }
  auto text = ReadArtifactFile(env, view, "input_schema.json");
  if (!text.ok()) return Fail(test, "input_schema.json cannot be read: " + text.status().message());
  auto doc = ParseJson(*text, "input_schema.json");
  if (!doc.ok()) return Fail(test, "input_schema.json is not valid JSON: " + doc.status().message());
  const Json* schema = nullptr;
  if (doc->is_object()) {
    for (const auto& [key, value] : doc->items()) {
      if (ToLower(key) == "schema") schema = &value;
    }
  }
  if (!schema || !schema->is_array()) {
    return Fail(test, "input_schema.json has no \"schema\" list of columns.");
  }
  const std::vector<std::string> columns = SchemaColumns(*schema);
  if (info.inputs.size() > 1) {
    std::vector<std::string> inputs;
    for (const TensorInfo& t : info.inputs) inputs.push_back(t.name);
    if (std::set<std::string>(columns.begin(), columns.end()) !=
        std::set<std::string>(inputs.begin(), inputs.end())) {
      return Fail(test, "input_schema.json has the columns [" + Join(columns, ", ") +
                            "] but the model's inputs are [" + Join(inputs, ", ") + "].");
    }
  } else {
    const int64_t expected = ExpectedFeatures(info);
    const bool one_tensor_column =
        info.inputs.size() == 1 && columns.size() == 1 && columns[0] == info.inputs[0].name;
    if (expected > 0 && !one_tensor_column && static_cast<int64_t>(columns.size()) != expected) {
      return Fail(test, "input_schema.json has " + std::to_string(columns.size()) +
                            " columns but the model expects " + std::to_string(expected) +
                            " features.");
    }
  }
  test["success"] = true;
  return "";
}

std::string CheckRuntimeYaml(Env& env, const ArtifactView& view, Json& test) {
  if (!HasName(view, "runtime.yaml")) {
    test["success"] = true;
    return "";
  }
  auto text = ReadArtifactFile(env, view, "runtime.yaml");
  if (!text.ok()) return Fail(test, "runtime.yaml cannot be read: " + text.status().message());
  auto cfg = ParseYaml(*text, "runtime.yaml");
  if (!cfg.ok()) return Fail(test, "runtime.yaml is not valid YAML: " + cfg.status().message());
  if (!cfg->is_object()) return Fail(test, "runtime.yaml is not valid: it is not a mapping.");
  const Json version = cfg->value("MODEL_ARTIFACT_VERSION", Json());
  if (!version.is_string() || version.get<std::string>() != "3.0") {
    return Fail(test, "In runtime.yaml, the key MODEL_ARTIFACT_VERSION must be set to 3.0.");
  }
  test["success"] = true;
  return "";
}

}  // namespace

Result<std::string> ReadArtifactFile(Env& env, const ArtifactView& view, const std::string& name) {
  if (!view.is_zip) return env.ReadFile(JoinPath(view.path, name));
  auto it = view.zip_files.find(name);
  if (it == view.zip_files.end()) {
    return NotFoundError("The zip " + Quoted(view.path) + " has no top-level member " +
                         Quoted(name) + ".");
  }
  return it->second;
}

Result<bool> RunNativeChecks(Env& env, const ArtifactView& view, const IntrospectOptions& options,
                             IntrospectionResult& result) {
  result.tests = NativeTests();
  Json& tests = result.tests;
  std::string model_file;
  result.final_message = ResolveModelFile(env, view, options, tests[kModelFile], model_file);
  if (!result.final_message.empty()) return false;

  auto bytes = ReadArtifactFile(env, view, model_file);
  if (!bytes.ok()) {
    result.final_message = Fail(tests[kModelParse], "The model file '" + model_file +
                                                        "' cannot be read: " +
                                                        bytes.status().message());
    return false;
  }
  auto info = InspectModelBytes(*bytes, model_file);
  if (!info.ok()) {
    result.final_message = Fail(tests[kModelParse], "The model file '" + model_file +
                                                        "' cannot be read: " +
                                                        info.status().message());
    return false;
  }
  tests[kModelParse]["success"] = true;
  tests[kModelParse]["value"] = std::string(ModelFormatName(info->format));

  result.final_message = CheckInputSchema(env, view, *info, tests[kInputSchema]);
  if (!result.final_message.empty()) return false;
  result.final_message = CheckRuntimeYaml(env, view, tests[kRuntimeYaml]);
  return result.final_message.empty();
}

}  // namespace ads::artifact::internal
