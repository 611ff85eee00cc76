// http::Server over real sockets on 127.0.0.1, driven by raw bytes.
#include "http/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/test_socket.h"

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

// Answers "<method> <target> <body>" after reading the whole body.
void Echo(Request& req, Response& res) {
  Result<std::string> body = req.body->ReadAll(1 << 20);
  if (!body.ok()) {
    res.status = 400;
    res.body = body.status().message();
    return;
  }
  res.headers["content-type"] = "text/plain";
  res.body = req.method + " " + req.target + " " + *body;
}

TEST(ServerTest, KeepAliveReusesTheConnection) {
  std::mutex mu;
  std::set<std::string> remotes;
  auto server = StartOrDie([&](Request& req, Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    remotes.insert(req.remote_address);
    Echo(req, res);
  });
  RawConnection c(server->port());
  for (int i = 0; i < 3; ++i) {
    c.Send("GET /n/" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    RawResponse r = c.ReadResponse();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "GET /n/" + std::to_string(i) + " ");
    EXPECT_FALSE(r.Header("date").empty());
    EXPECT_EQ(r.Header("content-length"), std::to_string(r.body.size()));
    EXPECT_EQ(r.Header("connection"), "");
  }
  EXPECT_EQ(remotes.size(), 1u);
  EXPECT_THAT(*remotes.begin(), HasSubstr("127.0.0.1:"));
  EXPECT_EQ(server->connection_count(), 1u);
}

TEST(ServerTest, AnswersPipelinedRequestsInOrder) {
  auto server = StartOrDie(Echo);
  RawConnection c(server->port());
  c.Send(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      "GET /d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(c.ReadResponse().body, "GET /a ");
  EXPECT_EQ(c.ReadResponse().body, "POST /b hello");
  EXPECT_EQ(c.ReadResponse().body, "POST /c abc");
  RawResponse last = c.ReadResponse();
  EXPECT_EQ(last.body, "GET /d ");
  EXPECT_EQ(last.Header("connection"), "close");
  EXPECT_TRUE(c.ReadsEof());
}

TEST(ServerTest, StreamsAChunkedUploadToTheHandler) {
  std::atomic<uint64_t> max_read{0};
  auto server = StartOrDie([&](Request& req, Response& res) {
    EXPECT_EQ(req.body->declared_length(), std::nullopt);
    uint64_t total = 0;
    uint64_t sum = 0;
    char buf[65536];
    while (true) {
      Result<size_t> n = req.body->Read(buf, sizeof(buf));
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      if (*n == 0) break;
      max_read = std::max<uint64_t>(max_read, *n);
      for (size_t i = 0; i < *n; ++i) sum += static_cast<unsigned char>(buf[i]);
      total += *n;
    }
    res.body = std::to_string(total) + " " + std::to_string(sum);
  });
  RawConnection c(server->port());
  c.Send("PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  uint64_t total = 0;
  uint64_t sum = 0;
  // Chunks of varied sizes, 4 MB in all.
  for (size_t size = 1; total < (4u << 20); size = size * 3 % 300007 + 1) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) {
      data[i] = static_cast<char>((total + i) * 7 % 251);
      sum += static_cast<unsigned char>(data[i]);
    }
    total += size;
    char hex[32];
    std::snprintf(hex, sizeof(hex), "%zx\r\n", size);
    ASSERT_TRUE(c.Send(std::string(hex) + data + "\r\n"));
  }
  c.Send("0\r\n\r\n");
  RawResponse r = c.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::to_string(total) + " " + std::to_string(sum));
  EXPECT_LE(max_read.load(), 65536u);
}

TEST(ServerTest, SendsContinueWhenTheHandlerReadsTheBody) {
  auto server = StartOrDie(Echo);
  RawConnection c(server->port());
  c.Send("POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil([](const std::string& b) { return b.size() >= 25; }));
  EXPECT_EQ(c.buffer().substr(0, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  c.buffer().erase(0, 25);
  c.Send("hello");
  RawResponse r = c.ReadResponse();
  EXPECT_EQ(r.body, "POST /x hello");
  // Still usable.
  c.Send("GET /y HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.ReadResponse().body, "GET /y ");
}

TEST(ServerTest, RefusesWithoutContinueAndCloses) {
  auto server = StartOrDie([](Request&, Response& res) { res.SetJson(413, R"({"code":"x"})"); });
  RawConnection c(server->port());
  c.Send("PUT /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n");
  RawResponse r = c.ReadResponse();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(c.ReadsEof());
}

TEST(ServerTest, HeadHasNoBody) {
  auto server = StartOrDie([](Request& req, Response& res) {
    if (req.path == "/declared") res.head_length = 123456;
    res.body = "hello";
  });
  RawConnection c(server->port());
  c.Send("HEAD /plain HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse r = c.ReadResponse(/*head_only=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-length"), "5");
  c.Send("HEAD /declared HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.ReadResponse(true).Header("content-length"), "123456");
  // No stray body bytes: the next response parses cleanly.
  c.Send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.ReadResponse().body, "hello");
}

TEST(ServerTest, StreamsAResponseBodyFromASource) {
  const uint64_t kLength = 10'000'003;
  auto server = StartOrDie([&](Request&, Response& res) {
    auto sent = std::make_shared<uint64_t>(0);
    res.body_length = kLength;
    res.body_source = [sent](char* buf, size_t n) -> Result<size_t> {
      for (size_t i = 0; i < n; ++i) buf[i] = static_cast<char>((*sent + i) % 253);
      *sent += n;
      return n;
    };
  });
  RawConnection c(server->port());
  c.Send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse r = c.ReadResponse();
  ASSERT_EQ(r.body.size(), kLength);
  for (uint64_t i = 0; i < kLength; i += 9973) {
    ASSERT_EQ(static_cast<unsigned char>(r.body[i]), i % 253) << i;
  }
}

TEST(ServerTest, ASourceThatEndsEarlyClosesTheConnection) {
  auto server = StartOrDie([&](Request&, Response& res) {
    res.body_length = 100;
    res.body_source = [](char*, size_t) -> Result<size_t> { return IoError("disk gone"); };
  });
  RawConnection c(server->port());
  c.Send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.ReadResponse().status, 0);  // head arrives, body never completes
}

TEST(ServerTest, MalformedRequestsGetAnErrorAndTheServerGoesOn) {
  ServerOptions options;
  options.max_body_length = 1 << 20;
  auto server = StartOrDie(Echo, options);
  std::string many_headers = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) many_headers += "h" + std::to_string(i) + ": v\r\n";
  struct Case {
    std::string request;
    int status;
  };
  const std::vector<Case> cases = {
      {"GARBAGE\r\n\r\n", 400},
      {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"GET / HTTP/1.1\r\nX: " + std::string(70000, 'b') + "\r\n\r\n", 431},
      {many_headers + "\r\n", 431},
      {"POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400},
      {"GET / HTTP/3.0\r\n\r\n", 505},
  };
  for (const Case& k : cases) {
    RawConnection c(server->port());
    c.Send(k.request);
    RawResponse r = c.ReadResponse();
    EXPECT_EQ(r.status, k.status) << k.request.substr(0, 60);
    EXPECT_EQ(r.Header("connection"), "close") << k.request.substr(0, 60);
    EXPECT_FALSE(r.body.empty());
    EXPECT_TRUE(c.ReadsEof()) << k.request.substr(0, 60);

    RawConnection good(server->port());
    good.Send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(good.ReadResponse().body, "GET /ok ");
  }
}

TEST(ServerTest, AHandlerExceptionIsA500) {
  auto server = StartOrDie([](Request& req, Response& res) {
    if (req.path == "/throw") throw std::runtime_error("boom");
    res.body = "fine";
  });
  RawConnection c(server->port());
  c.Send("GET /throw HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse r = c.ReadResponse();
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("InternalServerError"));
  EXPECT_EQ(c.ReadResponse().body, "fine");
}

TEST(ServerTest, DrainsAnUnreadBodyOrCloses) {
  ServerOptions options;
  options.drain_limit = 64 * 1024;
  auto server = StartOrDie([](Request&, Response& res) { res.body = "ignored the body"; }, options);
  RawConnection c(server->port());
  c.Send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n" + std::string(10000, 'x'));
  RawResponse r = c.ReadResponse();
  EXPECT_EQ(r.Header("connection"), "");
  c.Send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
  r = c.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("connection"), "close");
}

TEST(ServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  auto server = StartOrDie(Echo);
  RawConnection keep(server->port());
  keep.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  RawResponse r = keep.ReadResponse();
  EXPECT_EQ(r.Header("connection"), "keep-alive");
  keep.Send("GET /b HTTP/1.0\r\n\r\n");
  r = keep.ReadResponse();
  EXPECT_EQ(r.body, "GET /b ");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(keep.ReadsEof());
}

TEST(ServerTest, StopWaitsForRequestsInFlightAndClosesIdleConnections) {
  std::promise<void> arrived;
  auto server = StartOrDie([&](Request& req, Response& res) {
    if (req.path == "/slow") {
      arrived.set_value();
      std::this_thread::sleep_for(300ms);
    }
    res.body = "done " + req.path;
  });
  RawConnection idle(server->port());
  idle.Send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(idle.ReadResponse().body, "done /first");

  RawConnection busy(server->port());
  busy.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  arrived.get_future().wait();
  const auto start = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
  RawResponse r = busy.ReadResponse();
  EXPECT_EQ(r.body, "done /slow");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(idle.ReadsEof());
  EXPECT_EQ(server->connection_count(), 0u);
  // The listener is gone.
  RawConnection late(server->port());
  EXPECT_FALSE(late.connected());
  server->Stop();  // idempotent
}

TEST(ServerTest, ConnectionsOverTheCapGet503) {
  ServerOptions options;
  options.max_connections = 2;
  auto server = StartOrDie(Echo, options);
  RawConnection a(server->port());
  RawConnection b(server->port());
  for (RawConnection* c : {&a, &b}) {
    c->Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(c->ReadResponse().status, 200);
  }
  RawConnection over(server->port());
  RawResponse r = over.ReadResponse();
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(over.ReadsEof());
  // Once one closes, a new connection is served.
  a.Send("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
  a.ReadResponse();
  for (int i = 0; i < 100 && server->connection_count() > 1; ++i) std::this_thread::sleep_for(10ms);
  RawConnection again(server->port());
  again.Send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(again.ReadResponse().body, "GET /again ");
}

TEST(ServerTest, IdleConnectionsTimeOut) {
  ServerOptions options;
  options.idle_timeout = 200ms;
  auto server = StartOrDie(Echo, options);
  RawConnection c(server->port());
  c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.ReadResponse().status, 200);
  EXPECT_TRUE(c.ReadsEof());
}

// Requests are served by a pool of workers that grows when every worker is
// busy: handlers that block (a Python score.py, a slow upload) must not hold
// up requests on other connections.
TEST(ServerTest, BlockedHandlersDoNotHoldUpOtherConnections) {
  constexpr int kBlocked = 8;  // more than the pool's minimum on any machine here
  std::mutex mu;
  std::condition_variable cv;
  int inside = 0;
  bool release = false;
  auto server = StartOrDie([&](Request& req, Response& res) {
    if (req.path == "/block") {
      std::unique_lock<std::mutex> lock(mu);
      ++inside;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    }
    res.body = "done " + req.path;
  });
  std::vector<std::unique_ptr<RawConnection>> blocked;
  for (int i = 0; i < kBlocked; ++i) {
    blocked.push_back(std::make_unique<RawConnection>(server->port()));
    blocked.back()->Send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return inside == kBlocked; }))
        << "only " << inside << " of " << kBlocked << " requests reached the handler";
  }
  RawConnection other(server->port());
  other.Send("GET /free HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(other.ReadResponse().body, "done /free");
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  for (auto& c : blocked) EXPECT_EQ(c->ReadResponse().body, "done /block");
}

// Keep-alive connections wait in epoll between requests, not on a thread
// each: many of them, used in turns, are all served on the same sockets.
TEST(ServerTest, ManyKeepAliveConnectionsTakeTurns) {
  auto server = StartOrDie(Echo);
  std::vector<std::unique_ptr<RawConnection>> conns;
  for (int i = 0; i < 64; ++i) conns.push_back(std::make_unique<RawConnection>(server->port()));
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < conns.size(); ++i) {
      const std::string path = "/c" + std::to_string(i) + "/r" + std::to_string(round);
      conns[i]->Send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    for (size_t i = 0; i < conns.size(); ++i) {
      const std::string path = "/c" + std::to_string(i) + "/r" + std::to_string(round);
      EXPECT_EQ(conns[i]->ReadResponse().body, "GET " + path + " ");
    }
  }
  EXPECT_EQ(server->connection_count(), conns.size());
}

TEST(ServerTest, ATakenPortIsAClearError) {
  auto first = StartOrDie(Echo);
  ServerOptions options;
  options.port = first->port();
  auto second = Server::Start(options, Echo);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(std::to_string(first->port())));
  EXPECT_THAT(second.status().message(), HasSubstr("in use"));
}

}  // namespace
}  // namespace ads::http
