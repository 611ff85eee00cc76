#include "metadata/text_shorten.h"

#include <gtest/gtest.h>

#include "base/env.h"
#include "base/json.h"

namespace ads::metadata {
namespace {

// Cases and expected results come from Python's textwrap.shorten
// (tests/data/metadata/gen_shorten_cases.py).
TEST(ShortenTextTest, MatchesPythonTextwrapOnRecordedCases) {
  const std::string path =
      std::string(ADS_SOURCE_DIR) + "/tests/data/metadata/shorten_cases.json";
  Result<std::string> text = Env::Default()->ReadFile(path);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  Result<Json> cases = ParseJson(*text, path);
  ASSERT_TRUE(cases.ok()) << cases.status().ToString();
  ASSERT_GT(cases->size(), 50u);
  for (const Json& c : *cases) {
    const std::string input = c["text"].get<std::string>();
    EXPECT_EQ(ShortenText(input, c["width"].get<size_t>(), "..."),
              c["expected"].get<std::string>())
        << "input: " << input << " width: " << c["width"];
  }
}

TEST(ShortenTextTest, KeepsShortTextButCollapsesWhitespace) {
  EXPECT_EQ(ShortenText("a  b\n c", 255, "..."), "a b c");
  EXPECT_EQ(ShortenText("", 10, "..."), "");
}

TEST(ShortenTextTest, DefaultPlaceholderIsPythons) {
  EXPECT_EQ(ShortenText("Hello  world!", 11), "Hello [...]");
}

}  // namespace
}  // namespace ads::metadata
