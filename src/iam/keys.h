// RSA keys for OCI API signing: generation, PEM read/write and the OCI API-key
// fingerprint.
//
//   ADS_ASSIGN_OR_RETURN(iam::PrivateKey key, iam::PrivateKey::Generate());
//   ADS_ASSIGN_OR_RETURN(std::string pem, key.ToPem());           // PKCS#8
//   std::string fingerprint = key.public_key().Fingerprint();     // "aa:bb:..."
//   ADS_ASSIGN_OR_RETURN(std::string sig, key.SignSha256(text));  // PKCS#1 v1.5
//   bool ok = key.public_key().VerifySha256(text, sig);
//
// The fingerprint is the one the OCI console, CLI and SDKs show: MD5 of the
// DER SubjectPublicKeyInfo, lower-case hex pairs joined by ':'.
//
// Thread-safety: a key is immutable after construction; one key may sign or
// verify from many threads at once. Copies share the underlying OpenSSL key.
//
// Performance: a PublicKey is parsed once and then cheap to copy (a shared
// pointer). Its fingerprint is computed when it is constructed, and it keeps
// a verification context prepared for RSA-PKCS1-SHA256, so that a verify
// costs the RSA operation and not OpenSSL 3's per-call algorithm fetches
// (global locks, name comparisons) nor re-encoding the key.
#ifndef ADS_IAM_KEYS_H_
#define ADS_IAM_KEYS_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

// OpenSSL's EVP_PKEY, forward-declared so that users of this header do not
// need OpenSSL's headers.
struct evp_pkey_st;

namespace ads::iam {

namespace internal {
struct EvpPkeyDeleter {
  void operator()(evp_pkey_st* key) const;
};
using EvpPkeyPtr = std::unique_ptr<evp_pkey_st, EvpPkeyDeleter>;
// Another owning reference to the same key (EVP_PKEY_up_ref).
EvpPkeyPtr ShareKey(evp_pkey_st* key);
// A PublicKey's parsed key, fingerprint and prepared verify context.
struct PublicKeyState;
}  // namespace internal

inline constexpr int kDefaultRsaBits = 2048;

class PublicKey {
 public:
  // Accepts "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo, what OCI
  // uploads) and "-----BEGIN RSA PUBLIC KEY-----" (PKCS#1). RSA only.
  static Result<PublicKey> FromPem(std::string_view pem);

  PublicKey(const PublicKey& other) = default;
  PublicKey& operator=(const PublicKey& other) = default;
  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;
  ~PublicKey() = default;

  // "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo), '\n' line ends.
  std::string ToPem() const;
  // DER SubjectPublicKeyInfo.
  std::string ToDer() const;
  // OCI API-key fingerprint: MD5 over ToDer(), "xx:xx:...:xx" (16 pairs).
  // Computed once, when the key is constructed.
  std::string Fingerprint() const;
  // Fingerprint() == fingerprint, without a copy (the per-request check).
  bool HasFingerprint(std::string_view fingerprint) const;
  int bits() const;

  // RSASSA-PKCS1-v1_5 with SHA-256 over `data`; `signature` is raw bytes.
  bool VerifySha256(std::string_view data, std::string_view signature) const;

  // The RSA modulus and public exponent as unsigned big-endian bytes (what
  // a JWK's "n" and "e" carry, base64url-encoded), and the way back.
  struct RsaComponents {
    std::string modulus;
    std::string exponent;
  };
  Result<RsaComponents> Components() const;
  // InvalidArgument for an empty modulus or exponent, an even modulus or one
  // under 2048 bits.
  static Result<PublicKey> FromComponents(std::string_view modulus, std::string_view exponent);

  bool operator==(const PublicKey& other) const;

 private:
  friend class PrivateKey;
  explicit PublicKey(internal::EvpPkeyPtr key);
  // Null only in a moved-from key.
  std::shared_ptr<const internal::PublicKeyState> state_;
};

// How a private key is written.
enum class PrivateKeyFormat {
  kPkcs8,        // "BEGIN PRIVATE KEY" / "BEGIN ENCRYPTED PRIVATE KEY"
  kTraditional,  // "BEGIN RSA PRIVATE KEY" (PKCS#1; encrypted with DEK-Info)
};

class PrivateKey {
 public:
  // A fresh RSA key (public exponent 65537) from OpenSSL's CSPRNG.
  static Result<PrivateKey> Generate(int bits = kDefaultRsaBits);
  // Accepts PKCS#8 ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY") and traditional
  // ("RSA PRIVATE KEY", possibly encrypted). An encrypted key needs
  // `passphrase`; OpenSSL never prompts on the terminal. RSA only.
  static Result<PrivateKey> FromPem(std::string_view pem,
                                    std::string_view passphrase = {});

  PrivateKey(const PrivateKey& other);
  PrivateKey& operator=(const PrivateKey& other);
  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;
  ~PrivateKey() = default;

  // PEM text; with a passphrase the key is encrypted with AES-256-CBC.
  Result<std::string> ToPem(PrivateKeyFormat format = PrivateKeyFormat::kPkcs8,
                            std::string_view passphrase = {}) const;
  PublicKey public_key() const;
  int bits() const;

  // RSASSA-PKCS1-v1_5 with SHA-256 over `data`: the raw signature bytes.
  // Deterministic: the same key and data always give the same bytes.
  Result<std::string> SignSha256(std::string_view data) const;

 private:
  explicit PrivateKey(internal::EvpPkeyPtr key) : key_(std::move(key)) {}
  internal::EvpPkeyPtr key_;
};

}  // namespace ads::iam

#endif  // ADS_IAM_KEYS_H_
