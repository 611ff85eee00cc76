#include "artifact/sample_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/test_shell.h"

#include <array>
#include <cmath>
#include <cstdio>

namespace ads::artifact {
namespace {

using ::testing::HasSubstr;

using testing_util::RunShell;

class SampleDataTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = *env_.MakeTempDir("sample-test-"); }
  void TearDown() override { env_.RemoveAll(dir_).IgnoreError(); }
  std::string Put(const std::string& name, const std::string& text) {
    std::string p = JoinPath(dir_, name);
    EXPECT_TRUE(env_.WriteFile(p, text).ok());
    return p;
  }
  // dtype names and values pandas.read_csv gives, as "dtype:json" lines.
  std::string PandasCsv(const std::vector<std::string>& paths) {
    std::string script = Put("p.py",
                             "import json, sys, pandas as pd\n"
                             "for p in sys.argv[1:]:\n"
                             " df = pd.read_csv(p)\n"
                             " for c in df.columns:\n"
                             "  v = [None if (isinstance(x, float) and x != x) else x "
                             "for x in df[c].tolist()]\n"
                             "  print(c, df[c].dtype.name, json.dumps(v))\n"
                             " print('=====')\n");
    std::string cmd = "/usr/bin/python3 " + script;
    for (const std::string& p : paths) cmd += " " + p;
    return RunShell(cmd);
  }
  static std::string Describe(const Table& t) {
    std::string out;
    for (const Column& c : t.columns) {
      Json values = Json::array();
      for (size_t i = 0; i < c.values.size(); ++i) {
        values.push_back(c.IsMissing(i) ? Json() : c.values[i]);
      }
      out += c.name + " " + c.dtype + " " + DumpPythonJson(values) + "\n";
    }
    return out;
  }
  Env& env_ = *Env::Default();
  std::string dir_;
};

TEST_F(SampleDataTest, CsvTypesMatchPandas) {
  const std::vector<std::string> cases = {
      "a,b\n1,2\n,3\n",           "a\nTrue\nFALSE\n",      "a\nTrue\n\n",
      "a\nTrue\nNA\n",            "a\n1\nx\n",             "a\n1.5\n2\n",
      "a\ninf\n-Infinity\n",      "a\n 1\n2 \n",           "a,a,\n1,2,3\n",
      "a,b\n1\n",                 "a\n1e3\n",              "a\n0x10\n",
      "a\n+5\n",                  "a,b\r\n\"x,\"\"y\"\"\",2\r\n", "a\n-3\nnull\nNone\n",
      "a\n99999999999999999999\n"};
  std::vector<std::string> paths;
  std::string ours;
  for (size_t i = 0; i < cases.size(); ++i) {
    paths.push_back(Put("c" + std::to_string(i) + ".csv", cases[i]));
    auto t = ReadSampleFile(env_, paths.back());
    ASSERT_TRUE(t.ok()) << cases[i] << t.status().ToString();
    ours += Describe(*t) + "=====\n";
  }
  EXPECT_EQ(ours, PandasCsv(paths));
}

TEST_F(SampleDataTest, CsvErrorsNameFileAndLine) {
  auto t = ReadSampleFile(env_, Put("bad.csv", "a,b\n1,2\n1,2,3\n"));
  EXPECT_THAT(t.status().message(), HasSubstr("bad.csv line 3: expected 2 fields, saw 3"));
  t = ReadSampleFile(env_, Put("open.csv", "a\n\"never closed\n"));
  EXPECT_THAT(t.status().message(), HasSubstr("open.csv line 2: a quoted field is never closed"));
  EXPECT_THAT(ReadSampleFile(env_, Put("e.csv", "")).status().message(), HasSubstr("is empty"));
  EXPECT_THAT(ReadSampleFile(env_, Put("x.parquet", "")).status().message(),
              HasSubstr("use a .csv, .json or .npy file"));
}

TEST_F(SampleDataTest, JsonShapes) {
  auto rec = ReadJsonSample(R"([{"a": 1, "b": "x"}, {"a": 2.5, "c": true}])");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(Describe(*rec), "a float64 [1.0, 2.5]\nb object [\"x\", null]\nc object [null, true]\n");
  auto cols = ReadJsonSample(R"({"a": {"0": 1, "1": 2}, "b": {"0": true, "1": false}})");
  ASSERT_TRUE(cols.ok());
  EXPECT_EQ(Describe(*cols), "a int64 [1, 2]\nb bool [true, false]\n");
  auto lists = ReadJsonSample(R"({"a": [1, null], "b": ["u", "v"]})");
  ASSERT_TRUE(lists.ok());
  EXPECT_EQ(Describe(*lists), "a float64 [1.0, null]\nb object [\"u\", \"v\"]\n");
  auto one = ReadJsonSample("[0, 1, 1]");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->columns.size(), 1u);
  EXPECT_EQ(one->columns[0].NameJson(), Json(0));
  EXPECT_EQ(one->columns[0].dtype, "int64");
  auto two = ReadJsonSample("[[5.1, 3.5], [4.9, 3.0]]");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->columns[1].NameJson(), Json(1));
  EXPECT_EQ(Describe(*two), "0 float64 [5.1, 4.9]\n1 float64 [3.5, 3.0]\n");
  EXPECT_THAT(ReadJsonSample("[[1], [1, 2]]", "x.json").status().message(),
              HasSubstr("x.json: row 1 has 2 values, row 0 has 1"));
  EXPECT_THAT(ReadJsonSample("[1, [2]]").status().message(), HasSubstr("mixes scalars"));
  EXPECT_THAT(ReadJsonSample("{\"a\": 1}").status().message(), HasSubstr("column `a`"));
  EXPECT_THAT(ReadJsonSample("[]").status().message(), HasSubstr("empty array"));
  EXPECT_FALSE(ReadJsonSample("[1,", "t.json").ok());
}

TEST_F(SampleDataTest, NpyFromNumpy) {
  std::string script = Put("n.py",
                           "import numpy as np, sys\n"
                           "d = sys.argv[1]\n"
                           "np.save(d + '/f8.npy', np.array([[1.5, 2.0], [3.25, -4.0]]))\n"
                           "np.save(d + '/f4.npy', np.array([0.5, 1.5], dtype='<f4'))\n"
                           "np.save(d + '/i4.npy', np.array([[1, 2, 3]], dtype='<i4'))\n"
                           "np.save(d + '/i8f.npy', np.asfortranarray(np.arange(6).reshape(2, 3)))\n"
                           "np.save(d + '/b1.npy', np.array([True, False]))\n"
                           "np.save(d + '/u1.npy', np.array([255, 0], dtype='u1'))\n"
                           "np.save(d + '/obj.npy', np.array([{'a': 1}], dtype=object), allow_pickle=True)\n"
                           "np.save(d + '/be.npy', np.array([1.0], dtype='>f8'))\n"
                           "np.save(d + '/c16.npy', np.array([1j]))\n"
                           "np.save(d + '/three.npy', np.zeros((1, 1, 1)))\n"
                           "np.lib.format.write_array(open(d + '/v2.npy', 'wb'), np.array([7, 8]), version=(2, 0))\n");
  ASSERT_EQ(RunShell("/usr/bin/python3 " + script + " " + dir_), "");
  auto read = [&](const std::string& f) { return ReadSampleFile(env_, JoinPath(dir_, f)); };
  EXPECT_EQ(Describe(*read("f8.npy")), "0 float64 [1.5, 3.25]\n1 float64 [2.0, -4.0]\n");
  EXPECT_EQ(Describe(*read("f4.npy")), "0 float32 [0.5, 1.5]\n");
  EXPECT_EQ(Describe(*read("i4.npy")), "0 int32 [1]\n1 int32 [2]\n2 int32 [3]\n");
  EXPECT_EQ(Describe(*read("i8f.npy")), "0 int64 [0, 3]\n1 int64 [1, 4]\n2 int64 [2, 5]\n");
  EXPECT_EQ(Describe(*read("b1.npy")), "0 bool [true, false]\n");
  EXPECT_EQ(Describe(*read("u1.npy")), "0 uint8 [255, 0]\n");
  EXPECT_EQ(Describe(*read("v2.npy")), "0 int64 [7, 8]\n");
  EXPECT_THAT(read("obj.npy").status().message(), HasSubstr("obj.npy holds Python objects"));
  EXPECT_THAT(read("be.npy").status().message(), HasSubstr("big-endian"));
  EXPECT_THAT(read("c16.npy").status().message(), HasSubstr("not supported"));
  EXPECT_THAT(read("three.npy").status().message(), HasSubstr("3 dimensions"));
  std::string bytes = *env_.ReadFile(JoinPath(dir_, "f8.npy"));
  EXPECT_THAT(ReadNpySample(bytes.substr(0, bytes.size() - 4), "cut.npy").status().message(),
              HasSubstr("cut.npy is truncated"));
  EXPECT_THAT(ReadNpySample("PK\3\4", "z.npy").status().message(), HasSubstr("bad magic"));
}

}  // namespace
}  // namespace ads::artifact
