// client/transfer: URIs, MD5s, multipart uploads (success, a failing part
// aborts), verified downloads and work-request waits, against an in-process
// http::Server that plays Object Storage with fault injection. The same
// functions run against the real ads server in src/cli/model_save_test.cc.
#include "client/transfer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

#include "base/hash.h"
#include "http/server.h"

namespace ads::client {
namespace {

using ::testing::HasSubstr;

const iam::PrivateKey& TestKey() {
  static const iam::PrivateKey* key = new iam::PrivateKey(*iam::PrivateKey::Generate());
  return *key;
}

// A tiny multipart store: parts by number (Content-MD5 checked), commit
// concatenates the listed parts, abort forgets them. `fail_part` answers 400.
class FakeStore {
 public:
  FakeStore() {
    auto server = http::Server::Start({.port = 0}, [this](http::Request& req, http::Response& res) {
      Handle(req, res);
    });
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  std::mutex mu;
  int fail_part = 0;
  std::map<int, std::string> parts;  // GUARDED_BY(mu)
  std::string committed;             // GUARDED_BY(mu)
  bool aborted = false;              // GUARDED_BY(mu)
  std::string download_body;
  std::string download_md5_header;   // sent as content-md5 when set
  int work_polls = 0;                // GUARDED_BY(mu)
  std::string work_final = "SUCCEEDED";

 private:
  void Handle(http::Request& req, http::Response& res) {
    const std::string body = req.body->ReadAll(64 << 20).value_or("");
    std::lock_guard<std::mutex> lock(mu);
    if (req.method == "POST" && req.path == "/n/ns/b/bkt/u") {
      return res.SetJson(200, R"({"uploadId": "up 1", "object": "m.zip"})");
    }
    if (req.path == "/n/ns/b/bkt/u/dir%2Fm.zip") {
      EXPECT_EQ(req.QueryParam("uploadId").value_or(""), "up 1");
      if (req.method == "PUT") {
        const int n = std::stoi(req.QueryParam("uploadPartNum").value_or("0"));
        if (n == fail_part) {
          return res.SetJson(400, R"({"code": "InvalidParameter", "message": "bad part"})");
        }
        EXPECT_EQ(std::string(req.Header("content-md5")), Md5Base64(body));
        parts[n] = body;
        res.headers["etag"] = "etag-" + std::to_string(n);
        return;
      }
      if (req.method == "POST") {
        auto commit = ParseJson(body);
        EXPECT_TRUE(commit.ok());
        std::vector<std::string> md5s;
        for (const Json& p : (*commit)["partsToCommit"]) {
          const int n = p["partNum"].get<int>();
          EXPECT_EQ(p["etag"].get<std::string>(), "etag-" + std::to_string(n));
          committed += parts[n];
          md5s.push_back(Md5Base64(parts[n]));
        }
        res.headers["etag"] = "object-etag";
        res.headers["opc-multipart-md5"] = *MultipartMd5(md5s);
        return;
      }
      if (req.method == "DELETE") {
        aborted = true;
        res.status = 204;
        return;
      }
    }
    if (req.path == "/download") {
      if (!download_md5_header.empty()) res.headers["content-md5"] = download_md5_header;
      res.body = download_body;
      return;
    }
    if (req.path == "/20190101/workRequests/wr1") {
      ++work_polls;
      const std::string status = work_polls < 3 ? "IN_PROGRESS" : work_final;
      return res.SetJson(200, R"({"id": "wr1", "status": ")" + status + "\"}");
    }
    if (req.path == "/20190101/workRequests/wr1/errors") {
      return res.SetJson(200, R"([{"code": "x", "message": "the object is gone"}])");
    }
    res.SetJson(404, R"({"code": "NotAuthorizedOrNotFound", "message": "no route"})");
  }

  std::unique_ptr<http::Server> server_;
};

class TransferTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> MakeClient() {
    iam::OciConfig config;
    config.user = "ocid1.user.oc1..u";
    config.tenancy = "ocid1.tenancy.oc1..t";
    config.fingerprint = TestKey().public_key().Fingerprint();
    config.region = "us-ashburn-1";
    ClientOptions options;
    options.endpoint = store_.endpoint();
    options.env = &env_;
    options.max_attempts = 1;
    auto c = Client::Create(config, TestKey(), options);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(c).value();
  }
  ClientFactory Factory() {
    return [this]() -> Result<std::unique_ptr<Client>> {
      ++clients_made_;
      return MakeClient();
    };
  }
  std::string WriteFile(size_t size) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 131) >> 3);
    EXPECT_TRUE(env_.WriteFile("/m.zip", data).ok());
    return data;
  }

  MemEnv env_;
  FakeStore store_;
  std::atomic<int> clients_made_{0};
};

TEST(ObjectUriTest, ParsesAndEncodes) {
  auto uri = ParseObjectUri("oci://bkt@ns/dir/sub/");
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  EXPECT_EQ(uri->bucket, "bkt");
  EXPECT_EQ(uri->ns, "ns");
  EXPECT_EQ(uri->object, "dir/sub/");
  EXPECT_EQ(ParseObjectUri("oci://bkt@ns")->object, "");
  for (const char* bad : {"s3://b@n/x", "oci://bkt/x", "oci://@ns/x", "oci://b@/x", "bkt@ns"}) {
    auto r = ParseObjectUri(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("oci://<bucket_name>@<namespace>/prefix/"));
  }
  EXPECT_EQ(EncodePathSegment("a/b c+d~e(1).zip"), "a%2Fb%20c%2Bd~e(1).zip");
  EXPECT_EQ(ObjectPath({"b", "n", "p/m.zip"}), "/n/n/b/b/o/p%2Fm.zip");
}

TEST(Md5Test, IncrementalEqualsWholeAndMultipartFollowsOci) {
  Md5 md5;
  md5.Update("hello ");
  md5.Update("world");
  EXPECT_EQ(md5.DigestBase64(), Md5Base64("hello world"));
  std::string raw;
  ASSERT_TRUE(Base64Decode(Md5Base64("a"), &raw));
  std::string raw_b;
  ASSERT_TRUE(Base64Decode(Md5Base64("b"), &raw_b));
  EXPECT_EQ(*MultipartMd5({Md5Base64("a"), Md5Base64("b")}), Md5Base64(raw + raw_b) + "-2");
  EXPECT_FALSE(MultipartMd5({"not base64!"}).ok());
}

TEST_F(TransferTest, MultipartUploadsPartsInParallelAndCommitsInOrder) {
  const std::string data = WriteFile(10 * 1000 + 7);
  auto control = MakeClient();
  MultipartOptions options;
  options.parallel = 3;
  options.part_size = 1000;
  uint64_t last_done = 0, calls = 0;
  options.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_EQ(total, data.size());
    EXPECT_GE(done, last_done);
    last_done = done;
    ++calls;
  };
  auto r = MultipartUploadFile(*control, Factory(), env_, "/m.zip", {"bkt", "ns", "dir/m.zip"},
                               options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->parts, 11);
  EXPECT_EQ(r->size, data.size());
  EXPECT_EQ(r->etag, "object-etag");
  EXPECT_EQ(clients_made_.load(), 3);
  EXPECT_EQ(last_done, data.size());
  EXPECT_GT(calls, 0u);
  std::lock_guard<std::mutex> lock(store_.mu);
  EXPECT_EQ(store_.committed, data);
  EXPECT_FALSE(store_.aborted);
}

TEST_F(TransferTest, AFailingPartAbortsTheUpload) {
  WriteFile(5000);
  store_.fail_part = 3;
  auto control = MakeClient();
  MultipartOptions options;
  options.parallel = 2;
  options.part_size = 1000;
  auto r = MultipartUploadFile(*control, Factory(), env_, "/m.zip", {"bkt", "ns", "dir/m.zip"},
                               options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("part 3"));
  EXPECT_THAT(r.status().message(), HasSubstr("aborted"));
  std::lock_guard<std::mutex> lock(store_.mu);
  EXPECT_TRUE(store_.aborted);
  EXPECT_TRUE(store_.committed.empty());
}

TEST_F(TransferTest, MultipartRefusesAPrefixAsDestination) {
  WriteFile(10);
  auto control = MakeClient();
  auto r = MultipartUploadFile(*control, Factory(), env_, "/m.zip", {"bkt", "ns", "dir/"}, {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TransferTest, DownloadHashesWhatItWritesAndVerifyCatchesMismatches) {
  store_.download_body = std::string(300000, 'z');
  auto c = MakeClient();
  auto got = DownloadToFile(*c, "/download", env_, "/out.zip");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->size, 300000u);
  EXPECT_EQ(got->md5_base64, Md5Base64(store_.download_body));
  EXPECT_EQ(*env_.ReadFile("/out.zip"), store_.download_body);
  EXPECT_TRUE(VerifyDownload(*got, 300000, Md5Base64(store_.download_body)).ok());
  EXPECT_TRUE(VerifyDownload(*got, 300000, "").ok());
  Status short_body = VerifyDownload(*got, 300001, "");
  EXPECT_EQ(short_body.code(), StatusCode::kDataLoss);
  EXPECT_THAT(short_body.message(), HasSubstr("300000 bytes"));
  Status corrupt = VerifyDownload(*got, 300000, Md5Base64("something else"));
  EXPECT_EQ(corrupt.code(), StatusCode::kDataLoss);
  EXPECT_THAT(corrupt.message(), HasSubstr("MD5"));
}

TEST_F(TransferTest, UploadFileStreamsTheWholeFile) {
  const std::string data = WriteFile(70000);
  auto c = MakeClient();
  uint64_t reported = 0;
  auto r = UploadFile(*c, "PUT", "/n/ns/b/bkt/u/dir%2Fm.zip?uploadId=up%201&uploadPartNum=9",
                      env_, "/m.zip", {{"Content-MD5", Md5Base64(data)}},
                      [&](uint64_t done, uint64_t) { reported = done; });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(reported, data.size());
  std::lock_guard<std::mutex> lock(store_.mu);
  EXPECT_EQ(store_.parts[9], data);
}

TEST_F(TransferTest, WaitsForWorkRequests) {
  auto c = MakeClient();
  WaitOptions fast{std::chrono::milliseconds(1), std::chrono::milliseconds(2),
                   std::chrono::milliseconds(5000)};
  auto done = WaitForWorkRequest(*c, "wr1", fast);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ((*done)["status"], "SUCCEEDED");
  EXPECT_EQ(store_.work_polls, 3);

  store_.work_polls = 0;
  store_.work_final = "FAILED";
  auto failed = WaitForWorkRequest(*c, "wr1", fast);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("the object is gone"));
}

}  // namespace
}  // namespace ads::client
