// HTTP/1.1 messages as the server hands them to handlers and the client
// returns them. A request body is streamed (BodyReader) so that multi-GiB
// uploads never sit in memory; a response body is either a string or a
// BodySource that the server pulls from (file ranges for downloads).
//
//   void Handle(http::Request& req, http::Response& res) {
//     Result<std::string> body = req.body->ReadAll(1 << 20);
//     res.status = 200;
//     res.headers["content-type"] = "application/json";
//     res.body = R"({"ok": true})";
//   }
//
// Thread-safety: a Request/Response pair belongs to the connection thread
// that serves it.
#ifndef ADS_HTTP_MESSAGE_H_
#define ADS_HTTP_MESSAGE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/strings.h"

namespace ads::http {

using ads::HeaderMap;

// The bytes of a request body, read once, in order. Content-Length and
// chunked transfer encoding are both handled below this interface; Read()
// returns 0 at the end of the body.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads up to n bytes into buf; 0 means the body is done. An error when
  // the peer closes early, times out or sends a malformed chunk.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  // The declared length (Content-Length), nullopt when chunked.
  virtual std::optional<uint64_t> declared_length() const = 0;
  // Reads the rest of the body; OutOfRange (naming the limit) when it holds
  // more than `limit` bytes.
  Result<std::string> ReadAll(uint64_t limit);
};

// A BodyReader over a string (tests, and the client's small bodies).
class StringBodyReader : public BodyReader {
 public:
  explicit StringBodyReader(std::string body) : body_(std::move(body)) {}
  Result<size_t> Read(char* buf, size_t n) override;
  std::optional<uint64_t> declared_length() const override { return body_.size(); }

 private:
  std::string body_;
  size_t pos_ = 0;
};

struct Request {
  std::string method;  // as sent: GET, POST, ...
  // The request target exactly as received (path and query, undecoded);
  // request signatures are verified over it.
  std::string target;
  std::string path;   // target before '?', undecoded
  std::string query;  // target after '?', undecoded ("" when none)
  HeaderMap headers;
  std::string remote_address;  // "127.0.0.1:53412"
  BodyReader* body = nullptr;  // never null inside a handler

  // The value of header `name`, or "" when absent.
  std::string_view Header(std::string_view name) const;
  // The percent-decoded value of query parameter `name` ('+' is a space,
  // as in HTML forms and the OCI SDKs' encoding), nullopt when absent.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

// Pulled by the server to produce a streamed response body: fills up to n
// bytes and returns how many; 0 only at the end.
using BodySource = std::function<Result<size_t>(char* buf, size_t n)>;

struct Response {
  int status = 200;
  HeaderMap headers;
  std::string body;
  // When set, the body is streamed from it and `body` is ignored;
  // body_length is sent as Content-Length and must be exact.
  BodySource body_source;
  uint64_t body_length = 0;
  // For HEAD: send Content-Length = head_length without a body.
  std::optional<uint64_t> head_length;

  void SetJson(int code, std::string json);
};

using Handler = std::function<void(Request&, Response&)>;

// "%2F" -> "/", "+" kept (paths); QueryDecode also maps '+' to ' '.
Result<std::string> PercentDecode(std::string_view text);
std::string QueryDecode(std::string_view text);
// Encodes every byte outside the RFC 3986 unreserved set.
std::string PercentEncode(std::string_view text);

std::string_view ReasonPhrase(int status);

}  // namespace ads::http

#endif  // ADS_HTTP_MESSAGE_H_
