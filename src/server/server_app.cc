#include "server/server_app.h"

#include <utility>

#include "base/logging.h"
#include "catalog/catalog.h"
#include "http/server.h"
#include "iam/iam_service.h"
#include "objectstore/object_store.h"
#include "serving/deployment_service.h"
#include "server/api.h"
#include "server/ds_routes.h"
#include "server/iam_routes.h"
#include "server/md_routes.h"
#include "server/os_routes.h"
#include "server/predict_routes.h"
#include "store/blob_store.h"
#include "store/sqlite.h"

namespace ads::server {

namespace {

// The catalog's artifact export/import reach objects through this; the
// object store authorises the principal itself.
class ObjectStoreLink : public catalog::ObjectStorageLink {
 public:
  explicit ObjectStoreLink(objectstore::ObjectStore& objects) : objects_(objects) {}
  Result<store::BlobInfo> GetObjectBlob(const std::string& ns, const std::string& bucket,
                                        const std::string& object,
                                        const iam::Principal& who) override {
    return objects_.GetObjectBlob(ns, bucket, object, who);
  }
  Status PutObjectBlob(const std::string& ns, const std::string& bucket,
                       const std::string& object, const store::BlobInfo& blob,
                       const iam::Principal& who) override {
    return objects_.PutObjectBlob(ns, bucket, object, blob, who);
  }

 private:
  objectstore::ObjectStore& objects_;
};

}  // namespace

struct ServerApp::State {
  Env* env = nullptr;
  ServerAppOptions options;
  iam::BootstrapResult boot;
  // Each service has its own connection to ads.db: WAL lets readers run
  // beside the one writer, and no service waits on another's mutex.
  std::unique_ptr<store::Database> iam_db;
  std::unique_ptr<store::BlobStore> blobs;
  std::unique_ptr<iam::IamService> iam;
  // Before the deployments, which issue tokens until they are destroyed.
  std::unique_ptr<iam::SessionTokenAuthority> session_tokens;
  std::unique_ptr<objectstore::ObjectStore> objects;
  std::unique_ptr<ObjectStoreLink> link;
  std::unique_ptr<catalog::Catalog> catalog;
  // After the catalog: destroyed first, its background loads use the catalog.
  std::unique_ptr<serving::DeploymentService> deployments;
  std::unique_ptr<Router> router;
  std::unique_ptr<http::Server> http;
};

namespace {

Result<std::unique_ptr<store::Database>> OpenDatabase(const std::string& data_dir) {
  return store::Database::Open(JoinPath(data_dir, "ads.db"));
}

void AddHealthRoute(Router& router) {
  RouteOptions open;
  open.authenticate = false;
  router.Add("GET", "/health", open, [](Call& call) {
    call.ReplyJson(200, Json{{"status", "ok"}});
    return OkStatus();
  });
}

}  // namespace

ServerApp::ServerApp(std::unique_ptr<State> state) : state_(std::move(state)) {}

ServerApp::~ServerApp() { Stop(); }

Result<std::unique_ptr<ServerApp>> ServerApp::Open(Env& env, const ServerAppOptions& options) {
  if (options.data_dir.empty()) return InvalidArgumentError("the data directory is required");
  auto state = std::make_unique<State>();
  state->env = &env;
  state->options = options;
  state->options.data_dir = env.AbsolutePath(options.data_dir);
  const std::string& dir = state->options.data_dir;
  ADS_RETURN_IF_ERROR(env.CreateDirs(dir));

  ADS_ASSIGN_OR_RETURN(state->blobs, store::BlobStore::Open(env, dir));
  ADS_ASSIGN_OR_RETURN(store::RecoveryReport recovered, state->blobs->RecoverAtStartup());
  if (!recovered.removed_temp_files.empty()) {
    LogInfo("removed " + std::to_string(recovered.removed_temp_files.size()) +
            " interrupted upload(s) from " + JoinPath(dir, "tmp"));
  }

  ADS_ASSIGN_OR_RETURN(state->iam_db, OpenDatabase(dir));
  iam::BootstrapOptions boot;
  boot.data_dir = dir;
  boot.region = options.region;
  boot.endpoint = "http://" + options.host + ":" + std::to_string(options.port);
  boot.config_path = options.config_file;
  ADS_ASSIGN_OR_RETURN(state->boot, iam::Bootstrap(env, *state->iam_db, boot));
  ADS_ASSIGN_OR_RETURN(state->iam, iam::IamService::Open(env, *state->iam_db));
  iam::SessionTokenOptions token_options;
  token_options.lifetime = options.session_token_lifetime;
  ADS_ASSIGN_OR_RETURN(state->session_tokens,
                       iam::SessionTokenAuthority::Open(
                           env, JoinPath(dir, "keys/session-token.pem"), token_options));
  state->iam->EnableSessionTokens(state->session_tokens.get());

  ADS_ASSIGN_OR_RETURN(auto os_db, OpenDatabase(dir));
  objectstore::ObjectStoreOptions os_options;
  os_options.namespace_name = state->boot.namespace_name;
  ADS_ASSIGN_OR_RETURN(state->objects,
                       objectstore::ObjectStore::Open(std::move(os_db), *state->blobs,
                                                      state->iam.get(), env, os_options));

  state->link = std::make_unique<ObjectStoreLink>(*state->objects);
  ADS_ASSIGN_OR_RETURN(auto catalog_db, OpenDatabase(dir));
  catalog::CatalogOptions catalog_options;
  catalog_options.object_storage = state->link.get();
  // Set before any request is served; the catalog asks outside its lock.
  catalog_options.has_active_deployment = [s = state.get()](std::string_view model_id) {
    return s->deployments && s->deployments->HasActiveDeployment(model_id);
  };
  ADS_ASSIGN_OR_RETURN(state->catalog, catalog::Catalog::Open(std::move(catalog_db), *state->blobs,
                                                              env, catalog_options));

  // Deployments that were serving before a restart come back here (their
  // models load in the background).
  ADS_ASSIGN_OR_RETURN(auto serving_db, OpenDatabase(dir));
  serving::DeploymentServiceOptions serving_options;
  serving_options.data_dir = dir;
  serving_options.endpoint = boot.endpoint;
  serving_options.resource_principals = {state->session_tokens.get(), state->boot.tenancy_id,
                                         options.region};
  ADS_ASSIGN_OR_RETURN(state->deployments,
                       serving::DeploymentService::Open(std::move(serving_db), *state->catalog,
                                                        env, serving_options));

  state->router = std::make_unique<Router>(env, state->iam.get());
  AddHealthRoute(*state->router);
  AddIamRoutes(*state->router, *state->iam);
  AddObjectStorageRoutes(*state->router, *state->objects);
  AddDataScienceRoutes(*state->router, *state->catalog);
  AddModelDeploymentRoutes(*state->router, *state->deployments, *state->catalog);
  PredictRouteOptions predict_options;
  predict_options.kserve_signed = options.kserve_signed;
  AddPredictRoutes(*state->router, *state->deployments, predict_options);
  return std::unique_ptr<ServerApp>(new ServerApp(std::move(state)));
}

Status ServerApp::Start() {
  http::ServerOptions options;
  options.host = state_->options.host;
  options.port = state_->options.port;
  ADS_ASSIGN_OR_RETURN(state_->http, http::Server::Start(options, state_->router->AsHandler()));
  // With port 0 the real port is known only now.
  state_->deployments->SetEndpoint("http://" + options.host + ":" +
                                   std::to_string(state_->http->port()));
  return OkStatus();
}

int ServerApp::port() const { return state_->http ? state_->http->port() : 0; }

void ServerApp::Stop() {
  if (state_ && state_->http) state_->http->Stop();
}

const iam::BootstrapResult& ServerApp::bootstrap() const { return state_->boot; }

const Router& ServerApp::router() const { return *state_->router; }

serving::EndpointDirectory& ServerApp::endpoints() { return *state_->deployments; }

}  // namespace ads::server
