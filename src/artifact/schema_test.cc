#include "artifact/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/test_shell.h"

#include <array>
#include <cmath>
#include <cstdio>

#include "base/logging.h"

namespace ads::artifact {
namespace {

using ::testing::HasSubstr;

std::string DataDir() { return std::string(ADS_SOURCE_DIR) + "/tests/data/schema/"; }

std::string RunPython(const std::string& script_path, const std::string& arg) {
  return testing_util::RunShell("/usr/bin/python3 " + script_path + " '" + arg + "'");
}

// Stats as ADS computes them (feature_stat of Integer/Continuous/String/
// Boolean), recomputed by pandas itself.
constexpr char kPandasStats[] = R"PY(
import json, sys
import numpy as np, pandas as pd
df = pd.read_csv(sys.argv[1])
out = []
for col in df.columns:
    x = df[col]
    if x.dtype == bool or x.dtype == object:
        s = {"count": len(x), "unique": len(x.replace(r"", np.nan).dropna().unique())}
        m = int(pd.isnull(x.replace(r"", np.nan)).sum())
        if m > 0: s["missing"] = m
    else:
        d = x.describe().rename({"std": "standard deviation", "min": "sample minimum",
            "25%": "lower quartile", "50%": "median", "75%": "upper quartile",
            "max": "sample maximum"})
        d["count"] = len(x)
        if x.dtype.kind == "f":
            d["skew"] = x.skew()
        m = int(pd.isnull(x).sum())
        if m > 0: d.loc["missing"] = m
        if x.dtype.kind == "f":
            d = d.round(3)
        s = {k: float(v) for k, v in d.items()}
    out.append({"name": col, "dtype": x.dtype.name, "stats": s, "required": not x.isnull().any()})
print(json.dumps(out))
)PY";

void ExpectSameNumber(const Json& got, const Json& want, const std::string& where) {
  ASSERT_TRUE(got.is_number()) << where << " got " << got.dump();
  double g = got.get<double>(), w = want.get<double>();
  if (std::isnan(w)) {
    EXPECT_TRUE(std::isnan(g)) << where;
    return;
  }
  EXPECT_NEAR(g, w, 1e-9 * std::max(1.0, std::fabs(w))) << where;
  EXPECT_EQ(got.is_number_float(), want.is_number_float()) << where << " int/float kind";
}

TEST(SchemaTest, StatsMatchPandasAndAdsRules) {
  Env& env = *Env::Default();
  auto dir = env.MakeTempDir("schema-test-");
  ASSERT_TRUE(dir.ok());
  std::string script = JoinPath(*dir, "stats.py");
  ASSERT_TRUE(env.WriteFile(script, kPandasStats).ok());
  auto want_text = RunPython(script, DataDir() + "mixed.csv");
  auto want = ParseJson(want_text, "pandas output");
  ASSERT_TRUE(want.ok()) << want_text;

  auto table = ReadSampleFile(env, DataDir() + "mixed.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto result = InferSchema(*table);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->outcome, SchemaOutcome::kOk);
  const Json& attrs = result->schema["schema"];
  ASSERT_EQ(attrs.size(), want->size());
  for (size_t i = 0; i < attrs.size(); ++i) {
    const Json& a = attrs[i];
    const Json& w = (*want)[i];
    std::string where = w["name"].get<std::string>();
    std::vector<std::string> keys;
    for (const auto& [k, v] : a.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"dtype", "feature_type", "name", "domain",
                                              "required", "description", "order"}));
    EXPECT_EQ(a["name"], w["name"]);
    EXPECT_EQ(a["description"], w["name"]);
    EXPECT_EQ(a["dtype"], w["dtype"]) << where;
    EXPECT_EQ(a["required"], w["required"]) << where;
    EXPECT_EQ(a["order"], i);
    const Json& stats = a["domain"]["stats"];
    std::vector<std::string> got_keys, want_keys;
    for (const auto& [k, v] : stats.items()) got_keys.push_back(k);
    for (const auto& [k, v] : w["stats"].items()) want_keys.push_back(k);
    EXPECT_EQ(got_keys, want_keys) << where;
    for (const auto& [k, v] : w["stats"].items()) {
      if (stats.contains(k)) ExpectSameNumber(stats[k], v, where + "." + k);
    }
  }
  EXPECT_EQ(attrs[0]["feature_type"], "Integer");
  EXPECT_EQ(attrs[1]["feature_type"], "Continuous");
  EXPECT_EQ(attrs[2]["feature_type"], "Boolean");
  EXPECT_EQ(attrs[2]["domain"]["constraints"],
            Json::parse(R"([{"expression": "$x in [True, False]", "language": "python"}])"));
  EXPECT_EQ(attrs[3]["feature_type"], "String");
  env.RemoveAll(*dir).IgnoreError();
}

TEST(SchemaTest, HandComputedIntegerStats) {
  // [1, 2, 3, 4]: mean 2.5, sample std sqrt(5/3), quartiles 1.75 / 2.5 / 3.25.
  Table t;
  t.columns.push_back({"a", "int64", {1, 2, 3, 4}});
  auto r = InferSchema(t);
  ASSERT_TRUE(r.ok());
  const Json& s = r->schema["schema"][0]["domain"]["stats"];
  EXPECT_EQ(SchemaFileText(r->schema),
            "{\"schema\": [{\"dtype\": \"int64\", \"feature_type\": \"Integer\", \"name\": \"a\", "
            "\"domain\": {\"values\": \"Integer\", \"stats\": {\"count\": 4.0, \"mean\": 2.5, "
            "\"standard deviation\": " + PythonFloatRepr(std::sqrt(5.0 / 3.0)) +
            ", \"sample minimum\": 1.0, \"lower quartile\": 1.75, \"median\": 2.5, "
            "\"upper quartile\": 3.25, \"sample maximum\": 4.0}, \"constraints\": []}, "
            "\"required\": true, \"description\": \"a\", \"order\": 0}], \"version\": \"1.1\"}");
  EXPECT_FALSE(s.contains("missing"));
}

TEST(SchemaTest, NanStaysInFileAndIsNullInCatalog) {
  Table t;
  Column c{"0", "float64", {1.5}, true};
  t.columns.push_back(c);
  auto r = InferSchema(t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->schema["schema"][0]["name"], 0);
  EXPECT_EQ(r->schema["schema"][0]["description"], "0");
  std::string file = SchemaFileText(r->schema);
  std::string catalog = SchemaCatalogText(r->schema);
  EXPECT_THAT(file, HasSubstr("\"standard deviation\": NaN"));
  EXPECT_THAT(file, HasSubstr("\"skew\": NaN"));
  EXPECT_THAT(catalog, HasSubstr("\"standard deviation\": null"));
  EXPECT_EQ(catalog.find("NaN"), std::string::npos);
}

TEST(SchemaTest, TooWideGivesNoSchemaAndAWarning) {
  Table t;
  for (int i = 0; i < 5; ++i) t.columns.push_back({std::to_string(i), "int64", {1}, true});
  ScopedLogCapture capture;
  SchemaOptions options;
  options.max_col_num = 4;
  auto r = InferSchema(t, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, SchemaOutcome::kTooWide);
  EXPECT_TRUE(r->schema.is_null());
  ASSERT_EQ(capture.warnings().size(), 1u);
  EXPECT_THAT(capture.warnings()[0], HasSubstr("max_col_num"));
  options.max_col_num = 5;
  EXPECT_EQ(InferSchema(t, options)->outcome, SchemaOutcome::kOk);
}

TEST(SchemaTest, SizeRuleWritesFileButDoesNotAttach) {
  MemEnv env;
  Table small, big;
  small.columns.push_back({"a", "int64", {1, 2}});
  for (int i = 0; i < 150; ++i) big.columns.push_back({"col" + std::to_string(i), "int64", {1, 2}});
  auto w1 = WriteSchemaFile(env, "/input_schema.json", InferSchema(small)->schema);
  ASSERT_TRUE(w1.ok());
  EXPECT_TRUE(w1->attach_to_catalog);
  ScopedLogCapture capture;
  Json big_schema = InferSchema(big)->schema;
  auto w2 = WriteSchemaFile(env, "/output_schema.json", big_schema);
  ASSERT_TRUE(w2.ok());
  EXPECT_FALSE(w2->attach_to_catalog);
  EXPECT_GT(w2->size, kSchemaSizeLimit);
  EXPECT_TRUE(env.FileExists("/output_schema.json"));
  ASSERT_EQ(capture.warnings().size(), 1u);
  EXPECT_THAT(capture.warnings()[0], HasSubstr("larger than `32000` bytes"));
  // The measure is CPython's sys.getsizeof(yaml.dump(d)), checked by Python.
  Env& real = *Env::Default();
  auto dir = real.MakeTempDir("schema-size-");
  ASSERT_TRUE(dir.ok());
  std::string json_path = JoinPath(*dir, "s.json");
  ASSERT_TRUE(real.WriteFile(json_path, SchemaFileText(big_schema)).ok());
  std::string script = JoinPath(*dir, "size.py");
  ASSERT_TRUE(real.WriteFile(script,
                             "import json, sys, yaml\n"
                             "print(sys.getsizeof(yaml.dump(json.load(open(sys.argv[1])))))\n")
                  .ok());
  EXPECT_EQ(RunPython(script, json_path), std::to_string(w2->size) + "\n");
  real.RemoveAll(*dir).IgnoreError();
}

TEST(SchemaTest, LoadsAndRoundTrips) {
  MemEnv env;
  Table t;
  t.columns.push_back({"x", "object", {"a", nullptr, ""}});
  auto r = InferSchema(t);
  ASSERT_TRUE(r.ok());
  const Json& s = r->schema["schema"][0];
  EXPECT_EQ(s["domain"]["stats"], Json::parse(R"({"count": 3, "unique": 1, "missing": 2})"));
  EXPECT_EQ(s["required"], false);
  ASSERT_TRUE(WriteSchemaFile(env, "/s.json", r->schema).ok());
  auto loaded = LoadSchema(env, "/s.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, r->schema);
  auto legacy = LoadSchema(*Env::Default(), DataDir() + "legacy_no_version.json");
  ASSERT_TRUE(legacy.ok()) << legacy.status().ToString();
  EXPECT_EQ((*legacy)["version"], "1.0");
}

TEST(SchemaTest, RejectsBadSchemaFiles) {
  Env& env = *Env::Default();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bad_schema_missing_dtype.json", "attribute #0 needs a string \"dtype\""},
      {"bad_schema_required_string.json", "needs a boolean \"required\""},
      {"bad_schema_name_list.json", "\"name\" that is a string or a number"},
      {"bad_schema_no_list.json", "has no \"schema\" list"},
      {"bad_schema_constraints.json", "\"domain.constraints\" that is not a list"},
      {"bad_schema_truncated.json", "bad_schema_truncated.json"},
  };
  for (const auto& [file, message] : cases) {
    auto r = LoadSchema(env, DataDir() + file);
    EXPECT_FALSE(r.ok()) << file;
    EXPECT_THAT(r.status().message(), HasSubstr(message)) << file;
  }
}

}  // namespace
}  // namespace ads::artifact
