// client::Client against an in-process http::Server whose handler checks
// every signature with iam::VerifyRequest and records what arrived.
#include "client/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <vector>

#include "base/hash.h"
#include "http/server.h"
#include "iam/http_signature.h"

namespace ads::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using std::chrono::milliseconds;

constexpr char kTenancy[] = "ocid1.tenancy.oc1..aaaa";
constexpr char kUser[] = "ocid1.user.oc1..bbbb";

const iam::PrivateKey& TestKey() {
  static const iam::PrivateKey* key = new iam::PrivateKey(*iam::PrivateKey::Generate());
  return *key;
}

struct Arrival {
  std::string method;
  std::string target;
  HeaderMap headers;
  uint64_t body_size = 0;
  iam::VerifyResult verify;
};

// The fake OCI service: answers per path, verifies every signature.
class FakeService {
 public:
  FakeService() {
    auto server = http::Server::Start({.port = 0}, [this](http::Request& req, http::Response& res) {
      Handle(req, res);
    });
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  std::vector<Arrival> arrivals(std::string_view path_prefix) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Arrival> out;
    for (const Arrival& a : arrivals_) {
      if (a.target.rfind(path_prefix, 0) == 0) out.push_back(a);
    }
    return out;
  }

 private:
  void Handle(http::Request& req, http::Response& res) {
    const bool binary = req.path.rfind("/n/", 0) == 0;
    std::string body;
    uint64_t size = 0;
    Sha256 hash;
    if (binary) {
      char buf[65536];
      while (true) {
        Result<size_t> n = req.body->Read(buf, sizeof(buf));
        if (!n.ok() || *n == 0) break;
        size += *n;
      }
    } else {
      body = req.body->ReadAll(1 << 20).value_or("");
      size = body.size();
    }
    const iam::KeyLookup lookup = [](const iam::KeyId& id) -> std::optional<iam::PublicKey> {
      if (id.tenancy == kTenancy && id.user == kUser) return TestKey().public_key();
      return std::nullopt;
    };
    Arrival arrival{req.method, req.target, req.headers, size, {}};
    arrival.verify = iam::VerifyRequest(
        req.method, req.target, req.headers,
        binary ? std::nullopt : std::optional<std::string_view>(body), lookup,
        Env::Default()->Now(), {.require_body_signature = !binary && req.method != "GET"});
    int count = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      arrivals_.push_back(arrival);
      count = ++counts_[req.path];
    }
    res.headers["opc-request-id"] = "req-" + std::to_string(count);
    if (!arrival.verify.ok()) {
      res.SetJson(401, R"({"code": "NotAuthenticated", "message": ")" + arrival.verify.detail + "\"}");
      return;
    }
    auto error = [&](int status, std::string_view code) {
      res.SetJson(status, R"({"code": ")" + std::string(code) + R"(", "message": "it failed"})");
    };
    const std::string& p = req.path;
    if (p == "/20190101/flaky" && count <= 2) return error(503, "ServiceUnavailable");
    if (p == "/20190101/throttled" && count <= 1) return error(429, "TooManyRequests");
    if (p == "/20190101/missing") return error(404, "NotAuthorizedOrNotFound");
    if (p == "/20190101/conflict") return error(409, "Conflict");
    if (p == "/20190101/busy") return error(409, "IncorrectState");
    if (p == "/n/ns/b/bucket/o/flaky" && count <= 1) return error(503, "ServiceUnavailable");
    if (p == "/20190101/list") {
      const std::string page = req.QueryParam("page").value_or("");
      if (page.empty()) {
        res.headers["opc-next-page"] = "page 2/3";
        return res.SetJson(200, R"([{"id": 1}, {"id": 2}])");
      }
      if (page == "page 2/3") {
        res.headers["opc-next-page"] = "p3";
        return res.SetJson(200, R"([{"id": 3}])");
      }
      return res.SetJson(200, R"([{"id": 4}])");
    }
    if (p == "/download") {
      auto sent = std::make_shared<uint64_t>(0);
      res.body_length = 3'000'000;
      res.body_source = [sent](char* buf, size_t n) -> Result<size_t> {
        std::memset(buf, 'd', n);
        *sent += n;
        return n;
      };
      return;
    }
    res.SetJson(200, R"({"method": ")" + req.method + R"(", "size": )" + std::to_string(size) + "}");
  }

  std::unique_ptr<http::Server> server_;
  std::mutex mu_;
  std::vector<Arrival> arrivals_;
  std::map<std::string, int> counts_;
};

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.SetNow(std::chrono::system_clock::now());
    env_.SetEnvVar("HOME", "/home/me");
    ASSERT_TRUE(env_.CreateDirs("/home/me/.ads").ok());
    Status key = iam::WritePrivateKeyFile(env_, "/home/me/.ads/key.pem", TestKey());
    ASSERT_TRUE(key.ok()) << key.ToString();
    iam::OciConfigValues values{kUser, kTenancy, TestKey().public_key().Fingerprint(),
                                "/home/me/.ads/key.pem", "us-ashburn-1", service_.endpoint()};
    ASSERT_TRUE(iam::WriteOciConfig(env_, "/home/me/.ads/config", values).ok());
  }

  std::unique_ptr<Client> MakeClient() {
    ClientOptions options;
    options.env = &env_;
    options.initial_backoff = milliseconds(8);
    options.sleep = [this](milliseconds wait) { waits_.push_back(wait); };
    auto client = Client::FromConfig(options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }

  MemEnv env_;
  FakeService service_;
  std::vector<milliseconds> waits_;
};

TEST_F(ClientTest, SignsJsonCallsAsThePythonSdk) {
  auto client = MakeClient();
  EXPECT_EQ(client->endpoint(), service_.endpoint());
  auto r = client->Call("POST", "/20190101/projects?x=a%2Fb", Json{{"compartmentId", "c"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->ParseJson()->at("size"), 22);
  EXPECT_EQ(r->request_id(), "req-1");
  auto arrivals = service_.arrivals("/20190101/projects");
  ASSERT_EQ(arrivals.size(), 1u);
  const Arrival& a = arrivals[0];
  EXPECT_EQ(a.target, "/20190101/projects?x=a%2Fb");
  EXPECT_TRUE(a.verify.ok()) << a.verify.detail;
  EXPECT_TRUE(a.verify.body_signed);
  EXPECT_TRUE(a.verify.body_hash_verified);
  EXPECT_THAT(a.verify.signed_headers,
              ElementsAre("date", "(request-target)", "host", "content-length", "content-type",
                          "x-content-sha256"));
  EXPECT_EQ(a.headers.at("x-content-sha256"), Sha256Base64(R"({"compartmentId": "c"})"));
  EXPECT_EQ(a.headers.at("content-type"), "application/json");

  auto get = client->Call("GET", "/20190101/projects/p1");
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  auto gets = service_.arrivals("/20190101/projects/p1");
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_THAT(gets[0].verify.signed_headers, ElementsAre("date", "(request-target)", "host"));
}

TEST_F(ClientTest, RetriesServerErrorsThenSucceeds) {
  auto client = MakeClient();
  auto r = client->Call("POST", "/20190101/flaky", Json::object(), {{"opc-retry-token", "tok-1"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto arrivals = service_.arrivals("/20190101/flaky");
  ASSERT_EQ(arrivals.size(), 3u);
  for (const Arrival& a : arrivals) {
    EXPECT_TRUE(a.verify.ok());
    EXPECT_EQ(a.headers.at("opc-retry-token"), "tok-1");
  }
  ASSERT_EQ(waits_.size(), 2u);
  EXPECT_GE(waits_[1], waits_[0] / 2);  // grows (with jitter)
  EXPECT_TRUE(client->Call("GET", "/20190101/throttled").ok());
  EXPECT_EQ(service_.arrivals("/20190101/throttled").size(), 2u);
}

TEST_F(ClientTest, DoesNotRetryClientErrors) {
  auto client = MakeClient();
  auto missing = client->Call("GET", "/20190101/missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "NotAuthorizedOrNotFound (404): it failed [opc-request-id req-1]");
  EXPECT_EQ(service_.arrivals("/20190101/missing").size(), 1u);

  auto conflict = client->Call("POST", "/20190101/conflict", Json::object());
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(service_.arrivals("/20190101/conflict").size(), 1u);

  // IncorrectState is retried, up to max_attempts.
  auto busy = client->Call("POST", "/20190101/busy", Json::object());
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(busy.status().message(), HasSubstr("IncorrectState (409)"));
  EXPECT_EQ(service_.arrivals("/20190101/busy").size(), 5u);
}

TEST_F(ClientTest, FollowsPages) {
  auto client = MakeClient();
  auto all = client->ListAll("/20190101/list?compartmentId=c&page=stale");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->dump(), R"([{"id":1},{"id":2},{"id":3},{"id":4}])");
  auto arrivals = service_.arrivals("/20190101/list");
  ASSERT_EQ(arrivals.size(), 3u);
  EXPECT_EQ(arrivals[0].target, "/20190101/list?compartmentId=c");
  EXPECT_EQ(arrivals[1].target, "/20190101/list?compartmentId=c&page=page%202%2F3");
  EXPECT_EQ(arrivals[2].target, "/20190101/list?compartmentId=c&page=p3");
}

TEST_F(ClientTest, UploadsAndDownloadsStream) {
  auto client = MakeClient();
  const uint64_t kSize = 5'000'000;
  int opened = 0;
  BodySourceFactory factory = [&]() -> Result<http::BodySource> {
    ++opened;
    auto pos = std::make_shared<uint64_t>(0);
    return http::BodySource([pos](char* buf, size_t n) -> Result<size_t> {
      std::memset(buf, 'u', n);
      *pos += n;
      return n;
    });
  };
  auto up = client->Upload("PUT", "/n/ns/b/bucket/o/flaky", factory, kSize,
                           {{"content-type", "application/octet-stream"}});
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(opened, 2);  // the 503 was retried with a fresh body
  auto arrivals = service_.arrivals("/n/ns/b/bucket/o/flaky");
  ASSERT_EQ(arrivals.size(), 2u);
  EXPECT_TRUE(arrivals[1].verify.ok()) << arrivals[1].verify.detail;
  EXPECT_FALSE(arrivals[1].verify.body_signed);
  EXPECT_EQ(arrivals[1].body_size, kSize);

  // A plain BodySource is sent once, even when the answer is retryable.
  auto once = client->Upload("PUT", "/n/ns/b/bucket/o/flaky2", http::BodySource(
      [](char* buf, size_t n) -> Result<size_t> {
        std::memset(buf, 'x', n);
        return n;
      }), 10);
  ASSERT_TRUE(once.ok()) << once.status().ToString();

  uint64_t received = 0;
  auto down = client->Download("/download", [&](std::string_view chunk) {
    received += chunk.size();
    return OkStatus();
  });
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(received, 3'000'000u);
  EXPECT_TRUE(down->body.empty());
}

TEST_F(ClientTest, ConfigWithoutEndpointIsAClearError) {
  iam::OciConfigValues values{kUser, kTenancy, TestKey().public_key().Fingerprint(),
                              "/home/me/.ads/key.pem", "us-ashburn-1", ""};
  ASSERT_TRUE(iam::WriteOciConfig(env_, "/home/me/other", values).ok());
  env_.SetEnvVar("OCI_CONFIG_FILE", "/home/me/other");
  ClientOptions options;
  options.env = &env_;
  auto client = Client::FromConfig(options);
  ASSERT_FALSE(client.ok());
  EXPECT_THAT(client.status().message(), HasSubstr("endpoint"));
  options.endpoint = service_.endpoint();
  EXPECT_TRUE(Client::FromConfig(options).ok());
}

TEST(ClientErrorTest, MapsAnswersToStatuses) {
  EXPECT_TRUE(IsRetryable(503, ""));
  EXPECT_TRUE(IsRetryable(409, "IncorrectState"));
  EXPECT_FALSE(IsRetryable(409, "Conflict"));
  EXPECT_FALSE(IsRetryable(429, "Other"));
  EXPECT_FALSE(IsRetryable(404, "NotAuthorizedOrNotFound"));
  Status s = ErrorFromResponse(502, {}, "<html>bad gateway</html>");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "Bad Gateway (502): <html>bad gateway</html>");
}

}  // namespace
}  // namespace ads::client
