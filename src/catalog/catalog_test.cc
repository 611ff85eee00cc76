// Catalog domain tests over a real SQLite file and a real BlobStore in a
// temp dir; export/import go through a small in-test ObjectStorageLink that
// keeps object -> blob references over the same BlobStore.
#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "base/hash.h"
#include "catalog/catalog_store.h"
#include "catalog/catalog_test_util.h"

namespace ads::catalog {
namespace {

constexpr char kComp[] = "ocid1.compartment.oc1..c1";
constexpr char kUser[] = "ocid1.user.oc1..alice";

using test_util::MapLink;

// A page's items parsed back (the list hands out stored JSON text).
Json Items(const TextPage& page) {
  auto items = ParseJson(JsonArrayText(page.items), "page");
  EXPECT_TRUE(items.ok()) << items.status().ToString();
  return items.ok() ? *items : Json::array();
}

std::function<Result<size_t>(char*, size_t)> Reader(std::string data) {
  auto state = std::make_shared<std::pair<std::string, size_t>>(std::move(data), 0);
  return [state](char* buf, size_t n) -> Result<size_t> {
    const size_t k = std::min(n, state->first.size() - state->second);
    std::copy_n(state->first.data() + state->second, k, buf);
    state->second += k;
    return k;
  };
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("catalog_test");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    auto blobs = store::BlobStore::Open(env_, dir_);
    ASSERT_TRUE(blobs.ok()) << blobs.status().ToString();
    blobs_ = std::move(*blobs);
    Reopen();
  }
  void Reopen() {
    catalog_.reset();
    auto db = store::Database::Open(dir_ + "/ads.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    CatalogOptions options;
    options.object_storage = &link_;
    options.has_active_deployment = [this](std::string_view id) {
      return deployed_.contains(std::string(id));
    };
    auto catalog = Catalog::Open(std::move(*db), *blobs_, env_, options);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
  }
  void TearDown() override {
    catalog_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }

  std::string Project() {
    auto p = catalog_->CreateProject({{"compartmentId", kComp}, {"displayName", "p"}}, {kUser, ""});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? p->doc["id"].get<std::string>() : "";
  }
  Json ModelDetails(const std::string& project, const std::string& name) {
    return {{"compartmentId", kComp}, {"projectId", project}, {"displayName", name}};
  }
  std::string Model(const std::string& project, const std::string& name = "m") {
    auto m = catalog_->CreateModel(ModelDetails(project, name), {kUser, ""});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? m->doc["id"].get<std::string>() : "";
  }
  Json WaitForWorkRequest(const std::string& id) {
    for (int i = 0; i < 500; ++i) {
      auto wr = catalog_->GetWorkRequest(id);
      EXPECT_TRUE(wr.ok());
      if (!wr.ok()) return Json();
      const std::string status = (*wr)["status"];
      if (status == "SUCCEEDED" || status == "FAILED") return *wr;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "work request did not finish";
    return Json();
  }
  std::vector<std::string> AllIds(ListQuery query) {
    std::vector<std::string> ids;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = catalog_->ListModels(query);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (const Json& m : Items(*page)) ids.push_back(m["id"]);
      if (page->next_page.empty()) break;
      query.page = page->next_page;
    }
    return ids;
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::unique_ptr<store::BlobStore> blobs_;
  MapLink link_;
  std::set<std::string> deployed_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, ProjectUpdateNeedsMatchingEtag) {
  auto p =
      catalog_->CreateProject({{"compartmentId", kComp}, {"displayName", "first"}}, {kUser, ""});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->doc["lifecycleState"], "ACTIVE");
  EXPECT_EQ(p->doc["createdBy"], kUser);
  const std::string id = p->doc["id"];
  EXPECT_TRUE(id.starts_with("ocid1.datascienceproject.oc1.iad."));

  auto stale = catalog_->UpdateProject(id, {{"displayName", "x"}}, "not-the-etag");
  EXPECT_TRUE(IsEtagMismatch(stale.status())) << stale.status().ToString();
  auto updated = catalog_->UpdateProject(id, {{"displayName", "second"}}, p->etag);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->doc["displayName"], "second");
  EXPECT_NE(updated->etag, p->etag);
  auto again = catalog_->GetProject(id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->etag, updated->etag);
  EXPECT_EQ(catalog_->GetProject("ocid1.datascienceproject.oc1.iad.none").status().code(),
            StatusCode::kNotFound);
}

TEST_F(CatalogTest, KeysetPagingVisitsEveryModelOnceInEverySortOrder) {
  const std::string project = Project();
  std::vector<std::string> created;
  for (int i = 0; i < 23; ++i) {
    // Repeated names and same-millisecond times exercise the id tie-break.
    created.push_back(Model(project, "model-" + std::to_string(i % 5)));
  }
  const std::vector<std::string> in_order = created;
  std::sort(created.begin(), created.end());
  EXPECT_EQ(AllIds({.compartment_id = kComp, .sort_order = "ASC", .limit = 3}), in_order)
      << "timeCreated keeps the creation order, even within one millisecond";
  for (const char* sort_by : {"timeCreated", "displayName"}) {
    for (const char* order : {"ASC", "DESC"}) {
      ListQuery query{.compartment_id = kComp, .sort_by = sort_by, .sort_order = order, .limit = 4};
      std::vector<std::string> ids = AllIds(query);
      std::vector<std::string> sorted = ids;
      std::sort(sorted.begin(), sorted.end());
      EXPECT_EQ(sorted, created) << sort_by << " " << order;
      ListQuery whole = query;
      whole.limit = 1000;
      EXPECT_EQ(AllIds(whole), ids) << "paged order differs from one page";
    }
  }
  ListQuery bad{.compartment_id = kComp, .page = "bm90IGEgdG9rZW4"};
  EXPECT_EQ(catalog_->ListModels(bad).status().code(), StatusCode::kInvalidArgument);
  auto first = catalog_->ListModels({.compartment_id = kComp, .limit = 2});
  ASSERT_TRUE(first.ok());
  ListQuery other_sort{.compartment_id = kComp, .sort_by = "displayName", .page = first->next_page};
  EXPECT_EQ(catalog_->ListModels(other_sort).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(catalog_->ListModels({.compartment_id = kComp, .limit = 0}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(CatalogTest, ListFiltersAndDeletedModels) {
  const std::string project = Project();
  const std::string a = Model(project, "alpha");
  const std::string b = Model(project, "beta");
  ASSERT_TRUE(catalog_->DeleteModel(b, "", false).ok());
  auto deleted = catalog_->GetModel(b);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->doc["lifecycleState"], "DELETED");

  auto live = catalog_->ListModels({.compartment_id = kComp});
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->items.size(), 1u);
  EXPECT_EQ(Items(*live)[0]["id"], a);
  EXPECT_FALSE(Items(*live)[0].contains("customMetadataList")) << "summaries stay small";

  ListQuery gone{.compartment_id = kComp, .filters = {{"lifecycleState", "DELETED"}}};
  auto listed = catalog_->ListModels(gone);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(Items(*listed)[0]["id"], b);

  ListQuery named{.compartment_id = kComp, .filters = {{"displayName", "alpha"}}};
  EXPECT_EQ(catalog_->ListModels(named)->items.size(), 1u);
  ListQuery other{.compartment_id = "ocid1.compartment.oc1..other"};
  EXPECT_TRUE(catalog_->ListModels(other)->items.empty());
  ListQuery unknown{.compartment_id = kComp, .filters = {{"colour", "red"}}};
  EXPECT_EQ(catalog_->ListModels(unknown).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CatalogTest, FiltersCombineWithPagingAcrossNameTies) {
  const std::string project = Project();
  const std::string other = Project();
  std::map<std::string, std::string> name_of;  // live models of `project`
  std::vector<std::string> by_time;
  for (int i = 0; i < 17; ++i) {
    const std::string name = i % 3 == 0 ? "same" : "name-" + std::to_string(i % 4);
    const std::string id = Model(project, name);
    Model(other, name);  // the same names in another project are filtered out
    if (i % 5 == 2) {
      ASSERT_TRUE(catalog_->DeleteModel(id, "", false).ok());
      continue;
    }
    name_of[id] = name;
    by_time.push_back(id);
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [id, name] : name_of) pairs.emplace_back(name, id);
  std::sort(pairs.begin(), pairs.end());
  std::vector<std::string> by_name;
  for (const auto& pair : pairs) by_name.push_back(pair.second);
  const std::vector<std::string> by_name_desc(by_name.rbegin(), by_name.rend());
  const std::vector<std::string> newest_first(by_time.rbegin(), by_time.rend());
  std::vector<std::string> same_newest_first;
  for (const std::string& id : newest_first) {
    if (name_of[id] == "same") same_newest_first.push_back(id);
  }
  std::vector<std::string> same_by_id = same_newest_first;
  std::sort(same_by_id.begin(), same_by_id.end());
  const std::map<std::string, std::string, std::less<>> live = {{"projectId", project},
                                                                {"lifecycleState", "ACTIVE"}};
  const std::map<std::string, std::string, std::less<>> same = {{"projectId", project},
                                                                {"displayName", "same"}};
  for (int limit : {1, 2, 3, 5}) {
    EXPECT_EQ(
        AllIds(
            {.compartment_id = kComp, .filters = live, .sort_by = "displayName", .limit = limit}),
        by_name)
        << "limit " << limit;
    EXPECT_EQ(AllIds({.compartment_id = kComp,
                      .filters = live,
                      .sort_by = "displayName",
                      .sort_order = "DESC",
                      .limit = limit}),
              by_name_desc)
        << "limit " << limit;
    EXPECT_EQ(AllIds({.compartment_id = kComp, .filters = live, .limit = limit}), newest_first)
        << "limit " << limit;
    EXPECT_EQ(AllIds({.compartment_id = kComp, .filters = same, .limit = limit}), same_newest_first)
        << "limit " << limit;
    EXPECT_EQ(
        AllIds(
            {.compartment_id = kComp, .filters = same, .sort_by = "displayName", .limit = limit}),
        same_by_id)
        << "displayName= sorted by displayName: the id breaks the tie on every page";
    EXPECT_EQ(AllIds({.compartment_id = kComp,
                      .filters = same,
                      .sort_by = "displayName",
                      .sort_order = "DESC",
                      .limit = limit}),
              std::vector<std::string>(same_by_id.rbegin(), same_by_id.rend()))
        << "limit " << limit;
  }
}

TEST_F(CatalogTest, ModelSummariesOfExistingRowsAreFilledByMigration4) {
  const std::string project = Project();
  Json details = ModelDetails(project, "before-4");
  details["description"] = "a long description that lists leave out";
  auto made = catalog_->CreateModel(details, {kUser, ""});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  catalog_.reset();
  {
    // Back to the schema before migration 4, as an older server left it.
    auto db = store::Database::Open(dir_ + "/ads.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Exec("DROP INDEX models_by_lifecycle_state_name").ok());
    ASSERT_TRUE((*db)->Exec("ALTER TABLE models DROP COLUMN summary").ok());
    ASSERT_TRUE((*db)
                    ->Exec("DELETE FROM schema_migrations WHERE component = 'catalog'"
                           " AND version = 4")
                    .ok());
  }
  Reopen();
  auto page = catalog_->ListModels({.compartment_id = kComp});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  Json expected = made->doc;
  expected.erase("description");
  expected.erase("customMetadataList");
  expected.erase("definedMetadataList");
  expected.erase("lifecycleDetails");
  expected.erase("inputSchema");
  expected.erase("outputSchema");
  EXPECT_EQ(Items(*page), Json::array({expected}));
}

// Ties in timeCreated cannot come from one server (it hands out strictly
// increasing times) but can from imported or concurrently written rows.
TEST(CatalogStoreTest, KeysetPagingBreaksTimeCreatedTiesById) {
  Env& env = *Env::Default();
  auto dir = env.MakeTempDir("catalog_store_test");
  ASSERT_TRUE(dir.ok());
  auto db = store::Database::Open(*dir + "/ads.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto store = CatalogStore::Open(std::move(*db), env);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<std::pair<int64_t, std::string>> keys;
  for (int i = 0; i < 9; ++i) {
    Row row;
    row.id = "ocid1.datasciencemodel.oc1.iad.m" + std::to_string((7 * i) % 9);
    row.compartment_id = kComp;
    row.lifecycle_state = "ACTIVE";
    row.name = "n";
    row.time_created_us = 1000 + i / 3;  // three rows per time
    row.doc = {{"id", row.id}};
    ASSERT_TRUE((*store)->Insert(Kind::kModel, row).ok());
    keys.emplace_back(row.time_created_us, row.id);
  }
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> asc;
  for (const auto& key : keys) asc.push_back(key.second);
  const std::vector<std::string> desc(asc.rbegin(), asc.rend());
  for (const char* order : {"ASC", "DESC"}) {
    for (int limit : {1, 2, 3, 4}) {
      ListQuery query{.compartment_id = kComp, .sort_order = order, .limit = limit};
      std::vector<std::string> ids;
      for (int pages = 0; pages < 20; ++pages) {
        auto page = (*store)->List(Kind::kModel, query);
        ASSERT_TRUE(page.ok()) << page.status().ToString();
        for (const Json& m : Items(*page)) ids.push_back(m["id"]);
        if (page->next_page.empty()) break;
        query.page = page->next_page;
      }
      EXPECT_EQ(ids, std::string(order) == "ASC" ? asc : desc) << order << " limit " << limit;
    }
  }
  store->reset();
  env.RemoveAll(*dir).IgnoreError();
}

TEST_F(CatalogTest, RetryTokenReplaysOrConflicts) {
  const std::string project = Project();
  auto first = catalog_->CreateModel(ModelDetails(project, "r"), {kUser, "token-1"});
  ASSERT_TRUE(first.ok());
  auto again = catalog_->CreateModel(ModelDetails(project, "r"), {kUser, "token-1"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->doc["id"], first->doc["id"]);
  auto different = catalog_->CreateModel(ModelDetails(project, "other"), {kUser, "token-1"});
  EXPECT_EQ(different.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(catalog_->ListModels({.compartment_id = kComp})->items.size(), 1u);
}

TEST_F(CatalogTest, VersionSetsNumberModelsAndGuardDeletion) {
  const std::string project = Project();
  Json details = {{"compartmentId", kComp}, {"projectId", project}, {"name", "experiments"}};
  auto set = catalog_->CreateModelVersionSet(details, {kUser, ""});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(catalog_->CreateModelVersionSet(details, {kUser, ""}).status().code(),
            StatusCode::kAlreadyExists);
  const std::string set_id = set->doc["id"];

  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<int64_t> versions;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        Json d = ModelDetails(project, "v");
        d["modelVersionSetId"] = set_id;
        auto m = catalog_->CreateModel(d, {kUser, ""});
        ASSERT_TRUE(m.ok()) << m.status().ToString();
        EXPECT_EQ(m->doc["modelVersionSetName"], "experiments");
        std::lock_guard<std::mutex> lock(mu);
        versions.push_back(m->doc["versionId"].get<int64_t>());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::sort(versions.begin(), versions.end());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(versions[i], i + 1);

  // A model outside a set joins once and then stays.
  const std::string loose = Model(project, "loose");
  auto joined =
      catalog_->UpdateModel(loose, {{"modelVersionSetId", set_id}, {"versionLabel", "v21"}}, "");
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_EQ(joined->doc["versionId"], 21);
  EXPECT_EQ(joined->doc["versionLabel"], "v21");
  ListQuery by_set{
      .compartment_id = kComp, .filters = {{"modelVersionSetName", "experiments"}}, .limit = 1000};
  EXPECT_EQ(catalog_->ListModels(by_set)->items.size(), 21u);

  EXPECT_EQ(catalog_->DeleteModelVersionSet(set_id, "", false).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog_->DeleteProject(project, "").status().code(), StatusCode::kFailedPrecondition);
  auto wr = catalog_->DeleteModelVersionSet(set_id, "", true);
  ASSERT_TRUE(wr.ok()) << wr.status().ToString();
  auto done = catalog_->GetWorkRequest(*wr);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ((*done)["status"], "SUCCEEDED");
  EXPECT_EQ((*done)["operationType"], "MODELVERSIONSET_DELETE");
  EXPECT_EQ(catalog_->GetModel(loose)->doc["lifecycleState"], "DELETED");
  // The name is free again once the set is DELETED.
  EXPECT_TRUE(catalog_->CreateModelVersionSet(details, {kUser, ""}).ok());
}

TEST_F(CatalogTest, MetadataLimitsAreInvalidParameters) {
  const std::string project = Project();
  Json d = ModelDetails(project, "meta");
  d["customMetadataList"] =
      Json::array({{{"key", "notes"}, {"value", std::string(300, 'x')}, {"category", "Other"}}});
  auto long_value = catalog_->CreateModel(d, {kUser, ""});
  EXPECT_EQ(long_value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(long_value.status().message().find("255"), std::string::npos)
      << long_value.status().message();
  d["customMetadataList"] = Json::array({{{"key", "a"}, {"value", "1"}, {"category", "Nope"}}});
  EXPECT_EQ(catalog_->CreateModel(d, {kUser, ""}).status().code(), StatusCode::kInvalidArgument);
  d["customMetadataList"] =
      Json::array({{{"key", "a"}, {"value", "1"}}, {{"key", "A"}, {"value", "2"}}});
  EXPECT_EQ(catalog_->CreateModel(d, {kUser, ""}).status().code(), StatusCode::kInvalidArgument);
  Json many = Json::array();
  for (int i = 0; i < 200; ++i) {
    many.push_back({{"key", "k" + std::to_string(i)}, {"value", std::string(200, 'y')}});
  }
  d["customMetadataList"] = many;
  auto too_big = catalog_->CreateModel(d, {kUser, ""});
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_big.status().message().find("32000"), std::string::npos);
  d["customMetadataList"] =
      Json::array({{{"key", "accuracy"}, {"value", "0.9"}, {"category", "Performance"}}});
  d["definedMetadataList"] = Json::array({{{"key", "Framework"}, {"value", "xgboost"}}});
  auto ok = catalog_->CreateModel(d, {kUser, ""});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  auto schema_change =
      catalog_->UpdateModel(ok->doc["id"].get<std::string>(), {{"inputSchema", "{}"}}, "");
  EXPECT_EQ(schema_change.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CatalogTest, ArtifactsAreImmutableAndHashChecked) {
  const std::string model = Model(Project());
  const std::string bytes = "PK\x03\x04 some zip bytes";
  EXPECT_EQ(catalog_->UploadArtifact(model, Reader(bytes), "", Sha256Base64("other")).code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(catalog_->GetArtifact(model).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(catalog_
                  ->UploadArtifact(model, Reader(bytes), "attachment; filename=\"a.zip\"",
                                   Sha256Base64(bytes))
                  .ok());
  auto info = catalog_->GetArtifact(model);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->blob.sha256, Sha256Hex(bytes));
  EXPECT_EQ(info->blob.md5_base64, Md5Base64(bytes));
  EXPECT_EQ(info->blob.size, bytes.size());
  EXPECT_EQ(info->content_disposition, "attachment; filename=\"a.zip\"");
  EXPECT_EQ(catalog_->UploadArtifact(model, Reader("new"), "", "").code(),
            StatusCode::kAlreadyExists);
  // Survives a restart.
  Reopen();
  EXPECT_EQ(catalog_->GetArtifact(model)->blob.sha256, Sha256Hex(bytes));
}

TEST_F(CatalogTest, ExportAndImportRunAsWorkRequests) {
  const std::string project = Project();
  const std::string model = Model(project);
  auto upload = blobs_->BeginUpload();
  ASSERT_TRUE(upload.ok());
  ASSERT_TRUE((*upload)->Append("large artifact").ok());
  auto blob = (*upload)->Commit();
  ASSERT_TRUE(blob.ok());
  iam::Principal who{.id = kUser};
  ASSERT_TRUE(link_.PutObjectBlob("ns", "bucket", "dir/m.zip", *blob, who).ok());

  Json missing = {{"artifactExportType", "OBJECT_STORAGE"},
                  {"namespace", "ns"},
                  {"sourceBucket", "bucket"},
                  {"sourceObjectName", "nothing.zip"},
                  {"sourceRegion", "iad"}};
  auto failed_id = catalog_->ExportArtifact(model, missing, who);
  ASSERT_TRUE(failed_id.ok()) << failed_id.status().ToString();
  Json failed = WaitForWorkRequest(*failed_id);
  EXPECT_EQ(failed["status"], "FAILED");
  EXPECT_EQ(failed["resources"][0]["actionType"], "FAILED");
  auto errors = catalog_->WorkRequestErrors(*failed_id);
  ASSERT_TRUE(errors.ok());
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_NE((*errors)[0]["message"].get<std::string>().find("nothing.zip"), std::string::npos);

  Json present = missing;
  present["sourceObjectName"] = "dir/m.zip";
  auto wr = catalog_->ExportArtifact(model, present, who);
  ASSERT_TRUE(wr.ok());
  Json done = WaitForWorkRequest(*wr);
  EXPECT_EQ(done["status"], "SUCCEEDED");
  EXPECT_EQ(done["operationType"], "EXPORT_MODEL_ARTIFACT");
  EXPECT_EQ(done["percentComplete"], 100.0);
  EXPECT_TRUE(done.contains("timeFinished"));
  EXPECT_EQ(catalog_->GetArtifact(model)->blob.sha256, blob->sha256);
  EXPECT_EQ(catalog_->ExportArtifact(model, present, who).status().code(),
            StatusCode::kAlreadyExists);

  Json out = {{"artifactImportType", "OBJECT_STORAGE"},
              {"namespace", "ns"},
              {"destinationBucket", "out"},
              {"destinationObjectName", "copy.zip"},
              {"destinationRegion", "iad"}};
  auto import_id = catalog_->ImportArtifact(model, out, who);
  ASSERT_TRUE(import_id.ok());
  EXPECT_EQ(WaitForWorkRequest(*import_id)["status"], "SUCCEEDED");
  ASSERT_TRUE(link_.Find("ns/out/copy.zip"));
  EXPECT_EQ(link_.Find("ns/out/copy.zip")->sha256, blob->sha256);
  auto logs = catalog_->WorkRequestLogs(*import_id);
  ASSERT_TRUE(logs.ok());
  EXPECT_GE(logs->size(), 3u);

  ListQuery wrs{.compartment_id = kComp,
                .filters = {{"operationType", "EXPORT_MODEL_ARTIFACT"}},
                .sort_by = "timeAccepted"};
  EXPECT_EQ(catalog_->ListWorkRequests(wrs)->items.size(), 2u);
}

TEST_F(CatalogTest, DeploymentsGuardModelDeletion) {
  const std::string project = Project();
  const std::string model = Model(project);
  deployed_.insert(model);
  EXPECT_EQ(catalog_->DeleteModel(model, "", false).code(), StatusCode::kFailedPrecondition);

  auto set = catalog_->CreateModelVersionSet(
      {{"compartmentId", kComp}, {"projectId", project}, {"name", "deployed"}}, {kUser, ""});
  ASSERT_TRUE(set.ok());
  const std::string set_id = set->doc["id"];
  Json in_set = ModelDetails(project, "in-set");
  in_set["modelVersionSetId"] = set_id;
  auto member = catalog_->CreateModel(in_set, {kUser, ""});
  ASSERT_TRUE(member.ok());
  deployed_.insert(member->doc["id"].get<std::string>());
  EXPECT_EQ(catalog_->DeleteModelVersionSet(set_id, "", true).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog_->GetModelVersionSet(set_id)->doc["lifecycleState"], "ACTIVE");
  ASSERT_TRUE(catalog_->DeleteModel(member->doc["id"].get<std::string>(), "", true).ok());
  ASSERT_TRUE(catalog_->DeleteModelVersionSet(set_id, "", false).ok());
  ASSERT_TRUE(catalog_->DeleteModel(model, "", true).ok());
  EXPECT_EQ(catalog_->DeleteModel(model, "", true).code(), StatusCode::kFailedPrecondition);
  auto wr = catalog_->DeleteProject(project, "");
  ASSERT_TRUE(wr.ok()) << wr.status().ToString();
  EXPECT_EQ(catalog_->GetProject(project)->doc["lifecycleState"], "DELETED");
}

TEST_F(CatalogTest, ActivateDeactivateAndProvenance) {
  const std::string model = Model(Project());
  EXPECT_EQ(catalog_->SetModelActive(model, true, "").status().code(),
            StatusCode::kFailedPrecondition);
  auto inactive = catalog_->SetModelActive(model, false, "");
  ASSERT_TRUE(inactive.ok());
  EXPECT_EQ(inactive->doc["lifecycleState"], "INACTIVE");
  EXPECT_EQ(catalog_->SetModelActive(model, true, "")->doc["lifecycleState"], "ACTIVE");

  EXPECT_EQ(catalog_->GetProvenance(model).status().code(), StatusCode::kNotFound);
  Json p = {{"repositoryUrl", "https://git/x"},
            {"gitBranch", "main"},
            {"gitCommit", "abc"},
            {"scriptDir", "a"},
            {"trainingScript", "train.py"},
            {"trainingId", "ocid1.job"}};
  ASSERT_TRUE(catalog_->CreateProvenance(model, p).ok());
  EXPECT_EQ(catalog_->CreateProvenance(model, p).status().code(), StatusCode::kAlreadyExists);
  auto updated = catalog_->UpdateProvenance(model, {{"gitCommit", "def"}});
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ((*updated)["gitCommit"], "def");
  EXPECT_EQ((*updated)["gitBranch"], "main");
  EXPECT_EQ(*catalog_->GetProvenance(model), *updated);
}

}  // namespace
}  // namespace ads::catalog
