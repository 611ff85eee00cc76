#include "metadata/taxonomy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ads::metadata {
namespace {

using ::testing::HasSubstr;

TEST(TaxonomyTest, StartsWithTheSixKeysUnset) {
  TaxonomyMetadata taxonomy;
  ASSERT_EQ(taxonomy.items().size(), 6u);
  const std::vector<std::string> expected = {"UseCaseType",     "Framework",
                                             "FrameworkVersion", "Algorithm",
                                             "Hyperparameters", "ArtifactTestResults"};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(taxonomy.items()[i].key, expected[i]);
    EXPECT_TRUE(taxonomy.items()[i].value.is_null());
  }
}

TEST(TaxonomyTest, ValueListsHaveAdsSizes) {
  EXPECT_EQ(UseCaseTypes().size(), 14u);
  EXPECT_EQ(Frameworks().size(), 28u);
  EXPECT_TRUE(IsFramework("XGBoost"));
  EXPECT_TRUE(IsFramework("embedding_onnx"));
  EXPECT_FALSE(IsFramework("sklearn"));
  EXPECT_TRUE(IsUseCaseType("Dimensionality_Reduction/Representation"));
}

TEST(TaxonomyTest, SetAcceptsFrameworkCaseInsensitively) {
  TaxonomyMetadata taxonomy;
  ASSERT_TRUE(taxonomy.Set("framework", "Scikit-Learn").ok());
  EXPECT_EQ(taxonomy.Value("Framework"), "Scikit-Learn");
  ASSERT_TRUE(taxonomy.Set("Hyperparameters", Json{{"max_depth", 3}}).ok());
  EXPECT_EQ(taxonomy.Value("hyperparameters")["max_depth"], 3);
}

TEST(TaxonomyTest, RejectsUnknownFrameworkWithAdsText) {
  TaxonomyMetadata taxonomy;
  Status s = taxonomy.Set("Framework", "sklearn");
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("Invalid value of `Framework`. Choose from ('scikit-learn', "
                                     "'xgboost', 'tensorflow', "));
  EXPECT_THAT(s.message(), HasSubstr("'embedding_onnx', 'other')."));
  EXPECT_TRUE(taxonomy.Value("Framework").is_null());
}

TEST(TaxonomyTest, RejectsUnknownUseCaseTypeAndNonStrings) {
  TaxonomyMetadata taxonomy;
  Status s = taxonomy.Set("UseCaseType", "classification");
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "Invalid value of `UseCaseType`. Choose from ('binary_classification', "
            "'regression', 'multinomial_classification', 'clustering', 'recommender', "
            "'dimensionality_reduction/representation', 'time_series_forecasting', "
            "'anomaly_detection', 'topic_modeling', 'ner', 'sentiment_analysis', "
            "'image_classification', 'object_localization', 'other').");
  EXPECT_FALSE(taxonomy.Set("UseCaseType", 5).ok());
  // Falsy values are "unset" for ADS and pass.
  EXPECT_TRUE(taxonomy.Set("UseCaseType", "").ok());
  EXPECT_TRUE(taxonomy.Set("Framework", nullptr).ok());
}

TEST(TaxonomyTest, UnknownKeyIsNotFound) {
  TaxonomyMetadata taxonomy;
  Status s = taxonomy.Set("Readme", "x");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "The metadata with Readme not found.");
  EXPECT_EQ(taxonomy.Get("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(taxonomy.Set("", 1).code(), StatusCode::kInvalidArgument);
}

TEST(TaxonomyTest, ValidateCatchesUncheckedBadValues) {
  TaxonomyMetadata taxonomy;
  taxonomy.SetUnchecked({"Framework", "caffe", false});
  taxonomy.SetUnchecked({"Extra", 1, false});
  EXPECT_EQ(taxonomy.items().size(), 7u);
  EXPECT_THAT(taxonomy.Validate().message(), HasSubstr("Invalid value of `Framework`"));
  // Extra keys read from a catalog are kept but cannot be Set.
  EXPECT_EQ(taxonomy.Set("Extra", 2).code(), StatusCode::kNotFound);
  taxonomy.Reset();
  EXPECT_TRUE(taxonomy.Validate().ok());
}

TEST(TaxonomyTest, PythonTruthinessAndTupleRepr) {
  EXPECT_FALSE(IsTruthy(Json(0)));
  EXPECT_FALSE(IsTruthy(Json(0.0)));
  EXPECT_FALSE(IsTruthy(Json::array()));
  EXPECT_FALSE(IsTruthy(Json::object()));
  EXPECT_FALSE(IsTruthy(Json(false)));
  EXPECT_TRUE(IsTruthy(Json(" ")));
  EXPECT_TRUE(IsTruthy(Json(-1)));
  EXPECT_EQ(PythonTupleRepr({"a"}), "('a',)");
  EXPECT_EQ(PythonTupleRepr({"a", "b"}), "('a', 'b')");
}

}  // namespace
}  // namespace ads::metadata
