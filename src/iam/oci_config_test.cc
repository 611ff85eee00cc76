#include "iam/oci_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace ads::iam {
namespace {

using ::testing::HasSubstr;

// The values below were checked with Python's
// configparser.ConfigParser(interpolation=None), as oci-python-sdk reads it.
constexpr char kSample[] = R"(# comment
; another
[DEFAULT]
Region = us-ashburn-1
tenancy=ocid1.tenancy.oc1..aaaa
key_file: ~/.oci/key.pem

[work]
user = ocid1.user.oc1..bbbb
fingerprint = 12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0
description = first line
   second line
region = eu-frankfurt-1
  # not a comment?
pass_phrase = p%ss ; not a comment
)";

constexpr char kFingerprint[] = "12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0";

TEST(OciConfigTest, ParsesLikeConfigParser) {
  Result<IniFile> ini = ParseIni(kSample, "config");
  ASSERT_TRUE(ini.ok()) << ini.status().ToString();
  Result<std::map<std::string, std::string>> work = ini->Profile("work");
  ASSERT_TRUE(work.ok());
  const std::map<std::string, std::string> expected = {
      {"user", "ocid1.user.oc1..bbbb"},
      {"fingerprint", kFingerprint},
      {"description", "first line\nsecond line"},
      {"region", "eu-frankfurt-1"},
      {"pass_phrase", "p%ss ; not a comment"},
      {"tenancy", "ocid1.tenancy.oc1..aaaa"},
      {"key_file", "~/.oci/key.pem"}};
  EXPECT_EQ(*work, expected);
  Result<std::map<std::string, std::string>> defaults = ini->Profile("DEFAULT");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(*defaults, (std::map<std::string, std::string>{
                           {"region", "us-ashburn-1"},
                           {"tenancy", "ocid1.tenancy.oc1..aaaa"},
                           {"key_file", "~/.oci/key.pem"}}));
  EXPECT_FALSE(ini->Profile("Work").ok());  // profile names are case-sensitive
}

TEST(OciConfigTest, ParseErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"user=x\n[DEFAULT]\n", "line 1: a key comes before any [PROFILE] header"},
           Case{"[a]\nuser=x\nUSER=y\n", "line 3: the key `user` appears twice"},
           Case{"[a]\n[b]\n[a]\n", "line 3: the profile `a` appears twice"},
           Case{"[a]\njust words\n", "line 2: `just words` is not of the form key = value"},
           Case{"[a]\n = v\n", "line 2: a value has no key name"},
           Case{"[a] trailing\n", "line 1: `[a] trailing` is not a section header"},
       }) {
    Result<IniFile> ini = ParseIni(c.text, "/home/u/.oci/config");
    ASSERT_FALSE(ini.ok()) << c.text;
    EXPECT_THAT(ini.status().message(), HasSubstr(c.message));
    EXPECT_THAT(ini.status().message(), HasSubstr("`/home/u/.oci/config`"));
  }
  // CRLF line ends are fine.
  EXPECT_TRUE(ParseIni("[DEFAULT]\r\nuser = x\r\n", "c").ok());
}

std::map<std::string, std::string> GoodValues() {
  return {{"user", "ocid1.user.oc1..bbbb"},
          {"tenancy", "ocid1.tenancy.oc1..aaaa"},
          {"fingerprint", kFingerprint},
          {"key_file", "~/.oci/key.pem"},
          {"region", "us-ashburn-1"}};
}

TEST(OciConfigTest, ValidatesAndExpandsKeyFile) {
  Result<OciConfig> c = ValidateOciProfile(GoodValues(), "cfg", "DEFAULT", "/home/u");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->key_file, "/home/u/.oci/key.pem");
  EXPECT_EQ(c->KeyId(), std::string("ocid1.tenancy.oc1..aaaa/ocid1.user.oc1..bbbb/") + kFingerprint);
}

TEST(OciConfigTest, MissingOrBadKeysNameProfileAndKey) {
  for (const char* key : {"user", "tenancy", "fingerprint", "key_file", "region"}) {
    std::map<std::string, std::string> values = GoodValues();
    values.erase(key);
    Result<OciConfig> c = ValidateOciProfile(values, "/h/.oci/config", "work", "/h");
    ASSERT_FALSE(c.ok()) << key;
    EXPECT_EQ(c.status().message(), "The config file `/h/.oci/config`, profile `work`: the key `" +
                                        std::string(key) + "` is missing.");
  }
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"user", "bob"},
      {"tenancy", "ocid1.tenancy"},
      {"fingerprint", "12:34"},
      {"fingerprint", "12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0"},
  };
  for (const auto& [key, value] : bad) {
    std::map<std::string, std::string> values = GoodValues();
    values[key] = value;
    Result<OciConfig> c = ValidateOciProfile(values, "cfg", "DEFAULT", "/h");
    ASSERT_FALSE(c.ok()) << key << "=" << value;
    EXPECT_THAT(c.status().message(), HasSubstr("profile `DEFAULT`: the value `" + value +
                                                "` of `" + key + "`"));
  }
  std::map<std::string, std::string> with_content = GoodValues();
  with_content["key_content"] = "-----BEGIN";
  EXPECT_FALSE(ValidateOciProfile(with_content, "cfg", "DEFAULT", "/h").ok());
}

TEST(OciConfigTest, SecurityTokenProfileNeedsNoUser) {
  std::map<std::string, std::string> values = GoodValues();
  values.erase("user");
  values.erase("fingerprint");
  values["security_token_file"] = "~/.oci/sessions/token";
  Result<OciConfig> c = ValidateOciProfile(values, "cfg", "DEFAULT", "/h");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->security_token_file, "/h/.oci/sessions/token");
}

TEST(OciConfigTest, ExpandUser) {
  EXPECT_EQ(ExpandUser("~", "/h"), "/h");
  EXPECT_EQ(ExpandUser("~/a/b", "/h"), "/h/a/b");
  EXPECT_EQ(ExpandUser("~bob/a", "/h"), "~bob/a");
  EXPECT_EQ(ExpandUser("/abs/~", "/h"), "/abs/~");
  EXPECT_EQ(ExpandUser("~/a", ""), "~/a");
}

class OciConfigEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.SetEnvVar("HOME", "/home/u");
    ASSERT_TRUE(env_.CreateDirs("/home/u").ok());
  }
  void Write(const std::string& path, const std::string& text) {
    ASSERT_TRUE(env_.CreateDirs(DirName(path)).ok());
    ASSERT_TRUE(env_.WriteFile(path, text).ok());
  }
  MemEnv env_;
};

TEST_F(OciConfigEnvTest, LocationOrder) {
  Result<std::string> none = FindOciConfigPath(env_);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(), HasSubstr("~/.ads/config"));
  EXPECT_THAT(none.status().message(), HasSubstr("~/.oci/config"));

  Write("/home/u/.oci/config", "[DEFAULT]\n");
  EXPECT_EQ(*FindOciConfigPath(env_), "/home/u/.oci/config");
  Write("/home/u/.ads/config", "[DEFAULT]\n");
  EXPECT_EQ(*FindOciConfigPath(env_), "/home/u/.ads/config");
  Write("/etc/oci.cfg", "[DEFAULT]\n");
  env_.SetEnvVar("OCI_CONFIG_FILE", "/etc/oci.cfg");
  EXPECT_EQ(*FindOciConfigPath(env_), "/etc/oci.cfg");
  env_.SetEnvVar("OCI_CONFIG_FILE", "~/missing");
  Result<std::string> missing = FindOciConfigPath(env_);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("`/home/u/missing` named by OCI_CONFIG_FILE"));
}

TEST_F(OciConfigEnvTest, ProfileFromArgumentOrEnvironment) {
  Write("/home/u/.oci/config", kSample);
  Result<OciConfig> work = LoadOciConfig(env_, "", "work");
  ASSERT_TRUE(work.ok()) << work.status().ToString();
  EXPECT_EQ(work->region, "eu-frankfurt-1");
  EXPECT_EQ(work->tenancy, "ocid1.tenancy.oc1..aaaa");  // inherited from DEFAULT
  EXPECT_EQ(work->key_file, "/home/u/.oci/key.pem");
  EXPECT_EQ(work->pass_phrase, "p%ss ; not a comment");
  EXPECT_EQ(work->path, "/home/u/.oci/config");

  // DEFAULT alone lacks user: a clear error naming the profile.
  Result<OciConfig> def = LoadOciConfig(env_);
  ASSERT_FALSE(def.ok());
  EXPECT_THAT(def.status().message(), HasSubstr("profile `DEFAULT`: the key `user` is missing"));

  env_.SetEnvVar("OCI_CONFIG_PROFILE", "work");
  EXPECT_TRUE(LoadOciConfig(env_).ok());
  Result<OciConfig> other = LoadOciConfig(env_, "", "nope");
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.status().message(), HasSubstr("has no profile `nope`"));
}

// On the real file system, so that the modes are the operating system's.
TEST(OciConfigFileTest, WriteThenLoadWithKey) {
  Env& env = *Env::Default();
  Result<std::string> tmp = env.MakeTempDir("iam_config_test");
  ASSERT_TRUE(tmp.ok());
  const std::string keys_dir = *tmp + "/ads/keys";
  const std::string key_path = keys_dir + "/admin.pem";
  const std::string config_path = *tmp + "/ads/config";
  Result<PrivateKey> key = PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(WritePrivateKeyFile(env, key_path, *key, "pw").ok());
  EXPECT_EQ(env.Stat(key_path)->mode & 0777, 0600u);
  EXPECT_EQ(env.Stat(keys_dir)->mode & 0777, 0700u);

  OciConfigValues values{"ocid1.user.oc1..bbbb", "ocid1.tenancy.oc1..aaaa",
                         key->public_key().Fingerprint(), key_path, "us-ashburn-1",
                         "http://127.0.0.1:8080"};
  EXPECT_EQ(FormatOciConfig(values),
            "[DEFAULT]\nuser=ocid1.user.oc1..bbbb\ntenancy=ocid1.tenancy.oc1..aaaa\n"
            "fingerprint=" + key->public_key().Fingerprint() + "\nkey_file=" + key_path +
                "\nregion=us-ashburn-1\nendpoint=http://127.0.0.1:8080\n");
  ASSERT_TRUE(WriteOciConfig(env, config_path, values).ok());
  EXPECT_EQ(env.Stat(config_path)->mode & 0777, 0600u);
  Status again = WriteOciConfig(env, config_path, values);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(WriteOciConfig(env, config_path, values, /*overwrite=*/true).ok());

  Result<OciConfig> config = LoadOciConfig(env, config_path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->endpoint, "http://127.0.0.1:8080");
  // The key is encrypted and the config has no pass_phrase.
  Result<PrivateKey> no_pass = LoadPrivateKey(env, *config);
  ASSERT_FALSE(no_pass.ok());
  EXPECT_THAT(no_pass.status().message(), HasSubstr("key_file `" + key_path + "`"));
  EXPECT_THAT(no_pass.status().message(), HasSubstr("no passphrase"));
  config->pass_phrase = "pw";
  Result<PrivateKey> loaded = LoadPrivateKey(env, *config);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->public_key().Fingerprint(), config->fingerprint);

  config->key_file = *tmp + "/nothing.pem";
  Result<PrivateKey> missing = LoadPrivateKey(env, *config);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("could not be read"));
  EXPECT_TRUE(env.RemoveAll(*tmp).ok());
}

TEST_F(OciConfigEnvTest, WriteRefusesLineBreaksInValues) {
  OciConfigValues values{"ocid1.user.oc1..b\nregion=evil", "t", "f", "/k", "r", ""};
  Status s = WriteOciConfig(env_, "/home/u/.ads/config", values);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(env_.FileExists("/home/u/.ads/config"));
}

}  // namespace
}  // namespace ads::iam
