#include "metadata/custom.h"

#include <utility>

#include "base/strings.h"
#include "metadata/limits.h"
#include "metadata/taxonomy.h"

namespace ads::metadata {
namespace {

Status UnknownCategory(std::string_view key) {
  const std::string prefix =
      key.empty() ? "Invalid category value. "
                  : "Invalid category value for the " + std::string(key) + ". ";
  return InvalidArgumentError(prefix + "Choose from " + PythonTupleRepr(CustomCategories()) +
                              ".");
}

Status NotFound(std::string_view key) {
  return NotFoundError("The metadata with " + std::string(key) + " not found.");
}

// One dataset key; `value` null means "not given" and the key is left alone.
Status AddDatasetKey(CustomMetadata& custom, std::string_view key, const Json& value,
                     std::string_view description) {
  if (value.is_null()) return OkStatus();
  return custom.Add(key, value, description, kCategoryTrainingAndValidationDatasets,
                    /*replace=*/true);
}

}  // namespace

const std::vector<std::string>& CustomCategories() {
  static const auto* const kCategories = new std::vector<std::string>{
      std::string(kCategoryPerformance), std::string(kCategoryTrainingProfile),
      std::string(kCategoryTrainingAndValidationDatasets),
      std::string(kCategoryTrainingEnvironment), std::string(kCategoryOther)};
  return *kCategories;
}

std::optional<std::string> CanonicalCategory(std::string_view category) {
  for (const std::string& c : CustomCategories()) {
    if (EqualsIgnoreCase(c, category)) return c;
  }
  return std::nullopt;
}

CustomItem* CustomMetadata::Find(std::string_view key) {
  for (CustomItem& item : items_) {
    if (EqualsIgnoreCase(item.key, key)) return &item;
  }
  return nullptr;
}

const CustomItem* CustomMetadata::Find(std::string_view key) const {
  return const_cast<CustomMetadata*>(this)->Find(key);
}

Status CustomMetadata::Add(std::string_view key, Json value, std::string_view description,
                           std::string_view category, bool replace) {
  // The order of the checks is ADS's, so the first error reported matches.
  if (category.empty()) category = kCategoryOther;
  if (key.empty()) return InvalidArgumentError("The key cannot be empty.");
  if (value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty())) {
    return InvalidArgumentError("The value cannot be empty.");
  }
  std::optional<std::string> canonical = CanonicalCategory(category);
  if (!canonical.has_value()) return UnknownCategory("");
  ADS_RETURN_IF_ERROR(CheckCustomValueLength(key, value));
  ADS_RETURN_IF_ERROR(CheckDescriptionLength(key, description));
  if (!replace && Find(key) != nullptr) {
    return AlreadyExistsError("The metadata item with key " + std::string(key) +
                              " is already registered. Use replace=True to overwrite.");
  }
  SetUnchecked(CustomItem{std::string(key), std::move(value), std::string(description),
                          std::move(canonical), false});
  return OkStatus();
}

void CustomMetadata::SetUnchecked(CustomItem item) {
  if (CustomItem* existing = Find(item.key)) {
    *existing = std::move(item);
    return;
  }
  items_.push_back(std::move(item));
}

Status CustomMetadata::Remove(std::string_view key) {
  if (key.empty()) return InvalidArgumentError("The key must not be an empty string.");
  for (auto it = items_.begin(); it != items_.end(); ++it) {
    if (EqualsIgnoreCase(it->key, key)) {
      items_.erase(it);
      return OkStatus();
    }
  }
  return NotFound(key);
}

Result<CustomItem> CustomMetadata::Get(std::string_view key) const {
  if (key.empty()) return InvalidArgumentError("The key must not be an empty string.");
  const CustomItem* item = Find(key);
  if (item == nullptr) return NotFound(key);
  return *item;
}

bool CustomMetadata::Contains(std::string_view key) const { return Find(key) != nullptr; }

Status CustomMetadata::Validate() const {
  for (const CustomItem& item : items_) {
    if (item.category.has_value() && !item.category->empty() &&
        !CanonicalCategory(*item.category).has_value()) {
      return UnknownCategory(item.key);
    }
    ADS_RETURN_IF_ERROR(CheckCustomValueLength(item.key, item.value));
    if (item.description.has_value()) {
      ADS_RETURN_IF_ERROR(CheckDescriptionLength(item.key, *item.description));
    }
  }
  return OkStatus();
}

Status CustomMetadata::SetTrainingData(const DatasetInfo& info) {
  ADS_RETURN_IF_ERROR(AddDatasetKey(*this, kTrainingDatasetKey, info.path,
                                    "The path where training dataset path are stored."));
  ADS_RETURN_IF_ERROR(
      AddDatasetKey(*this, kTrainingDatasetSizeKey, info.size, "The size of the training data."));
  ADS_RETURN_IF_ERROR(AddDatasetKey(*this, kTrainingDatasetRowsKey, info.rows,
                                    "The number of rows in the training data."));
  return AddDatasetKey(*this, kTrainingDatasetColsKey, info.cols,
                       "The number of columns in the training data.");
}

Status CustomMetadata::SetValidationData(const DatasetInfo& info) {
  ADS_RETURN_IF_ERROR(AddDatasetKey(*this, kValidationDatasetKey, info.path,
                                    "The path where validation dataset path are stored."));
  ADS_RETURN_IF_ERROR(AddDatasetKey(*this, kValidationDatasetSizeKey, info.size,
                                    "The size of the validation data."));
  ADS_RETURN_IF_ERROR(AddDatasetKey(*this, kValidationDatasetRowsKey, info.rows,
                                    "The number of rows in the validation data."));
  return AddDatasetKey(*this, kValidationDatasetColsKey, info.cols,
                       "The number of columns in the validation data.");
}

}  // namespace ads::metadata
