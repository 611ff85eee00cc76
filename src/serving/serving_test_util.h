// Test-only helpers for deployment tests (serving/ and server/): a catalog
// with a real SQLite file and BlobStore in a temp dir, and the bundled iris
// forest (examples/iris/model.onnx) packed as an ADS artifact zip and saved
// as a model with that artifact.
#ifndef ADS_SERVING_SERVING_TEST_UTIL_H_
#define ADS_SERVING_SERVING_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "artifact/zip.h"
#include "base/env.h"
#include "base/json.h"
#include "catalog/catalog.h"

namespace ads::serving::test_util {

inline const std::string kSource = ADS_SOURCE_DIR;
inline constexpr char kIrisRow[] = "[[5.1, 3.5, 1.4, 0.2]]";  // setosa: label 0

// An artifact zip (as ADS packs it) of `files` (name -> content).
inline std::string ArtifactZip(const std::map<std::string, std::string>& files) {
  Env& env = *Env::Default();
  const std::string dir = env.MakeTempDir("ads-serving-art-").value();
  const std::string art = dir + "/art";
  EXPECT_TRUE(env.CreateDirs(art).ok());
  for (const auto& [name, content] : files) EXPECT_TRUE(env.WriteFile(art + "/" + name, content).ok());
  auto packed = artifact::PackArtifact(env, art, dir + "/art.zip");
  EXPECT_TRUE(packed.ok()) << packed.status().ToString();
  std::string bytes = env.ReadFile(dir + "/art.zip").value_or("");
  env.RemoveAll(dir).IgnoreError();
  return bytes;
}

// The iris artifact as zip bytes (made once per process).
inline const std::string& IrisArtifactZip() {
  static const std::string* zip = new std::string(ArtifactZip(
      {{"model.onnx", Env::Default()->ReadFile(kSource + "/examples/iris/model.onnx").value()},
       {"input_schema.json", R"({"schema": [], "version": "1.1"})"}}));
  return *zip;
}

// Creates a model in `project` with `zip` as its artifact (none when empty)
// and returns its id.
inline std::string SaveModel(catalog::Catalog& catalog, const std::string& compartment,
                             const std::string& project, const std::string& zip) {
  auto model = catalog.CreateModel({{"compartmentId", compartment}, {"projectId", project},
                                    {"displayName", "iris"}},
                                   {"ocid1.user.oc1..u", ""});
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  if (!model.ok()) return "";
  const std::string id = model->doc["id"];
  if (!zip.empty()) {
    size_t offset = 0;
    Status uploaded = catalog.UploadArtifact(
        id,
        [&](char* buf, size_t n) -> Result<size_t> {
          const size_t k = std::min(n, zip.size() - offset);
          std::copy_n(zip.data() + offset, k, buf);
          offset += k;
          return k;
        },
        "", "");
    EXPECT_TRUE(uploaded.ok()) << uploaded.ToString();
  }
  return id;
}

// The iris model (without an artifact unless `artifact`).
inline std::string SaveIrisModel(catalog::Catalog& catalog, const std::string& compartment,
                                 const std::string& project, bool artifact = true) {
  return SaveModel(catalog, compartment, project, artifact ? IrisArtifactZip() : "");
}

// The deployment details ADS sends for `model_id`.
inline Json DeploymentDetails(const std::string& compartment, const std::string& project,
                              const std::string& model_id, int instance_count = 2) {
  return {{"compartmentId", compartment},
          {"projectId", project},
          {"displayName", "iris-md"},
          {"modelDeploymentConfigurationDetails",
           {{"deploymentType", "SINGLE_MODEL"},
            {"modelConfigurationDetails",
             {{"modelId", model_id},
              {"instanceConfiguration", {{"instanceShapeName", "VM.Standard.E4.Flex"}}},
              {"scalingPolicy", {{"policyType", "FIXED_SIZE"}, {"instanceCount", instance_count}}},
              {"bandwidthMbps", 10}}},
            {"environmentConfigurationDetails",
             {{"environmentConfigurationType", "DEFAULT"},
              {"environmentVariables", {{"WEB_CONCURRENCY", "1"}}}}}}}};
}

}  // namespace ads::serving::test_util

#endif  // ADS_SERVING_SERVING_TEST_UTIL_H_
