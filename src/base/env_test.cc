#include "base/env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ads {
namespace {

using ::testing::ElementsAre;

// The same contract checked against the POSIX Env (in a temp dir) and MemEnv.
class EnvContractTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      env_ = Env::Default();
    } else {
      mem_ = std::make_unique<MemEnv>();
      env_ = mem_.get();
    }
    auto dir = env_->MakeTempDir("ads-env-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = *dir;
  }
  void TearDown() override { env_->RemoveAll(dir_).IgnoreError(); }

  std::unique_ptr<MemEnv> mem_;
  Env* env_ = nullptr;
  std::string dir_;
};

TEST_P(EnvContractTest, WritesReadsAndLists) {
  ASSERT_TRUE(env_->CreateDirs(dir_ + "/a/b").ok());
  ASSERT_TRUE(env_->WriteFile(dir_ + "/a/b/x.txt", "hello").ok());
  ASSERT_TRUE(env_->WriteFileAtomic(dir_ + "/a/y.txt", "world").ok());
  EXPECT_EQ(*env_->ReadFile(dir_ + "/a/b/x.txt"), "hello");
  EXPECT_EQ(env_->Stat(dir_ + "/a/y.txt")->size, 5u);
  EXPECT_THAT(*env_->ListDir(dir_ + "/a"), ElementsAre("b", "y.txt"));
  EXPECT_THAT(*env_->ListFilesRecursive(dir_), ElementsAre("a/b/x.txt", "a/y.txt"));
  EXPECT_TRUE(env_->IsDirectory(dir_ + "/a/b"));
  EXPECT_FALSE(env_->FileExists(dir_ + "/nope"));
}

TEST_P(EnvContractTest, AtomicWriteReplacesWholeFileAndLeavesNoTemp) {
  ASSERT_TRUE(env_->WriteFileAtomic(dir_ + "/f", "old content").ok());
  ASSERT_TRUE(env_->WriteFileAtomic(dir_ + "/f", "new").ok());
  EXPECT_EQ(*env_->ReadFile(dir_ + "/f"), "new");
  EXPECT_THAT(*env_->ListDir(dir_), ElementsAre("f"));
}

TEST_P(EnvContractTest, RenameMovesDirectories) {
  ASSERT_TRUE(env_->CreateDirs(dir_ + "/src/sub").ok());
  ASSERT_TRUE(env_->WriteFile(dir_ + "/src/sub/f", "1").ok());
  ASSERT_TRUE(env_->Rename(dir_ + "/src", dir_ + "/dst").ok());
  EXPECT_EQ(*env_->ReadFile(dir_ + "/dst/sub/f"), "1");
  EXPECT_FALSE(env_->FileExists(dir_ + "/src"));
}

TEST_P(EnvContractTest, ExchangeSwapsFoldersAtomically) {
  ASSERT_TRUE(env_->CreateDirs(dir_ + "/a").ok());
  ASSERT_TRUE(env_->CreateDirs(dir_ + "/b/sub").ok());
  ASSERT_TRUE(env_->WriteFile(dir_ + "/a/f", "A").ok());
  ASSERT_TRUE(env_->WriteFile(dir_ + "/b/sub/g", "B").ok());
  ASSERT_TRUE(env_->ExchangePaths(dir_ + "/a", dir_ + "/b").ok());
  EXPECT_EQ(*env_->ReadFile(dir_ + "/b/f"), "A");
  EXPECT_EQ(*env_->ReadFile(dir_ + "/a/sub/g"), "B");
  EXPECT_FALSE(env_->FileExists(dir_ + "/a/f"));
  EXPECT_FALSE(env_->ExchangePaths(dir_ + "/a", dir_ + "/missing").ok());
  EXPECT_TRUE(env_->FileExists(dir_ + "/a/sub/g"));
}

TEST_P(EnvContractTest, StreamsWritesAndRandomReads) {
  auto file = env_->NewWritableFile(dir_ + "/blob");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE((*file)->Append("hello, ").ok());
  ASSERT_TRUE((*file)->Append("world").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_FALSE((*file)->Append("late").ok());
  ASSERT_TRUE(env_->SyncDir(dir_).ok());
  auto reader = env_->NewRandomAccessFile(dir_ + "/blob");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->size(), 12u);
  char buf[16];
  EXPECT_EQ(*(*reader)->Read(7, 16, buf), 5u);
  EXPECT_EQ(std::string(buf, 5), "world");
  EXPECT_EQ(*(*reader)->Read(40, 4, buf), 0u);
  EXPECT_FALSE(env_->NewRandomAccessFile(dir_ + "/missing").ok());
}

TEST_P(EnvContractTest, RemoveAllIsRecursiveAndToleratesMissing) {
  ASSERT_TRUE(env_->CreateDirs(dir_ + "/t/u").ok());
  ASSERT_TRUE(env_->WriteFile(dir_ + "/t/u/f", "x").ok());
  ASSERT_TRUE(env_->RemoveAll(dir_ + "/t").ok());
  EXPECT_FALSE(env_->FileExists(dir_ + "/t"));
  EXPECT_TRUE(env_->RemoveAll(dir_ + "/t").ok());
}

TEST_P(EnvContractTest, MissingFileIsNotFound) {
  auto r = env_->ReadFile(dir_ + "/missing.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("missing.txt"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(PosixAndMem, EnvContractTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Posix" : "Mem"; });

TEST(PathTest, JoinsAndNormalises) {
  EXPECT_EQ(JoinPath("a/", "/b"), "a/b");
  EXPECT_EQ(NormalizePath("/a/./b//../c"), "/a/c");
  EXPECT_EQ(NormalizePath("../x/.."), "..");
  EXPECT_EQ(NormalizePath("/../x"), "/x");
  EXPECT_EQ(BaseName("/a/b/c.txt"), "c.txt");
  EXPECT_EQ(DirName("/a/b/c.txt"), "/a/b");
  EXPECT_EQ(DirName("c.txt"), ".");
}

TEST(FaultInjectionEnvTest, FailsFromTheChosenWriteOn) {
  MemEnv mem;
  FaultInjectionEnv env(&mem);
  env.FailAfter(1);
  EXPECT_TRUE(env.WriteFile("/tmp/a", "1").ok());
  Status s = env.WriteFile("/tmp/b", "2");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_FALSE(env.WriteFileAtomic("/tmp/c", "3").ok());
  EXPECT_FALSE(mem.FileExists("/tmp/b"));
  env.Reset();
  env.FailAfter(2);
  auto file = env.NewWritableFile("/tmp/stream");
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE((*file)->Append("a").ok());
  EXPECT_FALSE((*file)->Append("b").ok());
  EXPECT_EQ(*mem.ReadFile("/tmp/stream"), "a");
  env.Reset();
  env.FailPathsContaining("secret");
  EXPECT_FALSE(env.WriteFile("/tmp/secret.txt", "x").ok());
  EXPECT_TRUE(env.WriteFile("/tmp/public.txt", "x").ok());
}

TEST(MemEnvTest, EnvVarsAndClockAreSettable) {
  MemEnv env;
  EXPECT_FALSE(env.GetEnvVar("PROJECT_OCID").has_value());
  env.SetEnvVar("PROJECT_OCID", "ocid1.datascienceproject.oc1.iad.x");
  EXPECT_EQ(env.GetEnvVar("PROJECT_OCID"), "ocid1.datascienceproject.oc1.iad.x");
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(42));
  env.SetNow(t);
  EXPECT_EQ(env.Now(), t);
}

}  // namespace
}  // namespace ads
