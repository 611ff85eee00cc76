#include "metadata/provenance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "base/logging.h"

namespace ads::metadata {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// Runs a shell command in `dir` and returns its stdout (trimmed).
std::string RunIn(const std::string& dir, const std::string& command) {
  const std::string full = "cd '" + dir + "' && " + command + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(full.c_str(), "r"), pclose);
  std::string out;
  char buf[256];
  while (pipe && fgets(buf, sizeof(buf), pipe.get()) != nullptr) out += buf;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

const char kGit[] =
    "git -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false "
    "-c init.defaultBranch=main";

class ProvenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::string> dir = env_.MakeTempDir("ads-prov");
    ASSERT_TRUE(dir.ok());
    dir_ = std::filesystem::canonical(*dir).string();
    unsetenv("JOB_RUN_OCID");
    unsetenv("NB_SESSION_OCID");
  }
  void TearDown() override { env_.RemoveAll(dir_).IgnoreError(); }

  void Git(const std::string& args) { RunIn(dir_, std::string(kGit) + " " + args); }
  void Write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(dir_ + "/" + rel).parent_path());
    ASSERT_TRUE(env_.WriteFile(dir_ + "/" + rel, text).ok());
  }
  // A repository with src/train.py and art/model.onnx committed on main.
  void MakeRepo() {
    Git("init -q");
    Write("src/train.py", "print(1)\n");
    Write("art/model.onnx", "bytes");
    Git("add -A");
    Git("commit -q -m first");
  }
  std::string Head() { return RunIn(dir_, "git rev-parse HEAD"); }

  Env& env_ = *Env::Default();
  std::string dir_;
};

TEST_F(ProvenanceTest, ReadsOriginBranchCommitFromScriptDirectory) {
  MakeRepo();
  Git("remote add aaa https://example.com/aaa.git");
  Git("remote add origin git@github.com:me/repo.git");
  ProvenanceOptions opts;
  opts.training_script_path = dir_ + "/src/train.py";
  opts.artifact_dir = "art";
  opts.training_id = "ocid1.datasciencejobrun.oc1..x";
  Result<ModelProvenance> p = CollectProvenance(env_, opts);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->repository_url, "git@github.com:me/repo.git");
  EXPECT_EQ(p->git_branch, "main");
  EXPECT_EQ(p->git_commit, Head());
  EXPECT_EQ(p->git_commit.size(), 40u);
  EXPECT_EQ(p->training_script_path, dir_ + "/src/train.py");
  EXPECT_EQ(p->artifact_dir, "art");
  EXPECT_EQ(p->training_id, "ocid1.datasciencejobrun.oc1..x");
  EXPECT_EQ(p->repo_workdir, dir_);
}

TEST_F(ProvenanceTest, FirstRemoteWithoutOriginAndFileUrlWithoutRemotes) {
  MakeRepo();
  ProvenanceOptions opts;
  opts.cwd = dir_ + "/src";
  EXPECT_EQ(CollectProvenance(env_, opts)->repository_url, "file://" + dir_);
  Git("remote add upstream https://example.com/up.git");
  EXPECT_EQ(CollectProvenance(env_, opts)->repository_url, "https://example.com/up.git");
}

TEST_F(ProvenanceTest, DetachedHeadKeepsCommitWithoutBranch) {
  MakeRepo();
  Write("src/train.py", "print(2)\n");
  Git("commit -q -am second");
  Git("checkout -q HEAD~1");
  ScopedLogCapture capture;
  ProvenanceOptions opts;
  opts.cwd = dir_;
  Result<ModelProvenance> p = CollectProvenance(env_, opts);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->git_branch, "");
  EXPECT_EQ(p->git_commit, Head());
  EXPECT_THAT(capture.warnings(), Contains(HasSubstr("is detached")));
}

TEST_F(ProvenanceTest, EmptyRepositoryHasNoCommit) {
  Git("init -q");
  ScopedLogCapture capture;
  ProvenanceOptions opts;
  opts.cwd = dir_;
  Result<ModelProvenance> p = CollectProvenance(env_, opts);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->git_commit, "");
  EXPECT_EQ(p->git_branch, "main");  // the unborn branch, as GitPython reports it
  EXPECT_THAT(capture.warnings(), Contains("No commit found."));
}

TEST_F(ProvenanceTest, NotARepositoryGivesEmptyProvenance) {
  Write("train.py", "x");
  ProvenanceOptions opts;
  opts.training_script_path = dir_ + "/train.py";
  opts.training_id = "id";
  Result<ModelProvenance> p = CollectProvenance(env_, opts);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->empty());
  EXPECT_EQ(p->repo_workdir, "");
}

TEST_F(ProvenanceTest, MissingScriptWarnsAndSearchesCwd) {
  MakeRepo();
  ScopedLogCapture capture;
  ProvenanceOptions opts;
  opts.training_script_path = "/nonexistent/train.py";
  opts.cwd = dir_;
  Result<ModelProvenance> p = CollectProvenance(env_, opts);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->git_commit, Head());
  EXPECT_EQ(p->training_script_path, "/nonexistent/train.py");
  EXPECT_THAT(capture.warnings(),
              Contains("Training script /nonexistent/train.py does not exist."));
}

TEST_F(ProvenanceTest, TrainingIdFromJobThenNotebookVariables) {
  MakeRepo();
  ProvenanceOptions opts;
  opts.cwd = dir_;
  setenv("NB_SESSION_OCID", "nb", 1);
  EXPECT_EQ(CollectProvenance(env_, opts)->training_id, "nb");
  setenv("JOB_RUN_OCID", "job", 1);
  EXPECT_EQ(CollectProvenance(env_, opts)->training_id, "job");
  opts.training_id = "given";
  EXPECT_EQ(CollectProvenance(env_, opts)->training_id, "given");
  unsetenv("JOB_RUN_OCID");
  unsetenv("NB_SESSION_OCID");
}

TEST_F(ProvenanceTest, DirtyCheck) {
  MakeRepo();
  ProvenanceOptions opts;
  opts.cwd = dir_;
  ModelProvenance p = *CollectProvenance(env_, opts);
  const std::string art = dir_ + "/art";
  EXPECT_TRUE(CheckPathNotDirty(env_, p, art).ok());
  // Our own state folder does not count.
  Write("art/.ads/metadata.json", "{}");
  EXPECT_TRUE(CheckPathNotDirty(env_, p, art).ok());
  // An untracked file under the path does.
  Write("art/score.py", "x");
  Status s = CheckPathNotDirty(env_, p, art);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "File(s) at " + art +
                             " are either dirty or untracked. Please commit changes and then "
                             "save the model, or set `ignore_pending_changes=True`.");
  // Another path of the same repo is still clean; so are oci:// and outside paths.
  EXPECT_TRUE(CheckPathNotDirty(env_, p, dir_ + "/src/train.py").ok());
  EXPECT_TRUE(CheckPathNotDirty(env_, p, "oci://bucket@ns/art").ok());
  EXPECT_TRUE(CheckPathNotDirty(env_, p, "/").ok());
  // A modified tracked file, then a staged one.
  Write("src/train.py", "print(3)\n");
  EXPECT_FALSE(CheckPathNotDirty(env_, p, dir_ + "/src/train.py").ok());
  Git("add src/train.py");
  EXPECT_FALSE(CheckPathNotDirty(env_, p, dir_ + "/src").ok());
  EXPECT_FALSE(CheckPathNotDirty(env_, p, dir_).ok());
  // Without a repository there is nothing to check.
  EXPECT_TRUE(CheckPathNotDirty(env_, ModelProvenance{}, art).ok());
}

TEST(ProvenanceSerializationTest, AdsDictAndOciShapes) {
  ModelProvenance p;
  p.repository_url = "https://x";
  p.git_branch = "main";
  p.git_commit = "abc";
  p.artifact_dir = "/art";
  EXPECT_EQ(ProvenanceToAdsDict(p),
            Json::parse(R"({"git_branch":"main","git_commit":"abc","repository_url":"https://x",
                            "training_script_path":null,"training_id":null,
                            "artifact_dir":"/art"})"));
  EXPECT_EQ(ProvenanceToOci(p),
            Json::parse(R"({"repositoryUrl":"https://x","gitBranch":"main","gitCommit":"abc",
                            "scriptDir":"/art","trainingScript":null,"trainingId":null})"));
  Result<ModelProvenance> back = ProvenanceFromOci(ProvenanceToOci(p));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->artifact_dir, "/art");
  EXPECT_EQ(ProvenanceFromAdsDict(ProvenanceToAdsDict(p))->git_commit, "abc");
  EXPECT_FALSE(ProvenanceFromOci(Json::parse(R"({"gitCommit": 5})")).ok());
}

}  // namespace
}  // namespace ads::metadata
