#include "artifact/conda_env.h"

#include <gtest/gtest.h>

namespace ads::artifact {
namespace {

TEST(CondaEnvTest, ServicePackPathIsDataScienceWithSlugAndVersion) {
  MemEnv env;
  auto r = ResolveCondaEnv(env,
                           "oci://service-conda-packs@id19sfcrra6z/service_pack/cpu/General_ML/1.0/"
                           "generalml_p311_cpu_x86_64_v1",
                           "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->type, "data_science");
  EXPECT_EQ(r->slug, "generalml_p311_cpu_x86_64_v1");
  EXPECT_EQ(r->python_version, "3.11");
}

TEST(CondaEnvTest, OtherBucketsArePublishedAndExplicitVersionWins) {
  MemEnv env;
  auto r =
      ResolveCondaEnv(env, "oci://my-packs@myns/conda/cpu/mypack/1.0/mypack_p38_cpu_v1", "3.8.10");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, "published");
  EXPECT_EQ(r->python_version, "3.8.10");
  // The service bucket under another prefix is not a service pack.
  auto custom = ResolveCondaEnv(env, "oci://service-conda-packs@ns/custom/x_p310", "");
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->type, "published");
  EXPECT_EQ(custom->python_version, "3.10");
}

TEST(CondaEnvTest, MissingVersionUsesAdsText) {
  MemEnv env;
  auto r = ResolveCondaEnv(env, "oci://b@ns/packs/noversion", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Cannot automatically detect the inference python version. "
            "`inference_python_version` must be provided.");
}

TEST(CondaEnvTest, RejectsSlugsMalformedPathsAndVersions) {
  MemEnv env;
  auto slug = ResolveCondaEnv(env, "generalml_p311_cpu_x86_64_v1", "");
  ASSERT_FALSE(slug.ok());
  EXPECT_NE(slug.status().message().find("slugs cannot be resolved offline"), std::string::npos);
  EXPECT_FALSE(ResolveCondaEnv(env, "oci://bucket-without-namespace/x", "3.11").ok());
  auto bad_version = ResolveCondaEnv(env, "oci://b@ns/p/x", "three");
  ASSERT_FALSE(bad_version.ok());
  EXPECT_NE(bad_version.status().message().find("`three`"), std::string::npos);
}

TEST(CondaEnvTest, ReadsCondaPrefixManifestWhenNoPathGiven) {
  MemEnv env;
  auto none = ResolveCondaEnv(env, "", "");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("$CONDA_PREFIX is not set"), std::string::npos);
  ASSERT_TRUE(env.CreateDirs("/conda/env").ok());
  env.SetEnvVar("CONDA_PREFIX", "/conda/env");
  ASSERT_TRUE(env.WriteFile("/conda/env/mypack_manifest.yaml",
                            "manifest:\n  pack_path: oci://b@ns/packs/mypack_v1\n  python: '3.9'\n")
                  .ok());
  auto r = ResolveCondaEnv(env, "", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->path, "oci://b@ns/packs/mypack_v1");
  EXPECT_EQ(r->python_version, "3.9");
  EXPECT_EQ(r->slug, "mypack_v1");
}

TEST(CondaEnvTest, LongInputIsRejectedNotACrash) {
  MemEnv env;
  const std::string long_path =
      "oci://" + std::string(300000, 'b') + "@ns/" + std::string(300000, 'x');
  auto r = ResolveCondaEnv(env, long_path, std::string(300000, '3'));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(ParseOciPath("oci://bucket@ns/").ok());
  EXPECT_FALSE(ParseOciPath("oci://@ns/x").ok());
  EXPECT_FALSE(ParseOciPath("oci://b@/x").ok());
  auto ok = ParseOciPath("oci://b@ns/a/b@c");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->object, "a/b@c");
}

TEST(CondaEnvTest, SlugVersionPattern) {
  EXPECT_EQ(PythonVersionFromSlug("pytorch21_p39_gpu_v1"), "3.9");
  EXPECT_EQ(PythonVersionFromSlug("generalml_p311_cpu_x86_64_v1"), "3.11");
  EXPECT_EQ(PythonVersionFromSlug("nothing_here"), "");
  EXPECT_EQ(PythonVersionFromSlug("p38"), "3.8");
  EXPECT_EQ(PythonVersionFromSlug("x_p3_y"), "");
}

}  // namespace
}  // namespace ads::artifact
