// Cross-checks ads' request signing against the official OCI TypeScript SDK
// (oci-common, pinned in tests/peers/package.json): the SDK signs with a
// config file and key that ads wrote, ads verifies the SDK's signatures, and
// ads' own signer must produce the byte-identical Authorization header
// (RSASSA-PKCS1-v1_5 is deterministic).
//
// Needs node on PATH and `npm ci --ignore-scripts --prefix tests/peers`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "base/env.h"
#include "base/json.h"
#include "iam/http_signature.h"
#include "iam/oci_config.h"

namespace ads::iam {
namespace {

constexpr char kSetupHint[] =
    "run `npm ci --ignore-scripts --prefix tests/peers` in the repository root "
    "(and install Node.js)";
constexpr char kXDate[] = "Tue, 14 Nov 2023 22:13:20 GMT";
constexpr char kHost[] = "127.0.0.1:8080";

std::string PeersDir() { return std::string(ADS_SOURCE_DIR) + "/tests/peers"; }

// Runs a shell command and returns its stdout, or an error with its status.
Result<std::string> RunCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return IoError("could not start: " + command);
  std::string out;
  std::array<char, 4096> buf;
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int rc = pclose(pipe);
  if (rc != 0) return IoError("`" + command + "` exited with status " + std::to_string(rc));
  return out;
}

struct SdkRequest {
  std::string method;
  std::string target;
  std::optional<std::string> body;  // nullopt: the SDK sends no body
  bool binary = false;
};

std::vector<SdkRequest> Requests() {
  return {
      {"GET", "/20190101/models?compartmentId=ocid1.compartment.oc1..x&page=a%2Fb+c", {}, false},
      {"HEAD", "/20190101/models/ocid1.datasciencemodel.oc1..m/artifact/content", {}, false},
      {"DELETE", "/20190101/models/ocid1.datasciencemodel.oc1..m", {}, false},
      {"POST", "/20190101/models", R"({"displayName":"iris-rf","compartmentId":"c"})", false},
      {"PUT", "/20190101/models/ocid1.datasciencemodel.oc1..m", R"({"description":"é ✓"})",
       false},
      {"POST", "/20190101/models/ocid1.datasciencemodel.oc1..m/actions/activate", {}, false},
      {"PUT", "/n/ns/b/bucket/o/dir%2Fmodel+1.zip", "PK\x03\x04 zip bytes", true},
      {"POST", "/20190101/models/ocid1.datasciencemodel.oc1..m/artifact", "zip", true},
  };
}

class SdkInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::string> node = RunCommand("node --version 2>/dev/null");
    ASSERT_TRUE(node.ok()) << "node is not on PATH; " << kSetupHint;
    ASSERT_TRUE(Env::Default()->FileExists(PeersDir() + "/node_modules/oci-common/package.json"))
        << "tests/peers/node_modules is missing; " << kSetupHint;
    Result<std::string> tmp = Env::Default()->MakeTempDir("iam_sdk_interop");
    ASSERT_TRUE(tmp.ok());
    dir_ = *tmp;
  }
  void TearDown() override {
    if (!dir_.empty()) Env::Default()->RemoveAll(dir_).IgnoreError();
  }

  // Writes key + config with ads' own writers, has the SDK sign Requests().
  Result<Json> SignWithSdk(const PrivateKey& key) {
    Env& env = *Env::Default();
    const std::string key_path = dir_ + "/keys/api_key.pem";
    ADS_RETURN_IF_ERROR(WritePrivateKeyFile(env, key_path, key));
    OciConfigValues values{"ocid1.user.oc1..aaaaaaaauser", "ocid1.tenancy.oc1..aaaaaaaatenancy",
                           key.public_key().Fingerprint(), key_path, "us-ashburn-1",
                           std::string("http://") + kHost};
    ADS_RETURN_IF_ERROR(WriteOciConfig(env, dir_ + "/config", values));
    Json requests = Json::array();
    for (const SdkRequest& r : Requests()) {
      requests.push_back({{"method", r.method},
                          {"uri", std::string("http://") + kHost + r.target},
                          {"body", r.body ? Json(*r.body) : Json(nullptr)},
                          {"binary", r.binary},
                          {"xdate", kXDate}});
    }
    ADS_RETURN_IF_ERROR(env.WriteFile(dir_ + "/requests.json", requests.dump()));
    ADS_ASSIGN_OR_RETURN(std::string out,
                         RunCommand("node '" + PeersDir() + "/sign_request.js' '" + dir_ +
                                    "/config' DEFAULT '" + dir_ + "/requests.json'"));
    return ParseJson(out, "sign_request.js output");
  }

  std::string dir_;
};

HeaderMap HeadersOf(const Json& signed_request) {
  HeaderMap headers;
  for (const auto& [name, value] : signed_request.at("headers").items()) {
    headers[name] = value.get<std::string>();
  }
  return headers;
}

TEST_F(SdkInteropTest, VerifiesSdkSignaturesAndSignsIdentically) {
  Result<PrivateKey> key = PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  Result<Json> signed_requests = SignWithSdk(*key);
  ASSERT_TRUE(signed_requests.ok()) << signed_requests.status().ToString() << "; " << kSetupHint;
  const std::vector<SdkRequest> requests = Requests();
  ASSERT_EQ(signed_requests->size(), requests.size());
  const std::string key_id = "ocid1.tenancy.oc1..aaaaaaaatenancy/ocid1.user.oc1..aaaaaaaauser/" +
                             key->public_key().Fingerprint();
  const KeyLookup lookup = [&](const KeyId& id) -> std::optional<PublicKey> {
    if (id.raw == key_id) return key->public_key();
    return std::nullopt;
  };
  const TimePoint now = *ParseHttpDate(kXDate) + std::chrono::seconds(42);

  for (size_t i = 0; i < requests.size(); ++i) {
    const SdkRequest& r = requests[i];
    SCOPED_TRACE(r.method + " " + r.target);
    const HeaderMap sdk = HeadersOf((*signed_requests)[i]);
    const std::string body = r.body.value_or("");
    const bool body_signed = !r.binary && (r.method == "POST" || r.method == "PUT");

    // (a) ads verifies what the SDK signed.
    VerifyOptions strict;
    strict.require_body_signature = !r.binary;
    VerifyResult v = VerifyRequest(r.method, r.target, sdk, body, lookup, now, strict);
    EXPECT_TRUE(v.ok()) << VerifyOutcomeName(v.outcome) << ": " << v.detail;
    EXPECT_EQ(v.body_signed, body_signed);
    EXPECT_EQ(v.body_hash_verified, body_signed);
    if (body_signed) {
      std::string tampered = body + " ";
      EXPECT_EQ(VerifyRequest(r.method, r.target, sdk, tampered, lookup, now).outcome,
                VerifyOutcome::kBodyHashMismatch);
    }

    // (b) ads signs the same request byte-identically.
    SigningOptions options = SigningOptions::TypeScriptSdk();
    options.binary_body = r.binary;
    Result<HeaderMap> ours = SignRequest(r.method, r.target, {{"host", kHost}, {"x-date", kXDate}},
                                         body, key_id, *key, options);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    EXPECT_EQ(ours->at("authorization"), sdk.at("authorization"));
    for (const auto& [name, value] : *ours) {
      ASSERT_EQ(sdk.count(name), 1u) << name;
      EXPECT_EQ(value, sdk.at(name)) << name;
    }
  }
}

}  // namespace
}  // namespace ads::iam
