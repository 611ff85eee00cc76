#include "artifact/model_ignore.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/test_shell.h"

#include <array>
#include <cstdio>

namespace ads::artifact {
namespace {

using ::testing::ElementsAre;

std::string RunPython(const std::string& code) {
  return testing_util::RunShell("/usr/bin/python3 -c '" + code + "'");
}

TEST(ModelIgnoreTest, DefaultPatternsAreAdsList) {
  const auto& p = DefaultModelIgnorePatterns();
  ASSERT_EQ(p.size(), 35u);
  EXPECT_EQ(p.front(), "__pycache__/");
  EXPECT_EQ(p.back(), ".DS_Store");
  ModelIgnore parsed = ModelIgnore::Parse(DefaultModelIgnoreContent());
  ASSERT_EQ(parsed.patterns().size(), 35u);  // comments skipped
  EXPECT_EQ(parsed.patterns()[0], "__pycache__*");
}

TEST(ModelIgnoreTest, TranslateMatchesPythonFnmatch) {
  // Patterns with at most one '*' (Python numbers its groups globally).
  std::vector<std::string> patterns = {"/*.py[cod]", "/*$py.class", "/lib*", "/a?b", "/[!x]y",
                                       "/[]]z", "/[a-c-]q", "/x[", "/[z-a]w", "/a+b(c)",
                                       "/[^a]", "/[!]", "/s p&~|#"};
  std::string code = "import fnmatch\nfor p in [";
  for (const auto& p : patterns) code += "r\"" + p + "\",";
  code += "]: print(fnmatch.translate(p))\n";
  std::string expected = RunPython(code);
  std::string got;
  for (const auto& p : patterns) got += FnmatchTranslate(p) + "\n";
  EXPECT_EQ(got, expected);
  EXPECT_EQ(FnmatchTranslate("/*.egg-info*"),
            "(?s:/(?=(?P<g0>.*?\\.egg\\-info))(?P=g0).*)\\Z");
}

TEST(ModelIgnoreTest, MatchesLikeReSearchOverPath) {
  ModelIgnore ignore = ModelIgnore::Parse(DefaultModelIgnoreContent());
  EXPECT_TRUE(ignore.Matches("__pycache__/a.pyc"));
  EXPECT_TRUE(ignore.Matches("sub/__pycache__"));
  EXPECT_TRUE(ignore.Matches("x.manifest"));
  EXPECT_TRUE(ignore.Matches("pkg/mod.pyc"));
  EXPECT_TRUE(ignore.Matches("pkg/mod.pyo"));
  EXPECT_FALSE(ignore.Matches("pkg/mod.py"));
  EXPECT_FALSE(ignore.Matches("pkg/mod.pyx"));
  EXPECT_TRUE(ignore.Matches("lib"));
  EXPECT_TRUE(ignore.Matches("lib/x.py"));
  EXPECT_TRUE(ignore.Matches("library.py"));  // ADS quirk: "lib/" -> "/lib*"
  EXPECT_TRUE(ignore.Matches("a/b/lib/c"));
  EXPECT_FALSE(ignore.Matches("mylib/c.txt"));
  EXPECT_FALSE(ignore.Matches("model_artifact_manifest.json"));
  EXPECT_FALSE(ignore.Matches("score.py"));
  EXPECT_FALSE(ignore.Matches("runtime.yaml"));
  EXPECT_TRUE(ignore.Matches("foo.egg-info/PKG-INFO"));
  EXPECT_TRUE(ignore.Matches("a/.DS_Store"));
  EXPECT_TRUE(ignore.Matches("train.log"));
  EXPECT_FALSE(ignore.Matches("a/.DS_Store2"));
}

TEST(ModelIgnoreTest, AgreesWithPythonReSearchOnTrickyPaths) {
  std::vector<std::string> paths = {"lib/x.py", "x.manifest", "__pycache__/a.pyc",
                                    "a/b/c.pyd", "envs/x", "env", "my.env", ".env",
                                    "deep/dist/wheel.whl", "distro.txt", "x$py.class",
                                    "a/b.spec/c", "logs", "catalog.so.1", "q.so"};
  std::string code = "import fnmatch, re\npats = [";
  for (const auto& p : DefaultModelIgnorePatterns()) code += "r\"" + p + "\",";
  code += "]\npats = [p[:-1] + \"*\" if p.endswith(\"/\") else p for p in pats]\nfor f in [";
  for (const auto& f : paths) code += "r\"" + f + "\",";
  code += "]: print(int(any(re.search(fnmatch.translate(\"/\" + p), \"/art/\" + f) "
          "for p in pats)))\n";
  std::string expected = RunPython(code);
  ModelIgnore ignore = ModelIgnore::Parse(DefaultModelIgnoreContent());
  std::string got;
  for (const auto& f : paths) got += std::string(ignore.Matches(f) ? "1" : "0") + "\n";
  EXPECT_EQ(got, expected);
}

TEST(ModelIgnoreTest, ListsFilesSortedWithoutIgnoredStateAndManifest) {
  MemEnv env;
  for (const char* f : {"/a/score.py", "/a/runtime.yaml", "/a/lib/x.py", "/a/x.manifest",
                        "/a/__pycache__/s.pyc", "/a/sub/__pycache__/t.pyc", "/a/sub/m.pyc",
                        "/a/sub/keep.txt", "/a/.ads/state", "/a/model_artifact_manifest.json",
                        "/a/sub/model_artifact_manifest.json", "/a/.venv/bin/python"}) {
    ASSERT_TRUE(env.CreateDirs(DirName(f)).ok());
    ASSERT_TRUE(env.WriteFile(f, "x").ok());
  }
  auto all = ListArtifactFiles(env, "/a");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 10u);  // no .model-ignore yet: only .ads/ and the manifest go
  ASSERT_TRUE(WriteDefaultModelIgnore(env, "/a").ok());
  auto files = ListArtifactFiles(env, "/a");
  ASSERT_TRUE(files.ok());
  EXPECT_THAT(*files, ElementsAre(".model-ignore", "runtime.yaml", "score.py",
                                  "sub/keep.txt", "sub/model_artifact_manifest.json"));
  EXPECT_EQ(ListArtifactFiles(env, "/missing").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ads::artifact
