// Taxonomy ("defined") metadata of a model: the six keys ADS always sends
// (UseCaseType, Framework, FrameworkVersion, Algorithm, Hyperparameters,
// ArtifactTestResults), plus the value lists and checks ADS applies to them.
//
//   TaxonomyMetadata taxonomy;                       // 6 keys, all null
//   ADS_RETURN_IF_ERROR(taxonomy.Set("Framework", "XGBoost"));  // case-insensitive
//   ADS_RETURN_IF_ERROR(taxonomy.Set("UseCaseType", "regression"));
//   ADS_RETURN_IF_ERROR(taxonomy.Validate());
//
// Values are ads::Json; null means "unset". Thread-safety: a value type; not
// synchronised, like std::vector.
#ifndef ADS_METADATA_TAXONOMY_H_
#define ADS_METADATA_TAXONOMY_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ads::metadata {

inline constexpr std::string_view kUseCaseTypeKey = "UseCaseType";
inline constexpr std::string_view kFrameworkKey = "Framework";
inline constexpr std::string_view kFrameworkVersionKey = "FrameworkVersion";
inline constexpr std::string_view kAlgorithmKey = "Algorithm";
inline constexpr std::string_view kHyperparametersKey = "Hyperparameters";
inline constexpr std::string_view kArtifactTestResultsKey = "ArtifactTestResults";

// The six taxonomy keys in ADS's declaration order.
const std::vector<std::string>& TaxonomyKeys();
// ADS's UseCaseType values (14) and Framework values (28), declaration order.
const std::vector<std::string>& UseCaseTypes();
const std::vector<std::string>& Frameworks();

// Membership as ADS's ExtendedEnum tests it: case-insensitive.
bool IsUseCaseType(std::string_view value);
bool IsFramework(std::string_view value);

// Python's repr() of a tuple of plain strings: ('a', 'b'). ADS prints its
// enum value tuples this way in error messages.
std::string PythonTupleRepr(const std::vector<std::string>& values);

// Python truthiness of a JSON value: null, false, 0, 0.0, "", [] and {} are
// falsy. ADS skips checks and defaults on falsy values.
bool IsTruthy(const Json& value);

// ADS's checks of a taxonomy value: UseCaseType and Framework must be one of
// their strings when set (truthy). Other keys accept any value.
Status ValidateTaxonomyValue(std::string_view key, const Json& value);

struct TaxonomyItem {
  std::string key;
  Json value;  // null: unset
  bool has_artifact = false;
};

class TaxonomyMetadata {
 public:
  // The six keys, values null.
  TaxonomyMetadata();

  // Sets the value of one of the six keys (matched case-insensitively).
  // Unknown keys are NotFound; bad UseCaseType/Framework are InvalidArgument.
  Status Set(std::string_view key, Json value, bool has_artifact = false);
  // The item for `key` (case-insensitive), or NotFound.
  Result<TaxonomyItem> Get(std::string_view key) const;
  // The value for `key`, or null when the key is unknown.
  Json Value(std::string_view key) const;
  // Every value back to null.
  void Reset();
  // Checks every item as ADS's ModelTaxonomyMetadataItem.validate does.
  Status Validate() const;

  const std::vector<TaxonomyItem>& items() const { return items_; }

  // Stores an item read from a catalog or a file without checks: unknown keys
  // are kept as extra items, as ADS keeps them. Validate() reports bad values.
  void SetUnchecked(TaxonomyItem item);

 private:
  TaxonomyItem* Find(std::string_view key);
  const TaxonomyItem* Find(std::string_view key) const;

  std::vector<TaxonomyItem> items_;
};

}  // namespace ads::metadata

#endif  // ADS_METADATA_TAXONOMY_H_
