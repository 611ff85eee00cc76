#include "store/blob_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/hash.h"

namespace ads::store {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Expected digests computed independently with Python's hashlib.
constexpr char kAbcSha[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kAbcMd5[] = "kAFQmDzST7DWlj99KOF/cg==";
constexpr char kEmptySha[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kEmptyMd5[] = "1B2M2Y8AsgTpgAmY7PhCfg==";
// bytes (i*7+3) % 256 for i in [0, 1000000)
constexpr char kPatternSha[] = "1dc6622e2b0d38fe9e646130ff9014746cfa84d65e17c919e2834277d318c78a";
constexpr char kPatternMd5[] = "ToVg2+zJ2BePzNA2MsZGyw==";

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + 3) % 256);
  return s;
}

std::unique_ptr<BlobStore> OpenStore(Env& env, const std::string& dir,
                                     BlobStoreOptions options = {}) {
  auto store = BlobStore::Open(env, dir, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return std::move(store).value();
}

Result<BlobInfo> Put(BlobStore& store, std::string_view bytes, size_t chunk = 4096) {
  ADS_ASSIGN_OR_RETURN(auto upload, store.BeginUpload());
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    ADS_RETURN_IF_ERROR(upload->Append(bytes.substr(i, chunk)));
  }
  return upload->Commit();
}

std::string ReadAll(BlobStore& store, const std::string& id) {
  auto file = store.OpenBlob(id);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return {};
  auto bytes = ReadRange(**file, 0, (*file)->size());
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.value_or("");
}

TEST(BlobStoreTest, RoundTripHashesMatchIndependentValues) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  auto abc = Put(*store, "abc", 1);
  ASSERT_TRUE(abc.ok()) << abc.status().ToString();
  EXPECT_EQ(abc->sha256, kAbcSha);
  EXPECT_EQ(abc->md5_base64, kAbcMd5);
  EXPECT_EQ(abc->size, 3u);
  EXPECT_EQ(ReadAll(*store, kAbcSha), "abc");
  EXPECT_TRUE(env.FileExists(std::string("/data/blobs/sha256/ba/") + kAbcSha));

  const std::string big = Pattern(1000000);
  auto pattern = Put(*store, big, 65536 + 17);
  ASSERT_TRUE(pattern.ok()) << pattern.status().ToString();
  EXPECT_EQ(pattern->sha256, kPatternSha);
  EXPECT_EQ(pattern->md5_base64, kPatternMd5);
  EXPECT_EQ(ReadAll(*store, kPatternSha), big);
  EXPECT_THAT(*env.ListDir("/data/tmp"), IsEmpty());
}

TEST(BlobStoreTest, EmptyBlobIsAValidBlob) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  auto info = Put(*store, "");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->sha256, kEmptySha);
  EXPECT_EQ(info->md5_base64, kEmptyMd5);
  EXPECT_EQ(*store->Exists(kEmptySha), true);
  EXPECT_EQ(ReadAll(*store, kEmptySha), "");
}

TEST(BlobStoreTest, RoundTripOnRealDisk) {
  Env& env = *Env::Default();
  auto dir = env.MakeTempDir("blob_store_test");
  ASSERT_TRUE(dir.ok());
  auto store = OpenStore(env, *dir);
  auto info = Put(*store, Pattern(1000000), 100000);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->sha256, kPatternSha);
  auto verified = store->Verify(kPatternSha);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->md5_base64, kPatternMd5);
  auto stat = store->Stat(kPatternSha);
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->size, 1000000u);
  EXPECT_THAT(*env.ListDir(store->TempDir()), IsEmpty());
  env.RemoveAll(*dir).IgnoreError();
}

TEST(BlobStoreTest, SameBytesAreStoredOnce) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  auto first = Put(*store, "hello world\n", 5);
  auto second = Put(*store, "hello world\n", 3);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->sha256, "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447");
  EXPECT_EQ(first->sha256, second->sha256);
  EXPECT_EQ(first->md5_base64, "b1kCrCNwJL3QwXbLkwY9xA==");
  EXPECT_EQ(*env.ListDir("/data/blobs/sha256/a9"),
            std::vector<std::string>{first->sha256});
  EXPECT_THAT(*env.ListDir("/data/tmp"), IsEmpty());
}

TEST(BlobStoreTest, RangedReadsAtTheEdges) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  const std::string bytes = Pattern(10000);
  auto info = Put(*store, bytes);
  ASSERT_TRUE(info.ok());
  auto file = store->OpenBlob(info->sha256);
  ASSERT_TRUE(file.ok());
  const RandomAccessFile& f = **file;
  EXPECT_EQ(f.size(), 10000u);
  EXPECT_EQ(*ReadRange(f, 0, 1), bytes.substr(0, 1));
  EXPECT_EQ(*ReadRange(f, 9999, 1), bytes.substr(9999, 1));
  EXPECT_EQ(*ReadRange(f, 9990, 100), bytes.substr(9990));  // clipped at the end
  EXPECT_EQ(*ReadRange(f, 1234, 4321), bytes.substr(1234, 4321));
  EXPECT_EQ(*ReadRange(f, 10000, 5), "");
  EXPECT_EQ(*ReadRange(f, 0, 0), "");
  EXPECT_EQ(ReadRange(f, 10001, 1).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(*ReadRange(f, 0, UINT64_MAX), bytes);
}

TEST(BlobStoreTest, SizeLimitIsEnforcedAndLeavesNothingBehind) {
  MemEnv env;
  auto store = OpenStore(env, "/data", BlobStoreOptions{.max_blob_size = 10});
  {
    auto upload = store->BeginUpload();
    ASSERT_TRUE(upload.ok());
    EXPECT_TRUE((*upload)->Append("12345").ok());
    EXPECT_TRUE((*upload)->Append("67890").ok());  // exactly the limit
    Status s = (*upload)->Append("x");
    EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
    EXPECT_THAT(s.message(), HasSubstr("10 bytes"));
    EXPECT_EQ((*upload)->Commit().status().code(), StatusCode::kFailedPrecondition);
  }
  EXPECT_THAT(*env.ListDir("/data/tmp"), IsEmpty());
  EXPECT_THAT(*env.ListDir("/data/blobs/sha256"), IsEmpty());

  auto exact = Put(*store, "0123456789");
  EXPECT_TRUE(exact.ok()) << exact.status().ToString();
  // A per-upload limit overrides the store's.
  auto upload = store->BeginUpload(3);
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ((*upload)->Append("abcd").code(), StatusCode::kOutOfRange);
}

TEST(BlobStoreTest, DeclaredHashMismatchMakesNothingVisible) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  auto upload = store->BeginUpload();
  ASSERT_TRUE(upload.ok());
  ASSERT_TRUE((*upload)->Append("abc").ok());
  auto info = (*upload)->Commit(kEmptySha);
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(info.status().message(), HasSubstr(kAbcSha));
  EXPECT_EQ(*store->Exists(kAbcSha), false);
  EXPECT_THAT(*env.ListDir("/data/tmp"), IsEmpty());

  auto again = store->BeginUpload();
  ASSERT_TRUE((*again)->Append("abc").ok());
  std::string upper = kAbcSha;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_TRUE((*again)->Commit(upper).ok());  // hex case does not matter here
}

TEST(BlobStoreTest, InvalidIdsAreRejectedWithoutTouchingPaths) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  ASSERT_TRUE(env.WriteFile("/data/secret", "x").ok());
  const std::string bad_ids[] = {
      "", "abc", "../secret", std::string(kAbcSha).substr(0, 63), std::string(kAbcSha) + "0",
      "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
      "../../../../../../../../../../../../../../../../../../../../../../x",
      std::string(62, 'a') + "/.", std::string(64, 'g')};
  for (const std::string& id : bad_ids) {
    EXPECT_EQ(store->OpenBlob(id).status().code(), StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(store->Exists(id).status().code(), StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(store->Stat(id).status().code(), StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(store->Remove(id).code(), StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(store->Verify(id).status().code(), StatusCode::kInvalidArgument) << id;
  }
  EXPECT_TRUE(env.FileExists("/data/secret"));
}

TEST(BlobStoreTest, MissingBlobsAreNotFound) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  EXPECT_EQ(*store->Exists(kAbcSha), false);
  EXPECT_EQ(store->OpenBlob(kAbcSha).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Stat(kAbcSha).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Remove(kAbcSha).code(), StatusCode::kNotFound);
}

TEST(BlobStoreTest, RemoveDeletesTheBlob) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  ASSERT_TRUE(Put(*store, "abc").ok());
  EXPECT_TRUE(store->Remove(kAbcSha).ok());
  EXPECT_EQ(*store->Exists(kAbcSha), false);
  EXPECT_EQ(store->Remove(kAbcSha).code(), StatusCode::kNotFound);
}

TEST(BlobStoreTest, AbortAndDestructorDropTheTempFile) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  {
    auto upload = store->BeginUpload();
    ASSERT_TRUE(upload.ok());
    ASSERT_TRUE((*upload)->Append("abc").ok());
    EXPECT_EQ(env.ListDir("/data/tmp")->size(), 1u);
    EXPECT_TRUE((*upload)->Abort().ok());
    EXPECT_THAT(*env.ListDir("/data/tmp"), IsEmpty());
    EXPECT_EQ((*upload)->Append("more").code(), StatusCode::kFailedPrecondition);
    EXPECT_TRUE((*upload)->Abort().ok());  // idempotent
  }
  {
    auto upload = store->BeginUpload();
    ASSERT_TRUE((*upload)->Append("abc").ok());
  }  // destroyed uncommitted
  EXPECT_THAT(*env.ListDir("/data/tmp"), IsEmpty());
  EXPECT_EQ(*store->Exists(kAbcSha), false);
}

TEST(BlobStoreTest, VerifyDetectsCorruption) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  ASSERT_TRUE(Put(*store, "abc").ok());
  EXPECT_TRUE(store->Verify(kAbcSha).ok());
  ASSERT_TRUE(env.WriteFile(store->BlobPath(kAbcSha), "abd").ok());
  Result<BlobInfo> verified = store->Verify(kAbcSha);
  EXPECT_EQ(verified.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(verified.status().message(), HasSubstr(kAbcSha));
}

// Fails every WritableFile::Sync, leaving all other calls alone.
class SyncFailingEnv : public FaultInjectionEnv {
 public:
  using FaultInjectionEnv::FaultInjectionEnv;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    ADS_ASSIGN_OR_RETURN(auto file, FaultInjectionEnv::NewWritableFile(path));
    return std::unique_ptr<WritableFile>(std::make_unique<NoSyncFile>(std::move(file)));
  }

 private:
  class NoSyncFile : public WritableFile {
   public:
    explicit NoSyncFile(std::unique_ptr<WritableFile> base) : base_(std::move(base)) {}
    Status Append(std::string_view data) override { return base_->Append(data); }
    Status Sync() override { return IoError("injected fsync failure"); }
    Status Close() override { return base_->Close(); }

   private:
    std::unique_ptr<WritableFile> base_;
  };
};

TEST(BlobStoreTest, FailedFsyncNeverLeadsToAVisibleBlob) {
  MemEnv mem;
  SyncFailingEnv env(&mem);
  auto store = OpenStore(env, "/data");
  auto info = Put(*store, "abc");
  EXPECT_EQ(info.status().code(), StatusCode::kIoError);
  EXPECT_EQ(*store->Exists(kAbcSha), false);
  EXPECT_THAT(*env.ListDir("/data/tmp"), IsEmpty());
}

TEST(BlobStoreTest, RecoverAtStartupSweepsTempAndReportsStrays) {
  MemEnv env;
  auto store = OpenStore(env, "/data");
  ASSERT_TRUE(Put(*store, "abc").ok());
  ASSERT_TRUE(Put(*store, "").ok());
  ASSERT_TRUE(env.WriteFile("/data/tmp/upload-1.part", "half").ok());
  ASSERT_TRUE(env.CreateDirs("/data/tmp/odd-dir").ok());
  ASSERT_TRUE(env.WriteFile("/data/blobs/sha256/ba/notes.txt", "?").ok());
  ASSERT_TRUE(env.WriteFile(store->BlobPath(kEmptySha), "not empty").ok());

  auto quick = store->RecoverAtStartup();
  ASSERT_TRUE(quick.ok()) << quick.status().ToString();
  EXPECT_EQ(quick->removed_temp_files, (std::vector<std::string>{"odd-dir", "upload-1.part"}));
  EXPECT_EQ(quick->unexpected_paths,
            std::vector<std::string>{"/data/blobs/sha256/ba/notes.txt"});
  EXPECT_THAT(quick->corrupt_blobs, IsEmpty());
  EXPECT_THAT(*env.ListDir("/data/tmp"), IsEmpty());

  auto full = store->RecoverAtStartup(/*verify_hashes=*/true);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->corrupt_blobs, std::vector<std::string>{kEmptySha});
  EXPECT_TRUE(env.FileExists("/data/blobs/sha256/ba/notes.txt"));  // left for a human
}

}  // namespace
}  // namespace ads::store
