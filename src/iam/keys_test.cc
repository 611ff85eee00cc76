#include "iam/keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "base/env.h"
#include "base/hash.h"

namespace ads::iam {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Fixture(const std::string& name) {
  Result<std::string> text =
      Env::Default()->ReadFile(std::string(ADS_SOURCE_DIR) + "/tests/data/iam/" + name);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.value_or("");
}

// Fingerprints computed by the openssl CLI (see tests/data/iam/README.md).
constexpr char kDocKeyFingerprint[] = "73:61:a2:21:67:e0:df:be:7e:4b:93:1e:15:98:a5:b7";
constexpr char kEncryptedTraditionalFingerprint[] =
    "00:bc:7c:4c:90:00:98:d0:80:65:f0:f6:2d:58:dd:d0";
constexpr char kEncryptedPkcs8Fingerprint[] = "19:46:34:25:fb:4d:a8:ac:7f:d3:75:c9:dd:c8:8c:52";

TEST(KeysTest, FingerprintMatchesOpensslCli) {
  Result<PrivateKey> key = PrivateKey::FromPem(Fixture("oci_doc_key.pem"));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->public_key().Fingerprint(), kDocKeyFingerprint);
  EXPECT_EQ(key->bits(), 1024);
  Result<PublicKey> pub = PublicKey::FromPem(Fixture("oci_doc_key.pub.pem"));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(pub->Fingerprint(), kDocKeyFingerprint);
  EXPECT_TRUE(*pub == key->public_key());
}

TEST(KeysTest, ReadsPkcs1PublicKey) {
  Result<PublicKey> pub = PublicKey::FromPem(Fixture("oci_doc_key.pkcs1.pub.pem"));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(pub->Fingerprint(), kDocKeyFingerprint);
  // Written back as SubjectPublicKeyInfo, byte-equal to openssl's output.
  EXPECT_EQ(pub->ToPem(), Fixture("oci_doc_key.pub.pem"));
}

TEST(KeysTest, GeneratedKeyRoundTripsThroughEveryPemForm) {
  Result<PrivateKey> key = PrivateKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->bits(), 2048);
  const std::string fingerprint = key->public_key().Fingerprint();
  EXPECT_EQ(fingerprint.size(), 47u);

  Result<std::string> pkcs8 = key->ToPem(PrivateKeyFormat::kPkcs8);
  ASSERT_TRUE(pkcs8.ok());
  EXPECT_THAT(*pkcs8, StartsWith("-----BEGIN PRIVATE KEY-----\n"));
  Result<std::string> traditional = key->ToPem(PrivateKeyFormat::kTraditional);
  ASSERT_TRUE(traditional.ok());
  EXPECT_THAT(*traditional, StartsWith("-----BEGIN RSA PRIVATE KEY-----\n"));
  Result<std::string> encrypted = key->ToPem(PrivateKeyFormat::kPkcs8, "pw");
  ASSERT_TRUE(encrypted.ok());
  EXPECT_THAT(*encrypted, StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
  Result<std::string> encrypted_trad = key->ToPem(PrivateKeyFormat::kTraditional, "pw");
  ASSERT_TRUE(encrypted_trad.ok());
  EXPECT_THAT(*encrypted_trad, HasSubstr("Proc-Type: 4,ENCRYPTED"));

  for (const auto& [pem, pass] : {std::pair{*pkcs8, ""}, std::pair{*traditional, ""},
                                  std::pair{*encrypted, "pw"}, std::pair{*encrypted_trad, "pw"}}) {
    Result<PrivateKey> back = PrivateKey::FromPem(pem, pass);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->public_key().Fingerprint(), fingerprint);
  }
  Result<PublicKey> pub = PublicKey::FromPem(key->public_key().ToPem());
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->Fingerprint(), fingerprint);
  EXPECT_EQ(pub->ToDer(), key->public_key().ToDer());
}

TEST(KeysTest, TwoGeneratedKeysDiffer) {
  Result<PrivateKey> a = PrivateKey::Generate();
  Result<PrivateKey> b = PrivateKey::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->public_key().Fingerprint(), b->public_key().Fingerprint());
  EXPECT_FALSE(a->public_key() == b->public_key());
}

TEST(KeysTest, ReadsKeysEncryptedByOpensslCli) {
  Result<PrivateKey> trad = PrivateKey::FromPem(Fixture("encrypted_traditional.pem"), "s3cret");
  ASSERT_TRUE(trad.ok()) << trad.status().ToString();
  EXPECT_EQ(trad->public_key().Fingerprint(), kEncryptedTraditionalFingerprint);
  Result<PrivateKey> pkcs8 = PrivateKey::FromPem(Fixture("encrypted_pkcs8.pem"), "s3cret");
  ASSERT_TRUE(pkcs8.ok()) << pkcs8.status().ToString();
  EXPECT_EQ(pkcs8->public_key().Fingerprint(), kEncryptedPkcs8Fingerprint);
}

TEST(KeysTest, EncryptedKeyWithoutOrWithWrongPassphraseIsAClearError) {
  for (const char* file : {"encrypted_traditional.pem", "encrypted_pkcs8.pem"}) {
    Result<PrivateKey> missing = PrivateKey::FromPem(Fixture(file));
    ASSERT_FALSE(missing.ok()) << file;
    EXPECT_THAT(missing.status().message(), HasSubstr("encrypted and no passphrase"));
    Result<PrivateKey> wrong = PrivateKey::FromPem(Fixture(file), "nope");
    ASSERT_FALSE(wrong.ok()) << file;
    EXPECT_THAT(wrong.status().message(), HasSubstr("passphrase is wrong"));
  }
}

TEST(KeysTest, BadPemIsAClearError) {
  Result<PrivateKey> not_pem = PrivateKey::FromPem("hello");
  ASSERT_FALSE(not_pem.ok());
  EXPECT_EQ(not_pem.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(not_pem.status().message(), HasSubstr("not PEM text"));

  Result<PrivateKey> public_as_private = PrivateKey::FromPem(Fixture("oci_doc_key.pub.pem"));
  ASSERT_FALSE(public_as_private.ok());
  EXPECT_THAT(public_as_private.status().message(), HasSubstr("`PUBLIC KEY`"));

  Result<PublicKey> private_as_public = PublicKey::FromPem(Fixture("oci_doc_key.pem"));
  ASSERT_FALSE(private_as_public.ok());
  EXPECT_THAT(private_as_public.status().message(), HasSubstr("not a public key"));

  Result<PrivateKey> garbled = PrivateKey::FromPem(
      "-----BEGIN PRIVATE KEY-----\nAAAAbad\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(garbled.ok());
  EXPECT_THAT(garbled.status().message(), HasSubstr("could not be decoded"));

  Result<PublicKey> garbled_pub =
      PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  ASSERT_FALSE(garbled_pub.ok());
  EXPECT_THAT(garbled_pub.status().message(), HasSubstr("could not be decoded"));
}

TEST(KeysTest, NonRsaKeyIsRefused) {
  Result<PrivateKey> ec = PrivateKey::FromPem(Fixture("ec_key.pem"));
  ASSERT_FALSE(ec.ok());
  EXPECT_THAT(ec.status().message(), HasSubstr("not an RSA key"));
}

TEST(KeysTest, SignatureIsDeterministicAndVerifies) {
  Result<PrivateKey> key = PrivateKey::FromPem(Fixture("oci_doc_key.pem"));
  ASSERT_TRUE(key.ok());
  Result<std::string> s1 = key->SignSha256("hello");
  Result<std::string> s2 = key->SignSha256("hello");
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_EQ(*s1, *s2);
  EXPECT_EQ(s1->size(), 128u);  // 1024-bit modulus
  EXPECT_TRUE(key->public_key().VerifySha256("hello", *s1));
  EXPECT_FALSE(key->public_key().VerifySha256("hellO", *s1));
  std::string flipped = *s1;
  flipped[5] ^= 1;
  EXPECT_FALSE(key->public_key().VerifySha256("hello", flipped));
  EXPECT_FALSE(key->public_key().VerifySha256("hello", ""));
}

TEST(KeysTest, CopiesShareTheKey) {
  Result<PrivateKey> key = PrivateKey::FromPem(Fixture("oci_doc_key.pem"));
  ASSERT_TRUE(key.ok());
  PrivateKey copy = *key;
  PublicKey pub = copy.public_key();
  PublicKey pub_copy = pub;
  pub_copy = pub;
  EXPECT_EQ(pub_copy.Fingerprint(), kDocKeyFingerprint);
  Result<std::string> sig = copy.SignSha256("x");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(pub_copy.VerifySha256("x", *sig));
}

TEST(KeysTest, RefusesSmallKeySizes) {
  EXPECT_FALSE(PrivateKey::Generate(1024).ok());
}

}  // namespace
}  // namespace ads::iam
