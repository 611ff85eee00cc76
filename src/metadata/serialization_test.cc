#include "metadata/serialization.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace ads::metadata {
namespace {

// Expected strings follow Python: str(v).replace("NaN", "null") for
// str/int/float/bool, json.dumps(v).replace("NaN", "null") otherwise.
TEST(SerializationTest, OciValueStrings) {
  EXPECT_EQ(ToOciValue("abc"), "abc");
  EXPECT_EQ(ToOciValue("NaNa"), "nulla");
  EXPECT_EQ(ToOciValue(12345678901234), "12345678901234");
  EXPECT_EQ(ToOciValue(1.0), "1.0");
  EXPECT_EQ(ToOciValue(1e-05), "1e-05");
  EXPECT_EQ(ToOciValue(true), "True");
  EXPECT_EQ(ToOciValue(Json::parse("[1, 2.5]")), "[1, 2.5]");
  EXPECT_EQ(ToOciValue(Json{{"a", std::numeric_limits<double>::quiet_NaN()}}), "{\"a\": null}");
}

TEST(SerializationTest, FalsyValuesPassThroughOrBecomeNA) {
  EXPECT_TRUE(ToOciValue(nullptr).is_null());
  EXPECT_EQ(ToOciValue(0), 0);
  EXPECT_EQ(ToOciValue(false), false);
  EXPECT_EQ(ToOciCustomValue(nullptr), "NA");
  EXPECT_EQ(ToOciCustomValue(""), "NA");
  EXPECT_EQ(ToOciCustomValue(Json::array()), "NA");
  EXPECT_EQ(ToOciCustomValue(7), "7");
}

TEST(SerializationTest, FromOciParsesJsonIfPossible) {
  EXPECT_EQ(FromOciValue("123"), 123);
  EXPECT_EQ(FromOciValue("true"), true);
  EXPECT_EQ(FromOciValue("True"), "True");  // not JSON: kept
  EXPECT_EQ(FromOciValue("{\"a\": [1]}"), Json::parse("{\"a\":[1]}"));
  EXPECT_TRUE(FromOciValue("null").is_null());
  EXPECT_EQ(FromOciValue("NA"), "NA");
  EXPECT_EQ(FromOciValue("scikit-learn"), "scikit-learn");
  EXPECT_TRUE(std::isnan(FromOciValue("NaN").get<double>()));
}

TEST(SerializationTest, OciItemShapes) {
  EXPECT_EQ(ToOci(TaxonomyItem{"Framework", "xgboost", false}),
            Json::parse(R"({"key":"Framework","value":"xgboost","hasArtifact":false})"));
  EXPECT_EQ(ToOci(TaxonomyItem{"Algorithm", nullptr, false}),
            Json::parse(R"({"key":"Algorithm","value":null,"hasArtifact":false})"));
  EXPECT_EQ(ToOci(CustomItem{"k", nullptr, std::nullopt, std::nullopt, false}),
            Json::parse(R"({"key":"k","value":"NA","description":null,"category":"Other",
                            "hasArtifact":false})"));
  EXPECT_EQ(ToOci(CustomItem{"acc", 0.5, "d", "Performance", true}),
            Json::parse(R"({"key":"acc","value":"0.5","description":"d",
                            "category":"Performance","hasArtifact":true})"));
}

TEST(SerializationTest, OciRoundTrip) {
  CustomMetadata custom;
  ASSERT_TRUE(custom.Add("acc", 0.97, "Test accuracy", "Performance").ok());
  ASSERT_TRUE(custom.Add("params", Json{{"depth", 3}}).ok());
  ASSERT_TRUE(custom.Add("label", "hello").ok());
  Result<CustomMetadata> back = CustomFromOciList(ToOciList(custom));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->items().size(), 3u);
  EXPECT_EQ(back->Get("acc")->value, 0.97);
  EXPECT_EQ(back->Get("params")->value, Json({{"depth", 3}}));
  EXPECT_EQ(back->Get("label")->value, "hello");
  EXPECT_EQ(back->Get("acc")->category, "Performance");

  TaxonomyMetadata taxonomy;
  ASSERT_TRUE(taxonomy.Set("Hyperparameters", Json{{"n", 10}}).ok());
  Result<TaxonomyMetadata> tax_back = TaxonomyFromOciList(ToOciList(taxonomy));
  ASSERT_TRUE(tax_back.ok());
  EXPECT_EQ(tax_back->items().size(), 6u);
  EXPECT_EQ(tax_back->Value("Hyperparameters")["n"], 10);
  EXPECT_TRUE(tax_back->Value("Framework").is_null());
}

TEST(SerializationTest, OciReaderAcceptsMissingFieldsAndRejectsBadItems) {
  Result<TaxonomyMetadata> t = TaxonomyFromOciList(Json::parse(R"([{"key":"Framework"}])"));
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->Value("Framework").is_null());
  EXPECT_EQ(CustomFromOciList(Json::parse(R"([{"value":"x"}])")).status().message(),
            "customMetadataList item 0 has no non-empty `key` string.");
  EXPECT_FALSE(CustomFromOciList(Json::object()).ok());
  EXPECT_FALSE(CustomFromOciList(Json::parse(R"([{"key":"k","category":5}])")).ok());
}

TEST(SerializationTest, AdsDictShapeAndErrors) {
  CustomMetadata custom;
  ASSERT_TRUE(custom.Add("k", "v", "d", "Other").ok());
  EXPECT_EQ(ToAdsDict(custom),
            Json::parse(R"({"data":[{"key":"k","value":"v","description":"d",
                            "category":"Other","has_artifact":false}]})"));
  Json tax = ToAdsDict(TaxonomyMetadata());
  ASSERT_EQ(tax["data"].size(), 6u);
  EXPECT_EQ(tax["data"][0], Json::parse(R"({"key":"UseCaseType","value":null,
                                             "has_artifact":false})"));
  Result<CustomMetadata> back = CustomFromAdsDict(ToAdsDict(custom));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Get("k")->description, "d");
  EXPECT_EQ(CustomFromAdsDict(Json::parse("[]")).status().message(),
            "An error occurred when attempting to deserialize the model custom metadata from a "
            "dictionary. The input data must be a dictionary with `data` key. Example: "
            "`{'data': []}`");
  EXPECT_FALSE(TaxonomyFromAdsDict(Json::parse(R"({"data":{}})")).ok());
}

}  // namespace
}  // namespace ads::metadata
