// SHA-256 and MD5 over OpenSSL, whole-buffer and incremental.
#ifndef ADS_BASE_HASH_H_
#define ADS_BASE_HASH_H_

#include <memory>
#include <string>
#include <string_view>

namespace ads {

std::string Sha256Hex(std::string_view data);
std::string Sha256Base64(std::string_view data);
std::string Md5Base64(std::string_view data);
std::string Base64Encode(std::string_view bytes);
// Returns false when `text` is not valid base64.
bool Base64Decode(std::string_view text, std::string* out);
std::string HexEncode(std::string_view bytes);

// Incremental SHA-256 for streams.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  std::string DigestBytes();  // finishes; call once
 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ads

#endif  // ADS_BASE_HASH_H_
