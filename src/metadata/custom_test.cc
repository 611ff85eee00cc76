#include "metadata/custom.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace ads::metadata {
namespace {

using ::testing::HasSubstr;

TEST(CustomMetadataTest, AddGetRemoveMatchKeysIgnoringCase) {
  CustomMetadata custom;
  ASSERT_TRUE(custom.Add("Accuracy", 0.97, "Test accuracy", "performance").ok());
  Result<CustomItem> item = custom.Get("ACCURACY");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->key, "Accuracy");
  EXPECT_EQ(item->value, 0.97);
  EXPECT_EQ(item->description, "Test accuracy");
  EXPECT_EQ(item->category, "Performance");  // stored canonically
  EXPECT_TRUE(custom.Remove("accuracy").ok());
  EXPECT_TRUE(custom.empty());
}

TEST(CustomMetadataTest, DefaultCategoryIsOther) {
  CustomMetadata custom;
  ASSERT_TRUE(custom.Add("note", "x").ok());
  ASSERT_TRUE(custom.Add("note2", "y", "", "").ok());
  EXPECT_EQ(custom.Get("note")->category, "Other");
  EXPECT_EQ(custom.Get("note2")->category, "Other");
}

TEST(CustomMetadataTest, EmptyKeyAndValueUseAdsTexts) {
  CustomMetadata custom;
  EXPECT_EQ(custom.Add("", "v").message(), "The key cannot be empty.");
  EXPECT_EQ(custom.Add("k", "").message(), "The value cannot be empty.");
  EXPECT_EQ(custom.Add("k", nullptr).message(), "The value cannot be empty.");
  EXPECT_TRUE(custom.Add("zero", 0).ok());  // 0 is a value, not empty
}

TEST(CustomMetadataTest, UnknownCategoryListsTheFive) {
  CustomMetadata custom;
  Status s = custom.Add("k", "v", "", "Metrics");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "Invalid category value. Choose from ('Performance', 'Training Profile', "
            "'Training and Validation Datasets', 'Training Environment', 'Other').");
}

TEST(CustomMetadataTest, DuplicateNeedsReplace) {
  CustomMetadata custom;
  ASSERT_TRUE(custom.Add("k", "v1").ok());
  Status s = custom.Add("K", "v2");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(),
            "The metadata item with key K is already registered. Use replace=True to overwrite.");
  ASSERT_TRUE(custom.Add("K", "v2", "", "Other", /*replace=*/true).ok());
  EXPECT_EQ(custom.items().size(), 1u);
  EXPECT_EQ(custom.Get("k")->value, "v2");
}

TEST(CustomMetadataTest, MissingKeyUsesAdsText) {
  CustomMetadata custom;
  EXPECT_EQ(custom.Get("x").status().message(), "The metadata with x not found.");
  EXPECT_EQ(custom.Remove("x").code(), StatusCode::kNotFound);
  EXPECT_EQ(custom.Get("").status().message(), "The key must not be an empty string.");
}

TEST(CustomMetadataTest, ValueOverServiceLimitIsOutOfRange) {
  CustomMetadata custom;
  EXPECT_TRUE(custom.Add("ok", std::string(255, 'a')).ok());
  Status s = custom.Add("long", std::string(256, 'a'));
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_EQ(s.message(),
            "The custom metadata value of `long` is `256` characters and exceeds the length "
            "limit of `255` characters.");
  // Characters, not bytes: 255 two-byte characters fit.
  std::string accents;
  for (int i = 0; i < 255; ++i) accents += "\xC3\xA9";
  EXPECT_TRUE(custom.Add("accents", accents).ok());
  // Non-strings are measured as the JSON text sent: [1, 2, ...] with ", ".
  Json list = Json::array();
  for (int i = 0; i < 100; ++i) list.push_back(i);  // "[0, 1, ..., 99]" = 390 chars
  Status l = custom.Add("list", list);
  EXPECT_EQ(l.code(), StatusCode::kOutOfRange);
  EXPECT_THAT(l.message(), HasSubstr("`list` is `390` characters"));
}

TEST(CustomMetadataTest, DescriptionOverLimitIsOutOfRange) {
  CustomMetadata custom;
  Status s = custom.Add("k", "v", std::string(300, 'd'));
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_EQ(s.message(),
            "The custom metadata description of `k` is `300` characters and exceeds the length "
            "limit of `255` characters.");
}

TEST(CustomMetadataTest, ValidateChecksUncheckedItems) {
  CustomMetadata custom;
  custom.SetUnchecked({"a", "v", "d", "Bogus", false});
  EXPECT_EQ(custom.Validate().message(),
            "Invalid category value for the a. Choose from ('Performance', 'Training Profile', "
            "'Training and Validation Datasets', 'Training Environment', 'Other').");
  custom.Clear();
  custom.SetUnchecked({"b", std::string(300, 'x'), std::nullopt, std::nullopt, false});
  EXPECT_EQ(custom.Validate().code(), StatusCode::kOutOfRange);
  custom.Clear();
  custom.SetUnchecked({"c", "v", std::string(256, 'x'), "Other", false});
  EXPECT_THAT(custom.Validate().message(), HasSubstr("description of `c` is `256`"));
}

TEST(CustomMetadataTest, TrainingAndValidationData) {
  CustomMetadata custom;
  ASSERT_TRUE(custom
                  .SetTrainingData({.path = "oci://b@ns/train.csv", .size = "2MB", .rows = 1000,
                                    .cols = 4})
                  .ok());
  ASSERT_TRUE(custom.SetValidationData({.path = "val.csv", .size = nullptr}).ok());
  const std::vector<std::string> keys = {"TrainingDataset", "TrainingDatasetSize",
                                         "TrainingDatasetNumberOfRows",
                                         "TrainingDatasetNumberOfCols", "ValidationDataset"};
  ASSERT_EQ(custom.items().size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(custom.items()[i].key, keys[i]);
    EXPECT_EQ(custom.items()[i].category, "Training and Validation Datasets");
  }
  EXPECT_EQ(custom.Get("TrainingDataset")->description,
            "The path where training dataset path are stored.");
  EXPECT_EQ(custom.Get("TrainingDatasetNumberOfRows")->value, 1000);
  // Setting again replaces.
  ASSERT_TRUE(custom.SetTrainingData({.path = "other.csv"}).ok());
  EXPECT_EQ(custom.Get("TrainingDataset")->value, "other.csv");
  EXPECT_EQ(custom.SetTrainingData({.path = ""}).message(), "The value cannot be empty.");
}

}  // namespace
}  // namespace ads::metadata
