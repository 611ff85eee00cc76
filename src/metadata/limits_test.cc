#include "metadata/limits.h"

#include <gtest/gtest.h>

#include <string>

namespace ads::metadata {
namespace {

// Expected sizes computed with Python: len(json.dumps(d).encode("utf-16")).
TEST(LimitsTest, ItemSizeIsUtf16OfJsonDumpsWithBom) {
  EXPECT_EQ(ItemSize(TaxonomyItem{"Framework", nullptr, false}), 118u);
  EXPECT_EQ(ItemSize(CustomItem{"acc", 0.97, "Test accuracy", "Performance", false}), 224u);
  // "h\u00e9\U0001F600" with None description/category: json.dumps escapes
  // to ASCII, the emoji as a surrogate pair.
  EXPECT_EQ(ItemSize(CustomItem{"k", "h\xC3\xA9\xF0\x9F\x98\x80", std::nullopt, std::nullopt,
                                false}),
            214u);
}

TEST(LimitsTest, DefaultTaxonomySize) {
  EXPECT_EQ(MetadataSize(TaxonomyMetadata(), CustomMetadata()), 758u);
}

CustomMetadata ManyItems(int n) {
  CustomMetadata custom;
  for (int i = 0; i < n; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%02d", i);
    EXPECT_TRUE(custom.Add(key, std::string(250, 'v')).ok());
  }
  return custom;
}

TEST(LimitsTest, CombinedSizeLimit) {
  TaxonomyMetadata taxonomy;
  EXPECT_EQ(MetadataSize(taxonomy, ManyItems(45)), 31448u);
  EXPECT_TRUE(CheckMetadataSize(taxonomy, ManyItems(45)).ok());
  Status s = CheckMetadataSize(taxonomy, ManyItems(46));
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_EQ(s.message(),
            "The metadata is `32130` bytes and exceeds the size limit of `32000` bytes. Reduce "
            "the metadata size.");
}

TEST(LimitsTest, CustomValueLengthIsTheSentString) {
  EXPECT_EQ(CustomValueLength(nullptr), 2u);  // "NA"
  EXPECT_EQ(CustomValueLength("abc"), 3u);
  EXPECT_EQ(CustomValueLength(true), 4u);  // "True"
  EXPECT_EQ(CustomValueLength(Json{{"a", 1}}), 8u);  // {"a": 1}
  EXPECT_EQ(CountCharacters("\xC3\xA9\xF0\x9F\x98\x80"), 2u);
}

}  // namespace
}  // namespace ads::metadata
