#include "base/hash.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>

namespace ads {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// SHA-256 fetched once for the process: EVP_sha256() makes OpenSSL 3 look
// the implementation up again on every digest. Never freed (used until exit).
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  return {reinterpret_cast<const char*>(out.data()), len};
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

namespace {

// Base64 digit values of both alphabets (standard and URL-safe); 0xFF
// marks everything else.
struct Base64Table {
  static constexpr unsigned char kInvalid = 0xFF;
  unsigned char value[256];
  constexpr Base64Table() : value() {
    for (unsigned char& v : value) v = kInvalid;
    for (int i = 0; i < 26; ++i) {
      value['A' + i] = static_cast<unsigned char>(i);
      value['a' + i] = static_cast<unsigned char>(26 + i);
    }
    for (int i = 0; i < 10; ++i) value['0' + i] = static_cast<unsigned char>(52 + i);
    value['+'] = value['-'] = 62;
    value['/'] = value['_'] = 63;
  }
};
constexpr Base64Table kBase64;

}  // namespace

bool Base64Decode(std::string_view text, std::string* out) {
  // Sized for the most the text can hold and trimmed at the end: no
  // per-byte growth (a signature is decoded on every signed request).
  out->resize(text.size() / 4 * 3 + 3);
  char* const begin = out->data();
  char* dst = begin;
  uint32_t buffer = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : text) {
    if (c == '\n' || c == '\r') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const unsigned char v = kBase64.value[static_cast<unsigned char>(c)];
    if (padding > 0 || v == Base64Table::kInvalid) {  // data after padding, or not base64
      out->clear();
      return false;
    }
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *dst++ = static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  out->resize(static_cast<size_t>(dst - begin));
  return padding <= 2;
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Digest(Sha256Md(), data)); }
std::string Sha256Base64(std::string_view data) { return Base64Encode(Digest(Sha256Md(), data)); }
std::string Md5Base64(std::string_view data) { return Base64Encode(Digest(EVP_md5(), data)); }

struct Sha256::Impl {
  MdCtx ctx{EVP_MD_CTX_new()};
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  EVP_DigestInit_ex(impl_->ctx.get(), Sha256Md(), nullptr);
}
Sha256::~Sha256() = default;

void Sha256::Update(std::string_view data) {
  EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size());
}

std::string Sha256::DigestBytes() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx.get(), out.data(), &len);
  return {reinterpret_cast<const char*>(out.data()), len};
}

}  // namespace ads
