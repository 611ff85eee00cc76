#include "metadata/prepare_keys.h"

#include <string_view>

#include "base/logging.h"
#include "base/strings.h"
#include "metadata/text_shorten.h"

namespace ads::metadata {
namespace {

Json StringOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

void Put(CustomMetadata& custom, std::string_view key, Json value, std::string_view description,
         std::string_view category) {
  custom.SetUnchecked(CustomItem{std::string(key), std::move(value), std::string(description),
                                 std::string(category), false});
}

}  // namespace

std::string ModelArtifactsValue(const std::vector<std::string>& files) {
  return ShortenText(Join(files, ", "), kModelArtifactsValueLimit, "...");
}

void PopulatePrepareKeys(const PrepareKeysInput& input, CustomMetadata& custom) {
  if (input.training_env.has_value()) {
    const TrainingEnv& env = *input.training_env;
    Put(custom, kCondaEnvironmentKey, StringOrNull(env.path),
        "The conda environment where the model was trained.", kCategoryTrainingEnvironment);
    Put(custom, kEnvironmentTypeKey, StringOrNull(env.type),
        "The conda environment type, can be published or datascience.",
        kCategoryTrainingEnvironment);
    Put(custom, kSlugNameKey, StringOrNull(env.slug),
        "The slug name of the training conda environment.", kCategoryTrainingEnvironment);
    Put(custom, kCondaEnvironmentPathKey, StringOrNull(env.path),
        "The URI of the training conda environment.", kCategoryTrainingEnvironment);
  }
  Put(custom, kModelArtifactsKey, ModelArtifactsValue(input.artifact_files),
      "The list of files located in artifacts folder.", kCategoryTrainingEnvironment);
  if (!input.model_file_name.empty()) {
    // Python's name.split(".")[-1]: the whole name when it has no dot.
    const size_t dot = input.model_file_name.rfind('.');
    const std::string format =
        dot == std::string::npos ? input.model_file_name : input.model_file_name.substr(dot + 1);
    Put(custom, kModelSerializationFormatKey, format, "The model serialization format.",
        kCategoryTrainingProfile);
    Put(custom, kModelFileNameKey, input.model_file_name, "The model file name.",
        kCategoryOther);
  } else {
    LogWarning(
        "Unable to extract a model serialization format. The `model_file_name` is not "
        "provided.");
  }
  Put(custom, kClientLibraryKey, "ADS", "", kCategoryOther);
}

}  // namespace ads::metadata
