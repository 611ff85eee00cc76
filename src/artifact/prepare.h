// Prepare: turns a model file into an ADS-compatible artifact directory.
//
// It writes runtime.yaml (3.0 layout), score.py (generated for ONNX/XGBoost, or
// the user's own), the model file, input/output schemas inferred from samples,
// .model-ignore, and our local state (.ads/metadata.json with taxonomy, custom
// and provenance metadata; .ads/status.json with the summary status).
//
//   PrepareOptions o;
//   o.model_file = "examples/iris/model.onnx";
//   o.artifact_dir = "/tmp/iris";
//   o.inference_conda_env = "oci://service-conda-packs@ns/service_pack/cpu/x/1.0/slug_p311";
//   ADS_ASSIGN_OR_RETURN(PrepareReport report, PrepareArtifact(env, o));
//
// Nothing half-written becomes visible: the new artifact is assembled in a
// staging folder beside the target and moved into place when complete. Files
// of an existing artifact folder that prepare does not write are kept
// (with --force-overwrite), as ADS keeps them.
//
// Thread-safety: reentrant; two prepares into the same folder race.
#ifndef ADS_ARTIFACT_PREPARE_H_
#define ADS_ARTIFACT_PREPARE_H_

#include <string>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"

namespace ads::artifact {

// One --custom-metadata KEY=VALUE[,category=...][,description=...].
struct CustomMetadataArg {
  std::string key;
  std::string value;
  std::string category;  // empty: Other
  std::string description;
};
Result<CustomMetadataArg> ParseCustomMetadataArg(std::string_view text);

struct PrepareOptions {
  std::string model_file;  // required: the serialized model (ONNX or XGBoost)
  std::string artifact_dir;  // required
  std::string inference_conda_env;  // oci:// path (slugs cannot be resolved offline)
  std::string inference_python_version;
  std::string training_conda_env;
  std::string training_python_version;
  std::string model_file_name;  // name inside the artifact; default: the file's name
  std::string x_sample;         // CSV / JSON / NPY
  std::string y_sample;
  std::string use_case_type;
  std::string training_script_path;
  std::string training_id;
  bool ignore_pending_changes = true;  // ADS's prepare() default
  int max_col_num = 2000;
  bool ignore_conda_error = false;
  std::string score_py;  // bring your own score.py
  bool force_overwrite = false;
  std::vector<CustomMetadataArg> custom_metadata;
};

struct PrepareReport {
  std::string artifact_dir;                // absolute
  std::vector<std::string> files;          // files of the artifact, relative, sorted
  std::vector<std::string> warnings;
  std::string framework;
  std::string framework_version;
  std::string algorithm;
  bool score_py_generated = false;
  bool input_schema_attached = false;
  bool output_schema_attached = false;
};

Result<PrepareReport> PrepareArtifact(Env& env, const PrepareOptions& options);

}  // namespace ads::artifact

#endif  // ADS_ARTIFACT_PREPARE_H_
