#include "objectstore/object_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "base/hash.h"
#include "objectstore/rows.h"

namespace ads::objectstore {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kNs[] = "ads-tenancy";
constexpr char kComp[] = "ocid1.compartment.oc1..aaaa";

// A policy stand-in: everything is allowed except in `denied_compartment`.
class DenyCompartment : public iam::AccessControl {
 public:
  explicit DenyCompartment(std::string denied) : denied_(std::move(denied)) {}
  std::optional<iam::PublicKey> LookupKey(const iam::KeyId&) override { return std::nullopt; }
  Result<iam::Principal> PrincipalFor(const iam::KeyId&) override {
    return UnauthenticatedError("no keys in this test");
  }
  bool IsAllowed(const iam::Principal&, iam::Verb, std::string_view,
                 std::string_view compartment_id) override {
    return compartment_id != denied_;
  }
  bool CompartmentExists(std::string_view) override { return true; }

 private:
  std::string denied_;
};

ByteSource FromString(std::string bytes, size_t chunk = 3) {
  auto pos = std::make_shared<size_t>(0);
  return [bytes = std::move(bytes), pos, chunk](char* buf, size_t n) -> Result<size_t> {
    const size_t take = std::min({n, chunk, bytes.size() - *pos});
    std::copy_n(bytes.data() + *pos, take, buf);
    *pos += take;
    return take;
  };
}

class ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("objectstore_test");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = *dir;
    auto blobs = store::BlobStore::Open(env_, dir_);
    ASSERT_TRUE(blobs.ok()) << blobs.status().ToString();
    blobs_ = std::move(*blobs);
    Reopen();
  }
  void TearDown() override {
    os_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }
  void Reopen() {
    os_.reset();
    auto db = store::Database::Open(dir_ + "/ads.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto os = ObjectStore::Open(std::move(*db), *blobs_, &access_, env_,
                                {.namespace_name = kNs, .region = "iad"});
    ASSERT_TRUE(os.ok()) << os.status().ToString();
    os_ = std::move(*os);
  }
  void MakeBucket(const std::string& name, const std::string& comp = kComp) {
    auto b = os_->CreateBucket(kNs, {.name = name, .compartment_id = comp}, "user");
    ASSERT_TRUE(b.ok()) << b.status().ToString();
  }
  store::BlobInfo Blob(const std::string& bytes) {
    auto blob = os_->WriteBlob(FromString(bytes), "", "");
    EXPECT_TRUE(blob.ok()) << blob.status().ToString();
    return blob.value_or({});
  }
  std::string Bytes(const store::BlobInfo& blob) {
    auto file = blobs_->OpenBlob(blob.sha256);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return "";
    return store::ReadRange(**file, 0, (*file)->size()).value_or("");
  }
  void Put(const std::string& bucket, const std::string& name, const std::string& bytes) {
    auto put = os_->PutObject(kNs, bucket, name, Blob(bytes), {});
    ASSERT_TRUE(put.ok()) << put.status().ToString();
  }

  Env& env_ = *Env::Default();
  DenyCompartment access_{"ocid1.compartment.oc1..denied"};
  std::string dir_;
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<ObjectStore> os_;
};

TEST_F(ObjectStoreTest, BucketsAreUniquePerNamespaceAndPageByName) {
  for (const char* name : {"b3", "b1", "b2"}) MakeBucket(name);
  auto dup = os_->CreateBucket(kNs, {.name = "b1", .compartment_id = kComp}, "user");
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().hint(), "oci:409 BucketAlreadyExists");

  auto page1 = os_->ListBuckets(kNs, kComp, 2, "");
  ASSERT_TRUE(page1.ok()) << page1.status().ToString();
  ASSERT_EQ(page1->items.size(), 2u);
  EXPECT_EQ(page1->items[0].name, "b1");
  EXPECT_EQ(page1->items[1].name, "b2");
  EXPECT_EQ(page1->next_page, "b2");
  auto page2 = os_->ListBuckets(kNs, kComp, 2, page1->next_page);
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->items.size(), 1u);
  EXPECT_EQ(page2->items[0].name, "b3");
  EXPECT_EQ(page2->next_page, "");

  auto b = os_->GetBucket(kNs, "b1");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->id.starts_with("ocid1.bucket.oc1.iad.")) << b->id;
  EXPECT_EQ(b->created_by, "user");
  EXPECT_EQ(os_->GetBucket("other-ns", "b1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(os_->GetBucket(kNs, "nope").status().message(), kNotAuthorizedOrNotFound);
  EXPECT_EQ(os_->CreateBucket(kNs, {.name = "bad/name", .compartment_id = kComp}, "u")
                .status().code(),
            StatusCode::kInvalidArgument);

  ASSERT_TRUE(os_->DeleteBucket(kNs, "b1").ok());
  EXPECT_EQ(os_->GetBucket(kNs, "b1").status().code(), StatusCode::kNotFound);
}

TEST_F(ObjectStoreTest, PutOverwritesAtomicallyAndHonoursPreconditions) {
  MakeBucket("b");
  auto first = os_->PutObject(kNs, "b", "dir/a.txt", Blob("one"),
                              {.content_type = "text/plain", .metadata = {{"k", "v"}}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto got = os_->GetObject(kNs, "b", "dir/a.txt");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Bytes(got->blob), "one");
  EXPECT_EQ(got->content_type, "text/plain");
  EXPECT_EQ(got->metadata.at("k"), "v");
  EXPECT_EQ(got->etag, first->etag);
  EXPECT_EQ(got->blob.md5_base64, Md5Base64("one"));

  auto refused = os_->PutObject(kNs, "b", "dir/a.txt", Blob("two"), {.if_none_match_any = true});
  EXPECT_EQ(refused.status().hint(), "oci:412 IfNoneMatchFailed");
  auto wrong_match = os_->PutObject(kNs, "b", "dir/a.txt", Blob("two"), {.if_match = "nope"});
  EXPECT_EQ(wrong_match.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Bytes(os_->GetObject(kNs, "b", "dir/a.txt")->blob), "one");

  auto second = os_->PutObject(kNs, "b", "dir/a.txt", Blob("two"), {.if_match = first->etag});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(second->etag, first->etag);
  EXPECT_EQ(Bytes(os_->GetObject(kNs, "b", "dir/a.txt")->blob), "two");

  EXPECT_EQ(os_->DeleteBucket(kNs, "b").hint(), "oci:409 BucketNotEmpty");
  ASSERT_TRUE(os_->DeleteObject(kNs, "b", "dir/a.txt").ok());
  EXPECT_EQ(os_->GetObject(kNs, "b", "dir/a.txt").status().hint(), "oci:404 ObjectNotFound");
  EXPECT_EQ(os_->DeleteObject(kNs, "b", "dir/a.txt").code(), StatusCode::kNotFound);
  EXPECT_TRUE(os_->DeleteBucket(kNs, "b").ok());
}

TEST_F(ObjectStoreTest, WriteBlobChecksSignedSha256AndContentMd5) {
  // base64 SHA-256 and MD5 of "abc", from Python's hashlib.
  const std::string sha_abc = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";
  auto ok = os_->WriteBlob(FromString("abc"), sha_abc, "kAFQmDzST7DWlj99KOF/cg==");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->size, 3u);

  auto bad_sha = os_->WriteBlob(FromString("abd"), sha_abc, "");
  EXPECT_EQ(bad_sha.status().code(), StatusCode::kInvalidArgument);
  // Nothing of "abd" became visible.
  EXPECT_FALSE(blobs_->Exists(Sha256Hex("abd")).value_or(true));

  auto bad_md5 = os_->WriteBlob(FromString("abc"), "", "AAAAAAAAAAAAAAAAAAAAAA==");
  EXPECT_EQ(bad_md5.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_md5.status().message(), HasSubstr("Content-MD5"));

  auto failing = os_->WriteBlob([](char*, size_t) -> Result<size_t> {
    return InvalidArgumentError("peer went away");
  }, "", "");
  EXPECT_THAT(failing.status().message(), HasSubstr("peer went away"));
}

TEST_F(ObjectStoreTest, ListObjectsWithPrefixDelimiterStartEndAndPaging) {
  MakeBucket("b");
  for (const char* name : {"a.txt", "dir/x", "dir/y", "dir/sub/z", "e/1", "f.txt", "g.txt"}) {
    Put("b", name, name);
  }
  auto all = os_->ListObjects(kNs, "b", {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> names;
  for (const auto& o : all->objects) names.push_back(o.name);
  EXPECT_THAT(names, ElementsAre("a.txt", "dir/sub/z", "dir/x", "dir/y", "e/1", "f.txt", "g.txt"));
  EXPECT_THAT(all->prefixes, IsEmpty());

  auto top = os_->ListObjects(kNs, "b", {.delimiter = "/"});
  ASSERT_TRUE(top.ok());
  names.clear();
  for (const auto& o : top->objects) names.push_back(o.name);
  EXPECT_THAT(names, ElementsAre("a.txt", "f.txt", "g.txt"));
  EXPECT_THAT(top->prefixes, ElementsAre("dir/", "e/"));

  auto in_dir = os_->ListObjects(kNs, "b", {.prefix = "dir/", .delimiter = "/"});
  ASSERT_TRUE(in_dir.ok());
  names.clear();
  for (const auto& o : in_dir->objects) names.push_back(o.name);
  EXPECT_THAT(names, ElementsAre("dir/x", "dir/y"));
  EXPECT_THAT(in_dir->prefixes, ElementsAre("dir/sub/"));

  // Pages of two with the delimiter: a prefix counts as one entry and is
  // never repeated on the next page.
  std::vector<std::string> seen;
  std::string start;
  int pages = 0;
  do {
    auto page = os_->ListObjects(kNs, "b", {.start = start, .delimiter = "/", .limit = 2});
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& p : page->prefixes) seen.push_back(p);
    for (const auto& o : page->objects) seen.push_back(o.name);
    start = page->next_start_with;
    ++pages;
  } while (!start.empty() && pages < 10);
  std::sort(seen.begin(), seen.end());
  EXPECT_THAT(seen, ElementsAre("a.txt", "dir/", "e/", "f.txt", "g.txt"));
  EXPECT_EQ(pages, 3);

  auto window = os_->ListObjects(kNs, "b", {.start = "dir/x", .end = "f.txt"});
  ASSERT_TRUE(window.ok());
  names.clear();
  for (const auto& o : window->objects) names.push_back(o.name);
  EXPECT_THAT(names, ElementsAre("dir/x", "dir/y", "e/1"));

  EXPECT_EQ(os_->ListObjects(kNs, "b", {.limit = 0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(os_->ListObjects(kNs, "b", {.delimiter = ","}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ObjectStoreTest, MultipartCommitConcatenatesInPartOrderWithOciMd5) {
  MakeBucket("b");
  auto up = os_->CreateMultipartUpload(kNs, "b", "big/model.zip", "application/zip",
                                       {{"origin", "test"}}, "");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  // Uploaded out of order, as parallel uploaders do.
  auto p3 = os_->PutPart(kNs, "b", "big/model.zip", up->upload_id, 3, Blob("world"));
  auto p1 = os_->PutPart(kNs, "b", "big/model.zip", up->upload_id, 1, Blob("hello "));
  auto p2 = os_->PutPart(kNs, "b", "big/model.zip", up->upload_id, 2, Blob("multipart "));
  ASSERT_TRUE(p1.ok() && p2.ok() && p3.ok());

  auto parts = os_->ListParts(kNs, "b", "big/model.zip", up->upload_id, 2, "");
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->items.size(), 2u);
  EXPECT_EQ(parts->items[0].part_number, 1);
  EXPECT_EQ(parts->next_page, "2");
  auto rest = os_->ListParts(kNs, "b", "big/model.zip", up->upload_id, 2, parts->next_page);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].part_number, 3);

  auto obj = os_->CommitMultipartUpload(
      kNs, "b", "big/model.zip", up->upload_id,
      {{3, p3->etag}, {1, p1->etag}, {2, p2->etag}}, {});
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  // Independent values (Python hashlib): md5 of the three binary part MD5s.
  EXPECT_EQ(obj->multipart_md5, "mMLwg5keKXCpnJwxhCftUA==-3");
  EXPECT_EQ(obj->blob.md5_base64, "/QY/f/xtpSbPeHdUJlJ/ww==");
  auto got = os_->GetObject(kNs, "b", "big/model.zip");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Bytes(got->blob), "hello multipart world");
  EXPECT_EQ(got->content_type, "application/zip");
  EXPECT_EQ(got->metadata.at("origin"), "test");
  EXPECT_EQ(got->ReportedMd5(), "mMLwg5keKXCpnJwxhCftUA==-3");

  // The upload is gone with its parts.
  EXPECT_EQ(os_->GetMultipartUpload(kNs, "b", "big/model.zip", up->upload_id).status().hint(),
            "oci:404 NoSuchUpload");
  auto uploads = os_->ListUploads(kNs, "b", 10, "");
  ASSERT_TRUE(uploads.ok());
  EXPECT_THAT(uploads->items, IsEmpty());
}

TEST_F(ObjectStoreTest, CommitRefusesWrongEtagAndAbortEndsTheUpload) {
  MakeBucket("b");
  auto up = os_->CreateMultipartUpload(kNs, "b", "o", "", {}, "");
  ASSERT_TRUE(up.ok());
  auto p1 = os_->PutPart(kNs, "b", "o", up->upload_id, 1, Blob("x"));
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(os_->PutPart(kNs, "b", "o", up->upload_id, 10001, Blob("x")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(os_->PutPart(kNs, "b", "other", up->upload_id, 1, Blob("x")).status().hint(),
            "oci:404 NoSuchUpload");

  auto wrong = os_->CommitMultipartUpload(kNs, "b", "o", up->upload_id, {{1, "bogus"}}, {});
  EXPECT_EQ(wrong.status().hint(), "oci:400 InvalidParameter");
  auto missing = os_->CommitMultipartUpload(kNs, "b", "o", up->upload_id,
                                            {{1, p1->etag}, {2, "x"}}, {});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  auto twice = os_->CommitMultipartUpload(kNs, "b", "o", up->upload_id,
                                          {{1, p1->etag}, {1, p1->etag}}, {});
  EXPECT_EQ(twice.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(os_->GetObject(kNs, "b", "o").status().code(), StatusCode::kNotFound);

  // An interrupted upload survives a restart with its parts.
  Reopen();
  auto parts = os_->ListParts(kNs, "b", "o", up->upload_id, 100, "");
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->items.size(), 1u);
  EXPECT_EQ(parts->items[0].etag, p1->etag);

  EXPECT_EQ(os_->DeleteBucket(kNs, "b").hint(), "oci:409 BucketNotEmpty");
  ASSERT_TRUE(os_->AbortMultipartUpload(kNs, "b", "o", up->upload_id).ok());
  EXPECT_EQ(os_->AbortMultipartUpload(kNs, "b", "o", up->upload_id).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(os_->DeleteBucket(kNs, "b").ok());
}

TEST_F(ObjectStoreTest, ObjectBlobAccessForInProcessCallersChecksPolicy) {
  MakeBucket("open");
  MakeBucket("closed", "ocid1.compartment.oc1..denied");
  const iam::Principal who{.id = "ocid1.user.oc1..u"};
  const store::BlobInfo blob = Blob("artifact bytes");
  ASSERT_TRUE(os_->PutObjectBlob(kNs, "open", "m.zip", blob, who).ok());
  auto back = os_->GetObjectBlob(kNs, "open", "m.zip", who);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->sha256, blob.sha256);

  const Status denied = os_->PutObjectBlob(kNs, "closed", "m.zip", blob, who);
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.message(), kNotAuthorizedOrNotFound);
  EXPECT_EQ(os_->GetObjectBlob(kNs, "missing", "m.zip", who).status().message(),
            kNotAuthorizedOrNotFound);
  store::BlobInfo ghost = blob;
  ghost.sha256 = Sha256Hex("never stored");
  EXPECT_EQ(os_->PutObjectBlob(kNs, "open", "g", ghost, who).code(), StatusCode::kNotFound);
}

TEST_F(ObjectStoreTest, ParallelPartUploadsThenCommit) {
  MakeBucket("b");
  auto up = os_->CreateMultipartUpload(kNs, "b", "par", "", {}, "");
  ASSERT_TRUE(up.ok());
  constexpr int kParts = 9;
  std::vector<std::string> etags(kParts + 1);
  std::vector<std::thread> threads;
  for (int n = 1; n <= kParts; ++n) {
    threads.emplace_back([&, n] {
      auto blob = os_->WriteBlob(FromString(std::string(1000 + n, static_cast<char>('a' + n)), 97),
                                 "", "");
      ASSERT_TRUE(blob.ok()) << blob.status().ToString();
      auto part = os_->PutPart(kNs, "b", "par", up->upload_id, n, *blob);
      ASSERT_TRUE(part.ok()) << part.status().ToString();
      etags[n] = part->etag;
    });
  }
  for (auto& t : threads) t.join();
  std::vector<CommitPart> commit;
  std::string expected;
  for (int n = 1; n <= kParts; ++n) {
    commit.push_back({n, etags[n]});
    expected += std::string(1000 + n, static_cast<char>('a' + n));
  }
  auto obj = os_->CommitMultipartUpload(kNs, "b", "par", up->upload_id, commit, {});
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_EQ(Bytes(obj->blob), expected);
  EXPECT_TRUE(obj->multipart_md5.ends_with("-9"));
}

TEST_F(ObjectStoreTest, FailedCommitLeavesUploadAndPartsAndNoObject) {
  MakeBucket("b");
  auto up = os_->CreateMultipartUpload(kNs, "b", "o", "", {}, "");
  ASSERT_TRUE(up.ok());
  const store::BlobInfo one = Blob("part one");
  const store::BlobInfo two = Blob("part two");
  auto p1 = os_->PutPart(kNs, "b", "o", up->upload_id, 1, one);
  auto p2 = os_->PutPart(kNs, "b", "o", up->upload_id, 2, two);
  ASSERT_TRUE(p1.ok() && p2.ok());
  // The second part's bytes vanish (disk trouble) half-way through the copy.
  ASSERT_TRUE(blobs_->Remove(two.sha256).ok());
  auto failed = os_->CommitMultipartUpload(kNs, "b", "o", up->upload_id,
                                           {{1, p1->etag}, {2, p2->etag}}, {});
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(os_->GetObject(kNs, "b", "o").status().code(), StatusCode::kNotFound);
  auto parts = os_->ListParts(kNs, "b", "o", up->upload_id, 10, "");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->items.size(), 2u);
  // Re-uploading the part repairs it and the commit goes through.
  auto again = os_->PutPart(kNs, "b", "o", up->upload_id, 2, Blob("part two"));
  ASSERT_TRUE(again.ok());
  auto done = os_->CommitMultipartUpload(kNs, "b", "o", up->upload_id,
                                         {{1, p1->etag}, {2, again->etag}}, {});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(Bytes(done->blob), "part onepart two");
}

TEST(MultipartMd5Test, RejectsMalformedPartMd5) {
  EXPECT_FALSE(MultipartMd5({"not base64!"}).ok());
  auto one = MultipartMd5({Md5Base64("x")});
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->ends_with("-1"));
}

TEST(NewUuidTest, IsVersion4Shaped) {
  const std::string id = NewUuid(*Env::Default());
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_EQ(id[8], '-');
}

}  // namespace
}  // namespace ads::objectstore
