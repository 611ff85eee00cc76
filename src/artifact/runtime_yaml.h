// runtime.yaml: the artifact's runtime description (ADS layout 3.0).
//
// ParseRuntimeYaml reads what any ADS generation wrote (leading blank line,
// folded long scalars, boilerplate files without MODEL_PROVENANCE, legacy
// TRAINING_CODE keys); RenderRuntimeYaml writes the 3.0 layout byte for byte as
// ADS does ("\n" + yaml.dump(dict, Dumper=yaml.SafeDumper)).
//
//   std::vector<std::string> warnings;
//   ADS_ASSIGN_OR_RETURN(RuntimeInfo info,
//                        LoadRuntimeYaml(env, dir + "/runtime.yaml", &warnings));
//   info.inference_conda_env.python_version = "3.11";
//   ADS_RETURN_IF_ERROR(WriteRuntimeYaml(env, dir, info));
//
// See docs/runtime-yaml.md. Thread-safety: plain functions and values.
#ifndef ADS_ARTIFACT_RUNTIME_YAML_H_
#define ADS_ARTIFACT_RUNTIME_YAML_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"

namespace ads::artifact {

inline constexpr std::string_view kRuntimeYamlFileName = "runtime.yaml";
inline constexpr std::string_view kModelArtifactVersion = "3.0";

// INFERENCE_CONDA_ENV (INFERENCE_ENV_*) or TRAINING_CONDA_ENV (TRAINING_ENV_*).
struct CondaEnvInfo {
  std::string path;            // oci://bucket@namespace/path
  std::string slug;
  std::string type;            // "data_science" (service pack) or "published"
  std::string python_version;  // e.g. "3.11"

  friend bool operator==(const CondaEnvInfo&, const CondaEnvInfo&) = default;
};

struct TrainingCodeInfo {
  std::string artifact_directory;
  // Written by the legacy ads.common.model_artifact (before ADS 2.6.6). Kept
  // when read; never written, as ADS's 3.0 writer drops them.
  std::string git_branch;
  std::string git_commit;
  std::string git_remote;
  std::string training_script;

  friend bool operator==(const TrainingCodeInfo&, const TrainingCodeInfo&) = default;
};

struct ProvenanceInfo {
  std::string project_ocid;
  std::string tenancy_ocid;
  TrainingCodeInfo training_code;
  std::string training_compartment_ocid;
  CondaEnvInfo training_conda_env;
  std::string training_region;
  std::string training_resource_ocid;
  std::string user_ocid;
  std::string vm_image_internal_id;

  friend bool operator==(const ProvenanceInfo&, const ProvenanceInfo&) = default;
};

struct RuntimeInfo {
  // As text: an unquoted `3.0` in the file (a YAML float) is recorded as "3.0"
  // with version_was_string = false; introspection must fail such a file.
  std::string model_artifact_version = std::string(kModelArtifactVersion);
  bool version_was_string = true;
  CondaEnvInfo inference_conda_env;
  // False when the file had no (or an empty) MODEL_PROVENANCE, as boilerplate
  // files do. RenderRuntimeYaml writes MODEL_PROVENANCE regardless.
  bool has_provenance = false;
  ProvenanceInfo provenance;
  // The document as parsed (null for values built in code); for callers that
  // need to look at the raw types, such as introspection.
  Json document;
};

// Parses runtime.yaml text. Unknown keys and legacy keys are not errors: each
// adds one sentence to `warnings` (which may be null). Errors name the key
// path, e.g. "runtime.yaml: MODEL_DEPLOYMENT.INFERENCE_CONDA_ENV is missing.".
Result<RuntimeInfo> ParseRuntimeYaml(std::string_view text, std::vector<std::string>* warnings);

// Reads and parses the file at `path`.
Result<RuntimeInfo> LoadRuntimeYaml(Env& env, const std::string& path,
                                    std::vector<std::string>* warnings);

// The 3.0 layout with every key present ('' for empty values), exactly as
// ADS's RuntimeInfo.save() writes it.
std::string RenderRuntimeYaml(const RuntimeInfo& info);

// The Json dict ADS dumps (upper-case keys, insertion order as ADS builds it).
Json RuntimeYamlDict(const RuntimeInfo& info);

// Writes <dir>/runtime.yaml atomically.
Status WriteRuntimeYaml(Env& env, const std::string& dir, const RuntimeInfo& info);

}  // namespace ads::artifact

#endif  // ADS_ARTIFACT_RUNTIME_YAML_H_
