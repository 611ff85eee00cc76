// The Object Storage routes through server::Router::Dispatch with signed
// requests (real RSA keys, the real verifier), real SQLite and a real
// BlobStore in a temp dir. Policy: everything is allowed except in one
// compartment, which must look exactly like a missing resource.
#include "server/os_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/hash.h"
#include "iam/http_signature.h"
#include "iam/keys.h"
#include "server/route_test_util.h"

namespace ads::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kNs[] = "ads-tenancy";
constexpr char kComp[] = "ocid1.compartment.oc1..open";
constexpr char kDenied[] = "ocid1.compartment.oc1..denied";

using test_util::Reply;
using test_util::SignedRequest;
using test_util::TestAccess;

struct SendOptions {
  HeaderMap headers;
  // Binary uploads: sign x-content-sha256 of `signed_body` (default: the
  // body) instead of leaving the body unsigned, as the OCI SDKs may.
  bool sign_body_hash = false;
  std::optional<std::string> signed_body;
};

class OsRoutesTest : public test_util::SignedRouteTest {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("os_routes_test");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = *dir;
    auto blobs = store::BlobStore::Open(env_, dir_);
    ASSERT_TRUE(blobs.ok()) << blobs.status().ToString();
    blobs_ = std::move(*blobs);
    auto db = store::Database::Open(dir_ + "/ads.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    access_ = std::make_unique<TestAccess>(key_->public_key(), std::set<std::string>{kDenied});
    auto os = objectstore::ObjectStore::Open(std::move(*db), *blobs_, access_.get(), env_,
                                             {.namespace_name = kNs});
    ASSERT_TRUE(os.ok()) << os.status().ToString();
    os_ = std::move(*os);
    router_ = std::make_unique<Router>(env_, access_.get());
    AddObjectStorageRoutes(*router_, *os_);
  }
  void TearDown() override {
    router_.reset();
    os_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = "",
             SendOptions options = {}) {
    const bool binary = method == "PUT";
    SignedRequest request{.headers = std::move(options.headers),
                          .signing = iam::SigningOptions::PythonSdk(),
                          .signed_body = std::move(options.signed_body),
                          .pull_size = 7};  // small on purpose: many pulls
    request.signing.binary_body = binary && !options.sign_body_hash;
    if (binary && !request.headers.contains("content-type")) {
      request.headers["content-type"] = "application/octet-stream";
    }
    if (!body.empty() || method == "POST" || method == "PUT") {
      request.headers["content-length"] = std::to_string(body.size());
    }
    return test_util::SendSigned(*router_, method, target, body, std::move(request), KeyId(),
                                 key_);
  }

  Reply CreateBucket(const std::string& name, const std::string& comp = kComp) {
    Json details = {{"name", name}, {"compartmentId", comp}};
    return Send("POST", std::string("/n/") + kNs + "/b", details.dump());
  }
  std::string ObjectPath(const std::string& bucket, const std::string& object) {
    return std::string("/n/") + kNs + "/b/" + bucket + "/o/" + http::PercentEncode(object);
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<TestAccess> access_;
  std::unique_ptr<objectstore::ObjectStore> os_;
  std::unique_ptr<Router> router_;
};

TEST_F(OsRoutesTest, NamespaceAndBuckets) {
  Reply ns = Send("GET", "/n/");
  ASSERT_EQ(ns.status, 200) << ns.body;
  EXPECT_EQ(ns.JsonBody(), Json(kNs));

  Reply created = CreateBucket("models");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.JsonBody()["name"], "models");
  EXPECT_EQ(created.JsonBody()["compartmentId"], kComp);
  EXPECT_EQ(created.JsonBody()["createdBy"], "ocid1.user.oc1..u");
  EXPECT_FALSE(created.Header("etag").empty());
  ASSERT_EQ(CreateBucket("data").status, 200);

  Reply dup = CreateBucket("models");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.JsonBody()["code"], "BucketAlreadyExists");

  Reply page = Send("GET", std::string("/n/") + kNs + "/b?compartmentId=" + kComp + "&limit=1");
  ASSERT_EQ(page.status, 200) << page.body;
  ASSERT_TRUE(page.JsonBody().is_array());
  ASSERT_EQ(page.JsonBody().size(), 1u);
  EXPECT_EQ(page.JsonBody()[0]["name"], "data");
  EXPECT_EQ(page.Header("opc-next-page"), "data");
  Reply rest = Send("GET", std::string("/n/") + kNs + "/b/?compartmentId=" + kComp + "&page=data");
  ASSERT_EQ(rest.status, 200);
  EXPECT_EQ(rest.JsonBody()[0]["name"], "models");
  EXPECT_EQ(rest.Header("opc-next-page"), "");
  EXPECT_EQ(Send("GET", std::string("/n/") + kNs + "/b").status, 400);  // compartmentId missing

  Reply head = Send("HEAD", std::string("/n/") + kNs + "/b/models");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("etag"), created.Header("etag"));

  // A bucket in a compartment the caller may not see looks missing.
  ASSERT_TRUE(os_->CreateBucket(kNs, {.name = "secret", .compartment_id = kDenied}, "x").ok());
  Reply hidden = Send("GET", std::string("/n/") + kNs + "/b/secret");
  Reply missing = Send("GET", std::string("/n/") + kNs + "/b/nothing");
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(hidden.JsonBody()["code"], "NotAuthorizedOrNotFound");
  EXPECT_EQ(hidden.JsonBody()["message"], missing.JsonBody()["message"]);
  EXPECT_EQ(Send("GET", "/n/other-ns/b/models").status, 404);
  EXPECT_EQ(CreateBucket("nope", kDenied).status, 404);
  EXPECT_EQ(Send("PUT", ObjectPath("secret", "x"), "data").status, 404);
  EXPECT_EQ(Send("DELETE", std::string("/n/") + kNs + "/b/secret").status, 404);

  EXPECT_EQ(Send("DELETE", std::string("/n/") + kNs + "/b/data").status, 204);
  EXPECT_EQ(Send("GET", std::string("/n/") + kNs + "/b/data").status, 404);
}

TEST_F(OsRoutesTest, PutGetRangeHeadDelete) {
  ASSERT_EQ(CreateBucket("b").status, 200);
  SendOptions put_options;
  put_options.headers["content-type"] = "text/plain";
  put_options.headers["opc-meta-Origin"] = "unit-test";
  Reply put = Send("PUT", ObjectPath("b", "dir/hello.txt"), "hello world", put_options);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Header("opc-content-md5"), Md5Base64("hello world"));
  EXPECT_FALSE(put.Header("etag").empty());
  EXPECT_FALSE(put.Header("last-modified").empty());

  Reply get = Send("GET", ObjectPath("b", "dir/hello.txt"));
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(get.body, "hello world");
  EXPECT_EQ(get.Header("content-type"), "text/plain");
  EXPECT_EQ(get.Header("opc-meta-origin"), "unit-test");
  EXPECT_EQ(get.Header("etag"), put.Header("etag"));
  EXPECT_EQ(get.Header("content-md5"), Md5Base64("hello world"));

  SendOptions range;
  range.headers["range"] = "bytes=2-4";
  Reply part = Send("GET", ObjectPath("b", "dir/hello.txt"), "", range);
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "llo");
  EXPECT_EQ(part.Header("content-range"), "bytes 2-4/11");
  range.headers["range"] = "bytes=-5";
  EXPECT_EQ(Send("GET", ObjectPath("b", "dir/hello.txt"), "", range).body, "world");
  range.headers["range"] = "bytes=6-";
  EXPECT_EQ(Send("GET", ObjectPath("b", "dir/hello.txt"), "", range).body, "world");
  range.headers["range"] = "bytes=11-";
  Reply unsatisfiable = Send("GET", ObjectPath("b", "dir/hello.txt"), "", range);
  EXPECT_EQ(unsatisfiable.status, 416);
  EXPECT_EQ(unsatisfiable.Header("content-range"), "bytes */11");

  Reply head = Send("HEAD", ObjectPath("b", "dir/hello.txt"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.head_length, 11u);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.Header("etag"), put.Header("etag"));

  ASSERT_EQ(Send("PUT", ObjectPath("b", "empty"), "").status, 200);
  Reply empty = Send("GET", ObjectPath("b", "empty"));
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "");
  EXPECT_EQ(empty.Header("content-md5"), Md5Base64(""));
  EXPECT_EQ(Send("GET", ObjectPath("b", "empty"), "", range).status, 416);

  EXPECT_EQ(Send("DELETE", ObjectPath("b", "dir/hello.txt")).status, 204);
  Reply gone = Send("GET", ObjectPath("b", "dir/hello.txt"));
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.JsonBody()["code"], "ObjectNotFound");
}

TEST_F(OsRoutesTest, PreconditionsAndIntegrityChecks) {
  ASSERT_EQ(CreateBucket("b").status, 200);
  ASSERT_EQ(Send("PUT", ObjectPath("b", "o"), "first").status, 200);

  SendOptions none_match;
  none_match.headers["if-none-match"] = "*";
  Reply exists = Send("PUT", ObjectPath("b", "o"), "second", none_match);
  EXPECT_EQ(exists.status, 412);
  EXPECT_EQ(exists.JsonBody()["code"], "IfNoneMatchFailed");
  EXPECT_EQ(Send("PUT", ObjectPath("b", "new"), "second", none_match).status, 200);

  SendOptions md5;
  md5.headers["content-md5"] = Md5Base64("something else");
  Reply bad_md5 = Send("PUT", ObjectPath("b", "o"), "second", md5);
  EXPECT_EQ(bad_md5.status, 400);
  EXPECT_THAT(bad_md5.body, HasSubstr("Content-MD5"));
  md5.headers["content-md5"] = Md5Base64("second");
  EXPECT_EQ(Send("PUT", ObjectPath("b", "o"), "second", md5).status, 200);

  // A signed x-content-sha256 is checked against the streamed bytes.
  SendOptions hashed;
  hashed.sign_body_hash = true;
  EXPECT_EQ(Send("PUT", ObjectPath("b", "o"), "third", hashed).status, 200);
  hashed.signed_body = "what was signed";
  Reply tampered = Send("PUT", ObjectPath("b", "o"), "what was sent!!", hashed);
  EXPECT_EQ(tampered.status, 400) << tampered.body;
  EXPECT_EQ(Send("GET", ObjectPath("b", "o")).body, "third");

  SendOptions match;
  match.headers["if-match"] = "stale-etag";
  EXPECT_EQ(Send("PUT", ObjectPath("b", "o"), "fourth", match).status, 412);
}

TEST_F(OsRoutesTest, ListObjectsPrefixDelimiterFieldsAndPaging) {
  ASSERT_EQ(CreateBucket("b").status, 200);
  for (const char* name : {"a.txt", "m/1", "m/2", "m/deep/3", "z.txt"}) {
    ASSERT_EQ(Send("PUT", ObjectPath("b", name), name).status, 200);
  }
  const std::string list = std::string("/n/") + kNs + "/b/b/o";
  Reply top = Send("GET", list + "?delimiter=/&fields=name,size,md5,etag,timeCreated");
  ASSERT_EQ(top.status, 200) << top.body;
  Json body = top.JsonBody();
  ASSERT_TRUE(body.is_object());
  ASSERT_EQ(body["objects"].size(), 2u);
  EXPECT_EQ(body["objects"][0]["name"], "a.txt");
  EXPECT_EQ(body["objects"][0]["size"], 5);
  EXPECT_EQ(body["objects"][0]["md5"], Md5Base64("a.txt"));
  EXPECT_TRUE(body["objects"][0].contains("etag"));
  EXPECT_TRUE(body["objects"][0].contains("timeCreated"));
  EXPECT_EQ(body["prefixes"], Json({"m/"}));
  EXPECT_FALSE(body.contains("nextStartWith"));

  Reply names_only = Send("GET", list + "?prefix=m/");
  ASSERT_EQ(names_only.status, 200);
  Json objects = names_only.JsonBody()["objects"];
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[2]["name"], "m/deep/3");
  EXPECT_FALSE(objects[0].contains("size"));  // only name unless fields asks

  std::vector<std::string> seen;
  std::string start;
  for (int i = 0; i < 10; ++i) {
    Reply page = Send("GET", list + "?limit=2" + (start.empty() ? "" : "&start=" + start));
    ASSERT_EQ(page.status, 200) << page.body;
    const Json json = page.JsonBody();
    for (const Json& o : json["objects"]) seen.push_back(o["name"]);
    start = StringMemberOr(json, "nextStartWith");
    if (start.empty()) break;
  }
  EXPECT_THAT(seen, ElementsAre("a.txt", "m/1", "m/2", "m/deep/3", "z.txt"));
  EXPECT_EQ(Send("GET", list + "?limit=0").status, 400);
  EXPECT_EQ(Send("GET", list + "?fields=bogus").status, 400);
}

TEST_F(OsRoutesTest, MultipartOutOfOrderCommitAbortAndBucketNotEmpty) {
  ASSERT_EQ(CreateBucket("b").status, 200);
  const std::string base = std::string("/n/") + kNs + "/b/b/u";
  Reply created = Send("POST", base,
                       Json{{"object", "big/model.zip"},
                            {"contentType", "application/zip"},
                            {"metadata", {{"opc-meta-run", "7"}}}}.dump());
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string upload_id = created.JsonBody()["uploadId"];
  EXPECT_EQ(created.JsonBody()["object"], "big/model.zip");
  const std::string target = base + "/" + http::PercentEncode("big/model.zip") +
                             "?uploadId=" + upload_id;

  std::map<int, std::string> etags;
  const std::map<int, std::string> bytes = {{1, "hello "}, {2, "multipart "}, {3, "world"}};
  for (int n : {3, 1, 2}) {
    SendOptions md5;
    md5.headers["content-md5"] = Md5Base64(bytes.at(n));
    Reply part = Send("PUT", target + "&uploadPartNum=" + std::to_string(n), bytes.at(n), md5);
    ASSERT_EQ(part.status, 200) << part.body;
    EXPECT_EQ(part.Header("opc-content-md5"), Md5Base64(bytes.at(n)));
    etags[n] = part.Header("etag");
  }
  EXPECT_EQ(Send("PUT", target + "&uploadPartNum=10001", "x").status, 400);

  Reply parts = Send("GET", target + "&limit=2");
  ASSERT_EQ(parts.status, 200) << parts.body;
  ASSERT_EQ(parts.JsonBody().size(), 2u);
  EXPECT_EQ(parts.JsonBody()[0]["partNumber"], 1);
  EXPECT_EQ(parts.JsonBody()[0]["size"], 6);
  EXPECT_EQ(parts.Header("opc-next-page"), "2");

  EXPECT_EQ(Send("DELETE", std::string("/n/") + kNs + "/b/b").JsonBody()["code"],
            "BucketNotEmpty");

  Json wrong = {{"partsToCommit", {{{"partNum", 1}, {"etag", "nope"}}}}};
  Reply refused = Send("POST", target, wrong.dump());
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.JsonBody()["code"], "InvalidParameter");

  Json commit = {{"partsToCommit",
                  {{{"partNum", 2}, {"etag", etags[2]}},
                   {{"partNum", 3}, {"etag", etags[3]}},
                   {{"partNum", 1}, {"etag", etags[1]}}}}};
  Reply done = Send("POST", target, commit.dump());
  ASSERT_EQ(done.status, 200) << done.body;
  // Python: b64(md5(md5(p1)+md5(p2)+md5(p3))) + "-3"
  EXPECT_EQ(done.Header("opc-multipart-md5"), "mMLwg5keKXCpnJwxhCftUA==-3");
  Reply get = Send("GET", ObjectPath("b", "big/model.zip"));
  EXPECT_EQ(get.body, "hello multipart world");
  EXPECT_EQ(get.Header("content-type"), "application/zip");
  EXPECT_EQ(get.Header("opc-meta-run"), "7");
  EXPECT_EQ(get.Header("opc-multipart-md5"), "mMLwg5keKXCpnJwxhCftUA==-3");
  EXPECT_EQ(get.Header("content-md5"), "");  // OCI has none for multipart objects
  EXPECT_EQ(Send("GET", target).status, 404);  // the upload is over

  // A second upload, aborted.
  Reply second = Send("POST", base, Json{{"object", "tmp"}}.dump());
  ASSERT_EQ(second.status, 200);
  const std::string second_target =
      base + "/tmp?uploadId=" + second.JsonBody()["uploadId"].get<std::string>();
  ASSERT_EQ(Send("PUT", second_target + "&uploadPartNum=1", "junk").status, 200);
  Reply uploads = Send("GET", base);
  ASSERT_EQ(uploads.status, 200);
  ASSERT_EQ(uploads.JsonBody().size(), 1u);
  EXPECT_EQ(uploads.JsonBody()[0]["object"], "tmp");
  EXPECT_EQ(Send("DELETE", second_target).status, 204);
  EXPECT_EQ(Send("GET", base).JsonBody().size(), 0u);

  EXPECT_EQ(Send("DELETE", ObjectPath("b", "big/model.zip")).status, 204);
  EXPECT_EQ(Send("DELETE", std::string("/n/") + kNs + "/b/b").status, 204);
}

}  // namespace
}  // namespace ads::server
