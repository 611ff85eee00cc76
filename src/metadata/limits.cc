#include "metadata/limits.h"

#include <string>

#include "metadata/serialization.h"

namespace ads::metadata {
namespace {

// UTF-16 code units of UTF-8 text: code points above U+FFFF need two.
size_t Utf16Units(std::string_view utf8) {
  size_t units = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += (c >= 0xF0) ? 2 : 1;
  }
  return units;
}

size_t Utf16SizeWithBom(const Json& dict) { return 2 + 2 * Utf16Units(DumpPythonJson(dict)); }

}  // namespace

size_t CountCharacters(std::string_view utf8) {
  size_t count = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

size_t CustomValueLength(const Json& value) {
  const Json sent = ToOciCustomValue(value);
  return sent.is_string() ? CountCharacters(sent.get_ref<const std::string&>())
                          : CountCharacters(DumpPythonJson(sent));
}

Status CheckCustomValueLength(std::string_view key, const Json& value) {
  const size_t length = CustomValueLength(value);
  if (length <= kCustomValueLengthLimit) return OkStatus();
  return OutOfRangeError("The custom metadata value of `" + std::string(key) + "` is `" +
                         std::to_string(length) +
                         "` characters and exceeds the length limit of `" +
                         std::to_string(kCustomValueLengthLimit) + "` characters.")
      .WithHint("The OCI Model Catalog rejects longer custom values; keep large values in a "
                "file of the artifact and record its name instead.");
}

Status CheckDescriptionLength(std::string_view key, std::string_view description) {
  const size_t length = CountCharacters(description);
  if (length <= kDescriptionLengthLimit) return OkStatus();
  return OutOfRangeError("The custom metadata description of `" + std::string(key) + "` is `" +
                         std::to_string(length) +
                         "` characters and exceeds the length limit of `" +
                         std::to_string(kDescriptionLengthLimit) + "` characters.");
}

size_t ItemSize(const TaxonomyItem& item) { return Utf16SizeWithBom(ToAdsDict(item)); }
size_t ItemSize(const CustomItem& item) { return Utf16SizeWithBom(ToAdsDict(item)); }

size_t MetadataSize(const TaxonomyMetadata& taxonomy, const CustomMetadata& custom) {
  size_t total = 0;
  for (const TaxonomyItem& item : taxonomy.items()) total += ItemSize(item);
  for (const CustomItem& item : custom.items()) total += ItemSize(item);
  return total;
}

Status CheckMetadataSize(const TaxonomyMetadata& taxonomy, const CustomMetadata& custom) {
  const size_t size = MetadataSize(taxonomy, custom);
  if (size <= kMetadataSizeLimit) return OkStatus();
  return OutOfRangeError("The metadata is `" + std::to_string(size) +
                         "` bytes and exceeds the size limit of `" +
                         std::to_string(kMetadataSizeLimit) +
                         "` bytes. Reduce the metadata size.");
}

}  // namespace ads::metadata
