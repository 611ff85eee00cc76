// Test-only helpers for runtime tests: temporary artifact folders and the
// generated score.py.
#ifndef ADS_RUNTIME_TEST_ARTIFACT_H_
#define ADS_RUNTIME_TEST_ARTIFACT_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "artifact/score_py.h"
#include "base/env.h"
#include "base/json.h"

namespace ads::runtime::testing_util {

inline const std::string kSource = ADS_SOURCE_DIR;

// A temporary folder removed at the end of the scope.
class TempDir {
 public:
  TempDir() {
    auto dir = Env::Default()->MakeTempDir("ads-runtime-test-");
    EXPECT_TRUE(dir.ok());
    path_ = dir.value_or("/nonexistent");
  }
  ~TempDir() { Env::Default()->RemoveAll(path_).IgnoreError(); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void CopyFile(const std::string& from, const std::string& to) {
  auto bytes = Env::Default()->ReadFile(from);
  ASSERT_TRUE(bytes.ok()) << from;
  ASSERT_TRUE(Env::Default()->WriteFile(to, *bytes).ok()) << to;
}

// Writes the score.py `ads model prepare` generates for `model_file`.
inline void WriteGeneratedScorePy(const std::string& dir, const std::string& framework,
                                  const std::string& format, const std::string& model_file) {
  auto text = artifact::GenerateScorePy({.model_file_name = model_file,
                                         .framework = framework,
                                         .serialization_format = format,
                                         .ads_version = "0.1.0",
                                         .time_created = "20260101_000000"});
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  ASSERT_TRUE(Env::Default()->WriteFile(dir + "/score.py", *text).ok());
}

// One case printed by tests/data/runtime/*_equivalence.py.
struct EquivalenceCase {
  std::string model, name, body, expected, error;
};

// The JSON lines of `output` (anything else, such as library warnings, is skipped).
inline std::vector<EquivalenceCase> ParseCases(const std::string& output) {
  std::vector<EquivalenceCase> cases;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("{\"model\"")) continue;
    auto doc = ParseJson(line);
    EXPECT_TRUE(doc.ok()) << line;
    if (!doc.ok()) continue;
    cases.push_back({StringMemberOr(*doc, "model"), StringMemberOr(*doc, "name"),
                     StringMemberOr(*doc, "body"), StringMemberOr(*doc, "expected"),
                     StringMemberOr(*doc, "error")});
  }
  return cases;
}

// True when `a` and `b` have the same structure (lists, dict keys in order,
// strings, ints, bools) and their floats agree within a relative 1e-6: the
// engine sums float32 products in double, numpy's float32 matmul in float, so
// the last bit of a float32 result may differ. `where` names the first
// difference.
inline bool JsonNear(const Json& a, const Json& b, std::string* where, const std::string& path = "$") {
  if (a.is_number_float() || b.is_number_float()) {
    if (!a.is_number() || !b.is_number()) return *where = path, false;
    const double x = a.get<double>(), y = b.get<double>();
    if (std::isnan(x) && std::isnan(y)) return true;
    if (x == y || std::fabs(x - y) <= 1e-6 * std::max(std::fabs(x), std::fabs(y))) return true;
    return *where = path, false;
  }
  if (a.type() != b.type() || a.size() != b.size()) return *where = path, false;
  if (a.is_array()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (!JsonNear(a[i], b[i], where, path + "[" + std::to_string(i) + "]")) return false;
    }
    return true;
  }
  if (a.is_object()) {
    auto ia = a.begin();
    for (auto ib = b.begin(); ib != b.end(); ++ia, ++ib) {
      if (ia.key() != ib.key()) return *where = path + "." + ia.key(), false;
      if (!JsonNear(ia.value(), ib.value(), where, path + "." + ia.key())) return false;
    }
    return true;
  }
  return a == b || (*where = path, false);
}

}  // namespace ads::runtime::testing_util

#endif  // ADS_RUNTIME_TEST_ARTIFACT_H_
