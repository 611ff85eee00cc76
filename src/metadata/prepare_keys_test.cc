#include "metadata/prepare_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/logging.h"

namespace ads::metadata {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Keys(const CustomMetadata& custom) {
  std::vector<std::string> keys;
  for (const CustomItem& item : custom.items()) keys.push_back(item.key);
  return keys;
}

TEST(PrepareKeysTest, FillsAdsKeysWithDescriptionsAndCategories) {
  CustomMetadata custom;
  PrepareKeysInput in;
  in.model_file_name = "model.onnx";
  in.artifact_files = {"model.onnx", "runtime.yaml", "score.py"};
  PopulatePrepareKeys(in, custom);
  EXPECT_THAT(Keys(custom), ElementsAre("ModelArtifacts", "ModelSerializationFormat",
                                        "ModelFileName", "ClientLibrary"));
  CustomItem artifacts = *custom.Get("ModelArtifacts");
  EXPECT_EQ(artifacts.value, "model.onnx, runtime.yaml, score.py");
  EXPECT_EQ(artifacts.description, "The list of files located in artifacts folder.");
  EXPECT_EQ(artifacts.category, "Training Environment");
  CustomItem format = *custom.Get("ModelSerializationFormat");
  EXPECT_EQ(format.value, "onnx");
  EXPECT_EQ(format.description, "The model serialization format.");
  EXPECT_EQ(format.category, "Training Profile");
  CustomItem file = *custom.Get("ModelFileName");
  EXPECT_EQ(file.value, "model.onnx");
  EXPECT_EQ(file.description, "The model file name.");
  EXPECT_EQ(file.category, "Other");
  CustomItem client = *custom.Get("ClientLibrary");
  EXPECT_EQ(client.value, "ADS");
  EXPECT_EQ(client.description, "");
  EXPECT_EQ(client.category, "Other");
}

TEST(PrepareKeysTest, CondaKeysWhenTrainingEnvIsKnown) {
  CustomMetadata custom;
  PrepareKeysInput in;
  in.model_file_name = "model.json";
  in.training_env = TrainingEnv{"oci://service-conda-packs@id19sfcrra6z/x/gml_p311_cpu_v1",
                                "data_science", ""};
  PopulatePrepareKeys(in, custom);
  EXPECT_THAT(Keys(custom),
              ElementsAre("CondaEnvironment", "EnvironmentType", "SlugName",
                          "CondaEnvironmentPath", "ModelArtifacts", "ModelSerializationFormat",
                          "ModelFileName", "ClientLibrary"));
  EXPECT_EQ(custom.Get("CondaEnvironment")->description,
            "The conda environment where the model was trained.");
  EXPECT_EQ(custom.Get("EnvironmentType")->description,
            "The conda environment type, can be published or datascience.");
  EXPECT_EQ(custom.Get("SlugName")->description,
            "The slug name of the training conda environment.");
  EXPECT_TRUE(custom.Get("SlugName")->value.is_null());
  EXPECT_EQ(custom.Get("CondaEnvironmentPath")->description,
            "The URI of the training conda environment.");
  EXPECT_EQ(custom.Get("CondaEnvironmentPath")->category, "Training Environment");
}

TEST(PrepareKeysTest, NoModelFileWarnsAndSkipsFormat) {
  ScopedLogCapture capture;
  CustomMetadata custom;
  PopulatePrepareKeys(PrepareKeysInput{}, custom);
  EXPECT_THAT(Keys(custom), ElementsAre("ModelArtifacts", "ClientLibrary"));
  EXPECT_THAT(capture.warnings(),
              ElementsAre(HasSubstr("Unable to extract a model serialization format.")));
}

TEST(PrepareKeysTest, ReplacesUserValuesAndShortensLongLists) {
  CustomMetadata custom;
  ASSERT_TRUE(custom.Add("clientlibrary", "mine").ok());
  PrepareKeysInput in;
  in.model_file_name = "model";
  for (int i = 0; i < 40; ++i) in.artifact_files.push_back("f" + std::to_string(100 + i) + ".bin");
  PopulatePrepareKeys(in, custom);
  EXPECT_EQ(custom.Get("ClientLibrary")->value, "ADS");
  EXPECT_EQ(custom.Get("ModelSerializationFormat")->value, "model");
  const std::string list = custom.Get("ModelArtifacts")->value.get<std::string>();
  EXPECT_LE(list.size(), 255u);
  EXPECT_EQ(list.substr(list.size() - 4), ",...");
  EXPECT_TRUE(custom.Validate().ok());
}

}  // namespace
}  // namespace ads::metadata
