#include "metadata/model_metadata.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace ads::metadata {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ModelMetadata Sample() {
  ModelMetadata m;
  EXPECT_TRUE(m.taxonomy.Set("Framework", "xgboost").ok());
  EXPECT_TRUE(m.taxonomy.Set("Hyperparameters", Json{{"max_depth", 3}}).ok());
  EXPECT_TRUE(m.custom.Add("accuracy", 0.97, "Test accuracy", "Performance").ok());
  m.provenance.git_commit = "0123456789abcdef0123456789abcdef01234567";
  m.provenance.artifact_dir = "/art";
  return m;
}

TEST(ModelMetadataTest, SaveLoadRoundTrip) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/art").ok());
  ModelMetadata m = Sample();
  ASSERT_TRUE(m.Save(env, "/art").ok());
  EXPECT_TRUE(env.FileExists("/art/.ads/metadata.json"));
  Result<ModelMetadata> back = ModelMetadata::Load(env, "/art");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), m.ToJson());
  EXPECT_EQ(back->taxonomy.Value("Framework"), "xgboost");
  EXPECT_EQ(back->custom.Get("accuracy")->value, 0.97);
  EXPECT_EQ(back->provenance.git_commit, m.provenance.git_commit);
}

TEST(ModelMetadataTest, FileUsesAdsDictShapes) {
  MemEnv env;
  ASSERT_TRUE(Sample().Save(env, "/a").ok());
  Result<Json> json = ParseJson(*env.ReadFile("/a/.ads/metadata.json"));
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["version"], 1);
  EXPECT_EQ((*json)["taxonomy"]["data"].size(), 6u);
  EXPECT_EQ((*json)["custom"]["data"][0]["category"], "Performance");
  EXPECT_TRUE((*json)["provenance"]["training_id"].is_null());
}

TEST(ModelMetadataTest, LoadErrors) {
  MemEnv env;
  Result<ModelMetadata> missing = ModelMetadata::Load(env, "/none");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("/none has no saved metadata"));
  ASSERT_TRUE(env.CreateDirs("/b/.ads").ok());
  ASSERT_TRUE(env.WriteFile("/b/.ads/metadata.json", "{\"version\": 9}").ok());
  EXPECT_THAT(ModelMetadata::Load(env, "/b").status().message(),
              HasSubstr("no supported `version`"));
  ASSERT_TRUE(env.WriteFile("/b/.ads/metadata.json", "{\"version\": 1, \"custom\": []}").ok());
  EXPECT_THAT(ModelMetadata::Load(env, "/b").status().message(),
              HasSubstr("`data` key"));
  ASSERT_TRUE(env.WriteFile("/b/.ads/metadata.json", "{not json").ok());
  EXPECT_FALSE(ModelMetadata::Load(env, "/b").ok());
}

TEST(ModelMetadataTest, FailedWriteLeavesOldFile) {
  MemEnv mem;
  ASSERT_TRUE(Sample().Save(mem, "/a").ok());
  const std::string before = *mem.ReadFile("/a/.ads/metadata.json");
  FaultInjectionEnv faulty(&mem);
  faulty.FailPathsContaining("metadata.json");
  ModelMetadata changed = Sample();
  ASSERT_TRUE(changed.custom.Add("new", "x").ok());
  EXPECT_FALSE(changed.Save(faulty, "/a").ok());
  EXPECT_EQ(*mem.ReadFile("/a/.ads/metadata.json"), before);
}

TEST(ModelMetadataTest, ValidateReportsEachLimit) {
  ModelMetadata ok = Sample();
  EXPECT_TRUE(ok.Validate().ok());

  ModelMetadata bad_framework = Sample();
  bad_framework.taxonomy.SetUnchecked({"Framework", "caffe", false});
  EXPECT_THAT(bad_framework.Validate().message(), HasSubstr("Invalid value of `Framework`"));

  ModelMetadata long_value = Sample();
  long_value.custom.SetUnchecked({"blob", std::string(1000, 'x'), "", "Other", false});
  EXPECT_THAT(long_value.Validate().message(), HasSubstr("value of `blob` is `1000` characters"));

  ModelMetadata too_big = Sample();
  ASSERT_TRUE(too_big.taxonomy.Set("Hyperparameters", Json{{"p", std::string(20000, 'h')}}).ok());
  Status s = too_big.Validate();
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_THAT(s.message(), HasSubstr("exceeds the size limit of `32000` bytes"));
}

TEST(ModelMetadataTest, RenderTable) {
  ModelMetadata m = Sample();
  ASSERT_TRUE(m.custom.Add("notes", std::string(100, 'n'), "Long notes").ok());
  const std::string table = RenderMetadataTable(m, 20);
  EXPECT_THAT(table, HasSubstr("KEY"));
  EXPECT_THAT(table, HasSubstr("DESCRIPTION"));
  EXPECT_THAT(table, HasSubstr("Framework"));
  EXPECT_THAT(table, HasSubstr("{\"max_depth\": 3}"));
  EXPECT_THAT(table, HasSubstr(std::string(17, 'n') + "..."));
  EXPECT_THAT(table, Not(HasSubstr(std::string(18, 'n'))));
  EXPECT_THAT(table, HasSubstr("Performance"));
  EXPECT_THAT(table, HasSubstr("Test accuracy"));
  EXPECT_THAT(table, HasSubstr("git_commit"));
  EXPECT_THAT(table, Not(HasSubstr("training_id")));  // empty provenance fields are hidden
  // Columns line up: every row has VALUE at the same offset.
  const size_t header_value = table.find("VALUE");
  const size_t row = table.find("\nFramework");
  ASSERT_NE(row, std::string::npos);
  EXPECT_EQ(table.substr(row + 1 + header_value, 7), "xgboost");
}

}  // namespace
}  // namespace ads::metadata
