// The Data Science routes through server::Router::Dispatch with signed
// requests (real RSA key, the real verifier), real SQLite and a real
// BlobStore in a temp dir. Policy: everything is allowed except in the
// compartments the test denies, which must look exactly like missing
// resources.
#include "server/ds_routes.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "base/hash.h"
#include "catalog/catalog_test_util.h"
#include "iam/http_signature.h"
#include "iam/keys.h"
#include "server/route_test_util.h"

namespace ads::server {
namespace {

constexpr char kComp[] = "ocid1.compartment.oc1..open";
constexpr char kOther[] = "ocid1.compartment.oc1..other";
constexpr char kMissing[] = "ocid1.compartment.oc1..missing";

using catalog::test_util::MapLink;
using test_util::Reply;
using test_util::SignedRequest;
using test_util::TestAccess;

class DsRoutesTest : public test_util::SignedRouteTest {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("ds_routes_test");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    auto blobs = store::BlobStore::Open(env_, dir_);
    ASSERT_TRUE(blobs.ok()) << blobs.status().ToString();
    blobs_ = std::move(*blobs);
    auto db = store::Database::Open(dir_ + "/ads.db");
    ASSERT_TRUE(db.ok());
    access_ = std::make_unique<TestAccess>(key_->public_key(), std::set<std::string>{},
                                           std::set<std::string>{kMissing});
    catalog::CatalogOptions options;
    options.object_storage = &link_;
    options.has_active_deployment = [this](std::string_view id) {
      return deployed_ == id;
    };
    auto catalog = catalog::Catalog::Open(std::move(*db), *blobs_, env_, options);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
    router_ = std::make_unique<Router>(env_, access_.get());
    AddDataScienceRoutes(*router_, *catalog_);
  }
  void TearDown() override {
    router_.reset();
    catalog_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = "",
             HeaderMap headers = {}, std::optional<std::string> signed_body = std::nullopt) {
    const std::string full_target = "/20190101" + target;
    const std::string path = full_target.substr(0, full_target.find('?'));
    const bool binary = method == "POST" && path.ends_with("/artifact");
    SignedRequest options{.headers = std::move(headers),
                          .signing = iam::SigningOptions::TypeScriptSdk(),
                          .signed_body = std::move(signed_body),
                          .pull_size = 5};
    options.signing.binary_body = binary && !options.signed_body;
    if (method == "POST" || method == "PUT") {
      options.headers["content-type"] = binary ? "application/octet-stream" : "application/json";
      options.headers["content-length"] =
          std::to_string(options.signed_body.value_or(body).size());
    }
    return test_util::SendSigned(*router_, method, full_target, body, std::move(options), KeyId(),
                                 key_);
  }
  Reply Post(const std::string& target, const Json& body, HeaderMap headers = {}) {
    return Send("POST", target, body.dump(), std::move(headers));
  }

  std::string Project(const std::string& comp = kComp) {
    Reply r = Post("/projects", {{"compartmentId", comp}, {"displayName", "p"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return StringMemberOr(r.JsonBody(), "id");
  }
  std::string Model(const std::string& project, const std::string& comp = kComp) {
    Reply r = Post("/models", {{"compartmentId", comp}, {"projectId", project}});
    EXPECT_EQ(r.status, 200) << r.body;
    return StringMemberOr(r.JsonBody(), "id");
  }
  Json WaitForWorkRequest(const std::string& id) {
    for (int i = 0; i < 500; ++i) {
      Reply r = Send("GET", "/workRequests/" + id);
      EXPECT_EQ(r.status, 200) << r.body;
      const std::string status = StringMemberOr(r.JsonBody(), "status");
      if (status == "SUCCEEDED" || status == "FAILED") return r.JsonBody();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "work request did not finish";
    return Json();
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<TestAccess> access_;
  MapLink link_;
  std::string deployed_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<Router> router_;
};

TEST_F(DsRoutesTest, ModelCrudWithEtagsAndIfMatch) {
  const std::string project = Project();
  Reply created = Post("/models", {{"compartmentId", kComp}, {"projectId", project},
                                   {"displayName", "iris"}, {"inputSchema", "{\"a\":1}"}});
  ASSERT_EQ(created.status, 200) << created.body;
  Json model = created.JsonBody();
  EXPECT_EQ(model["createdBy"], "ocid1.user.oc1..u");
  EXPECT_EQ(model["lifecycleState"], "ACTIVE");
  EXPECT_EQ(model["inputSchema"], "{\"a\":1}");
  EXPECT_FALSE(created.Header("etag").empty());
  EXPECT_FALSE(created.Header("opc-request-id").empty());
  const std::string id = model["id"];

  Reply got = Send("GET", "/models/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Header("etag"), created.Header("etag"));

  Reply stale = Send("PUT", "/models/" + id, Json{{"displayName", "x"}}.dump(),
                     {{"if-match", "nope"}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.Code(), "NoEtagMatch");
  Reply updated = Send("PUT", "/models/" + id, Json{{"displayName", "iris-2"}}.dump(),
                       {{"if-match", got.Header("etag")}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.JsonBody()["displayName"], "iris-2");
  EXPECT_NE(updated.Header("etag"), got.Header("etag"));

  Reply schema = Send("PUT", "/models/" + id, Json{{"outputSchema", "{}"}}.dump());
  EXPECT_EQ(schema.status, 400);
  EXPECT_EQ(schema.Code(), "InvalidParameter");

  Reply deactivated = Post("/models/" + id + "/actions/deactivate", Json::object());
  ASSERT_EQ(deactivated.status, 200) << deactivated.body;
  EXPECT_EQ(deactivated.JsonBody()["lifecycleState"], "INACTIVE");
  Reply again = Post("/models/" + id + "/actions/deactivate", Json::object());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Code(), "IncorrectState");

  Reply deleted = Send("DELETE", "/models/" + id);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(Send("GET", "/models/" + id).JsonBody()["lifecycleState"], "DELETED");
}

TEST_F(DsRoutesTest, ForbiddenLooksLikeMissing) {
  const std::string project = Project(kOther);
  const std::string model = Model(project, kOther);
  access_->Deny(kOther);
  Reply hidden = Send("GET", "/models/" + model);
  Reply missing = Send("GET", "/models/ocid1.datasciencemodel.oc1.iad.nothing");
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(hidden.Code(), "NotAuthorizedOrNotFound");
  EXPECT_EQ(missing.Code(), "NotAuthorizedOrNotFound");
  EXPECT_EQ(Send("DELETE", "/models/" + model).status, 404);
  EXPECT_EQ(Send("GET", std::string("/models?compartmentId=") + kOther).status, 404);
  Reply nowhere = Post("/projects", {{"compartmentId", kMissing}});
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_EQ(nowhere.Code(), "NotAuthorizedOrNotFound");
}

TEST_F(DsRoutesTest, ListsPageWithOpcNextPage) {
  const std::string project = Project();
  std::set<std::string> created;
  for (int i = 0; i < 5; ++i) created.insert(Model(project));
  std::set<std::string> seen;
  std::string page;
  int pages = 0;
  do {
    Reply r = Send("GET", std::string("/models?compartmentId=") + kComp +
                              "&limit=2&sortBy=displayName&sortOrder=DESC" +
                              (page.empty() ? "" : "&page=" + page));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(r.JsonBody().is_array());
    for (const Json& m : r.JsonBody()) EXPECT_TRUE(seen.insert(m["id"]).second);
    page = r.Header("opc-next-page");
    ++pages;
  } while (!page.empty() && pages < 10);
  EXPECT_EQ(seen, created);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(Send("GET", "/models").status, 400);
  EXPECT_EQ(Send("GET", std::string("/models?compartmentId=") + kComp + "&sortBy=size").status,
            400);
  Reply projects = Send("GET", std::string("/projects?compartmentId=") + kComp);
  ASSERT_EQ(projects.status, 200);
  EXPECT_EQ(projects.JsonBody().size(), 1u);
}

TEST_F(DsRoutesTest, RetryTokenAndMetadataLimits) {
  const std::string project = Project();
  Json details = {{"compartmentId", kComp}, {"projectId", project}, {"displayName", "r"}};
  Reply first = Post("/models", details, {{"opc-retry-token", "abc"}});
  Reply second = Post("/models", details, {{"opc-retry-token", "abc"}});
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(first.JsonBody()["id"], second.JsonBody()["id"]);
  details["displayName"] = "changed";
  Reply conflict = Post("/models", details, {{"opc-retry-token", "abc"}});
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.Code(), "Conflict");

  details["customMetadataList"] =
      Json::array({{{"key", "k"}, {"value", std::string(256, 'v')}, {"category", "Other"}}});
  Reply too_long = Post("/models", details);
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(too_long.Code(), "InvalidParameter");
}

TEST_F(DsRoutesTest, ArtifactUploadHeadAndRanges) {
  const std::string model = Model(Project());
  const std::string bytes = "0123456789abcdef";
  Reply up = Send("POST", "/models/" + model + "/artifact", bytes,
                  {{"content-disposition", "attachment; filename=\"m.zip\""}});
  ASSERT_EQ(up.status, 200) << up.body;
  Reply twice = Send("POST", "/models/" + model + "/artifact", "other");
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.Code(), "Conflict");

  Reply head = Send("HEAD", "/models/" + model + "/artifact/content");
  ASSERT_EQ(head.status, 200) << head.body;
  EXPECT_EQ(head.head_length, bytes.size());
  EXPECT_EQ(head.Header("content-md5"), Md5Base64(bytes));
  EXPECT_EQ(head.Header("content-disposition"), "attachment; filename=\"m.zip\"");
  EXPECT_FALSE(head.Header("etag").empty());
  EXPECT_TRUE(head.Header("last-modified").ends_with("GMT"));

  Reply whole = Send("GET", "/models/" + model + "/artifact/content");
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, bytes);
  Reply middle = Send("GET", "/models/" + model + "/artifact/content", "", {{"range", "bytes=2-5"}});
  EXPECT_EQ(middle.status, 206);
  EXPECT_EQ(middle.body, "2345");
  EXPECT_EQ(middle.Header("content-range"), "bytes 2-5/16");
  Reply tail = Send("GET", "/models/" + model + "/artifact/content", "", {{"range", "bytes=-3"}});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, "def");
  Reply open = Send("GET", "/models/" + model + "/artifact/content", "", {{"range", "bytes=14-"}});
  EXPECT_EQ(open.body, "ef");
  Reply past = Send("GET", "/models/" + model + "/artifact/content", "", {{"range", "bytes=16-"}});
  EXPECT_EQ(past.status, 416);

  // A signed body hash that the streamed bytes do not match.
  const std::string other = Model(Project());
  Reply forged = Send("POST", "/models/" + other + "/artifact", "real bytes", {},
                      std::string("signed bytes"));
  EXPECT_EQ(forged.status, 401) << forged.body;
  EXPECT_EQ(forged.Code(), "NotAuthenticated");
  Reply signed_ok = Send("POST", "/models/" + other + "/artifact", "real bytes", {},
                         std::string("real bytes"));
  EXPECT_EQ(signed_ok.status, 200) << signed_ok.body;
  EXPECT_EQ(Send("HEAD", "/models/" + Model(Project()) + "/artifact/content").status, 404);
}

TEST_F(DsRoutesTest, ExportImportAndWorkRequests) {
  const std::string model = Model(Project());
  Json missing = {{"artifactExportType", "OBJECT_STORAGE"}, {"namespace", "ns"},
                  {"sourceBucket", "b"}, {"sourceObjectName", "absent.zip"},
                  {"sourceRegion", "iad"}};
  Reply started = Post("/models/" + model + "/actions/exportArtifact", missing);
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string failed_id = started.Header("opc-work-request-id");
  ASSERT_FALSE(failed_id.empty());
  EXPECT_EQ(WaitForWorkRequest(failed_id)["status"], "FAILED");
  Reply errors = Send("GET", "/workRequests/" + failed_id + "/errors");
  ASSERT_EQ(errors.status, 200);
  ASSERT_EQ(errors.JsonBody().size(), 1u);

  auto upload = blobs_->BeginUpload();
  ASSERT_TRUE(upload.ok());
  ASSERT_TRUE((*upload)->Append("zip bytes").ok());
  auto blob = (*upload)->Commit();
  ASSERT_TRUE(blob.ok());
  ASSERT_TRUE(link_.PutObjectBlob("ns", "b", "present.zip", *blob, {}).ok());
  Json present = missing;
  present["sourceObjectName"] = "present.zip";
  Reply ok = Post("/models/" + model + "/actions/exportArtifact", present);
  ASSERT_EQ(ok.status, 202);
  Json done = WaitForWorkRequest(ok.Header("opc-work-request-id"));
  EXPECT_EQ(done["status"], "SUCCEEDED");
  EXPECT_EQ(done["resources"][0]["identifier"], model);
  EXPECT_EQ(done["resources"][0]["entityUri"], "/20190101/models/" + model);
  EXPECT_EQ(Send("GET", "/models/" + model + "/artifact/content").body, "zip bytes");

  Json out = {{"artifactImportType", "OBJECT_STORAGE"}, {"namespace", "ns"},
              {"destinationBucket", "b"}, {"destinationObjectName", "copy.zip"},
              {"destinationRegion", "iad"}};
  Reply imported = Post("/models/" + model + "/actions/importArtifact", out);
  ASSERT_EQ(imported.status, 202);
  EXPECT_EQ(WaitForWorkRequest(imported.Header("opc-work-request-id"))["status"], "SUCCEEDED");
  EXPECT_TRUE(link_.GetObjectBlob("ns", "b", "copy.zip", {}).ok());

  Reply list = Send("GET", std::string("/workRequests?compartmentId=") + kComp +
                               "&operationType=EXPORT_MODEL_ARTIFACT");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.JsonBody().size(), 2u);
  Reply logs = Send("GET", "/workRequests/" + failed_id + "/logs");
  ASSERT_EQ(logs.status, 200);
  EXPECT_GE(logs.JsonBody().size(), 2u);
}

TEST_F(DsRoutesTest, DeletesAndVersionSets) {
  const std::string project = Project();
  Reply set = Post("/modelVersionSets",
                   {{"compartmentId", kComp}, {"projectId", project}, {"name", "exp"}});
  ASSERT_EQ(set.status, 200) << set.body;
  const std::string set_id = set.JsonBody()["id"];
  EXPECT_EQ(Post("/modelVersionSets", {{"compartmentId", kComp}, {"projectId", project},
                                       {"name", "exp"}})
                .status,
            409);
  Reply m1 = Post("/models", {{"compartmentId", kComp}, {"projectId", project},
                              {"modelVersionSetId", set_id}, {"versionLabel", "first"}});
  Reply m2 = Post("/models", {{"compartmentId", kComp}, {"projectId", project},
                              {"modelVersionSetId", set_id}});
  EXPECT_EQ(m1.JsonBody()["versionId"], 1);
  EXPECT_EQ(m2.JsonBody()["versionId"], 2);
  EXPECT_EQ(m1.JsonBody()["modelVersionSetName"], "exp");
  Reply by_name = Send("GET", std::string("/models?compartmentId=") + kComp +
                                  "&modelVersionSetName=exp&versionLabel=first");
  ASSERT_EQ(by_name.status, 200);
  EXPECT_EQ(by_name.JsonBody().size(), 1u);

  const std::string m2_id = m2.JsonBody()["id"];
  deployed_ = m2_id;
  Reply in_use = Send("DELETE", "/models/" + m2_id);
  EXPECT_EQ(in_use.status, 409);
  EXPECT_EQ(in_use.Code(), "IncorrectState");
  EXPECT_EQ(Send("DELETE", "/models/" + m2_id + "?isForceDelete=true").status, 204);

  EXPECT_EQ(Send("DELETE", "/projects/" + project).status, 409);
  EXPECT_EQ(Send("DELETE", "/modelVersionSets/" + set_id).status, 409);
  Reply gone = Send("DELETE", "/modelVersionSets/" + set_id + "?isDeleteRelatedModels=true");
  EXPECT_EQ(gone.status, 202) << gone.body;
  EXPECT_FALSE(gone.Header("opc-work-request-id").empty());
  Reply project_gone = Send("DELETE", "/projects/" + project);
  EXPECT_EQ(project_gone.status, 202) << project_gone.body;
  EXPECT_EQ(WaitForWorkRequest(project_gone.Header("opc-work-request-id"))["operationType"],
            "PROJECT_DELETE");

  const std::string other = Model(Project());
  Reply moved = Post("/models/" + other + "/actions/changeCompartment",
                     {{"compartmentId", kOther}});
  EXPECT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Send("GET", "/models/" + other).JsonBody()["compartmentId"], kOther);
  Reply provenance = Post("/models/" + other + "/provenance", {{"gitBranch", "main"}});
  EXPECT_EQ(provenance.status, 200);
  EXPECT_FALSE(provenance.Header("etag").empty());
  EXPECT_EQ(Send("GET", "/models/" + other + "/provenance").JsonBody()["gitBranch"], "main");
}

}  // namespace
}  // namespace ads::server
