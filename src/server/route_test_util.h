// Test-only helpers shared by the route tests (ds, os): an allow-all
// AccessControl with one public key, the Reply a dispatched request yields,
// a suite-wide RSA key and a helper that signs a request as the OCI SDKs do
// and sends it through Router::Dispatch.
#ifndef ADS_SERVER_ROUTE_TEST_UTIL_H_
#define ADS_SERVER_ROUTE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "http/client.h"
#include "iam/http_signature.h"
#include "iam/keys.h"
#include "server/api.h"

namespace ads::server::test_util {

// Allows everything except in denied compartments; every compartment exists
// except the missing ones. Thread-safe.
class TestAccess : public iam::AccessControl {
 public:
  explicit TestAccess(iam::PublicKey key, std::set<std::string> denied = {},
                      std::set<std::string> missing = {})
      : key_(std::move(key)), denied_(std::move(denied)), missing_(std::move(missing)) {}
  std::optional<iam::PublicKey> LookupKey(const iam::KeyId&) override { return key_; }
  Result<iam::Principal> PrincipalFor(const iam::KeyId& key_id) override {
    return iam::Principal{.tenancy_id = key_id.tenancy, .id = key_id.user};
  }
  bool IsAllowed(const iam::Principal&, iam::Verb, std::string_view,
                 std::string_view compartment_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return !denied_.contains(std::string(compartment_id));
  }
  bool CompartmentExists(std::string_view compartment_id) override {
    return !missing_.contains(std::string(compartment_id));
  }
  void Deny(const std::string& compartment) {
    std::lock_guard<std::mutex> lock(mu_);
    denied_.insert(compartment);
  }

 private:
  iam::PublicKey key_;
  std::mutex mu_;
  std::set<std::string> denied_;
  const std::set<std::string> missing_;
};

struct Reply {
  int status = 0;
  HeaderMap headers;
  std::string body;
  std::optional<uint64_t> head_length;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  Json JsonBody() const { return ParseJson(body).value_or(Json()); }
  std::string Code() const { return StringMemberOr(JsonBody(), "code"); }
};

// A fixture base with one RSA key for the whole suite (generating one per
// test is slow).
class SignedRouteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto key = iam::PrivateKey::Generate();
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_ = new iam::PrivateKey(std::move(*key));
  }
  static void TearDownTestSuite() {
    delete key_;
    key_ = nullptr;
  }
  static std::string KeyId() {
    return "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/" + key_->public_key().Fingerprint();
  }

  static inline iam::PrivateKey* key_ = nullptr;
};

// What SendSigned needs besides the method, target and body. The caller sets
// content-type and content-length in `headers` as the route expects.
struct SignedRequest {
  HeaderMap headers;
  iam::SigningOptions signing = iam::SigningOptions::PythonSdk();
  // Sign this instead of the body (content-length is then reset to the
  // body's size after signing).
  std::optional<std::string> signed_body;
  // Streamed replies are pulled in chunks of this size (small: many pulls).
  size_t pull_size = 5;
};

// Builds the request, signs it with `key` (leaves it unsigned when null) and
// dispatches it through `router`.
inline Reply SendSigned(Router& router, const std::string& method, const std::string& target,
                        const std::string& body, SignedRequest options, const std::string& key_id,
                        const iam::PrivateKey* key) {
  http::Request request;
  request.method = method;
  request.target = target;
  const size_t q = target.find('?');
  request.path = target.substr(0, q);
  request.query = q == std::string::npos ? "" : target.substr(q + 1);
  request.headers = std::move(options.headers);
  request.headers["host"] = "localhost";
  if (key != nullptr) {
    auto signed_headers = iam::SignRequest(method, target, request.headers,
                                           options.signed_body.value_or(body), key_id, *key,
                                           options.signing);
    EXPECT_TRUE(signed_headers.ok()) << signed_headers.status().ToString();
    for (const auto& [k, v] : signed_headers.value_or({})) request.headers[k] = v;
  }
  if (options.signed_body) request.headers["content-length"] = std::to_string(body.size());
  http::StringBodyReader reader(body);
  request.body = &reader;
  http::Response response;
  router.Dispatch(request, response);
  Reply reply{response.status, response.headers, response.body, response.head_length};
  if (response.body_source) {
    reply.body.clear();
    std::string buf(options.pull_size, '\0');
    for (;;) {
      auto n = response.body_source(buf.data(), buf.size());
      EXPECT_TRUE(n.ok()) << n.status().ToString();
      if (!n.ok() || *n == 0) break;
      reply.body.append(buf.data(), *n);
    }
    EXPECT_EQ(reply.body.size(), response.body_length);
  }
  return reply;
}

// Signs `request` (method, target and body set) for a server at `host` as
// the Python SDK signs: host, and with `binary` an octet-stream body whose
// content-length is signed too.
inline void SignForHost(http::ClientRequest& request, const std::string& host, const std::string& key_id,
                        const iam::PrivateKey& key, bool binary = false) {
  request.headers["host"] = host;
  iam::SigningOptions options = iam::SigningOptions::PythonSdk();
  options.binary_body = binary;
  iam::HeaderMap to_sign{{"host", host}};
  if (binary) to_sign["content-length"] = std::to_string(request.body.size());
  auto headers = iam::SignRequest(request.method, request.target, to_sign, request.body, key_id, key, options);
  EXPECT_TRUE(headers.ok()) << headers.status().ToString();
  for (const auto& [name, value] : headers.value_or(iam::HeaderMap{})) request.headers[name] = value;
}

}  // namespace ads::server::test_util

#endif  // ADS_SERVER_ROUTE_TEST_UTIL_H_
