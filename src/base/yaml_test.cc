// Tests for ParseYaml and DumpYamlPy. Besides hand-written cases (whose
// expected texts were produced by PyYAML 6.0), two differential tests run the
// real PyYAML through /usr/bin/python3 and compare bytes and types.
#include "base/yaml.h"

#include <sys/wait.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/env.h"
#include "base/json.h"

namespace ads {
namespace {

Json MustParse(std::string_view text) {
  Result<Json> r = ParseYaml(text, "test.yaml");
  EXPECT_TRUE(r.ok()) << r.status().ToString() << "\n" << text;
  return r.ok() ? *r : Json();
}

std::string Canonical(const Json& v) {
  PythonJsonOptions o;
  o.sort_keys = true;
  return DumpPythonJson(v, o);
}

TEST(ParseYamlTest, ResolvesPlainScalarsLikePyYamlSafeLoader) {
  Json v = MustParse(
      "a: 3.0\nb: '3.0'\nc: yes\nd: Off\ne: ~\nf:\ng: 0x1F\nh: 0o17\ni: 1_000\n"
      "j: 012\nk: 1:30\nl: .inf\nm: -.INF\nn: 1e5\no: 1.0e+5\np: 0b101\nq: \"yes\"\n"
      "r: 2001-12-14\ns: 1:30.5\nt: NULL\n");
  EXPECT_TRUE(v["a"].is_number_float());
  EXPECT_EQ(v["a"].get<double>(), 3.0);
  EXPECT_EQ(v["b"], "3.0");
  EXPECT_EQ(v["c"], true);
  EXPECT_EQ(v["d"], false);
  EXPECT_TRUE(v["e"].is_null());
  EXPECT_TRUE(v["f"].is_null());
  EXPECT_EQ(v["g"], 31);
  EXPECT_EQ(v["h"], "0o17");  // YAML 1.1 has no 0o prefix
  EXPECT_EQ(v["i"], 1000);
  EXPECT_EQ(v["j"], 10);  // octal
  EXPECT_EQ(v["k"], 90);  // sexagesimal
  EXPECT_TRUE(std::isinf(v["l"].get<double>()));
  EXPECT_LT(v["m"].get<double>(), 0);
  EXPECT_EQ(v["n"], "1e5");  // YAML 1.1 floats need a dot
  EXPECT_EQ(v["o"].get<double>(), 100000.0);
  EXPECT_EQ(v["p"], 5);
  EXPECT_EQ(v["q"], "yes");
  EXPECT_EQ(v["r"], "2001-12-14");  // timestamps stay text
  EXPECT_EQ(v["s"].get<double>(), 90.5);
  EXPECT_TRUE(v["t"].is_null());
}

// yaml-cpp 0.7 alone reads 'x\n\n  ' as "x"; PyYAML writes that for "x\n".
TEST(ParseYamlTest, QuotedScalarsKeepTrailingLineBreaks) {
  Json v = MustParse("a: 'x\n\n  '\nb: '\n\n  '\nc: \"y\\n\"\n? 'k\n\n  '\n: 1\n");
  EXPECT_EQ(v["a"], "x\n");
  EXPECT_EQ(v["b"], "\n");
  EXPECT_EQ(v["c"], "y\n");
  EXPECT_EQ(v["k\n"], 1);
}

TEST(ParseYamlTest, DoubleQuotedEscapesAndFolding) {
  Json v = MustParse(
      "a: \"t\\tq\\\"\\\\ \\xE9\\u65E5\\U0001F600\\N\\_\"\n"
      "b: \"one\\\n  \\ two\"\nc: 'it''s\n  folded'\n");
  EXPECT_EQ(v["a"], "t\tq\"\\ \xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80\xc2\x85\xc2\xa0");
  EXPECT_EQ(v["b"], "one two");
  EXPECT_EQ(v["c"], "it's folded");
}

TEST(ParseYamlTest, ExplicitTags) {
  Json v = MustParse("a: !!str 3\nb: !!int '7'\nc: !!float '2'\nd: ! 4\ne: !!bool 'on'\n");
  EXPECT_EQ(v["a"], "3");
  EXPECT_EQ(v["b"], 7);
  EXPECT_TRUE(v["c"].is_number_float());
  EXPECT_EQ(v["d"], "4");
  EXPECT_EQ(v["e"], true);
  Result<Json> bad = ParseYaml("a: !!int abc\n", "x.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 1, column 4"), std::string::npos)
      << bad.status().message();
  Result<Json> custom = ParseYaml("a: !python/object foo\n", "x.yaml");
  ASSERT_FALSE(custom.ok());
  EXPECT_NE(custom.status().message().find("unsupported tag"), std::string::npos);
}

TEST(ParseYamlTest, SyntaxErrorNamesFileLineAndColumn) {
  Result<Json> r = ParseYaml("a: 1\nb: [1, 2\nc: 3\n", "runtime.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("runtime.yaml: line ", 0), 0u) << r.status().message();
  EXPECT_NE(r.status().message().find("column"), std::string::npos);
}

TEST(ParseYamlTest, DuplicateKeysAreAnError) {
  Result<Json> r = ParseYaml("a: 1\nb: 2\na: 3\n", "m.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("duplicate key `a`"), std::string::npos);
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
}

TEST(ParseYamlTest, MultipleDocumentsAreAnError) {
  Result<Json> r = ParseYaml("a: 1\n---\nb: 2\n", "m.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("2 YAML documents"), std::string::npos);
  EXPECT_TRUE(MustParse("--- \na: 1\n...\n")["a"] == 1);
}

TEST(ParseYamlTest, EmptyInputIsNull) {
  EXPECT_TRUE(MustParse("").is_null());
  EXPECT_TRUE(MustParse("# only a comment\n").is_null());
}

TEST(ParseYamlTest, AliasesExpandAndMergeKeysWork) {
  Json v = MustParse(
      "base: &b {x: 1, y: 2}\nlist: &l [1, 2]\ncopy: *l\n"
      "derived:\n  <<: *b\n  y: 3\nmulti:\n  <<: [{p: 1}, {p: 2, q: 2}]\n");
  EXPECT_EQ(Canonical(v["copy"]), "[1, 2]");
  EXPECT_EQ(Canonical(v["derived"]), R"({"x": 1, "y": 3})");
  EXPECT_EQ(Canonical(v["multi"]), R"({"p": 1, "q": 2})");
}

TEST(ParseYamlTest, AliasBombIsRejected) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    std::string p = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + p;
    for (int k = 0; k < 9; ++k) text += ", " + p;
    text += "]\n";
  }
  Result<Json> r = ParseYaml(text, "bomb.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than"), std::string::npos);
}

TEST(ParseYamlTest, OutOfRangeIntegerIsAnError) {
  Result<Json> r = ParseYaml("n: 123456789012345678901234567890\n", "n.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("out of range"), std::string::npos);
  EXPECT_EQ(MustParse("n: 18446744073709551615\n")["n"].get<uint64_t>(), 18446744073709551615ull);
  EXPECT_EQ(MustParse("n: -9223372036854775808\n")["n"].get<int64_t>(), INT64_MIN);
}

TEST(ParseYamlTest, NonScalarKeysAreAnError) {
  Result<Json> r = ParseYaml("? [1, 2]\n: x\n", "k.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("mapping key"), std::string::npos);
  EXPECT_EQ(MustParse("1: a\n")["1"], "a");
}

// Expected texts below were printed by PyYAML 6.0:
// yaml.dump(value, Dumper=yaml.SafeDumper).
TEST(DumpYamlPyTest, MatchesKnownPyYamlOutput) {
  EXPECT_EQ(DumpYamlPy(Json("")), "''\n");
  EXPECT_EQ(DumpYamlPy(Json(nullptr)), "null\n...\n");
  EXPECT_EQ(DumpYamlPy(Json("abc")), "abc\n...\n");
  EXPECT_EQ(DumpYamlPy(Json(3)), "3\n...\n");
  EXPECT_EQ(DumpYamlPy(Json(1e16)), "1.0e+16\n...\n");
  EXPECT_EQ(DumpYamlPy(Json(1e-5)), "1.0e-05\n...\n");
  EXPECT_EQ(DumpYamlPy(Json(-std::numeric_limits<double>::infinity())), "-.inf\n...\n");
  EXPECT_EQ(DumpYamlPy(Json::object()), "{}\n");
  EXPECT_EQ(DumpYamlPy(Json::array()), "[]\n");
  EXPECT_EQ(DumpYamlPy(Json::parse(R"({"a": []})")), "a: []\n");
  EXPECT_EQ(DumpYamlPy(Json::parse(R"({"a": [1, {"c": [3], "b": 2}]})")),
            "a:\n- 1\n- b: 2\n  c:\n  - 3\n");
  EXPECT_EQ(DumpYamlPy(Json::parse("[[1, 2], [3]]")), "- - 1\n  - 2\n- - 3\n");
  EXPECT_EQ(DumpYamlPy(Json::parse(R"({"": 1})")), "? ''\n: 1\n");
  EXPECT_EQ(DumpYamlPy(Json::parse(R"({"a\nb": 1})")), "? 'a\n\n  b'\n: 1\n");
  EXPECT_EQ(DumpYamlPy(Json("2001-12-14")), "'2001-12-14'\n");
  EXPECT_EQ(DumpYamlPy(Json("=")), "'='\n");
  EXPECT_EQ(DumpYamlPy(Json::parse(R"({"x": "\u00e9"})")), "x: \"\\xE9\"\n");
  EXPECT_EQ(DumpYamlPy(Json(true)), "true\n...\n");
  // A key is "simple" while its length plus len("!!str") stays under 128.
  EXPECT_EQ(DumpYamlPy(Json{{std::string(122, 'a'), 1}}), std::string(122, 'a') + ": 1\n");
  EXPECT_EQ(DumpYamlPy(Json{{std::string(123, 'a'), 1}}), "? " + std::string(123, 'a') + "\n: 1\n");
}

// ---------------------------------------------------------------------------
// Differential tests against PyYAML.

constexpr const char* kPython = "/usr/bin/python3";

// Runs `command`, returns its exit status; stdout goes to *output.
int Run(const std::string& command, std::string* output) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output->append(buf, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void RequirePyYaml() {
  std::string out;
  int rc = Run(std::string(kPython) + " -c 'import yaml; print(yaml.__version__)' 2>&1", &out);
  ASSERT_EQ(rc, 0) << "These tests need " << kPython
                   << " with PyYAML (Debian package python3-yaml); got: " << out;
}

// Writes `input` to a temp file, runs the Python `script` on it and returns
// the JSON the script printed to stdout.
Json RunPython(const std::string& script, const Json& input) {
  Env& env = *Env::Default();
  Result<std::string> dir = env.MakeTempDir("yaml_test");
  EXPECT_TRUE(dir.ok());
  if (!dir.ok()) return Json();
  std::string script_path = JoinPath(*dir, "script.py");
  std::string input_path = JoinPath(*dir, "input.json");
  EXPECT_TRUE(env.WriteFile(script_path, script).ok());
  EXPECT_TRUE(env.WriteFile(input_path, DumpPythonJson(input)).ok());
  std::string out;
  int rc = Run(std::string(kPython) + " " + script_path + " " + input_path, &out);
  env.RemoveAll(*dir).IgnoreError();
  EXPECT_EQ(rc, 0) << out;
  Result<Json> parsed = ParseJson(out, "python output");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : Json();
}

class ValueGenerator {
 public:
  explicit ValueGenerator(uint32_t seed) : rng_(seed) {}

  std::string TrickyString() {
    static const std::vector<std::string> kAtoms = {
        "", " ", "a", "abc", "3.0", "3.11", "123", "-7", "0x1F", "1_000", "012", "1:30",
        "yes", "No", "on", "OFF", "true", "null", "~", "Null", ".inf", ".nan", "1e5",
        "1.0e+5", "2001-12-14", "=", "<<", ":", ": ", " :", "#", " #", "a#b", "- ",
        "-", "?", "? x", "---", "...", "'", "\"", "\\", "\t", "\n", "\n\n", " \n",
        "\n ", "[", "]", "{", "}", ",", "&a", "*a", "!", "|", ">", "%", "@", "`",
        "\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80", "\xc2\x85",
        "\xe2\x80\xa8", "\xef\xbb\xbf", "\xc2\xa0", "\x01", "\x7f", "\r",
        "oci://service-conda-packs@id19sfcrra6z/service_pack/cpu/General/1.0/py",
        "/home/datascience/my model dir", "word"};
    std::string s;
    int parts = Pick(5);
    for (int i = 0; i < parts; ++i) s += kAtoms[Pick(int(kAtoms.size()))];
    if (Pick(6) == 0) s = LongText();
    return s;
  }

  Json Value(int depth) {
    int kind = Pick(depth > 3 ? 6 : 9);
    switch (kind) {
      case 0: return Json(nullptr);
      case 1: return Json(Pick(2) == 0);
      case 2: return Json(int64_t(rng_()) - int64_t(1u << 31));
      case 3: return Json(RandomDouble());
      case 4: case 5: return Json(TrickyString());
      case 6: case 7: {
        Json obj = Json::object();
        int n = Pick(5);
        for (int i = 0; i < n; ++i) obj[Pick(8) == 0 ? LongText() : TrickyString()] = Value(depth + 1);
        return obj;
      }
      default: {
        Json arr = Json::array();
        int n = Pick(5);
        for (int i = 0; i < n; ++i) arr.push_back(Value(depth + 1));
        return arr;
      }
    }
  }

 private:
  int Pick(int n) { return int(rng_() % uint32_t(n)); }

  // Long texts with spaces (and sometimes specials) exercise line folding.
  std::string LongText() {
    static const std::vector<std::string> kWords = {
        "model", "artifact", "directory", "x", "with", "spaces", "", "  ", "a:b",
        "\xc3\xa9t\xc3\xa9", "very-long-segment-without-any-space-at-all-0123456789", "'q'",
        "\\", "\"", "\n", "tab\there"};
    std::string s;
    int n = 10 + Pick(40);
    for (int i = 0; i < n; ++i) {
      s += kWords[Pick(int(kWords.size()))];
      if (i + 1 < n) s += " ";
    }
    return s;
  }

  double RandomDouble() {
    static const double kSpecial[] = {0.0, -0.0, 1.0, 0.1, 1e-5, 1e16, 1.5e300, 123456.789,
                                      -2.5, 1e22, 5e-324, std::numeric_limits<double>::infinity()};
    if (Pick(2) == 0) return kSpecial[Pick(12)];
    return std::ldexp(double(rng_()) - 2147483648.0, Pick(120) - 60);
  }

  std::mt19937 rng_;
};

constexpr const char* kDumpScript = R"PY(
import json, sys, yaml
values = json.load(open(sys.argv[1]))
print(json.dumps([yaml.dump(v, Dumper=yaml.SafeDumper) for v in values]))
)PY";

TEST(DumpYamlPyTest, ByteIdenticalToPyYamlOnGeneratedValues) {
  RequirePyYaml();
  ValueGenerator gen(20240601);
  Json values = Json::array();
  for (int i = 0; i < 400; ++i) values.push_back(gen.Value(0));
  Json expected = RunPython(kDumpScript, values);
  ASSERT_TRUE(expected.is_array());
  ASSERT_EQ(expected.size(), values.size());
  int mismatches = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string ours = DumpYamlPy(values[i]);
    const std::string& theirs = expected[i].get_ref<const std::string&>();
    if (ours != theirs && ++mismatches <= 5) {
      ADD_FAILURE() << "value " << DumpPythonJson(values[i]) << "\nPyYAML:\n"
                    << theirs << "\nours:\n" << ours;
    }
    // The reverse direction: PyYAML's text reads back as the original value.
    Result<Json> back = ParseYaml(theirs, "pyyaml output");
    ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << theirs;
    EXPECT_EQ(Canonical(*back), Canonical(values[i])) << theirs;
  }
  EXPECT_EQ(mismatches, 0);
}

constexpr const char* kLoadScript = R"PY(
import json, sys, yaml, datetime, math
out = []
for text in json.load(open(sys.argv[1])):
    try:
        v = yaml.safe_load("v: " + text)["v"]
    except Exception:
        out.append(["error", None]); continue
    if isinstance(v, bool): out.append(["bool", v])
    elif isinstance(v, int): out.append(["int", str(v)])
    elif isinstance(v, float): out.append(["float", repr(v)])
    elif v is None: out.append(["null", None])
    elif isinstance(v, (datetime.date, datetime.datetime)): out.append(["timestamp", text])
    else: out.append(["str", v])
print(json.dumps(out))
)PY";

std::vector<std::string> ScalarCandidates() {
  std::vector<std::string> bodies = {
      "0", "00", "012", "08", "0_7", "0x1F", "0xg", "0x_", "0b101", "0b2", "1_000", "_1",
      "1_", "1:30", "1:60", "1:5:59", "190:20:30", "0:30", "1.5", "1.", ".5", "._5", "1e5",
      "1.0e5", "1.0e+5", "1.0E-5", "1_0.0_1", "1:30.5", "1:30.", ".inf", ".Inf", ".INF",
      ".iNf", ".nan", ".NaN", "inf", "nan", "1.5e+300", "3.0", "3.11", "3.6.1", "1e+5",
      "12e03", "0.", "0.0", "00.5", "1__2", "9223372036854775807", "0b", "0x"};
  std::vector<std::string> out;
  for (const char* sign : {"", "-", "+"}) {
    for (const std::string& b : bodies) out.push_back(sign + b);
  }
  for (const char* s : {"yes", "Yes", "YES", "yEs", "no", "No", "NO", "true", "True", "TRUE",
                        "tRue", "false", "False", "FALSE", "on", "On", "ON", "oN", "off", "Off",
                        "OFF", "y", "n", "Y", "N", "~", "null", "Null", "NULL", "nULL", "",
                        "2001-12-14", "2001-1-14", "2001-12-14t21:59:43.10-05:00",
                        "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10 Z",
                        "2001-12-14 21:59:43", "2001-12-14T21:59", "20011-12-14", "=", "<<x",
                        "'quoted'", "\"dq\"", "a b", "a: b", "abc # comment", "3.0 # c"}) {
    out.push_back(s);
  }
  return out;
}

TEST(ParseYamlTest, AgreesWithPyYamlSafeLoadOnPlainScalars) {
  RequirePyYaml();
  std::vector<std::string> candidates = ScalarCandidates();
  Json input = Json::array();
  for (const std::string& c : candidates) input.push_back(c);
  Json expected = RunPython(kLoadScript, input);
  ASSERT_EQ(expected.size(), candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    const std::string& type = expected[i][0].get_ref<const std::string&>();
    const Json& want = expected[i][1];
    Result<Json> doc = ParseYaml("v: " + candidates[i], "scalar");
    SCOPED_TRACE("scalar `" + candidates[i] + "` (PyYAML: " + type + ")");
    if (candidates[i] == "=") {
      // PyYAML resolves `=` to tag:yaml.org,2002:value and SafeLoader then has
      // no constructor for it; we read the text.
      ASSERT_TRUE(doc.ok());
      EXPECT_EQ((*doc)["v"], "=");
      continue;
    }
    if (type == "error") {
      EXPECT_FALSE(doc.ok());
      continue;
    }
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    const Json& got = (*doc)["v"];
    if (type == "bool") {
      EXPECT_EQ(got, want);
    } else if (type == "int") {
      ASSERT_TRUE(got.is_number_integer());
      EXPECT_EQ(got.dump(), want.get<std::string>());
    } else if (type == "float") {
      ASSERT_TRUE(got.is_number_float());
      double d = got.get<double>();
      std::string repr = std::isnan(d) ? "nan" : std::isinf(d) ? (d > 0 ? "inf" : "-inf")
                                                               : PythonFloatRepr(d);
      EXPECT_EQ(repr, want.get<std::string>());
    } else if (type == "null") {
      EXPECT_TRUE(got.is_null());
    } else {  // str, or a timestamp that we keep as text
      EXPECT_EQ(got, want);
    }
  }
}

}  // namespace
}  // namespace ads
