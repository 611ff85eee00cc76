// Runs the ONNX backend conformance data (Debian's libonnx-testdata) and
// checks it against tests/data/engine/conformance_expected.txt: every case
// listed there must pass (a regression guard). Other failures are printed.
//
// To regenerate the list after adding kernels:
//   ADS_CONFORMANCE_WRITE=$PWD/tests/data/engine/conformance_expected.txt
//   build/src/engine/engine_tests --gtest_filter=ConformanceTest.ListedCasesPass
#include "engine/conformance.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "base/env.h"
#include "base/strings.h"
#include "engine/tensor_proto.h"

namespace ads::engine {
namespace {

constexpr const char* kDataRoot = "/usr/share/libonnx-testdata/data";
constexpr const char* kFolders[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};

std::set<std::string> ReadExpected() {
  std::set<std::string> out;
  std::ifstream in(std::string(ADS_SOURCE_DIR) + "/tests/data/engine/conformance_expected.txt");
  std::string line;
  while (std::getline(in, line)) {
    std::string_view t = Trim(line);
    if (!t.empty() && t[0] != '#') out.insert(std::string(t));
  }
  return out;
}

TEST(ConformanceTest, ListedCasesPass) {
  Env& env = *Env::Default();
  if (!env.IsDirectory(kDataRoot)) GTEST_SKIP() << "libonnx-testdata is not installed";
  const std::set<std::string> expected = ReadExpected();
  ASSERT_FALSE(expected.empty()) << "conformance_expected.txt is missing or empty";
  std::set<std::string> passed;
  const bool verbose = env.GetEnvVar("ADS_CONFORMANCE_VERBOSE").has_value();
  const auto start = std::chrono::steady_clock::now();
  for (const char* folder : kFolders) {
    const std::string dir = JoinPath(kDataRoot, folder);
    auto results = RunConformanceSuite(env, dir);
    ASSERT_TRUE(results.ok()) << results.status().ToString();
    std::map<CaseOutcome, int> totals;
    for (const CaseResult& r : *results) {
      const std::string key = std::string(folder) + "/" + r.name;
      ++totals[r.outcome];
      if (r.outcome == CaseOutcome::kPass) passed.insert(key);
      if (expected.count(key)) {
        EXPECT_EQ(r.outcome, CaseOutcome::kPass) << key << ": " << r.detail;
      } else if (r.outcome == CaseOutcome::kFail) {
        std::cout << "  FAIL (not listed) " << key << ": " << r.detail << "\n";
      } else if (r.outcome == CaseOutcome::kSkip && verbose) {
        std::cout << "  SKIP " << key << ": " << r.detail << "\n";
      }
    }
    std::cout << folder << ": " << results->size() << " cases, "
              << totals[CaseOutcome::kPass] << " passed, " << totals[CaseOutcome::kFail]
              << " failed, " << totals[CaseOutcome::kSkip] << " skipped\n";
  }
  for (const std::string& key : expected) {
    EXPECT_TRUE(passed.count(key)) << "listed case did not pass or does not exist: " << key;
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  std::cout << "conformance run took " << seconds.count() << " s\n";
  if (auto out = env.GetEnvVar("ADS_CONFORMANCE_WRITE")) {
    std::ofstream f(*out);
    f << "# ONNX backend cases (libonnx-testdata 1.12) that must pass; one per line.\n"
      << "# Regenerate with ADS_CONFORMANCE_WRITE=<this file> engine_tests --gtest_filter=ConformanceTest.ListedCasesPass.\n";
    for (const std::string& key : passed) f << key << "\n";
  }
}

TEST(ConformanceTest, SkipsUnsupportedOperatorWithItsName) {
  Env& env = *Env::Default();
  const std::string dir = std::string(kDataRoot) + "/node/test_lstm_defaults";
  if (!env.IsDirectory(dir)) GTEST_SKIP() << "libonnx-testdata is not installed";
  CaseResult r = RunConformanceCase(env, dir);
  EXPECT_EQ(r.outcome, CaseOutcome::kSkip);
  EXPECT_NE(r.detail.find("unsupported operator ai.onnx::LSTM"), std::string::npos) << r.detail;
}

// The runner ignores the declared shape of CastLike's `like` input only
// (onnx 1.12's bfloat16 CastLike cases declare it wrongly); a wrong-shaped
// input anywhere else still fails the case.
TEST(ConformanceTest, KeepsShapeChecksOutsideCastLike) {
  Env& env = *Env::Default();
  const std::string src = std::string(kDataRoot) + "/node/test_abs";
  if (!env.IsDirectory(src)) GTEST_SKIP() << "libonnx-testdata is not installed";
  auto tmp = env.MakeTempDir("ads-conformance-");
  ASSERT_TRUE(tmp.ok());
  const std::string dir = *tmp + "/test_abs_wrong_shape";
  ASSERT_TRUE(env.CreateDirs(dir + "/test_data_set_0").ok());
  ASSERT_TRUE(env.WriteFile(dir + "/model.onnx", *env.ReadFile(src + "/model.onnx")).ok());
  onnx::TensorProto p;
  TensorToProto(Tensor::FromVector<float>({1}, {-2.0f}), &p);
  ASSERT_TRUE(env.WriteFile(dir + "/test_data_set_0/input_0.pb", p.SerializeAsString()).ok());
  TensorToProto(Tensor::FromVector<float>({1}, {2.0f}), &p);
  ASSERT_TRUE(env.WriteFile(dir + "/test_data_set_0/output_0.pb", p.SerializeAsString()).ok());
  CaseResult r = RunConformanceCase(env, dir);
  EXPECT_EQ(r.outcome, CaseOutcome::kFail);
  EXPECT_NE(r.detail.find("must have shape [3,4,5]"), std::string::npos) << r.detail;
  env.RemoveAll(*tmp).IgnoreError();
}

TEST(ConformanceTest, ComparesWithTolerance) {
  Tensor e = Tensor::FromVector<float>({2}, {1.0f, 100.0f});
  Tensor close = Tensor::FromVector<float>({2}, {1.0005f, 100.09f});
  Tensor far = Tensor::FromVector<float>({2}, {1.0f, 100.2f});
  EXPECT_TRUE(CompareValues(Value(e), Value(close), 1e-3, 1e-7).ok());
  Status st = CompareValues(Value(e), Value(far), 1e-3, 1e-7);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("element 1"), std::string::npos) << st.message();
  Tensor ints = Tensor::FromVector<int64_t>({1}, {3});
  Tensor ints2 = Tensor::FromVector<int64_t>({1}, {4});
  EXPECT_FALSE(CompareValues(Value(ints), Value(ints2), 1, 1).ok());  // exact for ints
  EXPECT_FALSE(CompareValues(Value(e), Value(ints), 1, 1).ok());      // dtype differs
}

}  // namespace
}  // namespace ads::engine
