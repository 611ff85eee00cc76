#include "iam/keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <string>

#include "base/strings.h"

namespace ads::iam {
namespace internal {

void EvpPkeyDeleter::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

EvpPkeyPtr ShareKey(evp_pkey_st* key) {
  if (key == nullptr) return EvpPkeyPtr();
  EVP_PKEY_up_ref(key);
  return EvpPkeyPtr(key);
}

struct PublicKeyState {
  EvpPkeyPtr key;
  std::string fingerprint;
  // EVP_PKEY_verify_init'ed for RSASSA-PKCS1-v1_5 over a SHA-256 digest.
  // Never used directly: each verify works on a duplicate, so that threads
  // share nothing mutable. Null when it could not be prepared (VerifySha256
  // then takes the slow path).
  EVP_PKEY_CTX* verify_template = nullptr;

  PublicKeyState() = default;
  PublicKeyState(const PublicKeyState&) = delete;
  PublicKeyState& operator=(const PublicKeyState&) = delete;
  ~PublicKeyState() { EVP_PKEY_CTX_free(verify_template); }
};

}  // namespace internal

namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
struct DecoderCtxDeleter {
  void operator()(OSSL_DECODER_CTX* ctx) const { OSSL_DECODER_CTX_free(ctx); }
};
using DecoderCtxPtr = std::unique_ptr<OSSL_DECODER_CTX, DecoderCtxDeleter>;
struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter>;
struct ParamDeleter {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamDeleter>;

// The most recent OpenSSL error as text (and clears the queue), so that
// messages carry OpenSSL's reason without leaking state to the next call.
std::string TakeOpenSslError() {
  unsigned long code = ERR_peek_last_error();
  std::string text;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    text = buf;
  }
  ERR_clear_error();
  return text.empty() ? "unknown OpenSSL error" : text;
}

// The RSA parameter `name` ("n", "e") of `key` as unsigned big-endian bytes.
Result<std::string> RsaParam(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (key == nullptr || EVP_PKEY_get_bn_param(key, name, &raw) != 1) {
    return InternalError(std::string("Reading the RSA parameter ") + name + " failed (" +
                         TakeOpenSslError() + ").");
  }
  BnPtr bn(raw);
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return bytes;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

BioPtr MemBio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// The label of the first PEM block ("RSA PRIVATE KEY"), or empty.
std::string PemLabel(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  size_t start = pem.find(kBegin);
  if (start == std::string_view::npos) return {};
  start += kBegin.size();
  size_t end = pem.find("-----", start);
  if (end == std::string_view::npos) return {};
  return std::string(pem.substr(start, end - start));
}

struct PassphraseState {
  std::string_view passphrase;
  bool asked = false;
};

// Supplies the passphrase to OpenSSL; without one it fails instead of letting
// OpenSSL prompt on the terminal (a server has no terminal).
int PassphraseCallback(char* buf, int size, int /*rwflag*/, void* user) {
  auto* state = static_cast<PassphraseState*>(user);
  state->asked = true;
  if (state->passphrase.empty() ||
      state->passphrase.size() > static_cast<size_t>(size)) {
    return 0;
  }
  state->passphrase.copy(buf, state->passphrase.size());
  return static_cast<int>(state->passphrase.size());
}

// SHA-256, fetched once for the process. Passing EVP_sha256() instead makes
// OpenSSL 3 fetch the implementation again on every digest init, under a
// global lock; an explicitly fetched EVP_MD skips that. Never freed: it is
// used until exit.
const EVP_MD* Sha256Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// MD5 over the DER SubjectPublicKeyInfo, as "xx:xx:...".
std::string ComputeFingerprint(EVP_PKEY* key) {
  int len = key == nullptr ? 0 : i2d_PUBKEY(key, nullptr);
  if (len <= 0) {
    ERR_clear_error();
    return {};
  }
  std::string der(static_cast<size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_PUBKEY(key, &out);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (!EVP_Digest(der.data(), der.size(), md, &md_len, EVP_md5(), nullptr)) {
    ERR_clear_error();
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(md_len * 3);
  for (unsigned int i = 0; i < md_len; ++i) {
    if (i > 0) text += ':';
    text += kHex[md[i] >> 4];
    text += kHex[md[i] & 15];
  }
  return text;
}

// A verify context for RSA-PKCS1-v1_5 + SHA-256 over `key`, or null.
EVP_PKEY_CTX* NewVerifyTemplate(EVP_PKEY* key) {
  const EVP_MD* md = Sha256Md();
  if (key == nullptr || md == nullptr) return nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  if (ctx == nullptr || EVP_PKEY_verify_init(ctx) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx, md) != 1) {
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return nullptr;
  }
  return ctx;
}

Status RequireRsa(EVP_PKEY* key, std::string_view what) {
  if (!EVP_PKEY_is_a(key, "RSA")) {
    return InvalidArgumentError(std::string(what) +
                                " is not an RSA key; OCI API signing keys are RSA.");
  }
  return OkStatus();
}

}  // namespace

// ---------------------------------------------------------------- PublicKey

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  std::string label = PemLabel(pem);
  if (label.empty()) {
    return InvalidArgumentError(
        "The public key is not PEM text (no '-----BEGIN PUBLIC KEY-----' line).");
  }
  if (label != "PUBLIC KEY" && label != "RSA PUBLIC KEY") {
    return InvalidArgumentError("The PEM block is a " + Quoted(label) +
                                ", not a public key ('PUBLIC KEY').");
  }
  ERR_clear_error();
  EVP_PKEY* raw = nullptr;
  DecoderCtxPtr ctx(OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, "RSA",
                                                  EVP_PKEY_PUBLIC_KEY, nullptr, nullptr));
  if (!ctx) return InternalError("OpenSSL has no PEM decoder for RSA public keys.");
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  size_t len = pem.size();
  if (!OSSL_DECODER_from_data(ctx.get(), &data, &len) || raw == nullptr) {
    EVP_PKEY_free(raw);
    return InvalidArgumentError("The public key PEM could not be decoded (" +
                                TakeOpenSslError() + ").");
  }
  internal::EvpPkeyPtr key(raw);
  ADS_RETURN_IF_ERROR(RequireRsa(key.get(), "The public key"));
  return PublicKey(std::move(key));
}

PublicKey::PublicKey(internal::EvpPkeyPtr key) {
  auto state = std::make_shared<internal::PublicKeyState>();
  state->fingerprint = ComputeFingerprint(key.get());
  state->verify_template = NewVerifyTemplate(key.get());
  state->key = std::move(key);
  state_ = std::move(state);
}

std::string PublicKey::ToPem() const {
  if (!state_) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PUBKEY(bio.get(), state_->key.get())) {
    ERR_clear_error();
    return {};
  }
  return BioContents(bio.get());
}

std::string PublicKey::ToDer() const {
  int len = state_ ? i2d_PUBKEY(state_->key.get(), nullptr) : 0;
  if (len <= 0) {
    ERR_clear_error();
    return {};
  }
  std::string der(static_cast<size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_PUBKEY(state_->key.get(), &out);
  return der;
}

std::string PublicKey::Fingerprint() const { return state_ ? state_->fingerprint : ""; }

bool PublicKey::HasFingerprint(std::string_view fingerprint) const {
  return state_ && !state_->fingerprint.empty() && state_->fingerprint == fingerprint;
}

int PublicKey::bits() const { return state_ ? EVP_PKEY_get_bits(state_->key.get()) : 0; }

bool PublicKey::VerifySha256(std::string_view data, std::string_view signature) const {
  if (!state_) return false;
  const auto* sig = reinterpret_cast<const unsigned char*>(signature.data());
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  bool ok = false;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (state_->verify_template != nullptr &&
      EVP_Digest(in, data.size(), digest, &digest_len, Sha256Md(), nullptr) == 1) {
    // Duplicating the prepared context copies the already fetched algorithm
    // and key; a fresh EVP_DigestVerifyInit would fetch both again.
    PkeyCtxPtr ctx(EVP_PKEY_CTX_dup(state_->verify_template));
    ok = ctx && EVP_PKEY_verify(ctx.get(), sig, signature.size(), digest, digest_len) == 1;
  } else {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    ok = ctx &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                              state_->key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), sig, signature.size(), in, data.size()) == 1;
  }
  ERR_clear_error();
  return ok;
}

Result<PublicKey::RsaComponents> PublicKey::Components() const {
  if (!state_) return FailedPreconditionError("The public key was moved from.");
  RsaComponents out;
  ADS_ASSIGN_OR_RETURN(out.modulus, RsaParam(state_->key.get(), OSSL_PKEY_PARAM_RSA_N));
  ADS_ASSIGN_OR_RETURN(out.exponent, RsaParam(state_->key.get(), OSSL_PKEY_PARAM_RSA_E));
  return out;
}

Result<PublicKey> PublicKey::FromComponents(std::string_view modulus, std::string_view exponent) {
  const auto bytes = [](std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
  };
  if (modulus.empty() || exponent.empty() || exponent.size() > 8) {
    return InvalidArgumentError("An RSA public key needs a modulus and a small public exponent.");
  }
  ERR_clear_error();
  BnPtr n(BN_bin2bn(bytes(modulus), static_cast<int>(modulus.size()), nullptr));
  BnPtr e(BN_bin2bn(bytes(exponent), static_cast<int>(exponent.size()), nullptr));
  if (!n || !e) return InternalError("Out of memory reading an RSA key.");
  if (BN_num_bits(n.get()) < 2048 || !BN_is_odd(n.get()) || !BN_is_odd(e.get()) ||
      BN_is_one(e.get())) {
    return InvalidArgumentError(
        "The RSA modulus must be odd and of at least 2048 bits, and the "
        "exponent odd and above 1.");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return InternalError("Building RSA parameters failed (" + TakeOpenSslError() + ").");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 ||
      raw == nullptr) {
    EVP_PKEY_free(raw);
    return InvalidArgumentError("The RSA public key could not be built (" + TakeOpenSslError() +
                                ").");
  }
  return PublicKey(internal::EvpPkeyPtr(raw));
}

bool PublicKey::operator==(const PublicKey& other) const {
  if (!state_ || !other.state_) return state_ == other.state_;
  return EVP_PKEY_eq(state_->key.get(), other.state_->key.get()) == 1;
}

// --------------------------------------------------------------- PrivateKey

Result<PrivateKey> PrivateKey::Generate(int bits) {
  if (bits < 2048 || bits > 16384) {
    return InvalidArgumentError("RSA key size " + std::to_string(bits) +
                                " is out of range; use 2048 to 16384 bits.");
  }
  ERR_clear_error();
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return InternalError("RSA key generation failed (" + TakeOpenSslError() + ").");
  }
  return PrivateKey(internal::EvpPkeyPtr(raw));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem, std::string_view passphrase) {
  std::string label = PemLabel(pem);
  if (label.empty()) {
    return InvalidArgumentError(
        "The private key is not PEM text (no '-----BEGIN ... PRIVATE KEY-----' line).");
  }
  if (label != "PRIVATE KEY" && label != "ENCRYPTED PRIVATE KEY" &&
      label != "RSA PRIVATE KEY") {
    return InvalidArgumentError("The PEM block is a " + Quoted(label) +
                                ", not an RSA private key.");
  }
  ERR_clear_error();
  BioPtr bio = MemBio(pem);
  PassphraseState state{passphrase};
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, PassphraseCallback, &state);
  if (raw == nullptr) {
    std::string reason = TakeOpenSslError();
    if (state.asked && passphrase.empty()) {
      return InvalidArgumentError(
          "The private key is encrypted and no passphrase was given (pass_phrase).");
    }
    if (state.asked) {
      return InvalidArgumentError(
          "The private key could not be decrypted: the passphrase is wrong.");
    }
    return InvalidArgumentError("The private key PEM could not be decoded (" + reason + ").");
  }
  internal::EvpPkeyPtr key(raw);
  ADS_RETURN_IF_ERROR(RequireRsa(key.get(), "The private key"));
  return PrivateKey(std::move(key));
}

PrivateKey::PrivateKey(const PrivateKey& other) : key_(internal::ShareKey(other.key_.get())) {}

PrivateKey& PrivateKey::operator=(const PrivateKey& other) {
  if (this != &other) key_ = internal::ShareKey(other.key_.get());
  return *this;
}

Result<std::string> PrivateKey::ToPem(PrivateKeyFormat format,
                                      std::string_view passphrase) const {
  ERR_clear_error();
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return InternalError("Out of memory writing a private key.");
  const EVP_CIPHER* cipher = passphrase.empty() ? nullptr : EVP_aes_256_cbc();
  // OpenSSL takes the passphrase as a mutable pointer but does not modify it.
  std::string pass(passphrase);
  auto* pass_ptr = passphrase.empty() ? nullptr : reinterpret_cast<unsigned char*>(pass.data());
  int ok = 0;
  if (format == PrivateKeyFormat::kPkcs8) {
    ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), cipher,
                                       reinterpret_cast<char*>(pass_ptr),
                                       static_cast<int>(pass.size()), nullptr, nullptr);
  } else {
    ok = PEM_write_bio_PrivateKey_traditional(bio.get(), key_.get(), cipher, pass_ptr,
                                              static_cast<int>(pass.size()), nullptr,
                                              nullptr);
  }
  if (!ok) return InternalError("Writing the private key failed (" + TakeOpenSslError() + ").");
  return BioContents(bio.get());
}

PublicKey PrivateKey::public_key() const {
  // Round-trips through DER so that the PublicKey holds no private material.
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key_.get(), &der);
  const unsigned char* in = der;
  EVP_PKEY* raw = len > 0 ? d2i_PUBKEY(nullptr, &in, len) : nullptr;
  OPENSSL_free(der);
  ERR_clear_error();
  return PublicKey(internal::EvpPkeyPtr(raw));
}

int PrivateKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

Result<std::string> PrivateKey::SignSha256(std::string_view data) const {
  ERR_clear_error();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, Sha256Md() ? Sha256Md() : EVP_sha256(), nullptr,
                                    key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    return InternalError("RSA-SHA256 signing failed (" + TakeOpenSslError() + ").");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, in,
                     data.size()) != 1) {
    return InternalError("RSA-SHA256 signing failed (" + TakeOpenSslError() + ").");
  }
  signature.resize(len);
  return signature;
}

}  // namespace ads::iam
