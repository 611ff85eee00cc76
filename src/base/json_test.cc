#include "base/json.h"

#include <cmath>

#include <gtest/gtest.h>

namespace ads {
namespace {

TEST(PythonFloatReprTest, MatchesPythonRepr) {
  // Expected strings are what CPython 3.11 prints for repr(x).
  EXPECT_EQ(PythonFloatRepr(1.0), "1.0");
  EXPECT_EQ(PythonFloatRepr(37.9), "37.9");
  EXPECT_EQ(PythonFloatRepr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(PythonFloatRepr(1e-5), "1e-05");
  EXPECT_EQ(PythonFloatRepr(0.0001), "0.0001");
  EXPECT_EQ(PythonFloatRepr(1e16), "1e+16");
  EXPECT_EQ(PythonFloatRepr(123456789012345.0), "123456789012345.0");
  EXPECT_EQ(PythonFloatRepr(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(PythonFloatRepr(1.5e300), "1.5e+300");
  EXPECT_EQ(PythonFloatRepr(-0.0), "-0.0");
  EXPECT_EQ(PythonFloatRepr(std::nan("")), "NaN");
  EXPECT_EQ(PythonFloatRepr(-HUGE_VAL), "-Infinity");
}

TEST(DumpPythonJsonTest, CompactUsesPythonSeparators) {
  Json v = Json::object();
  v["b"] = 1;
  v["a"] = Json::array({1.0, "x", nullptr, true});
  EXPECT_EQ(DumpPythonJson(v), R"({"b": 1, "a": [1.0, "x", null, true]})");
  EXPECT_EQ(DumpPythonJson(v, {.indent = -1, .sort_keys = true}),
            R"({"a": [1.0, "x", null, true], "b": 1})");
}

TEST(DumpPythonJsonTest, IndentedLikeJsonDumpIndent4) {
  Json v = Json::object();
  v["k"] = Json::object({{"x", Json::array()}, {"y", Json::object()}});
  EXPECT_EQ(DumpPythonJson(v, {.indent = 4}),
            "{\n    \"k\": {\n        \"x\": [],\n        \"y\": {}\n    }\n}");
}

TEST(DumpPythonJsonTest, EscapesLikeEnsureAscii) {
  Json v = "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"\n\x01";
  EXPECT_EQ(DumpPythonJson(v), R"("caf\u00e9 \ud83d\ude00 \"q\"\n\u0001")");
}

TEST(ParseJsonTest, AcceptsPythonNonFiniteTokens) {
  auto v = ParseJson(R"({"mean": NaN, "max": Infinity, "min": -Infinity, "s": "NaN"})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(std::isnan((*v)["mean"].get<double>()));
  EXPECT_EQ((*v)["max"].get<double>(), HUGE_VAL);
  EXPECT_EQ((*v)["min"].get<double>(), -HUGE_VAL);
  EXPECT_EQ((*v)["s"], "NaN");
  EXPECT_EQ(DumpPythonJson(*v), R"({"mean": NaN, "max": Infinity, "min": -Infinity, "s": "NaN"})");
}

TEST(ParseJsonTest, ErrorNamesTheDocument) {
  auto v = ParseJson("{\"a\": [1, 2", "input_schema.json");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find("input_schema.json is not valid JSON"), std::string::npos);
}

TEST(GetStringTest, NamesMissingAndMistypedKeys) {
  Json v = {{"a", 1}};
  EXPECT_NE(GetString(v, "b", "runtime").status().message().find("no `b`"), std::string::npos);
  EXPECT_NE(GetString(v, "a", "runtime").status().message().find("must be a string"),
            std::string::npos);
}

}  // namespace
}  // namespace ads
