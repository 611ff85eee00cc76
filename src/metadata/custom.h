// Custom metadata of a model: free key/value items with a description and one
// of ADS's five categories, as ADS's ModelCustomMetadata keeps them.
//
//   CustomMetadata custom;
//   ADS_RETURN_IF_ERROR(custom.Add("accuracy", 0.97, "Test accuracy", "Performance"));
//   ADS_RETURN_IF_ERROR(custom.SetTrainingData({.path = "oci://b@ns/train.csv",
//                                               .size = "2MB", .rows = 1000}));
//   ADS_ASSIGN_OR_RETURN(CustomItem item, custom.Get("ACCURACY"));  // keys ignore case
//
// Errors carry ADS's texts. Values are measured against the catalog's
// 255-character limit as the string the catalog receives (see limits.h).
// Thread-safety: a value type; not synchronised.
#ifndef ADS_METADATA_CUSTOM_H_
#define ADS_METADATA_CUSTOM_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ads::metadata {

inline constexpr std::string_view kCategoryPerformance = "Performance";
inline constexpr std::string_view kCategoryTrainingProfile = "Training Profile";
inline constexpr std::string_view kCategoryTrainingAndValidationDatasets =
    "Training and Validation Datasets";
inline constexpr std::string_view kCategoryTrainingEnvironment = "Training Environment";
inline constexpr std::string_view kCategoryOther = "Other";

// The five categories in ADS's declaration order.
const std::vector<std::string>& CustomCategories();
// The canonical spelling of `category` (matched case-insensitively), if any.
std::optional<std::string> CanonicalCategory(std::string_view category);

// ADS's MetadataCustomKeys.
inline constexpr std::string_view kSlugNameKey = "SlugName";
inline constexpr std::string_view kCondaEnvironmentKey = "CondaEnvironment";
inline constexpr std::string_view kCondaEnvironmentPathKey = "CondaEnvironmentPath";
inline constexpr std::string_view kEnvironmentTypeKey = "EnvironmentType";
inline constexpr std::string_view kModelArtifactsKey = "ModelArtifacts";
inline constexpr std::string_view kTrainingDatasetKey = "TrainingDataset";
inline constexpr std::string_view kValidationDatasetKey = "ValidationDataset";
inline constexpr std::string_view kModelSerializationFormatKey = "ModelSerializationFormat";
inline constexpr std::string_view kTrainingDatasetSizeKey = "TrainingDatasetSize";
inline constexpr std::string_view kValidationDatasetSizeKey = "ValidationDatasetSize";
inline constexpr std::string_view kTrainingDatasetRowsKey = "TrainingDatasetNumberOfRows";
inline constexpr std::string_view kTrainingDatasetColsKey = "TrainingDatasetNumberOfCols";
inline constexpr std::string_view kValidationDatasetRowsKey = "ValidationDatasetNumberOfRows";
// Spelled with a capital S in ADS; kept for compatibility.
inline constexpr std::string_view kValidationDatasetColsKey = "ValidationDataSetNumberOfCols";
inline constexpr std::string_view kClientLibraryKey = "ClientLibrary";
inline constexpr std::string_view kModelFileNameKey = "ModelFileName";

struct CustomItem {
  std::string key;
  Json value;  // null: unset (sent to the catalog as "NA")
  // nullopt is Python's None: ADS items read from files may lack these.
  std::optional<std::string> description;
  std::optional<std::string> category;
  bool has_artifact = false;
};

// A dataset's facts for SetTrainingData / SetValidationData; null members are
// not recorded.
struct DatasetInfo {
  std::string path;
  Json size;  // e.g. "2MB" or a byte count
  Json rows;
  Json cols;
};

class CustomMetadata {
 public:
  // ADS's add(): rejects an empty key or value, an unknown category, a value
  // or description over the limits, and (unless `replace`) an existing key.
  // An empty category means "Other"; the category is stored canonically.
  Status Add(std::string_view key, Json value, std::string_view description = "",
             std::string_view category = kCategoryOther, bool replace = false);
  // NotFound (ADS's text) when no item has `key`.
  Status Remove(std::string_view key);
  Result<CustomItem> Get(std::string_view key) const;
  bool Contains(std::string_view key) const;
  void Clear() { items_.clear(); }
  bool empty() const { return items_.empty(); }
  const std::vector<CustomItem>& items() const { return items_; }

  // Checks each item: category, value length, description length.
  Status Validate() const;

  // Adds or replaces (by case-insensitive key) without checks; for items
  // read from the catalog or a file, and for the auto-populated keys.
  void SetUnchecked(CustomItem item);

  // TrainingDataset[Size|NumberOfRows|NumberOfCols], category
  // "Training and Validation Datasets", replacing earlier values.
  Status SetTrainingData(const DatasetInfo& info);
  Status SetValidationData(const DatasetInfo& info);

 private:
  CustomItem* Find(std::string_view key);
  const CustomItem* Find(std::string_view key) const;

  std::vector<CustomItem> items_;  // insertion order
};

}  // namespace ads::metadata

#endif  // ADS_METADATA_CUSTOM_H_
