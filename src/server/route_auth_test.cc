// Every route the server registers, walked one by one over real HTTP against
// a real ServerApp: without a signature, with an unknown key, with a stale
// date, and (for signed bodies) with a body that differs from its signed
// hash, each answers 401 NotAuthenticated; a user whom no policy names gets
// 404 NotAuthorizedOrNotFound with the same message as a missing resource.
// The success paths are covered per route by the route tests and by the
// official SDKs in tests/interop/.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/env.h"
#include "base/json.h"
#include "base/strings.h"
#include "http/client.h"
#include "iam/http_signature.h"
#include "iam/keys.h"
#include "server/server_app.h"

namespace ads::server {
namespace {

using std::chrono::minutes;

struct Signer {
  std::string key_id;
  iam::PrivateKey key;
};

enum class Fault { kNone, kUnsigned, kStaleDate, kTamperedBody };

class RouteAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Env& env = *Env::Default();
    auto dir = env.MakeTempDir("ads-route-auth");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    ServerAppOptions options;
    options.data_dir = JoinPath(dir_, "data");
    options.config_file = JoinPath(dir_, "config");
    options.port = 0;
    auto app = ServerApp::Open(env, options);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
    http::ClientOptions client_options;
    client_options.port = app_->port();
    client_ = std::make_unique<http::Client>(client_options);

    const iam::BootstrapResult& boot = app_->bootstrap();
    tenancy_ = boot.tenancy_id;
    ns_ = boot.namespace_name;
    auto pem = env.ReadFile(boot.key_file);
    ASSERT_TRUE(pem.ok());
    auto key = iam::PrivateKey::FromPem(*pem);
    ASSERT_TRUE(key.ok());
    admin_ = std::make_unique<Signer>(
        Signer{tenancy_ + "/" + boot.admin_user_id + "/" + boot.fingerprint, std::move(*key)});
    ids_["users"] = boot.admin_user_id;
    ids_["apiKeys"] = boot.fingerprint;
    ids_["tenancies"] = tenancy_;
    ids_["n"] = ns_;
    MakeFixtures();
  }

  void TearDown() override {
    if (app_) app_->Stop();
    if (!dir_.empty()) Env::Default()->RemoveAll(dir_).IgnoreError();
  }

  http::ClientResponse Send(const std::string& method, const std::string& target,
                            const std::string& body, const Signer* signer, bool binary,
                            Fault fault = Fault::kNone) {
    http::ClientRequest request;
    request.method = method;
    request.target = target;
    request.body = body;
    const std::string host = "127.0.0.1:" + std::to_string(app_->port());
    request.headers["host"] = host;
    if (fault != Fault::kUnsigned && signer != nullptr) {
      iam::SigningOptions options = iam::SigningOptions::PythonSdk();
      options.binary_body = binary;
      options.now = Env::Default()->Now();
      if (fault == Fault::kStaleDate) *options.now -= minutes(10);
      iam::HeaderMap to_sign{{"host", host}};
      if (binary && !body.empty()) to_sign["content-length"] = std::to_string(body.size());
      auto headers = iam::SignRequest(method, target, to_sign, body, signer->key_id, signer->key,
                                      options);
      EXPECT_TRUE(headers.ok()) << headers.status().ToString();
      if (headers.ok()) {
        for (const auto& [name, value] : *headers) request.headers[name] = value;
      }
    }
    if (fault == Fault::kTamperedBody) {
      // Same length, other bytes: only the signed hash can tell.
      for (char& c : request.body) c = c == 'x' ? 'y' : 'x';
    }
    auto response = client_->Send(request);
    EXPECT_TRUE(response.ok()) << method << " " << target << ": " << response.status().ToString();
    return response.ok() ? *response : http::ClientResponse{};
  }

  // An admin call that must succeed; returns its JSON (or the header `want`).
  Json Admin(const std::string& method, const std::string& target, const Json& body,
             const std::string& want_header = {}) {
    http::ClientResponse r = Send(method, target, body.is_null() ? "" : body.dump(), admin_.get(),
                                  false);
    EXPECT_LT(r.status, 300) << method << " " << target << ": " << r.body;
    if (!want_header.empty()) return Json(std::string(r.Header(want_header)));
    auto doc = ParseJson(r.body);
    return doc.ok() ? *doc : Json();
  }

  void MakeFixtures() {
    const Json in_tenancy = {{"compartmentId", tenancy_}};
    ids_["projects"] = Admin("POST", "/20190101/projects", in_tenancy)["id"];
    Json model = in_tenancy;
    model["projectId"] = ids_["projects"];
    ids_["models"] = Admin("POST", "/20190101/models", model)["id"];
    http::ClientResponse artifact = Send("POST", "/20190101/models/" + ids_["models"] + "/artifact",
                                         "artifact bytes", admin_.get(), true);
    ASSERT_EQ(artifact.status, 200) << artifact.body;
    ids_["modelVersionSets"] = Admin("POST", "/20190101/modelVersionSets",
                                     {{"compartmentId", tenancy_},
                                      {"projectId", ids_["projects"]},
                                      {"name", "route-auth"}})["id"];
    const std::string bucket_path = "/n/" + ns_ + "/b";
    Admin("POST", bucket_path, {{"name", "bkt"}, {"compartmentId", tenancy_}});
    ids_["b"] = "bkt";
    http::ClientResponse object =
        Send("PUT", bucket_path + "/bkt/o/obj", "object bytes", admin_.get(), true);
    ASSERT_EQ(object.status, 200) << object.body;
    ids_["o"] = "obj";
    upload_id_ = Admin("POST", bucket_path + "/bkt/u", {{"object", "mp"}})["uploadId"];
    ids_["u"] = "mp";
    const std::string second = Admin("POST", "/20190101/models", model)["id"];
    ids_["workRequests"] = Admin("POST", "/20190101/models/" + second + "/actions/exportArtifact",
                                 {{"artifactExportType", "OBJECT_STORAGE"},
                                  {"namespace", ns_},
                                  {"sourceBucket", "bkt"},
                                  {"sourceObjectName", "obj"},
                                  {"sourceRegion", "us-ashburn-1"}},
                                 "opc-work-request-id");
    const Json named = {{"compartmentId", tenancy_}, {"description", "route auth"}};
    Json c = named;
    c["name"] = "team";
    ids_["compartments"] = Admin("POST", "/20160918/compartments", c)["id"];
    Json g = named;
    g["name"] = "readers";
    ids_["groups"] = Admin("POST", "/20160918/groups", g)["id"];
    ids_["userGroupMemberships"] =
        Admin("POST", "/20160918/userGroupMemberships",
              {{"compartmentId", tenancy_}, {"userId", ids_["users"]}, {"groupId", ids_["groups"]}})
            ["id"];
    Json p = named;
    p["name"] = "readers";
    p["statements"] = Json::array({"allow group readers to read buckets in tenancy"});
    ids_["policies"] = Admin("POST", "/20160918/policies", p)["id"];
    Json dg = named;
    dg["name"] = "deployments";
    dg["matchingRule"] = "resource.type='datasciencemodeldeployment'";
    ids_["dynamicGroups"] = Admin("POST", "/20160918/dynamicGroups", dg)["id"];

    // A user with a key and no group: no policy names them.
    Json u = named;
    u["name"] = "nobody";
    const std::string nobody = Admin("POST", "/20160918/users", u)["id"];
    auto key = iam::PrivateKey::Generate();
    ASSERT_TRUE(key.ok());
    Json uploaded = Admin("POST", "/20160918/users/" + nobody + "/apiKeys",
                          {{"key", key->public_key().ToPem()}});
    nobody_ = std::make_unique<Signer>(Signer{
        tenancy_ + "/" + nobody + "/" + uploaded["fingerprint"].get<std::string>(), std::move(*key)});
    auto stranger_key = iam::PrivateKey::Generate();
    ASSERT_TRUE(stranger_key.ok());
    spare_public_pem_ = stranger_key->public_key().ToPem();
    stranger_ = std::make_unique<Signer>(Signer{
        tenancy_ + "/" + ids_["users"] + "/" + stranger_key->public_key().Fingerprint(),
        std::move(*stranger_key)});
  }

  // The route's pattern with each {param} replaced by the id of a real
  // resource of the kind the previous path segment names, and the query
  // parameters lists and multipart routes need.
  std::string TargetFor(const std::string& pattern) {
    std::vector<std::string> segments = Split(pattern.substr(1), '/');
    for (size_t i = 0; i < segments.size(); ++i) {
      if (!segments[i].starts_with("{")) continue;
      auto it = i > 0 ? ids_.find(segments[i - 1]) : ids_.end();
      segments[i] = it != ids_.end() ? it->second : "unknown";
    }
    return "/" + Join(segments, "/") + "?compartmentId=" + tenancy_ + "&uploadId=" + upload_id_ +
           "&uploadPartNum=1";
  }

  // A body plausible for every create/update route, so that routes get as
  // far as their authorisation check.
  std::string BodyFor() const {
    Json body = {{"compartmentId", tenancy_},
                 {"projectId", ids_.at("projects")},
                 {"name", "fresh-name"},
                 {"displayName", "fresh-name"},
                 {"description", "route auth"},
                 {"statements", Json::array({"allow group readers to read buckets in tenancy"})},
                 {"matchingRule", "resource.type='datasciencemodeldeployment'"},
                 {"userId", ids_.at("users")},
                 {"groupId", ids_.at("groups")},
                 {"object", "other"},
                 {"partsToCommit", Json::array()},
                 {"artifactExportType", "OBJECT_STORAGE"},
                 {"artifactImportType", "OBJECT_STORAGE"},
                 {"namespace", ns_},
                 {"sourceBucket", "bkt"},
                 {"sourceObjectName", "obj"},
                 {"destinationBucket", "bkt"},
                 {"destinationObjectName", "copy"},
                 {"repositoryUrl", "https://example.com/r.git"},
                 {"key", spare_public_pem_}};
    return body.dump();
  }

  std::string dir_;
  std::unique_ptr<ServerApp> app_;
  std::unique_ptr<http::Client> client_;
  std::string tenancy_;
  std::string ns_;
  std::string upload_id_;
  std::string spare_public_pem_;  // a key no user has
  std::map<std::string, std::string> ids_;  // previous path segment -> id
  std::unique_ptr<Signer> admin_;
  std::unique_ptr<Signer> nobody_;
  std::unique_ptr<Signer> stranger_;
};

// Routes any authenticated caller may use, as in OCI: the namespace lookups
// and the caller's own tenancy.
bool NeedsNoPolicy(const Router::RouteInfo& route) {
  return route.method == "GET" &&
         (route.pattern == "/n" || route.pattern == "/n/" || route.pattern == "/n/{ns}" ||
          route.pattern == "/20160918/tenancies/{tenancyId}");
}

TEST_F(RouteAuthTest, EveryRouteRefusesUnauthenticatedRequests) {
  int checked = 0;
  for (const Router::RouteInfo& route : app_->router().Routes()) {
    if (!route.options.authenticate) continue;
    SCOPED_TRACE(route.method + " " + route.pattern);
    const bool binary = route.options.body == BodyKind::kBinary;
    const std::string target = TargetFor(route.pattern);
    const std::string body = route.options.body == BodyKind::kNone ? "" : BodyFor();
    for (Fault fault : {Fault::kUnsigned, Fault::kStaleDate}) {
      http::ClientResponse r = Send(route.method, target, body, admin_.get(), binary, fault);
      EXPECT_EQ(r.status, 401) << r.body;
      if (route.method != "HEAD") {
        EXPECT_THAT(r.body, ::testing::HasSubstr("NotAuthenticated"));
      }
    }
    http::ClientResponse unknown = Send(route.method, target, body, stranger_.get(), binary);
    EXPECT_EQ(unknown.status, 401) << unknown.body;
    if (route.options.body == BodyKind::kJson) {
      http::ClientResponse tampered =
          Send(route.method, target, body, admin_.get(), binary, Fault::kTamperedBody);
      EXPECT_EQ(tampered.status, 401) << tampered.body;
    }
    ++checked;
  }
  EXPECT_GT(checked, 60) << "expected every OCI route to be registered";
}

TEST_F(RouteAuthTest, EveryRouteHidesResourcesFromAUserNoPolicyNames) {
  std::string missing_message;
  {
    http::ClientResponse r =
        Send("GET", "/20190101/models/" + ids_["models"] + "x", "", admin_.get(), false);
    ASSERT_EQ(r.status, 404);
    auto doc = ParseJson(r.body);
    ASSERT_TRUE(doc.ok());
    missing_message = (*doc)["message"];
  }
  int checked = 0;
  for (const Router::RouteInfo& route : app_->router().Routes()) {
    if (!route.options.authenticate || NeedsNoPolicy(route)) continue;
    SCOPED_TRACE(route.method + " " + route.pattern);
    const bool binary = route.options.body == BodyKind::kBinary;
    const std::string body = route.options.body == BodyKind::kNone ? "" : BodyFor();
    http::ClientResponse r =
        Send(route.method, TargetFor(route.pattern), body, nobody_.get(), binary);
    EXPECT_EQ(r.status, 404) << r.body;
    if (route.method != "HEAD") {
      auto doc = ParseJson(r.body);
      ASSERT_TRUE(doc.ok()) << r.body;
      EXPECT_EQ((*doc)["code"], "NotAuthorizedOrNotFound");
      EXPECT_EQ((*doc)["message"], missing_message);
    }
    ++checked;
  }
  EXPECT_GT(checked, 60);
  // And the resources are all still there for the administrator.
  EXPECT_EQ(Send("GET", "/20190101/models/" + ids_["models"], "", admin_.get(), false).status, 200);
  EXPECT_EQ(Send("GET", "/n/" + ns_ + "/b/bkt/o/obj", "", admin_.get(), false).status, 200);
}

}  // namespace
}  // namespace ads::server
