// auth_bench: the cost of authenticating one signed request, the hot path of
// every OCI-style route (e.g. POST /{deploymentId}/predict).
//
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DADS_BUILD_BENCH=ON
//   cmake --build build-bench --target auth_bench
//   build-bench/bench/auth_bench --benchmark_min_time=1
//
// Everything is real: a SQLite-backed IamService (tenancy, group, policy, a
// user with an RSA-2048 API key), requests signed exactly as oci-python-sdk
// signs them, and the server's Router. Benchmarks, cheapest first:
//   BM_RsaVerify        PublicKey::VerifySha256 alone (the floor).
//   BM_VerifyRequest    iam::VerifyRequest with the IamService key lookup:
//                       Authorization parsing, signing string, key lookup,
//                       fingerprint check, RSA verify, body hash.
//   BM_AuthAndPolicy    BM_VerifyRequest + PrincipalFor + IsAllowed.
//   BM_RouterDispatch   Router::Dispatch of a signed JSON POST to
//                       /{deploymentId}/predict whose handler authorizes and
//                       replies: routing, request id, body read, the above.
// Each runs on 1 and 2 threads (the per-op time is wall time per request per
// thread; with 2 threads on 2 cores it shows lock contention).
// See docs/bench-auth.md for numbers.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "base/env.h"
#include "base/strings.h"
#include "http/message.h"
#include "iam/http_signature.h"
#include "iam/iam_service.h"
#include "server/api.h"
#include "store/sqlite.h"

namespace ads {
namespace {

constexpr char kTarget[] = "/ocid1.datasciencemodeldeployment.oc1..bench/predict";
constexpr char kBody[] = R"({"data": [[1.0, 2.0, 3.0, 4.0]]})";

// One IAM store and one signed request, shared by every benchmark.
struct Fixture {
  Env& env = *Env::Default();
  std::string dir;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<iam::IamService> iam;
  std::unique_ptr<iam::UserCredentials> user;
  std::string tenancy_id;
  HeaderMap headers;  // as received: host, date, content-*, authorization
  std::unique_ptr<server::Router> router;
  // The same request signed as a model deployment's resource principal
  // (keyId "ST$<session token>"), allowed through a dynamic group.
  std::unique_ptr<iam::SessionTokenAuthority> tokens;
  HeaderMap token_headers;

  Fixture() {
    dir = Check(env.MakeTempDir("auth_bench"));
    db = Check(store::Database::Open(JoinPath(dir, "ads.db")));
    iam = Check(iam::IamService::Open(env, *db));
    tenancy_id = Check(iam->CreateTenancy("bench", "us-ashburn-1", "benchns")).id;
    Check(iam->Create(
        iam::IamKind::kGroup,
        {{"compartmentId", tenancy_id}, {"name", "Predictors"}, {"description", "bench"}}));
    Check(iam->Create(iam::IamKind::kPolicy,
                      {{"compartmentId", tenancy_id},
                       {"name", "bench-policy"},
                       {"description", "bench"},
                       {"statements",
                        {"allow group Predictors to use data-science-model-deployments "
                         "in tenancy"}}}));
    user = std::make_unique<iam::UserCredentials>(
        Check(iam->CreateUserWithKey("bench", {"Predictors"})));
    headers = {{"host", "localhost:8080"}, {"content-type", "application/json"}};
    HeaderMap added = Check(iam::SignRequest("POST", kTarget, headers, kBody, user->key_id,
                                             user->key, iam::SigningOptions::PythonSdk()));
    for (auto& [k, v] : added) headers[k] = v;

    tokens = std::make_unique<iam::SessionTokenAuthority>(Check(iam::PrivateKey::Generate()),
                                                          iam::SessionTokenOptions{});
    iam->EnableSessionTokens(tokens.get());
    Check(iam->Create(iam::IamKind::kDynamicGroup,
                      {{"compartmentId", tenancy_id},
                       {"name", "Deployments"},
                       {"matchingRule", "resource.type='datasciencemodeldeployment'"}}));
    Check(iam->Create(iam::IamKind::kPolicy,
                      {{"compartmentId", tenancy_id},
                       {"name", "bench-dg-policy"},
                       {"statements",
                        {"allow dynamic-group Deployments to use data-science-model-deployments "
                         "in tenancy"}}}));
    const iam::PrivateKey session = Check(iam::PrivateKey::Generate());
    const std::string token =
        Check(tokens->Issue({std::string(iam::kModelDeploymentType),
                             "ocid1.datasciencemodeldeployment.oc1..bench", tenancy_id, tenancy_id},
                            session.public_key(), env.Now()));
    token_headers = {{"host", "localhost:8080"}, {"content-type", "application/json"}};
    added = Check(iam::SignRequest("POST", kTarget, token_headers, kBody, "ST$" + token, session,
                                   iam::SigningOptions::PythonSdk()));
    for (auto& [k, v] : added) token_headers[k] = v;

    router = std::make_unique<server::Router>(env, iam.get());
    server::RouteOptions options;
    options.body = server::BodyKind::kJson;
    router->Add("POST", "/{deploymentId}/predict", options, [this](server::Call& call) {
      ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kUse, iam::kModelDeployments, tenancy_id));
      call.response.SetJson(200, R"({"prediction": [1]})");
      return OkStatus();
    });
    // Some other routes so that the scan is not trivially short.
    for (const char* pattern :
         {"/20190101/models", "/20190101/models/{modelId}", "/20190101/models/{modelId}/artifact",
          "/20190101/projects/{projectId}", "/n/{namespaceName}/b/{bucketName}/o/{objectName}",
          "/20190101/modelDeployments/{modelDeploymentId}", "/v2/health/live"}) {
      router->Add("GET", pattern, {}, [](server::Call&) { return OkStatus(); });
    }
    // Warm the snapshot and make sure the request really authenticates.
    http::Response response;
    Dispatch(response);
    if (response.status != 200)
      Die("the signed request got " + std::to_string(response.status) + ": " + response.body);
  }
  ~Fixture() {
    router.reset();
    iam.reset();
    tokens.reset();
    db.reset();
    env.RemoveAll(dir).IgnoreError();
  }

  void Dispatch(http::Response& response) {
    http::Request request;
    request.method = "POST";
    request.target = kTarget;
    request.path = kTarget;
    request.headers = headers;
    http::StringBodyReader reader(kBody);
    request.body = &reader;
    router->Dispatch(request, response);
  }

  [[noreturn]] static void Die(const std::string& what) {
    std::fprintf(stderr, "auth_bench: %s\n", what.c_str());
    std::exit(1);
  }
  template <typename T>
  static T Check(Result<T> r) {
    if (!r.ok()) Die(r.status().ToString());
    return std::move(*r);
  }
};

Fixture& F() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

void BM_RsaVerify(benchmark::State& state) {
  Fixture& f = F();
  const iam::PublicKey key = f.user->key.public_key();
  const std::string text = "(request-target): post /x\nhost: localhost:8080";
  const std::string signature = *f.user->key.SignSha256(text);
  for (auto _ : state) {
    if (!key.VerifySha256(text, signature)) state.SkipWithError("verify failed");
  }
}
BENCHMARK(BM_RsaVerify)->Threads(1)->Threads(2)->UseRealTime();

void BM_VerifyRequest(benchmark::State& state) {
  Fixture& f = F();
  const iam::KeyLookup lookup = [&f](const iam::KeyId& id) { return f.iam->LookupKey(id); };
  iam::VerifyOptions options;
  options.require_body_signature = true;
  for (auto _ : state) {
    iam::VerifyResult r = iam::VerifyRequest("POST", kTarget, f.headers, std::string_view(kBody),
                                             lookup, f.env.Now(), options);
    if (!r.ok()) state.SkipWithError(r.detail.c_str());
  }
}
BENCHMARK(BM_VerifyRequest)->Threads(1)->Threads(2)->UseRealTime();

void BM_AuthAndPolicy(benchmark::State& state) {
  Fixture& f = F();
  const iam::KeyLookup lookup = [&f](const iam::KeyId& id) { return f.iam->LookupKey(id); };
  iam::VerifyOptions options;
  options.require_body_signature = true;
  for (auto _ : state) {
    iam::VerifyResult r = iam::VerifyRequest("POST", kTarget, f.headers, std::string_view(kBody),
                                             lookup, f.env.Now(), options);
    Result<iam::Principal> who = f.iam->PrincipalFor(r.key_id);
    if (!r.ok() || !who.ok() ||
        !f.iam->IsAllowed(*who, iam::Verb::kUse, iam::kModelDeployments, f.tenancy_id)) {
      state.SkipWithError("not authenticated or not allowed");
    }
  }
}
BENCHMARK(BM_AuthAndPolicy)->Threads(1)->Threads(2)->UseRealTime();

// BM_AuthAndPolicy for a resource principal: the token's RSA verify and
// parse are cached, so this should cost about what an API key does.
void BM_SessionTokenAuthAndPolicy(benchmark::State& state) {
  Fixture& f = F();
  const iam::KeyLookup lookup = [&f](const iam::KeyId& id) { return f.iam->LookupKey(id); };
  iam::VerifyOptions options;
  options.require_body_signature = true;
  for (auto _ : state) {
    iam::VerifyResult r = iam::VerifyRequest("POST", kTarget, f.token_headers,
                                             std::string_view(kBody), lookup, f.env.Now(), options);
    Result<iam::Principal> who = f.iam->PrincipalFor(r.key_id);
    if (!r.ok() || !who.ok() ||
        !f.iam->IsAllowed(*who, iam::Verb::kUse, iam::kModelDeployments, f.tenancy_id)) {
      state.SkipWithError("not authenticated or not allowed");
    }
  }
}
BENCHMARK(BM_SessionTokenAuthAndPolicy)->Threads(1)->Threads(2)->UseRealTime();

void BM_RouterDispatch(benchmark::State& state) {
  Fixture& f = F();
  for (auto _ : state) {
    http::Response response;
    f.Dispatch(response);
    if (response.status != 200) state.SkipWithError("dispatch did not return 200");
  }
}
BENCHMARK(BM_RouterDispatch)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace ads

BENCHMARK_MAIN();
