// Metadata on the wire and on disk, in the two shapes ADS uses.
//
// (a) OCI REST (CreateModel / GetModel): definedMetadataList items
//     {"key","value","hasArtifact"} and customMetadataList items
//     {"key","value","description","category","hasArtifact"}, values as
//     strings the way ADS's _to_oci_metadata makes them, read back with
//     "JSON if it parses" as ADS's _from_oci_metadata does.
// (b) ADS dict (to_dict / to_json / from_dict): {"data": [item, ...]} with
//     snake_case items {"key","value",["description","category",]"has_artifact"}.
//
//   Json list = ToOciList(custom);                  // for customMetadataList
//   ADS_ASSIGN_OR_RETURN(CustomMetadata back, CustomFromOciList(list));
//
// Thread-safety: pure functions.
#ifndef ADS_METADATA_SERIALIZATION_H_
#define ADS_METADATA_SERIALIZATION_H_

#include "base/json.h"
#include "base/status.h"
#include "metadata/custom.h"
#include "metadata/taxonomy.h"

namespace ads::metadata {

// A value as ADS sends it: falsy values (null, false, 0, "", [], {}) as they
// are; str/int/float (bool counts as int: "True") as Python's str(); others
// as json.dumps(); then every "NaN" in the text becomes "null".
Json ToOciValue(const Json& value);
// The custom-item form: like ToOciValue, but a falsy value becomes "NA".
Json ToOciCustomValue(const Json& value);
// The reverse: a string that parses as JSON becomes that JSON ("123" -> 123,
// "null" -> null); anything else is kept.
Json FromOciValue(const Json& value);

Json ToOci(const TaxonomyItem& item);
Json ToOci(const CustomItem& item);  // missing category -> "Other"
Json ToOciList(const TaxonomyMetadata& taxonomy);
Json ToOciList(const CustomMetadata& custom);
// Accepts a JSON array of REST items (missing "value" is null; missing
// "hasArtifact" is false). Errors name the offending item.
Result<TaxonomyMetadata> TaxonomyFromOciList(const Json& list);
Result<CustomMetadata> CustomFromOciList(const Json& list);

Json ToAdsDict(const TaxonomyItem& item);
Json ToAdsDict(const CustomItem& item);
Json ToAdsDict(const TaxonomyMetadata& taxonomy);  // {"data": [...]}
Json ToAdsDict(const CustomMetadata& custom);
// Errors carry ADS's text when `dict` is not {"data": [...]}.
Result<TaxonomyMetadata> TaxonomyFromAdsDict(const Json& dict);
Result<CustomMetadata> CustomFromAdsDict(const Json& dict);

}  // namespace ads::metadata

#endif  // ADS_METADATA_SERIALIZATION_H_
