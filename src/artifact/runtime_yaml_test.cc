// runtime.yaml tests. The goldens under tests/data/runtime_yaml/golden were
// written by PyYAML (scripts/gen_runtime_golden.py), and one test re-runs that
// script so that they are checked against PyYAML on every run.
#include "artifact/runtime_yaml.h"

#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/env.h"
#include "base/json.h"

namespace ads::artifact {
namespace {

const std::string kData = std::string(ADS_SOURCE_DIR) + "/tests/data/runtime_yaml";

std::string ReadData(const std::string& relative) {
  Result<std::string> text = Env::Default()->ReadFile(kData + "/" + relative);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : std::string();
}

std::vector<std::string> ListData(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  Result<std::vector<std::string>> names = Env::Default()->ListDir(kData + "/" + dir);
  EXPECT_TRUE(names.ok()) << names.status().ToString();
  if (!names.ok()) return out;
  for (const std::string& n : *names) {
    if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(n.substr(0, n.size() - suffix.size()));
    }
  }
  return out;
}

// Builds the struct straight from a case's dict with Json accessors, so the
// render test does not depend on ParseRuntimeYaml.
RuntimeInfo InfoFromDict(const Json& d) {
  RuntimeInfo info;
  info.model_artifact_version = d.at("MODEL_ARTIFACT_VERSION");
  const Json& e = d.at("MODEL_DEPLOYMENT").at("INFERENCE_CONDA_ENV");
  info.inference_conda_env = {e.at("INFERENCE_ENV_PATH"), e.at("INFERENCE_ENV_SLUG"),
                              e.at("INFERENCE_ENV_TYPE"), e.at("INFERENCE_PYTHON_VERSION")};
  const Json& p = d.at("MODEL_PROVENANCE");
  info.has_provenance = true;
  ProvenanceInfo& prov = info.provenance;
  prov.project_ocid = p.at("PROJECT_OCID");
  prov.tenancy_ocid = p.at("TENANCY_OCID");
  prov.training_code.artifact_directory = p.at("TRAINING_CODE").at("ARTIFACT_DIRECTORY");
  prov.training_compartment_ocid = p.at("TRAINING_COMPARTMENT_OCID");
  const Json& t = p.at("TRAINING_CONDA_ENV");
  prov.training_conda_env = {t.at("TRAINING_ENV_PATH"), t.at("TRAINING_ENV_SLUG"),
                             t.at("TRAINING_ENV_TYPE"), t.at("TRAINING_PYTHON_VERSION")};
  prov.training_region = p.at("TRAINING_REGION");
  prov.training_resource_ocid = p.at("TRAINING_RESOURCE_OCID");
  prov.user_ocid = p.at("USER_OCID");
  prov.vm_image_internal_id = p.at("VM_IMAGE_INTERNAL_ID");
  return info;
}

TEST(RuntimeYamlTest, RendersEveryGoldenCaseByteForByte) {
  std::vector<std::string> cases = ListData("cases", ".json");
  ASSERT_GE(cases.size(), 6u);
  for (const std::string& name : cases) {
    SCOPED_TRACE(name);
    Result<Json> dict = ParseJson(ReadData("cases/" + name + ".json"), name);
    ASSERT_TRUE(dict.ok()) << dict.status().ToString();
    RuntimeInfo info = InfoFromDict(*dict);
    EXPECT_EQ(RenderRuntimeYaml(info), ReadData("golden/" + name + ".yaml"));
  }
}

TEST(RuntimeYamlTest, ParsesEveryGoldenBackToTheSameValues) {
  for (const std::string& name : ListData("cases", ".json")) {
    SCOPED_TRACE(name);
    RuntimeInfo want = InfoFromDict(*ParseJson(ReadData("cases/" + name + ".json"), name));
    std::vector<std::string> warnings;
    Result<RuntimeInfo> got = ParseRuntimeYaml(ReadData("golden/" + name + ".yaml"), &warnings);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(got->model_artifact_version, "3.0");
    EXPECT_TRUE(got->version_was_string);
    EXPECT_EQ(got->inference_conda_env, want.inference_conda_env);
    EXPECT_TRUE(got->has_provenance);
    EXPECT_EQ(got->provenance, want.provenance);
    EXPECT_TRUE(got->document.is_object());
  }
}

int RunCommand(const std::string& command, std::string* output) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output->append(buf, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(RuntimeYamlTest, CommittedGoldensMatchWhatPyYamlWritesToday) {
  Env& env = *Env::Default();
  Result<std::string> dir = env.MakeTempDir("runtime_golden");
  ASSERT_TRUE(dir.ok());
  std::string out;
  int rc = RunCommand("/usr/bin/python3 " + std::string(ADS_SOURCE_DIR) +
                   "/scripts/gen_runtime_golden.py --out " + *dir + " 2>&1",
               &out);
  ASSERT_EQ(rc, 0) << "scripts/gen_runtime_golden.py needs /usr/bin/python3 with PyYAML "
                      "(Debian package python3-yaml): "
                   << out;
  std::vector<std::string> cases = ListData("cases", ".json");
  for (const std::string& name : cases) {
    Result<std::string> fresh = env.ReadFile(*dir + "/" + name + ".yaml");
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    EXPECT_EQ(*fresh, ReadData("golden/" + name + ".yaml")) << name;
  }
  EXPECT_EQ(ListData("golden", ".yaml"), cases);
  env.RemoveAll(*dir).IgnoreError();
}

TEST(RuntimeYamlTest, RendersTheAdsDocumentationExample) {
  // The example of ADS_FORMATS.md section 1.2 (service pack, Python 3.11).
  RuntimeInfo info;
  info.inference_conda_env = {"oci://service-conda-packs@id19sfcrra6z/service_pack/cpu/pack/1.0/slug",
                              "slug", "data_science", "3.11"};
  info.provenance.training_code.artifact_directory = "/home/datascience/model";
  EXPECT_EQ(RenderRuntimeYaml(info),
            "\nMODEL_ARTIFACT_VERSION: '3.0'\nMODEL_DEPLOYMENT:\n  INFERENCE_CONDA_ENV:\n"
            "    INFERENCE_ENV_PATH: oci://service-conda-packs@id19sfcrra6z/service_pack/cpu/pack/1.0/slug\n"
            "    INFERENCE_ENV_SLUG: slug\n    INFERENCE_ENV_TYPE: data_science\n"
            "    INFERENCE_PYTHON_VERSION: '3.11'\nMODEL_PROVENANCE:\n  PROJECT_OCID: ''\n"
            "  TENANCY_OCID: ''\n  TRAINING_CODE:\n    ARTIFACT_DIRECTORY: /home/datascience/model\n"
            "  TRAINING_COMPARTMENT_OCID: ''\n  TRAINING_CONDA_ENV:\n    TRAINING_ENV_PATH: ''\n"
            "    TRAINING_ENV_SLUG: ''\n    TRAINING_ENV_TYPE: ''\n    TRAINING_PYTHON_VERSION: ''\n"
            "  TRAINING_REGION: ''\n  TRAINING_RESOURCE_OCID: ''\n  USER_OCID: ''\n"
            "  VM_IMAGE_INTERNAL_ID: ''\n");
}

TEST(RuntimeYamlTest, ReadsBoilerplateWithoutProvenance) {
  std::vector<std::string> warnings;
  Result<RuntimeInfo> info = ParseRuntimeYaml(ReadData("read/boilerplate.yaml"), &warnings);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_FALSE(info->has_provenance);
  EXPECT_EQ(info->inference_conda_env.path, "<INSERT_ENV_PATH>");
  EXPECT_EQ(info->inference_conda_env.python_version, "<INSERT_PYTHON_VERSION>");
  EXPECT_TRUE(warnings.empty());
}

TEST(RuntimeYamlTest, ReadsLegacyFileAndWarnsAboutLegacyKeys) {
  std::vector<std::string> warnings;
  Result<RuntimeInfo> info = ParseRuntimeYaml(ReadData("read/legacy.yaml"), &warnings);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->inference_conda_env.path,
            "oci://service-conda-packs@ociodscdev/service_pack/cpu/General Machine Learning for "
            "CPUs/1.0/mlcpuv1");  // a folded plain scalar
  EXPECT_EQ(info->provenance.training_code.git_branch, "main");
  EXPECT_EQ(info->provenance.training_code.training_script, "/home/datascience/train.py");
  EXPECT_EQ(info->provenance.vm_image_internal_id, "VMIDNOTSET");
  EXPECT_EQ(info->provenance.training_conda_env.path, "");  // null reads as empty
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("MODEL_PROVENANCE.TRAINING_CODE.GIT_BRANCH"), std::string::npos);
  EXPECT_NE(warnings[0].find("TRAINING_SCRIPT"), std::string::npos);
  // Legacy keys are not written back.
  EXPECT_EQ(RenderRuntimeYaml(*info).find("GIT_BRANCH"), std::string::npos);
}

TEST(RuntimeYamlTest, UnquotedVersionIsReadButMarkedAsNotAString) {
  Result<RuntimeInfo> info = ParseRuntimeYaml(ReadData("read/unquoted_version.yaml"), nullptr);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->model_artifact_version, "3.0");
  EXPECT_FALSE(info->version_was_string);
  EXPECT_TRUE(info->document["MODEL_ARTIFACT_VERSION"].is_number_float());
  EXPECT_EQ(info->inference_conda_env.python_version, "3.9");
}

TEST(RuntimeYamlTest, UnknownKeysOnlyWarn) {
  std::vector<std::string> warnings;
  Result<RuntimeInfo> info = ParseRuntimeYaml(ReadData("read/unknown_keys_crlf.yaml"), &warnings);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->inference_conda_env.python_version, "3.12");
  EXPECT_EQ(info->provenance.training_code.artifact_directory, "/a");
  std::string all;
  for (const std::string& w : warnings) all += w + "\n";
  EXPECT_EQ(warnings.size(), 4u) << all;
  for (const char* key : {"EXTRA_TOP", "MODEL_DEPLOYMENT.REPLICAS",
                          "MODEL_DEPLOYMENT.INFERENCE_CONDA_ENV.COLOR", "MODEL_PROVENANCE.NOTE"}) {
    EXPECT_NE(all.find(std::string("unknown key ") + key + " "), std::string::npos) << key;
  }
}

TEST(RuntimeYamlTest, EveryBadFileFailsWithItsOwnMessage) {
  Result<Json> expected = ParseJson(ReadData("bad/expected_errors.json"), "expected_errors.json");
  ASSERT_TRUE(expected.ok());
  std::vector<std::string> files = ListData("bad", ".yaml");
  ASSERT_EQ(files.size(), expected->size()) << "each bad file needs an expected error";
  for (const std::string& name : files) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(expected->contains(name + ".yaml"));
    Result<RuntimeInfo> info = ParseRuntimeYaml(ReadData("bad/" + name + ".yaml"), nullptr);
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
    const std::string want = (*expected)[name + ".yaml"];
    EXPECT_NE(info.status().message().find(want), std::string::npos)
        << "got: " << info.status().message() << "\nwant: " << want;
  }
}

TEST(RuntimeYamlTest, UnquotedPythonVersionErrorCarriesAHint) {
  Result<RuntimeInfo> info =
      ParseRuntimeYaml(ReadData("bad/python_version_unquoted.yaml"), nullptr);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().hint().find("'3.10'"), std::string::npos);
}

TEST(RuntimeYamlTest, WriteThenLoadRoundTripsThroughEnv) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/art").ok());
  RuntimeInfo info = InfoFromDict(*ParseJson(ReadData("cases/published_py311.json")));
  ASSERT_TRUE(WriteRuntimeYaml(env, "/art", info).ok());
  Result<std::string> text = env.ReadFile("/art/runtime.yaml");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, ReadData("golden/published_py311.yaml"));
  Result<RuntimeInfo> back = LoadRuntimeYaml(env, "/art/runtime.yaml", nullptr);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->provenance, info.provenance);
  EXPECT_EQ(back->inference_conda_env, info.inference_conda_env);
}

TEST(RuntimeYamlTest, LoadErrorsNameThePath) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/art").ok());
  EXPECT_FALSE(LoadRuntimeYaml(env, "/art/runtime.yaml", nullptr).ok());
  ASSERT_TRUE(env.WriteFile("/art/runtime.yaml", "MODEL_ARTIFACT_VERSION: '3.0'\n").ok());
  Result<RuntimeInfo> r = LoadRuntimeYaml(env, "/art/runtime.yaml", nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/art/runtime.yaml"), std::string::npos);
  EXPECT_NE(r.status().message().find("MODEL_DEPLOYMENT is missing"), std::string::npos);
}

TEST(RuntimeYamlTest, WriteFailureLeavesNoFile) {
  MemEnv mem;
  ASSERT_TRUE(mem.CreateDirs("/art").ok());
  FaultInjectionEnv env(&mem);
  env.FailAfter(0);
  EXPECT_FALSE(WriteRuntimeYaml(env, "/art", RuntimeInfo()).ok());
  EXPECT_FALSE(mem.FileExists("/art/runtime.yaml"));
}

}  // namespace
}  // namespace ads::artifact
