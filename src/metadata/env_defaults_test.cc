#include "metadata/env_defaults.h"

#include <gtest/gtest.h>

namespace ads::metadata {
namespace {

TEST(EnvDefaultsTest, DefaultsWithNothingSet) {
  MemEnv env;
  Result<EnvDefaults> d = ReadEnvDefaults(env);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->conda_bucket_name, "service-conda-packs");
  EXPECT_EQ(d->conda_bucket_ns, "id19sfcrra6z");
  EXPECT_EQ(d->compartment_id, "");
  EXPECT_EQ(d->region, "");
  EXPECT_FALSE(d->resource_principal_supported);
  EXPECT_FALSE(d->no_container);
}

TEST(EnvDefaultsTest, CompartmentPrecedence) {
  MemEnv env;
  env.SetEnvVar("PIPELINE_RUN_COMPARTMENT_OCID", "pipeline");
  EXPECT_EQ(ReadEnvDefaults(env)->compartment_id, "pipeline");
  env.SetEnvVar("JOB_RUN_COMPARTMENT_OCID", "job");
  EXPECT_EQ(ReadEnvDefaults(env)->compartment_id, "job");
  env.SetEnvVar("PROJECT_COMPARTMENT_OCID", "project");
  EXPECT_EQ(ReadEnvDefaults(env)->compartment_id, "project");
  EXPECT_EQ(ReadEnvDefaults(env)->model_compartment_id, "job");
  env.SetEnvVar("NB_SESSION_COMPARTMENT_OCID", "notebook");
  EXPECT_EQ(ReadEnvDefaults(env)->compartment_id, "notebook");
  EXPECT_EQ(ReadEnvDefaults(env)->model_compartment_id, "notebook");
}

TEST(EnvDefaultsTest, ProjectTrainingIdRegionAndMvs) {
  MemEnv env;
  env.SetEnvVar("PIPELINE_PROJECT_OCID", "pp");
  env.SetEnvVar("NB_SESSION_OCID", "nb");
  env.SetEnvVar("OCI_REGION_METADATA",
                R"({"realmKey":"oc1","regionIdentifier":"us-ashburn-1","regionKey":"IAD"})");
  env.SetEnvVar("MODEL_VERSION_SET_NAME", "exp1");
  env.SetEnvVar("CONDA_BUCKET_NAME", "my-packs");
  Result<EnvDefaults> d = ReadEnvDefaults(env);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->project_id, "pp");
  EXPECT_EQ(d->training_resource_id, "nb");
  EXPECT_EQ(d->region, "us-ashburn-1");
  EXPECT_EQ(d->model_version_set_name, "exp1");
  EXPECT_EQ(d->conda_bucket_name, "my-packs");
  EXPECT_TRUE(d->resource_principal_supported);
  env.SetEnvVar("PROJECT_OCID", "p");
  env.SetEnvVar("JOB_RUN_OCID", "job");
  EXPECT_EQ(ReadEnvDefaults(env)->project_id, "p");
  EXPECT_EQ(ReadEnvDefaults(env)->training_resource_id, "job");
}

TEST(EnvDefaultsTest, BadRegionMetadataIsAnError) {
  MemEnv env;
  env.SetEnvVar("OCI_REGION_METADATA", "us-ashburn-1");
  Result<EnvDefaults> d = ReadEnvDefaults(env);
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(d.status().message(),
            "The environment variable OCI_REGION_METADATA is not a JSON object.");
}

}  // namespace
}  // namespace ads::metadata
