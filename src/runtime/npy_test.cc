// ParseNpy against numpy itself: files written by np.save, values as numpy
// reads them back (tests/data/runtime/npy_cases.py).
#include "runtime/npy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "base/env.h"
#include "base/json.h"
#include "base/test_shell.h"
#include "runtime/output_json.h"

namespace ads::runtime {
namespace {

using ::testing::HasSubstr;

std::string Dump(const engine::Tensor& t) {
  std::string s;
  AppendTensorJson(t, &s);
  return s;
}

TEST(NpyTest, ReadsWhatNumpyWrites) {
  Env& env = *Env::Default();
  auto dir = env.MakeTempDir("ads-npy-test-");
  ASSERT_TRUE(dir.ok());
  const std::string out = testing_util::RunShell(
      "/usr/bin/python3 " + std::string(ADS_SOURCE_DIR) + "/tests/data/runtime/npy_cases.py " + *dir);
  std::istringstream lines(out);
  std::string line;
  int checked = 0, refused = 0;
  while (std::getline(lines, line)) {
    auto doc = ParseJson(line);
    ASSERT_TRUE(doc.ok()) << line;
    const std::string name = (*doc)["name"].get<std::string>();
    auto bytes = env.ReadFile(*dir + "/" + name + ".npy");
    ASSERT_TRUE(bytes.ok()) << name;
    auto t = ParseNpy(*bytes);
    if (doc->contains("refused")) {
      EXPECT_FALSE(t.ok()) << name;
      if (!t.ok()) {
        EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
        EXPECT_THAT(t.status().message(), HasSubstr("numpy array: ")) << name;
      }
      ++refused;
      continue;
    }
    ASSERT_TRUE(t.ok()) << name << ": " << t.status().ToString();
    EXPECT_EQ(engine::ShapeToString(t->shape()),
              engine::ShapeToString((*doc)["shape"].get<std::vector<int64_t>>()))
        << name;
    EXPECT_EQ(Dump(*t), DumpPythonJson((*doc)["values"])) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 18) << out;
  EXPECT_EQ(refused, 3) << out;
  auto object = ParseNpy(env.ReadFile(*dir + "/object.npy").value_or(""));
  ASSERT_FALSE(object.ok());
  EXPECT_THAT(object.status().message(), HasSubstr("object arrays are refused"));
  auto structured = ParseNpy(env.ReadFile(*dir + "/structured.npy").value_or(""));
  ASSERT_FALSE(structured.ok());
  EXPECT_THAT(structured.status().message(), HasSubstr("structured"));
  EXPECT_TRUE(env.RemoveAll(*dir).ok());
}

std::string Npy(const std::string& dict, std::string_view data) {
  std::string header = dict;
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + std::string(data);
}

TEST(NpyTest, DamagedFilesAreErrorsNotCrashes) {
  const std::string eight(8, '\0');
  struct Case {
    std::string bytes, expect;
  } cases[] = {
      {"", "no \\x93NUMPY magic"},
      {"\x93NUMPY", "no \\x93NUMPY magic"},
      {std::string("\x93NUMPY\x01\x00\xff\x00", 10) + "{", "truncated"},
      {std::string("\x93NUMPY\x07\x00\x01\x00{", 11), "version 7"},
      {Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", eight), "shorter"},
      {Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", eight),
       "shorter"},
      {Npy("{'descr': '<f8', 'fortran_order': False}", eight), "must have the keys"},
      {Npy("{'descr': '<f8', 'fortran_order': maybe, 'shape': (1,)}", eight), "True or False"},
      {Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", eight), "non-negative"},
      {Npy("{'descr': '<f8', 'fortran_order': False, 'shape': [1]}", eight), "tuple"},
      {Npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,)}", eight), "not supported"},
      {Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", eight), "unexpected"},
      {Npy("{'descr': '<U1', 'fortran_order': False, 'shape': (1,)}", std::string("\x00\xd8\x00\x00", 4)),
       "invalid code point"},
      {Npy("not a dict", eight), "not a dict"},
  };
  for (const Case& c : cases) {
    auto t = ParseNpy(c.bytes);
    ASSERT_FALSE(t.ok()) << c.expect;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(t.status().message(), HasSubstr(c.expect));
  }
  // A one-element array that fits is accepted (the cases above fail for their stated reason).
  auto ok = ParseNpy(Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", eight));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(Dump(*ok), "[0.0]");
}

}  // namespace
}  // namespace ads::runtime
