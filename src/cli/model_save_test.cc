// `ads model save` and `ads model download` end to end: the `ads` binary
// against an in-process ads server (real HTTP, signing, SQLite, blobs), with
// the iris example prepared by `ads model prepare`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "artifact/model_ignore.h"
#include "artifact/zip.h"
#include "base/hash.h"
#include "cli/cli_server_test_util.h"
#include "cli/progress.h"
#include "client/client.h"
#include "client/transfer.h"

namespace ads::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = ADS_SOURCE_DIR;

class SaveTest : public AdsServerTest {
 protected:
  void SetUp() override {
    AdsServerTest::SetUp();
    if (HasFatalFailure()) return;
    Json project = Call("POST", "/20190101/projects", Json{{"compartmentId", tenancy_id()}});
    project_ = project["id"].get<std::string>();
    iris_ = root_ + "/iris";
    CmdResult prepared =
        Ads({"model", "prepare", kSource + "/examples/iris/model.onnx", "--artifact-dir", iris_,
             "--inference-conda-env", kServicePack, "--X-sample", kSource + "/examples/iris/X.csv",
             "--y-sample", kSource + "/examples/iris/y.csv"});
    ASSERT_EQ(prepared.exit_code, 0) << prepared.err;
  }

  CmdResult Save(std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "model", "save", iris_, "--project-id", project_, "--compartment-id", tenancy_id()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Ads(args);
  }

  static std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  std::string Bytes(const std::string& path) {
    std::string out;
    EXPECT_TRUE(client_
                    ->Download(path,
                               [&out](std::string_view chunk) {
                                 out.append(chunk);
                                 return OkStatus();
                               })
                    .ok());
    return out;
  }

  // Every packed file of the source artifact equals its copy under `dir`.
  void ExpectSameArtifact(const std::string& dir) {
    auto files = artifact::ListArtifactFiles(env_, iris_);
    ASSERT_TRUE(files.ok());
    ASSERT_FALSE(files->empty());
    for (const std::string& f : *files) {
      EXPECT_EQ(env_.ReadFile(JoinPath(dir, f)).value_or("<missing>"),
                *env_.ReadFile(JoinPath(iris_, f)))
          << f;
    }
    auto got = env_.ListFilesRecursive(dir);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, *files);
  }

  std::string Namespace() { return Call("GET", "/n/").get<std::string>(); }
  void MakeBucket(const std::string& ns, const std::string& name) {
    Call("POST", "/n/" + ns + "/b", Json{{"name", name}, {"compartmentId", tenancy_id()}});
  }
  std::vector<std::string> ObjectNames(const std::string& ns, const std::string& bucket) {
    std::vector<std::string> names;
    const Json list = Call("GET", "/n/" + ns + "/b/" + bucket + "/o");
    for (const Json& o : list["objects"]) {
      names.push_back(o["name"].get<std::string>());
    }
    return names;
  }
  Json ModelsInCompartment() {
    auto all = client_->ListAll("/20190101/models?compartmentId=" + tenancy_id());
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    return all.value_or(Json::array());
  }

  std::string project_;
  std::string iris_;
};

TEST_F(SaveTest, SavesMetadataSchemasProvenanceAndArtifactThenDownloadsIt) {
  CmdResult saved =
      Save({"--display-name", "iris-rf", "--description", "Iris forest", "--freeform-tag",
            "team=ml", "--freeform-tag", "stage=test", "--version-label", "v1"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  const std::string id = Trim(saved.out);
  ASSERT_THAT(id, ::testing::StartsWith("ocid1.datasciencemodel."));

  Json model = Call("GET", "/20190101/models/" + id);
  EXPECT_EQ(model["displayName"], "iris-rf");
  EXPECT_EQ(model["description"], "Iris forest");
  EXPECT_EQ(model["projectId"], project_);
  EXPECT_EQ(model["versionLabel"], "v1");
  EXPECT_EQ(model["freeformTags"], (Json{{"team", "ml"}, {"stage", "test"}}));
  EXPECT_EQ(model["inputSchema"].get<std::string>(), *env_.ReadFile(iris_ + "/input_schema.json"));
  std::map<std::string, std::string> defined;
  for (const Json& item : model["definedMetadataList"]) {
    defined[item["key"]] = item["value"].is_string() ? item["value"].get<std::string>() : "";
  }
  EXPECT_EQ(defined["Framework"], "scikit-learn");
  EXPECT_THAT(defined["ArtifactTestResults"], HasSubstr("\"score_py\""));
  bool has_client_library = false;
  for (const Json& item : model["customMetadataList"]) {
    if (item["key"] == "ClientLibrary") has_client_library = true;
  }
  EXPECT_TRUE(has_client_library);

  Json provenance = Call("GET", "/20190101/models/" + id + "/provenance");
  EXPECT_EQ(provenance["scriptDir"], env_.AbsolutePath(iris_));

  auto head = client_->Call("HEAD", "/20190101/models/" + id + "/artifact/content");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->Header("content-disposition"), "attachment; filename=\"" + id + ".zip\"");
  const std::string zip = Bytes("/20190101/models/" + id + "/artifact/content");
  EXPECT_EQ(Md5Base64(zip), head->Header("content-md5"));
  auto extracted = artifact::ExtractArtifactFromBuffer(env_, zip, root_ + "/unzipped");
  ASSERT_TRUE(extracted.ok()) << extracted.status().ToString();
  EXPECT_TRUE(extracted->had_manifest);
  ExpectSameArtifact(root_ + "/unzipped");

  // Download round trip, then the non-empty target rule.
  CmdResult down = Ads({"model", "download", id, "--target-dir", root_ + "/dl"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  ExpectSameArtifact(root_ + "/dl");
  ASSERT_TRUE(env_.WriteFile(root_ + "/dl/stale.txt", "old").ok());
  CmdResult again = Ads({"model", "download", id, "--target-dir", root_ + "/dl"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("directory already exists. Set `force_overwrite`"));
  CmdResult forced =
      Ads({"model", "download", id, "--target-dir", root_ + "/dl", "--force-overwrite"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  ExpectSameArtifact(root_ + "/dl");  // stale.txt is gone
  // No temp folders are left beside the target.
  auto entries = env_.ListDir(root_);
  ASSERT_TRUE(entries.ok());
  for (const std::string& e : *entries) EXPECT_THAT(e, Not(HasSubstr(".ads-download-")));
}

TEST_F(SaveTest, FailingIntrospectionBlocksTheSaveUnlessIgnored) {
  ASSERT_TRUE(env_.WriteFile(iris_ + "/score.py", "def load_model():\n    return None\n").ok());
  CmdResult refused = Save({});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("Model introspection not passed"));
  EXPECT_THAT(refused.err, HasSubstr("score_predict"));
  EXPECT_THAT(refused.err, HasSubstr("--ignore-introspection"));
  EXPECT_TRUE(ModelsInCompartment().empty());

  CmdResult forced = Save({"--ignore-introspection"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(ModelsInCompartment().size(), 1u);
}

TEST_F(SaveTest, IdsComeFromFlagsOrTheNotebookEnvironment) {
  CmdResult no_compartment = Ads({"model", "save", iris_, "--project-id", project_});
  EXPECT_EQ(no_compartment.exit_code, 1);
  EXPECT_THAT(no_compartment.err, HasSubstr("Compartment id must be provided."));
  CmdResult no_project = Ads({"model", "save", iris_, "--compartment-id", tenancy_id()});
  EXPECT_EQ(no_project.exit_code, 1);
  EXPECT_THAT(no_project.err, HasSubstr("Project id must be provided."));
  CmdResult bad_tag = Save({"--freeform-tag", "novalue"});
  EXPECT_EQ(bad_tag.exit_code, 1);
  EXPECT_THAT(bad_tag.err, HasSubstr("is not KEY=VALUE"));
  EXPECT_TRUE(ModelsInCompartment().empty());

  ::setenv("NB_SESSION_COMPARTMENT_OCID", tenancy_id().c_str(), 1);
  ::setenv("PROJECT_OCID", project_.c_str(), 1);
  CmdResult from_env = Ads({"model", "save", iris_, "--output", "json"});
  ::unsetenv("NB_SESSION_COMPARTMENT_OCID");
  ::unsetenv("PROJECT_OCID");
  ASSERT_EQ(from_env.exit_code, 0) << from_env.err;
  auto model = ParseJson(from_env.out);
  ASSERT_TRUE(model.ok()) << from_env.out;
  EXPECT_EQ((*model)["compartmentId"], tenancy_id());
  EXPECT_EQ((*model)["projectId"], project_);
  EXPECT_TRUE(std::regex_match(
      (*model)["displayName"].get<std::string>(),
      std::regex(R"(generic-model-[a-z]+-[a-z]+-\d{4}-\d\d-\d\d-\d\d:\d\d\.\d\d)")))
      << (*model)["displayName"];
}

TEST_F(SaveTest, VersionSetByNameGivesSequentialVersions) {
  Json set = Call("POST", "/20190101/modelVersionSets",
                  Json{{"compartmentId", tenancy_id()}, {"projectId", project_}, {"name", "exp"}});
  for (int version = 1; version <= 2; ++version) {
    CmdResult saved = Save({"--model-version-set", "exp", "--output", "json"});
    ASSERT_EQ(saved.exit_code, 0) << saved.err;
    auto model = ParseJson(saved.out);
    ASSERT_TRUE(model.ok()) << saved.out;
    EXPECT_EQ((*model)["modelVersionSetId"], set["id"]);
    EXPECT_EQ((*model)["versionId"], version);
  }
  CmdResult unknown = Save({"--model-version-set", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("The model version set `nope` not found."));
  EXPECT_EQ(ModelsInCompartment().size(), 2u);
}

TEST_F(SaveTest, BucketUriStagesThroughMultipartAndWorkRequests) {
  const std::string ns = Namespace();
  MakeBucket(ns, "stage");
  const std::string bucket_uri = "oci://stage@" + ns + "/staging/";
  CmdResult kept = Save({"--bucket-uri", bucket_uri, "--part-size", "4096", "--parallel", "3",
                         "--keep-bucket-object"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  const std::string id = Trim(kept.out);
  // The staged object was built from several parts.
  auto head = client_->Call("HEAD", "/n/" + ns + "/b/stage/o/staging%2F" + id + ".zip");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  const std::string multipart_md5(head->Header("opc-multipart-md5"));
  ASSERT_NE(multipart_md5.find('-'), std::string::npos) << multipart_md5;
  EXPECT_GE(std::stoi(multipart_md5.substr(multipart_md5.find('-') + 1)), 3);
  // The artifact arrived through an export work request.
  const std::string zip = Bytes("/20190101/models/" + id + "/artifact/content");
  EXPECT_EQ(zip, Bytes("/n/" + ns + "/b/stage/o/staging%2F" + id + ".zip"));
  bool exported = false;
  for (const Json& wr : client_->ListAll("/20190101/workRequests?compartmentId=" + tenancy_id())
                            .value_or(Json::array())) {
    if (wr["operationType"] == "EXPORT_MODEL_ARTIFACT" && wr["status"] == "SUCCEEDED") {
      exported = true;
    }
  }
  EXPECT_TRUE(exported);

  // Without --keep-bucket-object the staged object is removed.
  CmdResult removed = Save({"--bucket-uri", bucket_uri, "--part-size", "4096"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(ObjectNames(ns, "stage"), std::vector<std::string>{"staging/" + id + ".zip"});

  // Download through the bucket (import work request), byte-equal files, and
  // the imported object is removed afterwards.
  CmdResult down = Ads({"model", "download", Trim(removed.out), "--target-dir", root_ + "/dl",
                        "--bucket-uri", "oci://stage@" + ns + "/out/"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  ExpectSameArtifact(root_ + "/dl");
  EXPECT_EQ(ObjectNames(ns, "stage"), std::vector<std::string>{"staging/" + id + ".zip"});
}

TEST_F(SaveTest, AFailureAfterCreateNamesTheHalfSavedModel) {
  CmdResult r = Save({"--bucket-uri", "oci://no-such-bucket@" + Namespace() + "/x/"});
  EXPECT_EQ(r.exit_code, 1);
  Json models = ModelsInCompartment();
  ASSERT_EQ(models.size(), 1u);
  const std::string id = models[0]["id"].get<std::string>();
  EXPECT_THAT(r.err, HasSubstr("Multipart upload"));
  EXPECT_THAT(r.err, HasSubstr("the model " + id + " was created but its artifact"));
  EXPECT_THAT(r.err, HasSubstr("ads model delete " + id));
  EXPECT_TRUE(r.out.empty()) << r.out;
  // Its provenance made it; the artifact did not.
  EXPECT_TRUE(client_->Call("GET", "/20190101/models/" + id + "/provenance").ok());
  EXPECT_FALSE(client_->Call("HEAD", "/20190101/models/" + id + "/artifact/content").ok());
}

TEST(ProgressTest, FormatsBytesAndStaysQuietOffATerminal) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(3 << 20), "3.0 MiB");
  EXPECT_EQ(FormatBytes((5ULL << 30) / 2), "2.5 GiB");
  // Test output is never a terminal, and small transfers never get a bar.
  if (isatty(STDERR_FILENO) == 0) {
    EXPECT_FALSE(ProgressBar("x", 1ULL << 30).enabled());
  }
  EXPECT_FALSE(ProgressBar("x", 1024).enabled());
}

TEST_F(SaveTest, LargeArtifactNeedsABucketUri) {
  // A sparse file: 2 GiB + 1 of folder size without writing it.
  const std::string big = iris_ + "/weights.bin";
  ASSERT_EQ(std::system(("truncate -s 2147483649 " + big).c_str()), 0);
  CmdResult r = Save({"--ignore-introspection"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("greater than `2.0GB`. The `bucket_uri` needs to be specified"));
  EXPECT_TRUE(ModelsInCompartment().empty());
}

TEST_F(SaveTest, DownloadRefusesUnsafeArchivesAndLeavesNothing) {
  Json model = Call("POST", "/20190101/models",
                    Json{{"compartmentId", tenancy_id()}, {"projectId", project_}});
  const std::string id = model["id"].get<std::string>();
  const std::string zip = root_ + "/evil.zip";
  const std::string script =
      "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w')\n"
      "z.writestr('score.py','x')\nz.writestr('../evil.txt','x')\nz.close()\n";
  ASSERT_TRUE(env_.WriteFile(root_ + "/mk.py", script).ok());
  ASSERT_EQ(std::system(("/usr/bin/python3 " + root_ + "/mk.py " + zip).c_str()), 0);
  const std::string bytes = *env_.ReadFile(zip);
  auto up = client_->Upload(
      "POST", "/20190101/models/" + id + "/artifact",
      [bytes]() -> Result<http::BodySource> {
        auto pos = std::make_shared<size_t>(0);
        return http::BodySource([bytes, pos](char* buf, size_t n) -> Result<size_t> {
          const size_t k = std::min(n, bytes.size() - *pos);
          std::memcpy(buf, bytes.data() + *pos, k);
          *pos += k;
          return k;
        });
      },
      bytes.size(), {{"Content-Disposition", "attachment; filename=\"x.zip\""}});
  ASSERT_TRUE(up.ok()) << up.status().ToString();

  CmdResult r = Ads({"model", "download", id, "--target-dir", root_ + "/dl/inner"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(".."));
  EXPECT_FALSE(env_.FileExists(root_ + "/dl/inner"));
  EXPECT_FALSE(env_.FileExists(root_ + "/dl/evil.txt"));
  EXPECT_FALSE(env_.FileExists(root_ + "/evil.txt"));
}

}  // namespace
}  // namespace ads::cli
