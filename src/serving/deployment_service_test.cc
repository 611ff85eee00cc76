// DeploymentService over a real catalog (SQLite file, BlobStore) and the
// real onnx runtime serving the bundled iris forest.
#include "serving/deployment_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "serving/deployment_doc.h"
#include "serving/serving_test_util.h"

namespace ads::serving {
namespace {

using ::testing::HasSubstr;
using test_util::kIrisRow;

constexpr char kComp[] = "ocid1.compartment.oc1..c";

class DeploymentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = env_.MakeTempDir("ads-deploy-test-").value();
    blobs_ = store::BlobStore::Open(env_, dir_).value();
    OpenCatalog();
    auto project = catalog_->CreateProject({{"compartmentId", kComp}}, {"ocid1.user.oc1..u", ""});
    ASSERT_TRUE(project.ok());
    project_ = project->doc["id"];
    model_ = test_util::SaveIrisModel(*catalog_, kComp, project_);
    OpenService();
  }
  void TearDown() override {
    service_.reset();
    catalog_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }
  void OpenCatalog() {
    catalog::CatalogOptions options;
    options.has_active_deployment = [this](std::string_view id) {
      return service_ && service_->HasActiveDeployment(id);
    };
    catalog_ = catalog::Catalog::Open(store::Database::Open(dir_ + "/ads.db").value(), *blobs_,
                                      env_, options)
                   .value();
  }
  void OpenService() {
    DeploymentServiceOptions options;
    options.data_dir = dir_;
    options.endpoint = "http://127.0.0.1:1";
    auto service = DeploymentService::Open(store::Database::Open(dir_ + "/ads.db").value(),
                                           *catalog_, env_, options);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(*service);
  }
  // Creates a deployment of `model` and waits until its work request ends.
  std::string Deploy(const std::string& model, int instances = 2) {
    auto started =
        service_->Create(test_util::DeploymentDetails(kComp, project_, model, instances),
                         {"ocid1.user.oc1..u", ""});
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (!started.ok()) return "";
    EXPECT_EQ(started->resource.doc["lifecycleState"], "CREATING");
    service_->WaitIdle();
    return started->resource.doc["id"];
  }
  std::string State(const std::string& id) {
    return StringMemberOr(service_->Get(id).value().doc, "lifecycleState");
  }
  std::string WorkRequestStatus(const std::string& wr) {
    return StringMemberOr(catalog_->GetWorkRequest(wr).value(), "status");
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<DeploymentService> service_;
  std::string project_;
  std::string model_;
};

TEST(DeploymentStateTest, TheWrittenTransitions) {
  using S = DeploymentState;
  EXPECT_TRUE(TransitionAllowed(S::kCreating, S::kActive));
  EXPECT_TRUE(TransitionAllowed(S::kCreating, S::kFailed));
  EXPECT_FALSE(TransitionAllowed(S::kCreating, S::kDeleting));
  EXPECT_TRUE(TransitionAllowed(S::kActive, S::kUpdating));
  EXPECT_TRUE(TransitionAllowed(S::kInactive, S::kUpdating));
  EXPECT_TRUE(TransitionAllowed(S::kFailed, S::kDeleting));
  EXPECT_FALSE(TransitionAllowed(S::kFailed, S::kActive));
  EXPECT_TRUE(TransitionAllowed(S::kNeedsAttention, S::kActive));
  EXPECT_FALSE(TransitionAllowed(S::kDeleted, S::kDeleting));
  EXPECT_FALSE(TransitionAllowed(S::kDeleting, S::kActive));
  for (std::string_view name : {"CREATING", "ACTIVE", "UPDATING", "INACTIVE", "DELETING",
                                "DELETED", "FAILED", "NEEDS_ATTENTION"}) {
    ASSERT_TRUE(ParseState(name).has_value()) << name;
    EXPECT_EQ(StateName(*ParseState(name)), name);
  }
  EXPECT_FALSE(ParseState("RUNNING").has_value());
}

TEST_F(DeploymentServiceTest, CreateLoadsTheModelAndServesIt) {
  auto started = service_->Create(test_util::DeploymentDetails(kComp, project_, model_),
                                  {"ocid1.user.oc1..u", "token-1"});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  const Json& doc = started->resource.doc;
  const std::string id = doc["id"];
  EXPECT_THAT(id, HasSubstr("ocid1.datasciencemodeldeployment.oc1."));
  EXPECT_EQ(doc["modelDeploymentUrl"], "http://127.0.0.1:1/" + id);
  EXPECT_EQ(doc["createdBy"], "ocid1.user.oc1..u");
  EXPECT_EQ(doc["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]["modelId"],
            model_);
  EXPECT_FALSE(started->work_request_id.empty());

  // The same retry token gives the same deployment, not a second one.
  auto again = service_->Create(test_util::DeploymentDetails(kComp, project_, model_),
                                {"ocid1.user.oc1..u", "token-1"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->resource.doc["id"], id);
  EXPECT_EQ(again->work_request_id, started->work_request_id);

  service_->WaitIdle();
  EXPECT_EQ(State(id), "ACTIVE");
  EXPECT_EQ(WorkRequestStatus(started->work_request_id), "SUCCEEDED");
  Json wr = catalog_->GetWorkRequest(started->work_request_id).value();
  EXPECT_EQ(wr["operationType"], "MODEL_DEPLOYMENT_CREATE");
  EXPECT_EQ(wr["resources"][0]["actionType"], "CREATED");

  std::shared_ptr<Endpoint> endpoint = service_->Find(id);
  ASSERT_NE(endpoint, nullptr);
  EXPECT_TRUE(endpoint->ready());
  EXPECT_EQ(endpoint->info().runtime, "onnx");
  EXPECT_EQ(endpoint->info().instance_count, 2);
  EXPECT_EQ(service_->FindByName("iris-md"), endpoint);
  EXPECT_EQ(service_->All().size(), 1u);
  auto r = endpoint->Predict({.body = kIrisRow});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ParseJson(r->body).value()["prediction"][0][0], 0) << r->body;
  EXPECT_TRUE(endpoint->input_schema().is_object());

  // The catalog refuses to delete a model an ACTIVE deployment serves.
  Status deleted = catalog_->DeleteModel(model_, "", false);
  EXPECT_EQ(deleted.code(), StatusCode::kFailedPrecondition) << deleted.ToString();
}

TEST_F(DeploymentServiceTest, StateMachineRefusesWrongMovesWithTheState) {
  const std::string id = Deploy(model_);
  ASSERT_EQ(State(id), "ACTIVE");

  auto activate = service_->Activate(id, "");
  EXPECT_EQ(activate.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(activate.status().message(), HasSubstr("while it is ACTIVE"));

  // Capacity only while INACTIVE.
  Json more = {{"modelDeploymentConfigurationDetails",
                {{"modelConfigurationDetails", {{"scalingPolicy", {{"instanceCount", 4}}}}}}}};
  auto busy = service_->Update(id, more, "");
  EXPECT_EQ(busy.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(busy.status().message(), HasSubstr("only while the model deployment is INACTIVE"));

  auto stale = service_->Deactivate(id, "not-the-etag");
  EXPECT_TRUE(catalog::IsEtagMismatch(stale.status())) << stale.status().ToString();

  auto deactivated = service_->Deactivate(id, service_->Get(id).value().etag);
  ASSERT_TRUE(deactivated.ok()) << deactivated.status().ToString();
  EXPECT_EQ(deactivated->resource.doc["lifecycleState"], "UPDATING");
  service_->WaitIdle();
  EXPECT_EQ(State(id), "INACTIVE");
  EXPECT_EQ(WorkRequestStatus(deactivated->work_request_id), "SUCCEEDED");
  std::shared_ptr<Endpoint> endpoint = service_->Find(id);
  ASSERT_NE(endpoint, nullptr);
  EXPECT_FALSE(endpoint->ready());
  auto refused = endpoint->Predict({.body = kIrisRow});
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("is not active (state INACTIVE)"));
  EXPECT_FALSE(service_->HasActiveDeployment(model_));  // INACTIVE holds no model

  auto twice = service_->Deactivate(id, "");
  EXPECT_THAT(twice.status().message(), HasSubstr("while it is INACTIVE"));
  ASSERT_TRUE(service_->Update(id, more, "").ok());
  service_->WaitIdle();
  EXPECT_EQ(service_->Find(id)->info().instance_count, 4);

  ASSERT_TRUE(service_->Activate(id, "").ok());
  service_->WaitIdle();
  EXPECT_EQ(State(id), "ACTIVE");
  EXPECT_TRUE(endpoint->Predict({.body = kIrisRow}).ok());

  auto deleting = service_->Delete(id, "");
  ASSERT_TRUE(deleting.ok());
  EXPECT_EQ(deleting->resource.doc["lifecycleState"], "DELETING");
  service_->WaitIdle();
  EXPECT_EQ(State(id), "DELETED");
  EXPECT_EQ(service_->Find(id), nullptr);
  EXPECT_FALSE(endpoint->ready());
  EXPECT_FALSE(env_.Stat(dir_ + "/deployments/" + id).ok());
  auto gone = service_->Delete(id, "");
  EXPECT_THAT(gone.status().message(), HasSubstr("while it is DELETED"));
  EXPECT_FALSE(service_->HasActiveDeployment(model_));
  EXPECT_TRUE(catalog_->DeleteModel(model_, "", false).ok());
}

TEST_F(DeploymentServiceTest, ModelSwapUnderLoadLosesNoRequest) {
  const std::string id = Deploy(model_, 4);
  const std::string second = test_util::SaveIrisModel(*catalog_, kComp, project_);
  std::shared_ptr<Endpoint> endpoint = service_->Find(id);
  ASSERT_NE(endpoint, nullptr);

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&] {
      while (!stop.load()) {
        auto r = endpoint->Predict({.body = kIrisRow});
        (r.ok() ? ok : failed).fetch_add(1);
      }
    });
  }
  while (ok.load() < 200) std::this_thread::yield();
  Json swap = {{"modelDeploymentConfigurationDetails",
                {{"modelConfigurationDetails", {{"modelId", second}}}}}};
  auto updated = service_->Update(id, swap, "");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->resource.doc["lifecycleState"], "UPDATING");
  service_->WaitIdle();
  const int after_swap = ok.load();
  while (ok.load() < after_swap + 200) std::this_thread::yield();
  stop = true;
  for (std::thread& t : clients) t.join();

  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(State(id), "ACTIVE");
  EXPECT_EQ(WorkRequestStatus(updated->work_request_id), "SUCCEEDED");
  EXPECT_EQ(endpoint->info().model_id, second);
  EXPECT_EQ(endpoint->stats().model_swaps, 1u);
  EXPECT_EQ(ModelIdOf(service_->Get(id).value().doc), second);
  // The first model is free again; the second is in use.
  EXPECT_FALSE(service_->HasActiveDeployment(model_));
  EXPECT_TRUE(service_->HasActiveDeployment(second));
}

TEST_F(DeploymentServiceTest, AFailedSwapKeepsTheOldModelServing) {
  const std::string id = Deploy(model_);
  const std::string empty = test_util::SaveIrisModel(*catalog_, kComp, project_, false);
  Json swap = {{"modelDeploymentConfigurationDetails",
                {{"modelConfigurationDetails", {{"modelId", empty}}}}}};
  auto refused = service_->Update(id, swap, "");
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("has no artifact"));
  EXPECT_EQ(State(id), "ACTIVE");
  EXPECT_TRUE(service_->Find(id)->Predict({.body = kIrisRow}).ok());
}

TEST_F(DeploymentServiceTest, RestartBringsAnActiveDeploymentBack) {
  const std::string id = Deploy(model_);
  const std::string inactive = Deploy(model_);
  ASSERT_TRUE(service_->Deactivate(inactive, "").ok());
  service_->WaitIdle();
  ASSERT_EQ(State(id), "ACTIVE");
  ASSERT_EQ(State(inactive), "INACTIVE");

  service_.reset();  // the server stops
  OpenService();
  service_->WaitIdle();
  EXPECT_EQ(State(id), "ACTIVE");
  EXPECT_EQ(State(inactive), "INACTIVE");
  std::shared_ptr<Endpoint> endpoint = service_->Find(id);
  ASSERT_NE(endpoint, nullptr);
  auto r = endpoint->Predict({.body = kIrisRow});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(service_->Find(inactive)->ready());
}

// A server that died in the middle of actions: on the next start DELETING
// finishes, an interrupted deactivate ends INACTIVE, and an interrupted
// update reloads the previous configuration and fails its work request.
TEST_F(DeploymentServiceTest, RestartFinishesOrUndoesInterruptedActions) {
  const std::string deleting = Deploy(model_);
  const std::string deactivating = Deploy(model_);
  const std::string updating = Deploy(model_);
  service_.reset();
  {
    auto db = store::Database::Open(dir_ + "/ads.db").value();
    const auto interrupt = [&](const std::string& id, const std::string& state,
                               const std::string& action, const std::string& operation) {
      const std::string wr =
          catalog_->CreateDeploymentWorkRequest(operation, kComp, id).value();
      auto q = db->Prepare(
                     "UPDATE model_deployments SET lifecycle_state = ?2, pending = ?3,"
                     " work_request_id = ?4, doc = json_set(doc, '$.lifecycleState', ?2)"
                     " WHERE id = ?1")
                   .value();
      ASSERT_TRUE(q.BindText(1, id).ok());
      ASSERT_TRUE(q.BindText(2, state).ok());
      ASSERT_TRUE(q.BindText(3, Json{{"action", action}, {"from", "ACTIVE"}}.dump()).ok());
      ASSERT_TRUE(q.BindText(4, wr).ok());
      ASSERT_TRUE(q.Run().ok());
    };
    interrupt(deleting, "DELETING", "delete", "MODEL_DEPLOYMENT_DELETE");
    interrupt(deactivating, "UPDATING", "deactivate", "MODEL_DEPLOYMENT_DEACTIVATE");
    interrupt(updating, "UPDATING", "update", "MODEL_DEPLOYMENT_UPDATE");
  }
  OpenService();
  service_->WaitIdle();
  EXPECT_EQ(State(deleting), "DELETED");
  EXPECT_EQ(service_->Find(deleting), nullptr);
  EXPECT_EQ(State(deactivating), "INACTIVE");
  EXPECT_EQ(State(updating), "ACTIVE");
  EXPECT_TRUE(service_->Find(updating)->Predict({.body = kIrisRow}).ok());
  catalog::ListQuery query{.compartment_id = kComp, .limit = 100};
  std::map<std::string, std::string> status_of;
  auto page = catalog_->ListWorkRequests(query);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  for (const Json& wr : page->items) {
    status_of[wr["operationType"]] = wr["status"];
  }
  EXPECT_EQ(status_of["MODEL_DEPLOYMENT_DELETE"], "SUCCEEDED");
  EXPECT_EQ(status_of["MODEL_DEPLOYMENT_DEACTIVATE"], "SUCCEEDED");
  EXPECT_EQ(status_of["MODEL_DEPLOYMENT_UPDATE"], "FAILED");
}

TEST_F(DeploymentServiceTest, BadCreateInputIsRefusedClearly) {
  const auto create = [&](const Json& details) {
    return service_->Create(details, {"ocid1.user.oc1..u", ""}).status();
  };
  Json container = test_util::DeploymentDetails(kComp, project_, model_);
  container["modelDeploymentConfigurationDetails"]["environmentConfigurationDetails"] = {
      {"environmentConfigurationType", "OCIR_CONTAINER"}, {"image", "iad.ocir.io/x/y:1"}};
  Status s = create(container);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("OCIR_CONTAINER is not supported"));

  s = create(test_util::DeploymentDetails(kComp, project_, "ocid1.datasciencemodel.oc1..none"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("names no model"));

  s = create(test_util::DeploymentDetails(
      kComp, project_, test_util::SaveIrisModel(*catalog_, kComp, project_, false)));
  EXPECT_THAT(s.message(), HasSubstr("has no artifact"));

  const std::string inactive = test_util::SaveIrisModel(*catalog_, kComp, project_);
  ASSERT_TRUE(catalog_->SetModelActive(inactive, false, "").ok());
  s = create(test_util::DeploymentDetails(kComp, project_, inactive));
  EXPECT_THAT(s.message(), HasSubstr("only ACTIVE models can be deployed"));

  s = create(test_util::DeploymentDetails(kComp, project_, model_, 0));
  EXPECT_THAT(s.message(), HasSubstr("instanceCount must be an integer from 1 to"));

  Json group = test_util::DeploymentDetails(kComp, project_, model_);
  group["modelDeploymentConfigurationDetails"]["deploymentType"] = "MODEL_GROUP";
  EXPECT_THAT(create(group).message(), HasSubstr("deploymentType must be SINGLE_MODEL"));

  Json no_project = test_util::DeploymentDetails(kComp, project_, model_);
  no_project.erase("projectId");
  EXPECT_THAT(create(no_project).message(), HasSubstr("projectId is required"));

  Json workers = test_util::DeploymentDetails(kComp, project_, model_);
  workers["modelDeploymentConfigurationDetails"]["environmentConfigurationDetails"]
         ["environmentVariables"]["WEB_CONCURRENCY"] = "many";
  EXPECT_THAT(create(workers).message(), HasSubstr("WEB_CONCURRENCY must be an integer"));

  // Nothing partial became visible.
  catalog::ListQuery query{.compartment_id = kComp};
  EXPECT_TRUE(service_->List(query).value().items.empty());
  EXPECT_TRUE(service_->All().empty());
}

TEST_F(DeploymentServiceTest, AModelThatCannotLoadEndsFailedWithTheReason) {
  const std::string model = test_util::SaveModel(
      *catalog_, kComp, project_, test_util::ArtifactZip({{"README.md", "no model here\n"}}));
  auto started = service_->Create(test_util::DeploymentDetails(kComp, project_, model),
                                  {"ocid1.user.oc1..u", ""});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  service_->WaitIdle();
  const std::string id = started->resource.doc["id"];
  Json doc = service_->Get(id).value().doc;
  EXPECT_EQ(doc["lifecycleState"], "FAILED");
  EXPECT_THAT(StringMemberOr(doc, "lifecycleDetails"), HasSubstr("could not be loaded"));
  EXPECT_EQ(WorkRequestStatus(started->work_request_id), "FAILED");
  EXPECT_FALSE(catalog_->WorkRequestErrors(started->work_request_id).value().empty());
  EXPECT_FALSE(service_->Find(id)->ready());
  EXPECT_FALSE(service_->HasActiveDeployment(model));
  EXPECT_THAT(service_->Activate(id, "").status().message(), HasSubstr("while it is FAILED"));
  ASSERT_TRUE(service_->Delete(id, "").ok());
  service_->WaitIdle();
  EXPECT_EQ(State(id), "DELETED");
}

// A score.py whose worker dies on a given input: the python runtime answers
// Unavailable (it replaces the worker), and after 5 in a row the deployment
// needs attention; a good prediction brings it back.
TEST_F(DeploymentServiceTest, AFailingWorkerMakesTheDeploymentNeedAttention) {
  const std::string model = test_util::SaveModel(
      *catalog_, kComp, project_,
      test_util::ArtifactZip({{"score.py",
                               "import os\n"
                               "def load_model():\n    return None\n"
                               "def predict(data, model=load_model()):\n"
                               "    if data == 'crash':\n        os._exit(3)\n"
                               "    return {'prediction': data, 'md': os.environ.get('MD_OCID')}\n"}}));
  const std::string id = Deploy(model, 1);
  ASSERT_EQ(State(id), "ACTIVE") << service_->Get(id).value().doc.dump();
  std::shared_ptr<Endpoint> endpoint = service_->Find(id);
  EXPECT_EQ(endpoint->info().runtime, "python");
  auto good = endpoint->Predict({.body = "[1]"});
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(ParseJson(good->body).value()["md"], id);  // MD_OCID reaches score.py

  Status last;
  for (int i = 0; i < 5; ++i) last = endpoint->Predict({.body = "\"crash\""}).status();
  EXPECT_EQ(last.code(), StatusCode::kUnavailable) << last.ToString();
  EXPECT_EQ(State(id), "NEEDS_ATTENTION");
  EXPECT_THAT(StringMemberOr(service_->Get(id).value().doc, "lifecycleDetails"),
              HasSubstr("5 predictions in a row were Unavailable"));
  EXPECT_TRUE(service_->HasActiveDeployment(model));
  ASSERT_TRUE(endpoint->Predict({.body = "[2]"}).ok());
  EXPECT_EQ(State(id), "ACTIVE");
}

TEST_F(DeploymentServiceTest, BatchingEnvironmentVariablesReachTheEndpoint) {
  Json details = test_util::DeploymentDetails(kComp, project_, model_, 8);
  details["modelDeploymentConfigurationDetails"]["environmentConfigurationDetails"]
         ["environmentVariables"] = {{"ADS_MAX_BATCH_SIZE", "16"}, {"ADS_MAX_QUEUE_DELAY_US", "300"}};
  auto started = service_->Create(details, {"ocid1.user.oc1..u", ""});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  service_->WaitIdle();
  std::shared_ptr<Endpoint> endpoint = service_->Find(started->resource.doc["id"].get<std::string>());
  ASSERT_TRUE(endpoint->ready());
  EXPECT_EQ(endpoint->info().max_batch_size, 16);
  EXPECT_EQ(endpoint->info().max_queue_delay_us, 300);
  // Concurrent single rows (batched together or not) each get their own answer.
  std::vector<std::thread> clients;
  std::atomic<int> right{0};
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto r = endpoint->Predict({.body = kIrisRow});
        if (r.ok() && ParseJson(r->body).value_or(Json())["prediction"][0] == Json::array({0})) {
          right.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(right.load(), 160);
}

TEST_F(DeploymentServiceTest, LogsFollowCategoryLogDetails) {
  Json details = test_util::DeploymentDetails(kComp, project_, model_);
  details["categoryLogDetails"] = {{"access", {{"logGroupId", "g"}, {"logId", "a"}}}};
  auto started = service_->Create(details, {"ocid1.user.oc1..u", ""});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  service_->WaitIdle();
  const std::string id = started->resource.doc["id"];
  std::shared_ptr<Endpoint> endpoint = service_->Find(id);
  for (int i = 0; i < 3; ++i) endpoint->Log(LogType::kAccess, {{"n", i}});
  endpoint->Log(LogType::kPredict, {{"n", 99}});  // predict log is off
  auto access = service_->ReadLog(id, LogType::kAccess, 2);
  ASSERT_TRUE(access.ok()) << access.status().ToString();
  ASSERT_EQ(access->size(), 2u);
  EXPECT_EQ((*access)[0], R"({"n":1})");
  EXPECT_EQ((*access)[1], R"({"n":2})");
  EXPECT_TRUE(service_->ReadLog(id, LogType::kPredict, 10).value().empty());

  // Turning the predict log on is an update that applies at once.
  Json logs = {{"categoryLogDetails",
                {{"access", {{"logGroupId", "g"}, {"logId", "a"}}},
                 {"predict", {{"logGroupId", "g"}, {"logId", "p"}}}}}};
  auto updated = service_->Update(id, logs, "");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(WorkRequestStatus(updated->work_request_id), "SUCCEEDED");
  endpoint->Log(LogType::kPredict, {{"n", 100}});
  EXPECT_EQ(service_->ReadLog(id, LogType::kPredict, 10).value().size(), 1u);
  EXPECT_EQ(service_->ReadLog(id, LogType::kAccess, 0).status().code(),
            StatusCode::kInvalidArgument);

  // A log larger than one read: the tail is still exact lines.
  const std::string pad(40, 'x');
  for (int i = 3; i < 4000; ++i) endpoint->Log(LogType::kAccess, {{"n", i}, {"pad", pad}});
  auto tail = service_->ReadLog(id, LogType::kAccess, 2500);
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  ASSERT_EQ(tail->size(), 2500u);
  EXPECT_EQ(ParseJson(tail->front()).value()["n"], 1500);
  EXPECT_EQ(ParseJson(tail->back()).value()["n"], 3999);
  EXPECT_EQ(service_->ReadLog(id, LogType::kAccess, 10000).value().size(), 4000u);
}

TEST_F(DeploymentServiceTest, ListFiltersSortsAndPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    Json details = test_util::DeploymentDetails(kComp, project_, model_);
    details["displayName"] = "md-" + std::to_string(i);
    ids.push_back(service_->Create(details, {"ocid1.user.oc1..u", ""}).value().resource.doc["id"]);
  }
  service_->WaitIdle();
  catalog::ListQuery query{.compartment_id = kComp, .limit = 2};
  auto first = service_->List(query);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0]["id"], ids[2]);  // newest first
  ASSERT_FALSE(first->next_page.empty());
  query.page = first->next_page;
  auto second = service_->List(query).value();
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0]["id"], ids[0]);
  EXPECT_TRUE(second.next_page.empty());

  catalog::ListQuery by_name{.compartment_id = kComp,
                             .filters = {{"displayName", "md-1"}}};
  auto named = service_->List(by_name).value();
  ASSERT_EQ(named.items.size(), 1u);
  EXPECT_EQ(named.items[0]["id"], ids[1]);
  catalog::ListQuery bad{.compartment_id = kComp, .filters = {{"shape", "x"}}};
  EXPECT_EQ(service_->List(bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ads::serving
