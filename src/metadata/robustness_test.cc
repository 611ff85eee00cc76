// Robustness of the metadata readers and of the base JSON/YAML parsers: valid
// documents are mutated with fixed seeds (bytes and JSON node types) and fed
// to every reader. Each call must return a value or a non-OK Status with a
// message; a crash, an abort, an escaping exception or a sanitizer report
// fails the run.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/json.h"
#include "base/test_mutator.h"
#include "base/yaml.h"
#include "metadata/model_metadata.h"
#include "metadata/serialization.h"

namespace ads::metadata {
namespace {

using ads::testing::DeepNesting;
using ads::testing::Mutator;

constexpr int kRounds = 400;

template <typename T>
bool Clean(const Result<T>& r) {
  return r.ok() || !r.status().message().empty();
}

ModelMetadata Sample() {
  ModelMetadata m;
  EXPECT_TRUE(m.taxonomy.Set("Framework", "xgboost").ok());
  EXPECT_TRUE(m.taxonomy.Set("UseCaseType", "regression").ok());
  EXPECT_TRUE(m.taxonomy.Set("Hyperparameters", Json{{"max_depth", 3}, {"eta", 0.3}}).ok());
  EXPECT_TRUE(m.custom.Add("accuracy", 0.97, "Test accuracy", "Performance").ok());
  EXPECT_TRUE(m.custom.Add("notes", "text", "", "Other").ok());
  m.provenance.git_commit = "0123456789abcdef0123456789abcdef01234567";
  m.provenance.git_branch = "main";
  m.provenance.artifact_dir = "/art";
  return m;
}

// Everything a caller does with a metadata document read from a file.
void UseMetadata(const ModelMetadata& m) {
  (void)m.Validate();
  (void)DumpPythonJson(m.ToJson());
  (void)RenderMetadataTable(m, 20);
  (void)ToOciList(m.taxonomy);
  (void)ToOciList(m.custom);
}

// The metadata readers on one JSON document; counts the clean results.
int FeedMetadataReaders(const Json& doc) {
  int clean = 0;
  Result<ModelMetadata> m = ModelMetadata::FromJson(doc, "metadata.json");
  clean += Clean(m);
  if (m.ok()) UseMetadata(*m);
  for (const char* key : {"taxonomy", "custom", "provenance"}) {
    const Json part = doc.is_object() && doc.contains(key) ? doc.at(key) : doc;
    Result<TaxonomyMetadata> t = TaxonomyFromAdsDict(part);
    clean += Clean(t);
    if (t.ok()) (void)ToAdsDict(*t);
    Result<CustomMetadata> c = CustomFromAdsDict(part);
    clean += Clean(c);
    if (c.ok()) (void)c->Validate();
    clean += Clean(ProvenanceFromAdsDict(part));
    clean += Clean(ProvenanceFromOci(part));
  }
  return clean;
}

int FeedOciReaders(const Json& list) {
  int clean = 0;
  Result<TaxonomyMetadata> t = TaxonomyFromOciList(list);
  clean += Clean(t);
  if (t.ok()) (void)ToOciList(*t);
  Result<CustomMetadata> c = CustomFromOciList(list);
  clean += Clean(c);
  if (c.ok()) (void)ToOciList(*c);
  if (list.is_array()) {
    for (const Json& item : list) {
      if (item.is_object() && item.contains("value")) (void)FromOciValue(item.at("value"));
    }
  }
  return clean;
}

TEST(MetadataRobustnessTest, ModelMetadataFromJsonSurvivesTypeSwaps) {
  const Json valid = Sample().ToJson();
  ASSERT_TRUE(ModelMetadata::FromJson(valid, "metadata.json").ok());
  Mutator mutator(1234);
  Json doc = valid;
  for (int i = 0; i < kRounds; ++i) {
    // Mutations accumulate for a while, then start again from the valid file.
    doc = mutator.MutateJson(i % 4 == 0 ? valid : doc);
    EXPECT_EQ(FeedMetadataReaders(doc), 13) << DumpPythonJson(doc).substr(0, 300);
  }
}

TEST(MetadataRobustnessTest, ModelMetadataLoadSurvivesByteMutations) {
  PythonJsonOptions options;
  options.indent = 2;
  const std::string valid = DumpPythonJson(Sample().ToJson(), options);
  Mutator mutator(99);
  int parsed = 0;
  for (int i = 0; i < kRounds; ++i) {
    const std::string text = mutator.MutateBytes(valid);
    Result<Json> doc = ParseJson(text, "metadata.json");
    ASSERT_TRUE(Clean(doc));
    if (!doc.ok()) continue;
    ++parsed;
    EXPECT_EQ(FeedMetadataReaders(*doc), 13);
  }
  EXPECT_GT(parsed, 0);  // some mutants must get past the JSON parser
}

TEST(MetadataRobustnessTest, OciListsSurviveTypeSwaps) {
  const ModelMetadata m = Sample();
  Mutator mutator(7);
  for (const Json& valid : {ToOciList(m.taxonomy), ToOciList(m.custom)}) {
    ASSERT_EQ(FeedOciReaders(valid), 2);
    Json list = valid;
    for (int i = 0; i < kRounds; ++i) {
      list = mutator.MutateJson(i % 4 == 0 ? valid : list);
      EXPECT_EQ(FeedOciReaders(list), 2) << DumpPythonJson(list).substr(0, 300);
    }
  }
}

TEST(MetadataRobustnessTest, OciValuesThatAreJsonTextAreSafe) {
  // FromOciValue parses string values as JSON: hostile strings included.
  for (const std::string& text :
       {DeepNesting("[", "]", 100000), DeepNesting("{\"a\":", "}", 100000), std::string("NaN"),
        std::string("[NaN, Infinity, -Infinity]"), std::string("1e999"),
        std::string("-18446744073709551617"), std::string("\"\\ud800\""),
        std::string("\xff\xfe"), std::string(1, '\0')}) {
    Json list = Json::array({Json{{"key", "k"}, {"value", text}, {"hasArtifact", false}}});
    EXPECT_EQ(FeedOciReaders(list), 2);
  }
}

TEST(MetadataRobustnessTest, ParseJsonRejectsDeepNestingWithAMessage) {
  for (const std::string& text : {DeepNesting("[", "]", 200000), DeepNesting("{\"k\":", "}", 50000),
                                  std::string(300000, '['),
                                  DeepNesting("[NaN,", "]", 5000)}) {
    Result<Json> r = ParseJson(text, "deep.json");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("deep.json"), std::string::npos) << r.status().message();
  }
  // Nesting Python's json still reads is unchanged, and serialises back.
  Result<Json> ok = ParseJson(DeepNesting("[", "]", 900), "deep.json");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(DumpPythonJson(*ok).size(), 1801u);
}

TEST(MetadataRobustnessTest, ParseYamlSurvivesMutationsAndHostileInput) {
  const std::string valid =
      "a: 1\nb: [1, 2.5, 'x', \"y\\n\"]\nc:\n  d: &anchor {e: yes, f: ~}\n  g: *anchor\n"
      "h: |\n  block\n  text\nlist:\n- 0x1F\n- 0o17\n- 1_000\n- .inf\n- 2001-12-14\n";
  ASSERT_TRUE(ParseYaml(valid).ok());
  Mutator mutator(2024);
  for (int i = 0; i < kRounds; ++i) {
    const std::string text = mutator.MutateBytes(valid);
    Result<Json> r = ParseYaml(text, "doc.yaml");
    ASSERT_TRUE(Clean(r));
    if (r.ok()) {
      (void)DumpYamlPy(*r);
      (void)DumpPythonJson(*r);
    }
  }
  // Billion laughs: every level doubles; the node and text budgets stop it.
  std::string laughs = "a0: &a0 '" + std::string(1000, 'x') + "'\n";
  for (int k = 1; k < 30; ++k) {
    laughs += "a" + std::to_string(k) + ": &a" + std::to_string(k) + " [*a" +
              std::to_string(k - 1) + ", *a" + std::to_string(k - 1) + "]\n";
  }
  Result<Json> bomb = ParseYaml(laughs, "laughs.yaml");
  ASSERT_FALSE(bomb.ok());
  EXPECT_FALSE(bomb.status().message().empty());
  // One long scalar behind many aliases: bounded by the text budget.
  std::string aliases = "s: &s '" + std::string(1 << 20, 'y') + "'\nl: [";
  for (int k = 0; k < 100000; ++k) aliases += "*s,";
  aliases += "*s]\n";
  Result<Json> copies = ParseYaml(aliases, "aliases.yaml");
  ASSERT_FALSE(copies.ok());
  EXPECT_NE(copies.status().message().find("bytes of text"), std::string::npos)
      << copies.status().message();
  for (const std::string& text :
       {DeepNesting("[", "]", 100000), DeepNesting("{a: ", "}", 100000),
        DeepNesting("- ", "", 3000), std::string("!!int 99999999999999999999999"),
        std::string("!!float abc"), std::string("*unknown"), std::string("a: &x\nb: *x\n"),
        std::string("<<: 5"), std::string("? [1, 2]\n: v"), std::string("\xff\xfe\x00", 3),
        std::string("\"\\U0010FFFF\\x\""), std::string("--- 1\n--- 2\n")}) {
    EXPECT_TRUE(Clean(ParseYaml(text, "hostile.yaml")));
  }
}

}  // namespace
}  // namespace ads::metadata
