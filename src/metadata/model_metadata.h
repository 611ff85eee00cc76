// ModelMetadata: everything ads records about a model besides its artifact
// files: taxonomy, custom metadata and provenance. `ads model prepare` saves it
// to <artifact_dir>/.ads/metadata.json (our local state folder, never zipped)
// and `ads model save` loads it to build the CreateModel request.
//
//   ModelMetadata m;
//   ADS_RETURN_IF_ERROR(m.taxonomy.Set("Framework", "xgboost"));
//   ADS_RETURN_IF_ERROR(m.Validate());
//   ADS_RETURN_IF_ERROR(m.Save(env, "my_artifact"));
//   ADS_ASSIGN_OR_RETURN(ModelMetadata back, ModelMetadata::Load(env, "my_artifact"));
//   std::cout << RenderMetadataTable(back);
//
// Thread-safety: a value type; not synchronised.
#ifndef ADS_METADATA_MODEL_METADATA_H_
#define ADS_METADATA_MODEL_METADATA_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "metadata/custom.h"
#include "metadata/provenance.h"
#include "metadata/taxonomy.h"

namespace ads::metadata {

// The local state folder inside an artifact directory, and our file in it.
inline constexpr std::string_view kStateDirName = ".ads";
inline constexpr std::string_view kMetadataFileName = "metadata.json";
inline constexpr int kMetadataFileVersion = 1;

// <artifact_dir>/.ads/metadata.json
std::string MetadataFilePath(std::string_view artifact_dir);

struct ModelMetadata {
  TaxonomyMetadata taxonomy;
  CustomMetadata custom;
  ModelProvenance provenance;

  // Taxonomy values, custom items (category, 255-character values and
  // descriptions) and the combined 32000-byte size; the first error found.
  Status Validate() const;

  // {"version": 1, "taxonomy": {"data": [...]}, "custom": {"data": [...]},
  //  "provenance": {...}} using ADS's dict shapes.
  Json ToJson() const;
  // `what` names the source in errors (e.g. the file path).
  static Result<ModelMetadata> FromJson(const Json& json, std::string_view what);

  // Writes the file atomically, creating .ads/ when needed.
  Status Save(Env& env, const std::string& artifact_dir) const;
  // NotFound when the artifact has no saved metadata.
  static Result<ModelMetadata> Load(Env& env, const std::string& artifact_dir);
};

// A plain-text table for the CLI: KEY, VALUE, CATEGORY, DESCRIPTION; taxonomy
// rows first (category "(taxonomy)"), then custom items, then the non-empty
// provenance fields ("(provenance)"). Values longer than `max_value_width`
// characters are cut and end in "...".
std::string RenderMetadataTable(const ModelMetadata& metadata, size_t max_value_width = 60);

}  // namespace ads::metadata

#endif  // ADS_METADATA_MODEL_METADATA_H_
