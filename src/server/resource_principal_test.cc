// Resource principals end to end: a whole `ads server` (ServerApp over real
// HTTP) serves a Python deployment whose score.py reads the
// OCI_RESOURCE_PRINCIPAL_* variables and calls the server back, signing with
// the session key and keyId "ST$<token>" using only the Python standard
// library and python3-cryptography. Dynamic groups and their policies decide
// what it may read; users never match dynamic groups. Also: a worker that
// dies shows in /metrics as a worker restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "base/env.h"
#include "base/json.h"
#include "base/strings.h"
#include "http/client.h"
#include "iam/http_signature.h"
#include "iam/keys.h"
#include "server/route_test_util.h"
#include "server/server_app.h"
#include "serving/serving_test_util.h"

namespace ads::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// An ADS-style score.py: predict() either reports its environment, exits
// (to kill its worker), or makes one signed GET of data["path"] as the
// deployment's resource principal and returns the status and JSON body.
constexpr char kScorePy[] = R"PY(
import base64, email.utils, http.client, json, os
from urllib.parse import urlparse
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

RP_VARS = ['OCI_RESOURCE_PRINCIPAL_VERSION', 'OCI_RESOURCE_PRINCIPAL_RPST',
           'OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM', 'OCI_RESOURCE_PRINCIPAL_REGION',
           'OCI_RESOURCE_PRINCIPAL_ENDPOINT', 'OCI_ODSC_SERVICE_ENDPOINT', 'MD_OCID']

def load_model():
    return None

def _value(v):
    # OCI SDKs take a path (starting with '/') or the value itself.
    if v.startswith('/'):
        with open(v) as f:
            return f.read().strip()
    return v

def predict(data, model=None):
    if data.get('exit'):
        os._exit(3)
    if data.get('env'):
        return {name: os.environ.get(name) for name in RP_VARS}
    token = _value(os.environ['OCI_RESOURCE_PRINCIPAL_RPST'])
    key = serialization.load_pem_private_key(
        _value(os.environ['OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM']).encode(), password=None)
    url = urlparse(os.environ['OCI_RESOURCE_PRINCIPAL_ENDPOINT'])
    path = data['path']
    date = email.utils.formatdate(usegmt=True)
    signing = 'date: %s\n(request-target): get %s\nhost: %s' % (date, path, url.netloc)
    signature = base64.b64encode(
        key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    authorization = ('Signature version="1",keyId="ST$%s",algorithm="rsa-sha256",'
                     'headers="date (request-target) host",signature="%s"' % (token, signature))
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
    conn.request('GET', path, headers={'date': date, 'host': url.netloc,
                                       'authorization': authorization})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return {'status': response.status, 'body': json.loads(body) if body else None}
)PY";

class ResourcePrincipalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = env_.MakeTempDir("ads-rp-e2e").value();
    ServerAppOptions options;
    options.data_dir = JoinPath(dir_, "data");
    options.config_file = JoinPath(dir_, "config");
    options.port = 0;
    // Short enough to see a refresh (at half of it) within the test.
    options.session_token_lifetime = std::chrono::seconds(4);
    auto app = ServerApp::Open(env_, options);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(app_->Start().ok());
    http::ClientOptions client_options;
    client_options.port = app_->port();
    client_ = std::make_unique<http::Client>(client_options);
    const iam::BootstrapResult& boot = app_->bootstrap();
    tenancy_ = boot.tenancy_id;
    admin_key_id_ = tenancy_ + "/" + boot.admin_user_id + "/" + boot.fingerprint;
    admin_key_ = std::make_unique<iam::PrivateKey>(
        iam::PrivateKey::FromPem(env_.ReadFile(boot.key_file).value()).value());
  }
  void TearDown() override {
    if (app_) app_->Stop();
    app_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }

  std::string Host() const { return "127.0.0.1:" + std::to_string(app_->port()); }

  http::ClientResponse Send(const std::string& method, const std::string& target,
                            const std::string& body, const std::string& key_id,
                            const iam::PrivateKey* key, bool binary = false) {
    http::ClientRequest request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.headers["host"] = Host();
    if (key != nullptr) test_util::SignForHost(request, Host(), key_id, *key, binary);
    auto response = client_->Send(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.value_or(http::ClientResponse{});
  }
  Json Admin(const std::string& method, const std::string& target, const Json& body = Json()) {
    http::ClientResponse r =
        Send(method, target, body.is_null() ? "" : body.dump(), admin_key_id_, admin_key_.get());
    EXPECT_LT(r.status, 300) << method << " " << target << ": " << r.body;
    return ParseJson(r.body).value_or(Json());
  }
  std::string State(const std::string& id) {
    return StringMemberOr(Admin("GET", "/20190101/modelDeployments/" + id), "lifecycleState");
  }
  std::string WaitForState(const std::string& id, const std::string& want) {
    std::string state;
    for (int i = 0; i < 3000 && state != want && state != "FAILED"; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      state = State(id);
    }
    return state;
  }

  // A compartment "ml" with a project, a model whose artifact is kScorePy,
  // and an ACTIVE deployment of it.
  void Deploy() {
    ml_ = Admin("POST", "/20160918/compartments",
                {{"compartmentId", tenancy_}, {"name", "ml"}, {"description", "models"}})["id"];
    const std::string project = Admin("POST", "/20190101/projects", {{"compartmentId", ml_}})["id"];
    model_ =
        Admin("POST", "/20190101/models", {{"compartmentId", ml_}, {"projectId", project}})["id"];
    const std::string zip = serving::test_util::ArtifactZip({{"score.py", kScorePy}});
    http::ClientResponse uploaded = Send("POST", "/20190101/models/" + model_ + "/artifact", zip,
                                         admin_key_id_, admin_key_.get(), true);
    ASSERT_EQ(uploaded.status, 200) << uploaded.body;
    deployment_ = Admin("POST", "/20190101/modelDeployments",
                        serving::test_util::DeploymentDetails(ml_, project, model_, 1))["id"];
    ASSERT_FALSE(deployment_.empty());
    ASSERT_EQ(WaitForState(deployment_, "ACTIVE"), "ACTIVE")
        << Admin("GET", "/20190101/modelDeployments/" + deployment_).dump();
  }
  // score.py's predict() on `input`.
  Result<Json> Predict(const Json& input) {
    std::shared_ptr<serving::Endpoint> endpoint = app_->endpoints().Find(deployment_);
    if (endpoint == nullptr) return NotFoundError("no endpoint");
    ADS_ASSIGN_OR_RETURN(runtime::PredictResponse r, endpoint->Predict({.body = input.dump()}));
    return ParseJson(r.body);
  }
  // What the deployment got for a signed GET of `path`.
  Json GetAsDeployment(const std::string& path) {
    Result<Json> out = Predict({{"path", path}});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.value_or(Json());
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::unique_ptr<ServerApp> app_;
  std::unique_ptr<http::Client> client_;
  std::string tenancy_, admin_key_id_;
  std::unique_ptr<iam::PrivateKey> admin_key_;
  std::string ml_, model_, deployment_;
};

uint32_t ModeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
}

TEST_F(ResourcePrincipalTest, ScorePyReadsTheCatalogAsItsDeploymentWhenAPolicyAllows) {
  ASSERT_NO_FATAL_FAILURE(Deploy());

  // The environment of the workers.
  Result<Json> vars = Predict({{"env", true}});
  ASSERT_TRUE(vars.ok()) << vars.status().ToString();
  EXPECT_EQ((*vars)["OCI_RESOURCE_PRINCIPAL_VERSION"], "2.2");
  EXPECT_EQ((*vars)["OCI_RESOURCE_PRINCIPAL_REGION"], "us-ashburn-1");
  EXPECT_EQ((*vars)["MD_OCID"], deployment_);
  EXPECT_EQ((*vars)["OCI_RESOURCE_PRINCIPAL_ENDPOINT"], "http://" + Host());
  EXPECT_EQ((*vars)["OCI_ODSC_SERVICE_ENDPOINT"], "http://" + Host());
  const std::string token_file = (*vars)["OCI_RESOURCE_PRINCIPAL_RPST"];
  const std::string key_file = (*vars)["OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM"];
  EXPECT_THAT(token_file, StartsWith(JoinPath(dir_, "data/deployments/" + deployment_)));
  EXPECT_EQ(ModeOf(token_file), 0600u);
  EXPECT_EQ(ModeOf(key_file), 0600u);
  EXPECT_EQ(ModeOf(DirName(key_file)), 0700u);

  const std::string model_path = "/20190101/models/" + model_;
  // Authenticated, but no dynamic group matches it yet: 404.
  Json got = GetAsDeployment(model_path);
  EXPECT_EQ(got["status"], 404) << got.dump();
  EXPECT_EQ(got["body"]["code"], "NotAuthorizedOrNotFound");

  Admin("POST", "/20160918/dynamicGroups",
        {{"compartmentId", tenancy_},
         {"name", "ml-deployments"},
         {"description", "deployments in ml"},
         {"matchingRule",
          "ALL {resource.type='datasciencemodeldeployment', "
          "resource.compartment.id='" +
              ml_ + "'}"}});
  // A matching dynamic group without a policy grants nothing.
  got = GetAsDeployment(model_path);
  EXPECT_EQ(got["status"], 404) << got.dump();

  Admin("POST", "/20160918/policies",
        {{"compartmentId", tenancy_},
         {"name", "ml-deployments-read"},
         {"description", "deployments read models"},
         {"statements",
          {"allow dynamic-group ml-deployments to read data-science-models in "
           "compartment ml"}}});
  got = GetAsDeployment(model_path);
  ASSERT_EQ(got["status"], 200) << got.dump();
  EXPECT_EQ(got["body"]["id"], model_);
  // Exactly what the policy says: models in ml, not projects, not other
  // compartments.
  got = GetAsDeployment("/20190101/projects?compartmentId=" + ml_);
  EXPECT_EQ(got["status"], 404) << got.dump();
  const std::string elsewhere =
      Admin("POST", "/20190101/models",
            {{"compartmentId", tenancy_},
             {"projectId",
              Admin("POST", "/20190101/projects", {{"compartmentId", tenancy_}})["id"]}})["id"];
  got = GetAsDeployment("/20190101/models/" + elsewhere);
  EXPECT_EQ(got["status"], 404) << got.dump();

  // A user's API key never matches the dynamic group: a user in no group
  // gets 404 where the deployment gets 200.
  const std::string bob =
      Admin("POST", "/20160918/users",
            {{"compartmentId", tenancy_}, {"name", "bob"}, {"description", "bob"}})["id"];
  iam::PrivateKey bob_key = iam::PrivateKey::Generate().value();
  Admin("POST", "/20160918/users/" + bob + "/apiKeys", {{"key", bob_key.public_key().ToPem()}});
  const std::string bob_key_id = tenancy_ + "/" + bob + "/" + bob_key.public_key().Fingerprint();
  http::ClientResponse as_bob = Send("GET", model_path, "", bob_key_id, &bob_key);
  EXPECT_EQ(as_bob.status, 404) << as_bob.body;

  // The same token and key from outside the worker work too (it is the
  // key, not the process, that authenticates) ...
  const std::string token = env_.ReadFile(token_file).value();
  const iam::PrivateKey session = iam::PrivateKey::FromPem(env_.ReadFile(key_file).value()).value();
  EXPECT_EQ(Send("GET", model_path, "", "ST$" + token, &session).status, 200);
  // ... but another key with the token does not, nor an altered token.
  EXPECT_EQ(Send("GET", model_path, "", "ST$" + token, &bob_key).status, 401);
  std::string altered = token;
  altered[altered.find('.') + 5] ^= 1;
  http::ClientResponse bad = Send("GET", model_path, "", "ST$" + altered, &session);
  EXPECT_EQ(bad.status, 401);
  EXPECT_THAT(bad.body, HasSubstr("NotAuthenticated"));

  // The server rewrites the token at half its lifetime (2 s here); the
  // worker, re-reading the file, keeps working.
  std::string refreshed = token;
  for (int i = 0; i < 100 && refreshed == token; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    refreshed = env_.ReadFile(token_file).value();
  }
  EXPECT_NE(refreshed, token);
  got = GetAsDeployment(model_path);
  EXPECT_EQ(got["status"], 200) << got.dump();

  // Deactivating the deployment revokes its tokens.
  refreshed = env_.ReadFile(token_file).value();
  EXPECT_EQ(Send("GET", model_path, "", "ST$" + refreshed, &session).status, 200);
  Admin("POST", "/20190101/modelDeployments/" + deployment_ + "/actions/deactivate");
  ASSERT_EQ(WaitForState(deployment_, "INACTIVE"), "INACTIVE");
  EXPECT_EQ(Send("GET", model_path, "", "ST$" + refreshed, &session).status, 401);
}

TEST_F(ResourcePrincipalTest, MetricsCountAWorkerThatDiedAndWasReplaced) {
  ASSERT_NO_FATAL_FAILURE(Deploy());
  const std::string sample =
      "ads_deployment_worker_restarts_total{deployment=\"" + deployment_ + "\"} ";
  http::ClientResponse before = Send("GET", "/metrics", "", "", nullptr);
  ASSERT_EQ(before.status, 200);
  EXPECT_THAT(before.body, HasSubstr(sample + "0\n"));

  Result<Json> died = Predict({{"exit", true}});
  ASSERT_FALSE(died.ok());
  EXPECT_THAT(died.status().message(), HasSubstr("exit code 3"));
  // The replacement serves (the supervisor starts it in the background).
  Result<Json> vars = UnavailableError("not tried");
  for (int i = 0; i < 200 && !vars.ok(); ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    vars = Predict({{"env", true}});
  }
  ASSERT_TRUE(vars.ok()) << vars.status().ToString();
  EXPECT_EQ((*vars)["MD_OCID"], deployment_);

  http::ClientResponse after = Send("GET", "/metrics", "", "", nullptr);
  ASSERT_EQ(after.status, 200);
  EXPECT_THAT(after.body, HasSubstr(sample + "1\n"));
}

}  // namespace
}  // namespace ads::server
