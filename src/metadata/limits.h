// The size limits of model metadata and the checks that enforce them.
//
//   ADS_RETURN_IF_ERROR(CheckCustomValueLength("notes", item.value));
//   size_t bytes = MetadataSize(taxonomy, custom);   // as ADS measures it
//   ADS_RETURN_IF_ERROR(CheckMetadataSize(taxonomy, custom));
//
// Each violation is its own OutOfRange error naming the key and both sizes.
// Thread-safety: pure functions.
#ifndef ADS_METADATA_LIMITS_H_
#define ADS_METADATA_LIMITS_H_

#include <cstddef>
#include <string_view>

#include "base/json.h"
#include "base/status.h"
#include "metadata/custom.h"
#include "metadata/taxonomy.h"

namespace ads::metadata {

// Combined size of taxonomy + custom items (ADS METADATA_SIZE_LIMIT).
inline constexpr size_t kMetadataSizeLimit = 32000;
// What the OCI Model Catalog accepts for one custom value (ADS issue #1402);
// ADS itself would allow kAdsCustomValueLengthLimit.
inline constexpr size_t kCustomValueLengthLimit = 255;
inline constexpr size_t kAdsCustomValueLengthLimit = 16000;
inline constexpr size_t kDescriptionLengthLimit = 255;

// Characters (Unicode code points) of UTF-8 text, as Python's len(str).
size_t CountCharacters(std::string_view utf8);

// Length in characters of the string the catalog receives for a custom value
// (see ToOciCustomValue); 2 ("NA") for unset values.
size_t CustomValueLength(const Json& value);

// OutOfRange: "The custom metadata value of `key` is `N` characters and exceeds
// the length limit of `255` characters."
Status CheckCustomValueLength(std::string_view key, const Json& value);
// OutOfRange: the same for descriptions, limit 255.
Status CheckDescriptionLength(std::string_view key, std::string_view description);

// ADS's ModelMetadataItem.size(): bytes of json.dumps(item.to_dict()) encoded
// as UTF-16 with its 2-byte BOM.
size_t ItemSize(const TaxonomyItem& item);
size_t ItemSize(const CustomItem& item);
// Sum over every taxonomy and custom item.
size_t MetadataSize(const TaxonomyMetadata& taxonomy, const CustomMetadata& custom);
// OutOfRange: "The metadata is `N` bytes and exceeds the size limit of
// `32000` bytes. Reduce the metadata size."
Status CheckMetadataSize(const TaxonomyMetadata& taxonomy, const CustomMetadata& custom);

}  // namespace ads::metadata

#endif  // ADS_METADATA_LIMITS_H_
