// The model deployment routes through server::Router::Dispatch with signed
// requests (real RSA key and verifier), real SQLite, a real BlobStore and the
// onnx runtime serving the bundled iris forest. Everything is allowed except
// in the compartments the test denies, which must look like missing ones.
#include "server/md_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "http/client.h"
#include "server/ds_routes.h"
#include "server/server_app.h"
#include "server/route_test_util.h"
#include "serving/serving_test_util.h"

namespace ads::server {
namespace {

using ::testing::HasSubstr;
using test_util::Reply;
using test_util::SignedRequest;
using test_util::TestAccess;

constexpr char kComp[] = "ocid1.compartment.oc1..open";
constexpr char kOther[] = "ocid1.compartment.oc1..other";
constexpr char kMissing[] = "ocid1.compartment.oc1..missing";

class MdRoutesTest : public test_util::SignedRouteTest {
 protected:
  void SetUp() override {
    dir_ = env_.MakeTempDir("md_routes_test").value();
    blobs_ = store::BlobStore::Open(env_, dir_).value();
    access_ = std::make_unique<TestAccess>(key_->public_key(), std::set<std::string>{},
                                           std::set<std::string>{kMissing});
    catalog::CatalogOptions options;
    options.has_active_deployment = [this](std::string_view id) {
      return deployments_ && deployments_->HasActiveDeployment(id);
    };
    catalog_ = catalog::Catalog::Open(store::Database::Open(dir_ + "/ads.db").value(), *blobs_,
                                      env_, options)
                   .value();
    serving::DeploymentServiceOptions serving_options;
    serving_options.data_dir = dir_;
    serving_options.endpoint = "http://127.0.0.1:9";
    auto deployments = serving::DeploymentService::Open(
        store::Database::Open(dir_ + "/ads.db").value(), *catalog_, env_, serving_options);
    ASSERT_TRUE(deployments.ok()) << deployments.status().ToString();
    deployments_ = std::move(*deployments);
    router_ = std::make_unique<Router>(env_, access_.get());
    AddDataScienceRoutes(*router_, *catalog_);
    AddModelDeploymentRoutes(*router_, *deployments_, *catalog_);
  }
  void TearDown() override {
    router_.reset();
    deployments_.reset();
    catalog_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = "",
             HeaderMap headers = {}) {
    SignedRequest options{.headers = std::move(headers),
                          .signing = iam::SigningOptions::PythonSdk()};
    if (method == "POST" || method == "PUT") {
      options.headers["content-type"] = "application/json";
      options.headers["content-length"] = std::to_string(body.size());
    }
    return test_util::SendSigned(*router_, method, "/20190101" + target, body, std::move(options),
                                 KeyId(), key_);
  }
  Reply Post(const std::string& target, const Json& body, HeaderMap headers = {}) {
    return Send("POST", target, body.dump(), std::move(headers));
  }
  // A project and an iris model with its artifact in `comp`.
  std::pair<std::string, std::string> ProjectAndModel(const std::string& comp = kComp) {
    Reply p = Post("/projects", {{"compartmentId", comp}});
    EXPECT_EQ(p.status, 200) << p.body;
    const std::string project = StringMemberOr(p.JsonBody(), "id");
    return {project, serving::test_util::SaveIrisModel(*catalog_, comp, project)};
  }
  Json WaitForWorkRequest(const std::string& id) {
    for (int i = 0; i < 500; ++i) {
      Reply r = Send("GET", "/workRequests/" + id);
      EXPECT_EQ(r.status, 200) << r.body;
      const std::string status = StringMemberOr(r.JsonBody(), "status");
      if (status == "SUCCEEDED" || status == "FAILED") return r.JsonBody();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "work request did not finish";
    return Json();
  }
  // Deploys and waits for ACTIVE; returns the deployment id.
  std::string Deploy(const std::string& comp, const std::string& project, const std::string& model,
                     const std::string& name = "iris-md") {
    Json details = serving::test_util::DeploymentDetails(comp, project, model);
    details["displayName"] = name;
    Reply r = Post("/modelDeployments", details);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(WaitForWorkRequest(r.Header("opc-work-request-id"))["status"], "SUCCEEDED");
    return StringMemberOr(r.JsonBody(), "id");
  }
  std::string StateOf(const std::string& id) {
    return StringMemberOr(Send("GET", "/modelDeployments/" + id).JsonBody(), "lifecycleState");
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<TestAccess> access_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<serving::DeploymentService> deployments_;
  std::unique_ptr<Router> router_;
};

TEST_F(MdRoutesTest, LifecycleOverHttp) {
  auto [project, model] = ProjectAndModel();
  Reply created = Post("/modelDeployments",
                       serving::test_util::DeploymentDetails(kComp, project, model),
                       {{"opc-retry-token", "once"}});
  ASSERT_EQ(created.status, 200) << created.body;
  const Json doc = created.JsonBody();
  const std::string id = doc["id"];
  EXPECT_EQ(doc["lifecycleState"], "CREATING");
  EXPECT_EQ(doc["modelDeploymentUrl"], "http://127.0.0.1:9/" + id);
  EXPECT_EQ(doc["createdBy"], "ocid1.user.oc1..u");
  EXPECT_FALSE(created.Header("etag").empty());
  const std::string wr = created.Header("opc-work-request-id");
  ASSERT_FALSE(wr.empty());
  Reply retried = Post("/modelDeployments",
                       serving::test_util::DeploymentDetails(kComp, project, model),
                       {{"opc-retry-token", "once"}});
  EXPECT_EQ(retried.JsonBody()["id"], id);
  Json finished = WaitForWorkRequest(wr);
  EXPECT_EQ(finished["status"], "SUCCEEDED");
  EXPECT_EQ(finished["operationType"], "MODEL_DEPLOYMENT_CREATE");
  EXPECT_EQ(finished["resources"][0]["entityUri"], "/20190101/modelDeployments/" + id);
  Reply listed_wrs = Send("GET", std::string("/workRequests?compartmentId=") + kComp +
                                     "&operationType=MODEL_DEPLOYMENT_CREATE");
  ASSERT_EQ(listed_wrs.status, 200) << listed_wrs.body;
  EXPECT_EQ(listed_wrs.JsonBody().size(), 1u);

  Reply got = Send("GET", "/modelDeployments/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.JsonBody()["lifecycleState"], "ACTIVE");
  // The model behind an ACTIVE deployment cannot be deleted.
  Reply model_delete = Send("DELETE", "/models/" + model);
  EXPECT_EQ(model_delete.status, 409) << model_delete.body;

  Reply stale = Send("PUT", "/modelDeployments/" + id, Json{{"displayName", "x"}}.dump(),
                     {{"if-match", "nope"}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.Code(), "NoEtagMatch");
  Reply renamed = Send("PUT", "/modelDeployments/" + id, Json{{"displayName", "renamed"}}.dump(),
                       {{"if-match", got.Header("etag")}});
  ASSERT_EQ(renamed.status, 202) << renamed.body;
  EXPECT_FALSE(renamed.Header("opc-work-request-id").empty());
  EXPECT_EQ(Send("GET", "/modelDeployments/" + id).JsonBody()["displayName"], "renamed");

  Reply bigger = Send("PUT", "/modelDeployments/" + id,
                      Json{{"modelDeploymentConfigurationDetails",
                            {{"modelConfigurationDetails", {{"bandwidthMbps", 20}}}}}}
                          .dump());
  EXPECT_EQ(bigger.status, 409) << bigger.body;
  EXPECT_EQ(bigger.Code(), "IncorrectState");
  EXPECT_THAT(bigger.body, HasSubstr("INACTIVE"));

  Reply activate = Post("/modelDeployments/" + id + "/actions/activate", Json::object());
  EXPECT_EQ(activate.status, 409);
  EXPECT_EQ(activate.Code(), "IncorrectState");
  EXPECT_THAT(activate.body, HasSubstr("while it is ACTIVE"));

  Reply deactivate = Send("POST", "/modelDeployments/" + id + "/actions/deactivate");
  ASSERT_EQ(deactivate.status, 202) << deactivate.body;
  EXPECT_EQ(WaitForWorkRequest(deactivate.Header("opc-work-request-id"))["status"], "SUCCEEDED");
  EXPECT_EQ(StateOf(id), "INACTIVE");
  Reply now_bigger = Send("PUT", "/modelDeployments/" + id,
                          Json{{"modelDeploymentConfigurationDetails",
                                {{"modelConfigurationDetails", {{"bandwidthMbps", 20}}}}}}
                              .dump());
  ASSERT_EQ(now_bigger.status, 202) << now_bigger.body;
  EXPECT_EQ(Send("GET", "/modelDeployments/" + id)
                .JsonBody()["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]
                           ["bandwidthMbps"],
            20);
  Reply reactivate = Post("/modelDeployments/" + id + "/actions/activate", Json::object());
  ASSERT_EQ(reactivate.status, 202) << reactivate.body;
  EXPECT_EQ(WaitForWorkRequest(reactivate.Header("opc-work-request-id"))["status"], "SUCCEEDED");
  EXPECT_EQ(StateOf(id), "ACTIVE");
  ASSERT_NE(deployments_->Find(id), nullptr);
  EXPECT_TRUE(deployments_->Find(id)->Predict({.body = serving::test_util::kIrisRow}).ok());

  Reply deleted = Send("DELETE", "/modelDeployments/" + id);
  ASSERT_EQ(deleted.status, 202) << deleted.body;
  Json delete_wr = WaitForWorkRequest(deleted.Header("opc-work-request-id"));
  EXPECT_EQ(delete_wr["operationType"], "MODEL_DEPLOYMENT_DELETE");
  EXPECT_EQ(delete_wr["resources"][0]["actionType"], "DELETED");
  EXPECT_EQ(StateOf(id), "DELETED");
  Reply again = Send("DELETE", "/modelDeployments/" + id);
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(again.body, HasSubstr("while it is DELETED"));
  EXPECT_EQ(Send("DELETE", "/models/" + model).status, 204);
}

TEST_F(MdRoutesTest, ForbiddenLooksLikeMissing) {
  auto [project, model] = ProjectAndModel(kOther);
  const std::string id = Deploy(kOther, project, model);
  access_->Deny(kOther);
  Reply hidden = Send("GET", "/modelDeployments/" + id);
  Reply missing = Send("GET", "/modelDeployments/ocid1.datasciencemodeldeployment.oc1.iad.none");
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(hidden.Code(), "NotAuthorizedOrNotFound");
  EXPECT_EQ(missing.Code(), "NotAuthorizedOrNotFound");
  EXPECT_EQ(Send("DELETE", "/modelDeployments/" + id).status, 404);
  EXPECT_EQ(Send("POST", "/modelDeployments/" + id + "/actions/deactivate").status, 404);
  EXPECT_EQ(Send("GET", "/modelDeployments/" + id + "/logs").status, 404);
  EXPECT_EQ(Send("GET", std::string("/modelDeployments?compartmentId=") + kOther).status, 404);
  Reply create = Post("/modelDeployments",
                      serving::test_util::DeploymentDetails(kOther, project, model));
  EXPECT_EQ(create.status, 404);
  Reply nowhere = Post("/modelDeployments",
                       serving::test_util::DeploymentDetails(kMissing, project, model));
  EXPECT_EQ(nowhere.status, 404);
  // A model the caller cannot read is a model that does not exist.
  Reply unreadable = Post("/modelDeployments",
                          serving::test_util::DeploymentDetails(kComp, project, model));
  EXPECT_EQ(unreadable.status, 400);
  EXPECT_THAT(unreadable.body, HasSubstr("names no model"));
  EXPECT_EQ(StateOf(id), "");  // still hidden; nothing changed it
}

TEST_F(MdRoutesTest, ListsPageFilterAndRefuseBadInput) {
  auto [project, model] = ProjectAndModel();
  std::set<std::string> created;
  for (int i = 0; i < 3; ++i) {
    Json details = serving::test_util::DeploymentDetails(kComp, project, model);
    details["displayName"] = "md-" + std::to_string(i);
    Reply r = Post("/modelDeployments", details);
    ASSERT_EQ(r.status, 200) << r.body;
    created.insert(StringMemberOr(r.JsonBody(), "id"));
  }
  deployments_->WaitIdle();
  std::set<std::string> seen;
  std::string page;
  int pages = 0;
  do {
    Reply r = Send("GET", std::string("/modelDeployments?compartmentId=") + kComp +
                              "&limit=2&sortBy=displayName" + (page.empty() ? "" : "&page=" + page));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(r.JsonBody().is_array());
    for (const Json& m : r.JsonBody()) EXPECT_TRUE(seen.insert(m["id"]).second);
    page = r.Header("opc-next-page");
    ++pages;
  } while (!page.empty() && pages < 10);
  EXPECT_EQ(seen, created);
  EXPECT_EQ(pages, 2);
  Reply one = Send("GET", std::string("/modelDeployments?compartmentId=") + kComp +
                              "&displayName=md-1&lifecycleState=ACTIVE");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.JsonBody().size(), 1u);
  EXPECT_EQ(Send("GET", "/modelDeployments").status, 400);
  EXPECT_EQ(Send("GET", std::string("/modelDeployments?compartmentId=") + kComp + "&sortBy=size")
                .status,
            400);

  Json container = serving::test_util::DeploymentDetails(kComp, project, model);
  container["modelDeploymentConfigurationDetails"]["environmentConfigurationDetails"]
           ["environmentConfigurationType"] = "OCIR_CONTAINER";
  Reply refused = Post("/modelDeployments", container);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.Code(), "InvalidParameter");
  EXPECT_THAT(refused.body, HasSubstr("OCIR_CONTAINER is not supported"));
  Reply not_json = Send("POST", "/modelDeployments", "{nope");
  EXPECT_EQ(not_json.status, 400);
}

TEST_F(MdRoutesTest, LogsRouteReadsTheDeploymentsLogs) {
  auto [project, model] = ProjectAndModel();
  Json details = serving::test_util::DeploymentDetails(kComp, project, model);
  details["categoryLogDetails"] = {{"predict", {{"logGroupId", "g"}, {"logId", "p"}}}};
  Reply r = Post("/modelDeployments", details);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string id = StringMemberOr(r.JsonBody(), "id");
  deployments_->WaitIdle();
  std::shared_ptr<serving::Endpoint> endpoint = deployments_->Find(id);
  ASSERT_NE(endpoint, nullptr);
  for (int i = 0; i < 4; ++i) endpoint->Log(serving::LogType::kPredict, {{"i", i}});
  Reply logs = Send("GET", "/modelDeployments/" + id + "/logs?type=predict&tail=3");
  ASSERT_EQ(logs.status, 200) << logs.body;
  EXPECT_EQ(logs.JsonBody(), Json::parse(R"([{"i":1},{"i":2},{"i":3}])"));
  Reply access = Send("GET", "/modelDeployments/" + id + "/logs");
  ASSERT_EQ(access.status, 200);
  EXPECT_EQ(access.JsonBody(), Json::array());
  EXPECT_EQ(Send("GET", "/modelDeployments/" + id + "/logs?type=debug").status, 400);
  EXPECT_EQ(Send("GET", "/modelDeployments/" + id + "/logs?tail=x").status, 400);
}

// A whole `ads server` (ServerApp over real HTTP, signed with the admin key
// the first start writes): a deployment made over HTTP serves at the
// server's address, and comes back by itself after the server restarts.
class MdServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = env_.MakeTempDir("ads-md-server").value();
    StartServer();
    const iam::BootstrapResult& boot = app_->bootstrap();
    tenancy_ = boot.tenancy_id;
    key_id_ = tenancy_ + "/" + boot.admin_user_id + "/" + boot.fingerprint;
    key_ = std::make_unique<iam::PrivateKey>(
        iam::PrivateKey::FromPem(env_.ReadFile(boot.key_file).value()).value());
  }
  void TearDown() override {
    app_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }
  void StartServer() {
    ServerAppOptions options;
    options.data_dir = JoinPath(dir_, "data");
    options.config_file = JoinPath(dir_, "config");
    options.port = 0;
    app_ = ServerApp::Open(env_, options).value();
    ASSERT_TRUE(app_->Start().ok());
    http::ClientOptions client_options;
    client_options.port = app_->port();
    client_ = std::make_unique<http::Client>(client_options);
  }
  http::ClientResponse Send(const std::string& method, const std::string& target,
                            const std::string& body = "", bool binary = false) {
    http::ClientRequest request;
    request.method = method;
    request.target = "/20190101" + target;
    request.body = body;
    test_util::SignForHost(request, "127.0.0.1:" + std::to_string(app_->port()), key_id_, *key_, binary);
    auto response = client_->Send(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.value_or(http::ClientResponse{});
  }
  Json SendJson(const std::string& method, const std::string& target, const Json& body) {
    http::ClientResponse r = Send(method, target, body.dump());
    EXPECT_LT(r.status, 300) << method << " " << target << ": " << r.body;
    return ParseJson(r.body).value_or(Json());
  }
  std::string WaitForState(const std::string& id, const std::string& want) {
    std::string state;
    for (int i = 0; i < 1000 && state != want; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      state = StringMemberOr(ParseJson(Send("GET", "/modelDeployments/" + id).body).value_or(Json()),
                             "lifecycleState");
    }
    return state;
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::unique_ptr<ServerApp> app_;
  std::unique_ptr<http::Client> client_;
  std::string tenancy_, key_id_;
  std::unique_ptr<iam::PrivateKey> key_;
};

TEST_F(MdServerTest, DeploymentsComeBackAfterARestart) {
  const std::string project = SendJson("POST", "/projects", {{"compartmentId", tenancy_}})["id"];
  const std::string model = SendJson("POST", "/models",
                                     {{"compartmentId", tenancy_}, {"projectId", project}})["id"];
  http::ClientResponse uploaded = Send("POST", "/models/" + model + "/artifact",
                                       serving::test_util::IrisArtifactZip(), true);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  Json created = SendJson("POST", "/modelDeployments",
                          serving::test_util::DeploymentDetails(tenancy_, project, model));
  const std::string id = created["id"];
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(created["modelDeploymentUrl"],
            "http://127.0.0.1:" + std::to_string(app_->port()) + "/" + id);
  ASSERT_EQ(WaitForState(id, "ACTIVE"), "ACTIVE");
  EXPECT_EQ(Send("DELETE", "/models/" + model).status, 409);  // the hook is wired
  ASSERT_NE(app_->endpoints().Find(id), nullptr);
  EXPECT_TRUE(app_->endpoints().Find(id)->Predict({.body = serving::test_util::kIrisRow}).ok());

  app_->Stop();
  app_.reset();
  StartServer();
  ASSERT_EQ(WaitForState(id, "ACTIVE"), "ACTIVE");
  std::shared_ptr<serving::Endpoint> endpoint = app_->endpoints().Find(id);
  ASSERT_NE(endpoint, nullptr);
  auto r = endpoint->Predict({.body = serving::test_util::kIrisRow});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ParseJson(r->body).value()["prediction"][0][0], 0);
}

}  // namespace
}  // namespace ads::server
