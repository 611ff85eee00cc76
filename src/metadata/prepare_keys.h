// The custom metadata keys `ads model prepare` fills in, as ADS's
// MetadataMixin._populate_metadata_custom does: ModelFileName,
// ModelSerializationFormat, ModelArtifacts, ClientLibrary and, when the
// training conda environment is known, CondaEnvironment, EnvironmentType,
// SlugName and CondaEnvironmentPath, each with ADS's description and category.
//
//   PrepareKeysInput in{.model_file_name = "model.onnx",
//                       .artifact_files = {"model.onnx", "runtime.yaml", "score.py"}};
//   PopulatePrepareKeys(in, metadata.custom);   // replaces earlier values
//
// Thread-safety: a pure function of its arguments.
#ifndef ADS_METADATA_PREPARE_KEYS_H_
#define ADS_METADATA_PREPARE_KEYS_H_

#include <optional>
#include <string>
#include <vector>

#include "metadata/custom.h"

namespace ads::metadata {

// The conda environment the model was trained in (runtime.yaml's
// TRAINING_ENV_*). Empty members are recorded as unset (null).
struct TrainingEnv {
  std::string path;  // TRAINING_ENV_PATH, e.g. oci://bucket@ns/path/slug
  std::string type;  // "published" or "data_science"
  std::string slug;
};

struct PrepareKeysInput {
  // Empty: ModelFileName and ModelSerializationFormat are skipped with ADS's
  // warning "Unable to extract a model serialization format. ...".
  std::string model_file_name;
  // Files of the artifact, relative to it, in the order to list them.
  std::vector<std::string> artifact_files;
  std::optional<TrainingEnv> training_env;
};

inline constexpr size_t kModelArtifactsValueLimit = 255;

// ", ".join(files) shortened to 255 characters with "..." (textwrap.shorten).
std::string ModelArtifactsValue(const std::vector<std::string>& files);

void PopulatePrepareKeys(const PrepareKeysInput& input, CustomMetadata& custom);

}  // namespace ads::metadata

#endif  // ADS_METADATA_PREPARE_KEYS_H_
