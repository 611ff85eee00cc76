#include "base/ids.h"

#include <regex>

#include <gtest/gtest.h>

#include "base/hash.h"
#include "base/strings.h"

namespace ads {
namespace {

TEST(OcidTest, GeneratesParseableOcids) {
  MemEnv env;
  const std::string id = GenerateOcid(env, "datasciencemodel", "iad");
  EXPECT_TRUE(std::regex_match(id, std::regex(R"(ocid1\.datasciencemodel\.oc1\.iad\.[a-z2-7]{60})")))
      << id;
  auto parsed = ParseOcid(id);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->type, "datasciencemodel");
  EXPECT_EQ(parsed->region, "iad");
  EXPECT_EQ(FormatOcid(*parsed), id);
  EXPECT_NE(GenerateOcid(env, "datasciencemodel", "iad"), id);
}

TEST(OcidTest, RejectsNonOcids) {
  EXPECT_FALSE(ParseOcid("model-123").ok());
  EXPECT_FALSE(ParseOcid("ocid2.x.oc1.iad.abc").ok());
  EXPECT_FALSE(ParseOcid("ocid1..oc1.iad.abc").ok());
  EXPECT_TRUE(ParseOcid("ocid1.tenancy.oc1..aaaa").ok());  // tenancy OCIDs have no region
}

TEST(DisplayNameTest, HasAdsShapeAndAlliterates) {
  MemEnv env;
  env.SetNow(std::chrono::system_clock::time_point(std::chrono::seconds(1660770946)));
  for (int i = 0; i < 50; ++i) {
    env.SetSeed(static_cast<uint64_t>(i));
    const std::string name = RandomDisplayName(env);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(name, m, std::regex(R"(([a-z]+)-([a-z]+)-2022-08-17-21:15\.46)")))
        << name;
    const std::string adjective = m[1];
    const std::string animal = m[2];
    const bool alliterates = adjective[0] == animal[0] ||
                             (adjective[0] == 'f' && animal.rfind("ph", 0) == 0) ||
                             (adjective[0] == 'q' && animal[0] == 'k');
    // Every adjective in our list has an alliterating animal except x-words.
    if (adjective[0] != 'x') {
      EXPECT_TRUE(alliterates) << name;
    }
  }
}

TEST(TimeFormatTest, Rfc3339WithMillis) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1660770946123));
  EXPECT_EQ(FormatRfc3339(t), "2022-08-17T21:15:46.123Z");
}

TEST(HashTest, KnownDigests) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Md5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  std::string out;
  ASSERT_TRUE(Base64Decode(Base64Encode("hello, world"), &out));
  EXPECT_EQ(out, "hello, world");
  EXPECT_FALSE(Base64Decode("ab$c", &out));
  EXPECT_TRUE(out.empty());
  Sha256 h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(HexEncode(h.DigestBytes()), Sha256Hex("abc"));
}

TEST(HashTest, Base64DecodesBothAlphabetsPaddingAndLineBreaks) {
  std::string out;
  // Every length mod 3, so every padding count.
  for (const std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    ASSERT_TRUE(Base64Decode(Base64Encode(text), &out)) << text;
    EXPECT_EQ(out, text);
  }
  ASSERT_TRUE(Base64Decode("Zm9v\r\nYmFy", &out));
  EXPECT_EQ(out, "foobar");
  ASSERT_TRUE(Base64Decode("Zm9vYg", &out));  // unpadded
  EXPECT_EQ(out, "foob");
  const std::string bytes("\xfb\xff\xfe", 3);
  ASSERT_TRUE(Base64Decode("+//+", &out));
  EXPECT_EQ(out, bytes);
  ASSERT_TRUE(Base64Decode("-__-", &out));  // URL-safe
  EXPECT_EQ(out, bytes);
  EXPECT_FALSE(Base64Decode("Zm9v=Zm9v", &out));  // data after padding
  EXPECT_FALSE(Base64Decode("Zm9vYg===", &out));  // three padding characters
  EXPECT_FALSE(Base64Decode("Zm9v YmFy", &out));  // a space
  EXPECT_FALSE(Base64Decode("Zm9v\xc3\xa9", &out));  // a byte >= 0x80
}

TEST(StringsTest, CaseAndSpaceHelpersAreAscii) {
  EXPECT_EQ(ToLower("Content-Type: ABC xyz 09"), "content-type: abc xyz 09");
  EXPECT_EQ(ToUpper("post /a?b=C"), "POST /A?B=C");
  EXPECT_EQ(ToLower("\xc3\x89"), "\xc3\x89");  // bytes >= 0x80 unchanged
  EXPECT_TRUE(EqualsIgnoreCase("X-Content-SHA256", "x-content-sha256"));
  EXPECT_FALSE(EqualsIgnoreCase("content-length", "content-lengtH "));
  EXPECT_FALSE(EqualsIgnoreCase("a[", "A{"));  // '[' and '{' differ by the case bit only
  EXPECT_EQ(Trim(" \t\r\n\v\fvalue \t"), "value");
  EXPECT_EQ(Trim("   "), "");
  CaseInsensitiveLess less;
  EXPECT_FALSE(less("Host", "host"));
  EXPECT_FALSE(less("host", "HOST"));
  EXPECT_TRUE(less("Date", "host"));
  EXPECT_TRUE(less("date", "Host"));
  EXPECT_TRUE(less("host", "hosts"));
}

}  // namespace
}  // namespace ads
