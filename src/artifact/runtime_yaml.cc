#include "artifact/runtime_yaml.h"

#include <initializer_list>
#include <string>

#include "base/yaml.h"

namespace ads::artifact {
namespace {

constexpr std::string_view kWhat = "runtime.yaml";

std::string TypeName(const Json& v) {
  if (v.is_object()) return "a mapping";
  if (v.is_array()) return "a list";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_null()) return "empty";
  return "a string";
}

std::string JoinKey(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

// Walks the document with the key path in hand so that every error and
// warning names the exact key.
class Reader {
 public:
  explicit Reader(std::vector<std::string>* warnings) : warnings_(warnings) {}

  // The mapping under `key`; nullptr when absent or empty and not required.
  Result<const Json*> Mapping(const Json& parent, std::string_view path, std::string_view key,
                              bool required) {
    std::string full = JoinKey(path, key);
    auto it = parent.find(std::string(key));
    if (it == parent.end() || it->is_null()) {
      if (!required) return static_cast<const Json*>(nullptr);
      return InvalidArgumentError(std::string(kWhat) + ": " + full + " is missing.");
    }
    if (!it->is_object()) {
      return InvalidArgumentError(std::string(kWhat) + ": " + full + " must be a mapping, not " +
                                  TypeName(*it) + ".");
    }
    return &*it;
  }

  // A string field; absent or empty (null) reads as "".
  Result<std::string> String(const Json& parent, std::string_view path, std::string_view key) {
    auto it = parent.find(std::string(key));
    if (it == parent.end() || it->is_null()) return std::string();
    if (it->is_string()) return it->get<std::string>();
    Status error = InvalidArgumentError(std::string(kWhat) + ": " + JoinKey(path, key) +
                                        " must be a string, not " + TypeName(*it) + ".");
    if (it->is_number()) {
      return error.WithHint("Quote the value, e.g. '3.10': unquoted, YAML reads 3.10 as the number 3.1.");
    }
    return error;
  }

  void WarnUnknown(const Json& object, std::string_view path,
                   std::initializer_list<std::string_view> known) {
    for (auto it = object.begin(); it != object.end(); ++it) {
      bool found = false;
      for (std::string_view k : known) found = found || it.key() == k;
      if (!found) {
        Warn(std::string(kWhat) + ": unknown key " + JoinKey(path, it.key()) + " is ignored.");
      }
    }
  }

  void Warn(std::string message) {
    if (warnings_ != nullptr) warnings_->push_back(std::move(message));
  }

 private:
  std::vector<std::string>* warnings_;
};

// Reads a <PREFIX>_ENV_PATH/_SLUG/_TYPE and <PREFIX>_PYTHON_VERSION mapping.
Result<CondaEnvInfo> ReadCondaEnv(Reader& r, const Json& env, const std::string& path,
                                  const std::string& prefix) {
  CondaEnvInfo info;
  const std::string p = prefix + "_ENV_PATH", s = prefix + "_ENV_SLUG",
                    t = prefix + "_ENV_TYPE", v = prefix + "_PYTHON_VERSION";
  ADS_ASSIGN_OR_RETURN(info.path, r.String(env, path, p));
  ADS_ASSIGN_OR_RETURN(info.slug, r.String(env, path, s));
  ADS_ASSIGN_OR_RETURN(info.type, r.String(env, path, t));
  ADS_ASSIGN_OR_RETURN(info.python_version, r.String(env, path, v));
  r.WarnUnknown(env, path, {p, s, t, v});
  return info;
}

Result<TrainingCodeInfo> ReadTrainingCode(Reader& r, const Json& code) {
  const std::string path = "MODEL_PROVENANCE.TRAINING_CODE";
  TrainingCodeInfo info;
  ADS_ASSIGN_OR_RETURN(info.artifact_directory, r.String(code, path, "ARTIFACT_DIRECTORY"));
  ADS_ASSIGN_OR_RETURN(info.git_branch, r.String(code, path, "GIT_BRANCH"));
  ADS_ASSIGN_OR_RETURN(info.git_commit, r.String(code, path, "GIT_COMMIT"));
  ADS_ASSIGN_OR_RETURN(info.git_remote, r.String(code, path, "GIT_REMOTE"));
  ADS_ASSIGN_OR_RETURN(info.training_script, r.String(code, path, "TRAINING_SCRIPT"));
  std::string legacy;
  for (const char* key : {"GIT_BRANCH", "GIT_COMMIT", "GIT_REMOTE", "TRAINING_SCRIPT"}) {
    if (code.contains(key)) legacy += (legacy.empty() ? "" : ", ") + path + "." + key;
  }
  if (!legacy.empty()) {
    r.Warn(std::string(kWhat) + ": legacy keys " + legacy +
           " are kept on read but not written by the 3.0 layout.");
  }
  r.WarnUnknown(code, path,
                {"ARTIFACT_DIRECTORY", "GIT_BRANCH", "GIT_COMMIT", "GIT_REMOTE", "TRAINING_SCRIPT"});
  return info;
}

Result<ProvenanceInfo> ReadProvenance(Reader& r, const Json& prov) {
  const std::string path = "MODEL_PROVENANCE";
  ProvenanceInfo info;
  ADS_ASSIGN_OR_RETURN(info.project_ocid, r.String(prov, path, "PROJECT_OCID"));
  ADS_ASSIGN_OR_RETURN(info.tenancy_ocid, r.String(prov, path, "TENANCY_OCID"));
  ADS_ASSIGN_OR_RETURN(const Json* code, r.Mapping(prov, path, "TRAINING_CODE", false));
  if (code != nullptr) {
    ADS_ASSIGN_OR_RETURN(info.training_code, ReadTrainingCode(r, *code));
  }
  ADS_ASSIGN_OR_RETURN(info.training_compartment_ocid,
                       r.String(prov, path, "TRAINING_COMPARTMENT_OCID"));
  ADS_ASSIGN_OR_RETURN(const Json* env, r.Mapping(prov, path, "TRAINING_CONDA_ENV", false));
  if (env != nullptr) {
    ADS_ASSIGN_OR_RETURN(info.training_conda_env,
                         ReadCondaEnv(r, *env, path + ".TRAINING_CONDA_ENV", "TRAINING"));
  }
  ADS_ASSIGN_OR_RETURN(info.training_region, r.String(prov, path, "TRAINING_REGION"));
  ADS_ASSIGN_OR_RETURN(info.training_resource_ocid,
                       r.String(prov, path, "TRAINING_RESOURCE_OCID"));
  ADS_ASSIGN_OR_RETURN(info.user_ocid, r.String(prov, path, "USER_OCID"));
  ADS_ASSIGN_OR_RETURN(info.vm_image_internal_id, r.String(prov, path, "VM_IMAGE_INTERNAL_ID"));
  r.WarnUnknown(prov, path,
                {"PROJECT_OCID", "TENANCY_OCID", "TRAINING_CODE", "TRAINING_COMPARTMENT_OCID",
                 "TRAINING_CONDA_ENV", "TRAINING_REGION", "TRAINING_RESOURCE_OCID", "USER_OCID",
                 "VM_IMAGE_INTERNAL_ID"});
  return info;
}

// MODEL_ARTIFACT_VERSION: a string, or a number recorded as Python's str().
Status ReadVersion(const Json& doc, RuntimeInfo* info) {
  auto it = doc.find("MODEL_ARTIFACT_VERSION");
  if (it == doc.end()) {
    return InvalidArgumentError(std::string(kWhat) + ": MODEL_ARTIFACT_VERSION is missing.");
  }
  if (it->is_string()) {
    info->model_artifact_version = it->get<std::string>();
    info->version_was_string = true;
  } else if (it->is_number_float()) {
    info->model_artifact_version = PythonFloatRepr(it->get<double>());
    info->version_was_string = false;
  } else if (it->is_number()) {
    info->model_artifact_version = it->dump();
    info->version_was_string = false;
  } else {
    return InvalidArgumentError(std::string(kWhat) +
                                ": MODEL_ARTIFACT_VERSION must be a string such as '3.0', not " +
                                TypeName(*it) + ".");
  }
  return OkStatus();
}

}  // namespace

Result<RuntimeInfo> ParseRuntimeYaml(std::string_view text, std::vector<std::string>* warnings) {
  ADS_ASSIGN_OR_RETURN(Json doc, ParseYaml(text, kWhat));
  if (!doc.is_object()) {
    return InvalidArgumentError(
        "runtime.yaml is not valid. It must be a mapping with MODEL_ARTIFACT_VERSION and "
        "MODEL_DEPLOYMENT, not " + TypeName(doc) + ".");
  }
  Reader r(warnings);
  RuntimeInfo info;
  ADS_RETURN_IF_ERROR(ReadVersion(doc, &info));
  ADS_ASSIGN_OR_RETURN(const Json* deployment, r.Mapping(doc, "", "MODEL_DEPLOYMENT", true));
  ADS_ASSIGN_OR_RETURN(const Json* env,
                       r.Mapping(*deployment, "MODEL_DEPLOYMENT", "INFERENCE_CONDA_ENV", true));
  ADS_ASSIGN_OR_RETURN(info.inference_conda_env,
                       ReadCondaEnv(r, *env, "MODEL_DEPLOYMENT.INFERENCE_CONDA_ENV", "INFERENCE"));
  r.WarnUnknown(*deployment, "MODEL_DEPLOYMENT", {"INFERENCE_CONDA_ENV"});
  ADS_ASSIGN_OR_RETURN(const Json* prov, r.Mapping(doc, "", "MODEL_PROVENANCE", false));
  if (prov != nullptr && !prov->empty()) {
    info.has_provenance = true;
    ADS_ASSIGN_OR_RETURN(info.provenance, ReadProvenance(r, *prov));
  }
  r.WarnUnknown(doc, "", {"MODEL_ARTIFACT_VERSION", "MODEL_DEPLOYMENT", "MODEL_PROVENANCE"});
  info.document = std::move(doc);
  return info;
}

Result<RuntimeInfo> LoadRuntimeYaml(Env& env, const std::string& path,
                                    std::vector<std::string>* warnings) {
  Result<std::string> text = env.ReadFile(path);
  if (!text.ok()) return text.status();
  Result<RuntimeInfo> info = ParseRuntimeYaml(*text, warnings);
  if (!info.ok()) return info.status().WithContext(path);
  return info;
}

Json RuntimeYamlDict(const RuntimeInfo& info) {
  const CondaEnvInfo& inf = info.inference_conda_env;
  const ProvenanceInfo& p = info.provenance;
  const CondaEnvInfo& tr = p.training_conda_env;
  Json d = Json::object();
  d["MODEL_ARTIFACT_VERSION"] = info.model_artifact_version;
  d["MODEL_DEPLOYMENT"]["INFERENCE_CONDA_ENV"] = {{"INFERENCE_ENV_SLUG", inf.slug},
                                                  {"INFERENCE_ENV_TYPE", inf.type},
                                                  {"INFERENCE_ENV_PATH", inf.path},
                                                  {"INFERENCE_PYTHON_VERSION", inf.python_version}};
  Json& prov = d["MODEL_PROVENANCE"];
  prov["PROJECT_OCID"] = p.project_ocid;
  prov["TENANCY_OCID"] = p.tenancy_ocid;
  prov["TRAINING_CODE"] = {{"ARTIFACT_DIRECTORY", p.training_code.artifact_directory}};
  prov["TRAINING_COMPARTMENT_OCID"] = p.training_compartment_ocid;
  prov["TRAINING_CONDA_ENV"] = {{"TRAINING_ENV_SLUG", tr.slug},
                                {"TRAINING_ENV_TYPE", tr.type},
                                {"TRAINING_ENV_PATH", tr.path},
                                {"TRAINING_PYTHON_VERSION", tr.python_version}};
  prov["TRAINING_REGION"] = p.training_region;
  prov["TRAINING_RESOURCE_OCID"] = p.training_resource_ocid;
  prov["USER_OCID"] = p.user_ocid;
  prov["VM_IMAGE_INTERNAL_ID"] = p.vm_image_internal_id;
  return d;
}

std::string RenderRuntimeYaml(const RuntimeInfo& info) {
  // Serializable.to_yaml: f"{note}\n" + yaml.dump(...) with note = "".
  return "\n" + DumpYamlPy(RuntimeYamlDict(info));
}

Status WriteRuntimeYaml(Env& env, const std::string& dir, const RuntimeInfo& info) {
  return env.WriteFileAtomic(JoinPath(dir, kRuntimeYamlFileName), RenderRuntimeYaml(info));
}

}  // namespace ads::artifact
