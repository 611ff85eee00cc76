// A blocking HTTP/1.1 client over one keep-alive connection, reconnecting
// when the server has closed it. Bodies go out from a string or a
// BodySource; responses come back into a string or chunk by chunk to a sink
// (multi-GiB downloads never sit in memory).
//
//   ADS_ASSIGN_OR_RETURN(http::Url url, http::ParseUrl("http://127.0.0.1:8080/health"));
//   http::Client client({.host = url.host, .port = url.port});
//   ADS_ASSIGN_OR_RETURN(http::ClientResponse res,
//                        client.Send({.method = "GET", .target = url.target}));
//   if (res.status != 200) ...
//
// Thread-safety: a Client is used by one thread at a time; use one per
// thread for parallel requests.
#ifndef ADS_HTTP_CLIENT_H_
#define ADS_HTTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "http/message.h"

namespace ads::http {

namespace internal {
class Stream;
}

struct ClientOptions {
  std::string host = "127.0.0.1";
  int port = 80;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds read_timeout{60000};  // each wait for the server (and sends)
  size_t header_limit = 64 * 1024;                // of a response head
};

// Receives a response body piece by piece; a non-OK Status aborts the
// request (and drops the connection).
using BodySink = std::function<Status(std::string_view chunk)>;

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";  // path and query, already encoded
  // "host" is added when absent, and content-length for bodies.
  HeaderMap headers;
  std::string body;
  // When set, the body is pulled from it instead; body_length must be exact.
  BodySource body_source;
  uint64_t body_length = 0;
  // When set, the response body goes here instead of ClientResponse::body,
  // and only for 2xx responses (an error body is still collected, up to a
  // limit, so that the caller can read the error).
  BodySink sink;
};

struct ClientResponse {
  int status = 0;
  std::string reason;
  HeaderMap headers;
  std::string body;  // empty when a sink took it

  // The value of header `name`, or "" when absent.
  std::string_view Header(std::string_view name) const;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request and reads its response. A request that fails on a
  // reused connection before any response byte arrived is sent again once on
  // a fresh connection (unless its body came from a BodySource, which cannot
  // be replayed). Unavailable when the server cannot be reached or times out.
  Result<ClientResponse> Send(const ClientRequest& request);

  // Closes the connection (the next Send opens a new one).
  void Close();

  const ClientOptions& options() const { return options_; }

 private:
  Status Connect();
  // `*response_started` tells whether any response byte arrived.
  Result<ClientResponse> SendOnce(const ClientRequest& request, bool* response_started);
  Status ReadBody(const ClientRequest& request, bool chunked, std::optional<uint64_t> length,
                  bool until_close, ClientResponse* response, bool* reusable);

  ClientOptions options_;
  std::unique_ptr<internal::Stream> stream_;
};

struct Url {
  std::string scheme;  // "http" (https is refused: no TLS here)
  std::string host;    // without brackets for IPv6
  int port = 80;
  std::string target;  // path and query; "/" when the URL has none
};
// Parses "http://host[:port][/path][?query]".
Result<Url> ParseUrl(std::string_view url);

}  // namespace ads::http

#endif  // ADS_HTTP_CLIENT_H_
