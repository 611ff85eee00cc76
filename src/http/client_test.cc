// http::Client against http::Server (and a raw socket server for framings
// our server never sends), over 127.0.0.1.
#include "http/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "http/server.h"

namespace ads::http {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::unique_ptr<Server> StartOrDie(Handler handler, ServerOptions options = {}) {
  options.port = 0;
  auto server = Server::Start(options, std::move(handler));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return std::move(server).value();
}

ClientOptions To(const Server& server) {
  ClientOptions o;
  o.port = server.port();
  o.read_timeout = 10s;
  return o;
}

// Pattern bytes for uploads and downloads.
char PatternByte(uint64_t i) { return static_cast<char>(i * 31 % 257); }

TEST(ClientTest, RoundTripsOnOneConnection) {
  std::mutex mu;
  std::set<std::string> remotes;
  auto server = StartOrDie([&](Request& req, Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      remotes.insert(req.remote_address);
    }
    Result<std::string> body = req.body->ReadAll(1 << 20);
    res.headers["x-method"] = req.method;
    res.headers["x-host"] = std::string(req.Header("host"));
    res.body = req.target + "|" + body.value_or("?");
  });
  Client client(To(*server));
  auto get = client.Send({.method = "GET", .target = "/a?b=c"});
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "/a?b=c|");
  EXPECT_EQ(get->Header("X-Method"), "GET");
  EXPECT_EQ(get->Header("x-host"), "127.0.0.1:" + std::to_string(server->port()));
  auto post = client.Send({.method = "POST", .target = "/p", .headers = {{"x-a", "1"}},
                           .body = "payload"});
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->body, "/p|payload");
  auto empty_post = client.Send({.method = "POST", .target = "/e"});
  ASSERT_TRUE(empty_post.ok());
  EXPECT_EQ(empty_post->body, "/e|");
  auto head = client.Send({.method = "HEAD", .target = "/h"});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->Header("content-length"), "3");
  EXPECT_EQ(head->body, "");
  auto after = client.Send({.method = "GET", .target = "/z"});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->body, "/z|");
  EXPECT_EQ(remotes.size(), 1u);
}

TEST(ClientTest, StreamsUploadsAndDownloads) {
  const uint64_t kSize = 20'000'017;
  auto server = StartOrDie([&](Request& req, Response& res) {
    if (req.method == "PUT") {
      uint64_t total = 0;
      bool same = true;
      char buf[65536];
      while (true) {
        Result<size_t> n = req.body->Read(buf, sizeof(buf));
        if (!n.ok() || *n == 0) break;
        for (size_t i = 0; i < *n; ++i) same = same && buf[i] == PatternByte(total + i);
        total += *n;
      }
      res.body = std::to_string(total) + (same ? " same" : " different");
      return;
    }
    if (req.path == "/missing") {
      res.SetJson(404, R"({"code": "NotAuthorizedOrNotFound"})");
      return;
    }
    auto sent = std::make_shared<uint64_t>(0);
    res.body_length = kSize;
    res.body_source = [sent](char* buf, size_t n) -> Result<size_t> {
      for (size_t i = 0; i < n; ++i) buf[i] = PatternByte(*sent + i);
      *sent += n;
      return n;
    };
  });
  Client client(To(*server));
  uint64_t produced = 0;
  ClientRequest put{.method = "PUT", .target = "/up"};
  put.body_length = kSize;
  put.body_source = [&](char* buf, size_t n) -> Result<size_t> {
    n = std::min<uint64_t>(n, 7777);  // short pulls are fine
    for (size_t i = 0; i < n; ++i) buf[i] = PatternByte(produced + i);
    produced += n;
    return n;
  };
  auto up = client.Send(put);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->body, std::to_string(kSize) + " same");

  uint64_t received = 0;
  bool same = true;
  ClientRequest get{.method = "GET", .target = "/down"};
  get.sink = [&](std::string_view chunk) {
    for (size_t i = 0; i < chunk.size(); ++i) same = same && chunk[i] == PatternByte(received + i);
    received += chunk.size();
    return OkStatus();
  };
  auto down = client.Send(get);
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(received, kSize);
  EXPECT_TRUE(same);
  EXPECT_TRUE(down->body.empty());

  // Error bodies are collected, not sunk.
  get.target = "/missing";
  auto missing = client.Send(get);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_THAT(missing->body, HasSubstr("NotAuthorizedOrNotFound"));

  // A sink error aborts the request.
  get.target = "/down";
  get.sink = [](std::string_view) { return IoError("disk full"); };
  auto aborted = client.Send(get);
  ASSERT_FALSE(aborted.ok());
  EXPECT_THAT(aborted.status().message(), HasSubstr("disk full"));
  // And the client recovers.
  EXPECT_TRUE(client.Send({.method = "GET", .target = "/missing"}).ok());
}

TEST(ClientTest, ReconnectsWhenTheServerClosed) {
  ServerOptions options;
  options.idle_timeout = 100ms;
  auto server = StartOrDie([](Request& req, Response& res) {
    if (req.path == "/bye") res.headers["connection"] = "close";
    res.body = req.path;
  }, options);
  Client client(To(*server));
  for (const char* path : {"/bye", "/one", "/bye", "/two"}) {
    auto r = client.Send({.method = "GET", .target = path});
    ASSERT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    EXPECT_EQ(r->body, path);
  }
  std::this_thread::sleep_for(300ms);  // the server drops the idle connection
  auto r = client.Send({.method = "POST", .target = "/late", .body = "x"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "/late");
}

// A one-shot server: reads one request head and writes `reply`, then closes.
class CannedServer {
 public:
  explicit CannedServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 4);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      const int c = ::accept(fd_, nullptr, nullptr);
      std::string got;
      char buf[4096];
      while (got.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
      ::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~CannedServer() {
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  std::string reply_;
  int fd_;
  int port_;
  std::thread thread_;
};

TEST(ClientTest, ReadsChunkedAndCloseDelimitedBodies) {
  {
    CannedServer canned(
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4\r\nWiki\r\n6;x=y\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nA: b\r\n\r\n");
    Client client({.port = canned.port()});
    auto r = client.Send({.method = "GET", .target = "/"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body, "Wikipedia in \r\n\r\nchunks.");
  }
  {
    CannedServer canned("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
    Client client({.port = canned.port()});
    auto r = client.Send({.method = "GET", .target = "/"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body, "until the end");
  }
  {
    CannedServer canned("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
    Client client({.port = canned.port()});
    auto r = client.Send({.method = "GET", .target = "/"});
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.status().message(), HasSubstr("before the end of the body"));
  }
  {
    CannedServer canned("NOT HTTP AT ALL\r\n\r\n");
    Client client({.port = canned.port()});
    auto r = client.Send({.method = "GET", .target = "/"});
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.status().message(), HasSubstr("bad response"));
  }
}

TEST(ClientTest, UnreachableServerIsUnavailable) {
  int port = 0;
  {
    auto server = StartOrDie([](Request&, Response&) {});
    port = server->port();
  }
  Client client({.port = port, .connect_timeout = 2s});
  auto r = client.Send({.method = "GET", .target = "/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr(std::to_string(port)));
}

TEST(ClientTest, ParsesUrls) {
  auto u = ParseUrl("http://localhost:8080/20190101/models?limit=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "localhost");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/20190101/models?limit=1");
  auto bare = ParseUrl("HTTP://example.com");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->target, "/");
  auto v6 = ParseUrl("http://[::1]:9000?x=1#frag");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  EXPECT_EQ(v6->target, "/?x=1");
  EXPECT_EQ(ParseUrl("https://x/").status().code(), StatusCode::kUnimplemented);
  for (const char* bad : {"x", "ftp://x/", "http://", "http://h:0/", "http://h:99999/",
                          "http://h:8a/", "http://u@h/", "http://[::1/"}) {
    EXPECT_FALSE(ParseUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace ads::http
