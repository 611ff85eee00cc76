// Test helper for http/ tests: a raw TCP connection to 127.0.0.1 that sends
// exactly the bytes a test writes (malformed ones included) and parses the
// responses it gets back.
//
//   RawConnection c(server->port());
//   c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
//   RawResponse r = c.ReadResponse();
//
// Thread-safety: one thread per RawConnection.
#ifndef ADS_HTTP_TEST_SOCKET_H_
#define ADS_HTTP_TEST_SOCKET_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "http/parser.h"

namespace ads::http {

struct RawResponse {
  int status = 0;  // 0: the connection closed (or timed out) first
  HeaderMap headers;
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class RawConnection {
 public:
  explicit RawConnection(int port, int timeout_seconds = 10) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{timeout_seconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads bytes until `pred(buffer)` or EOF/timeout; false on EOF/timeout.
  template <typename Pred>
  bool ReadUntil(Pred pred) {
    while (!pred(buf_)) {
      char tmp[65536];
      const ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<size_t>(n));
    }
    return true;
  }

  // One response; `head_only` for answers to HEAD (no body follows).
  RawResponse ReadResponse(bool head_only = false) {
    RawResponse out;
    ResponseHead head;
    size_t consumed = 0;
    bool ok = ReadUntil([&](const std::string& b) {
      ParseError error;
      return !b.empty() &&
             ParseResponseHead(b, ParseLimits{}, 0, &head, &consumed, &error) == HeadStatus::kComplete;
    });
    if (!ok) return out;
    buf_.erase(0, consumed);
    const size_t length = head_only ? 0 : static_cast<size_t>(head.content_length.value_or(0));
    if (!ReadUntil([&](const std::string& b) { return b.size() >= length; })) return out;
    out.status = head.status;
    out.headers = head.headers;
    out.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return out;
  }

  // True when the server closes the connection (EOF) with nothing more sent.
  bool ReadsEof() {
    if (!buf_.empty()) return false;
    char tmp[1024];
    const ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (n > 0) buf_.append(tmp, static_cast<size_t>(n));
    return n == 0;
  }

  std::string& buffer() { return buf_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

}  // namespace ads::http

#endif  // ADS_HTTP_TEST_SOCKET_H_
