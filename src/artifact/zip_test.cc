#include "artifact/zip.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zip.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "artifact/model_ignore.h"
#include "base/hash.h"

namespace ads::artifact {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A hand-written stored-zip writer, so tests can craft what libzip refuses
// to write (duplicate names, lying sizes, encryption flags).
struct RawEntry {
  std::string name;
  std::string data;
  uint32_t unix_mode = 0100644;
  int64_t declared_size = -1;  // -1: the real size
  bool encrypted_flag = false;
};

uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void Put16(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, v & 0xFFFF);
  Put16(out, v >> 16);
}

std::string CraftZip(const std::vector<RawEntry>& entries) {
  std::string out, central;
  for (const RawEntry& e : entries) {
    uint32_t offset = static_cast<uint32_t>(out.size());
    uint32_t size = e.declared_size < 0 ? static_cast<uint32_t>(e.data.size())
                                        : static_cast<uint32_t>(e.declared_size);
    uint32_t crc = Crc32(e.data);
    uint16_t flags = e.encrypted_flag ? 1 : 0;
    Put32(out, 0x04034b50);
    Put16(out, 20);
    Put16(out, flags);
    Put16(out, 0);  // stored
    Put16(out, 0);
    Put16(out, 0x21);  // 1980-01-01
    Put32(out, crc);
    Put32(out, static_cast<uint32_t>(e.data.size()));
    Put32(out, size);
    Put16(out, static_cast<uint32_t>(e.name.size()));
    Put16(out, 0);
    out += e.name + e.data;
    Put32(central, 0x02014b50);
    Put16(central, (3 << 8) | 20);  // made by unix
    Put16(central, 20);
    Put16(central, flags);
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0x21);
    Put32(central, crc);
    Put32(central, static_cast<uint32_t>(e.data.size()));
    Put32(central, size);
    Put16(central, static_cast<uint32_t>(e.name.size()));
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);
    Put32(central, e.unix_mode << 16);
    Put32(central, offset);
    central += e.name;
  }
  uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out += central;
  Put32(out, 0x06054b50);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, static_cast<uint32_t>(entries.size()));
  Put16(out, static_cast<uint32_t>(entries.size()));
  Put32(out, static_cast<uint32_t>(central.size()));
  Put32(out, cd_offset);
  Put16(out, 0);
  return out;
}

std::string ManifestFor(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::pair<std::string, std::string_view>> views(files.begin(), files.end());
  return SerializeManifest(BuildManifest(views, std::chrono::system_clock::time_point{}, "t"));
}

class ZipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("zip-test-");
    ASSERT_TRUE(dir.ok());
    root_ = *dir;
  }
  void TearDown() override { env_.RemoveAll(root_).IgnoreError(); }

  void Write(const std::string& rel, const std::string& data) {
    std::string path = JoinPath(root_, rel);
    ASSERT_TRUE(env_.CreateDirs(DirName(path)).ok());
    ASSERT_TRUE(env_.WriteFile(path, data).ok());
  }

  // Extracts crafted bytes and returns the error; checks nothing leaked.
  Status ExtractBad(const std::string& bytes, ExtractOptions options = {}) {
    std::string target = JoinPath(root_, "out/target");
    auto result = ExtractArtifactFromBuffer(env_, bytes, target, options, "bad.zip");
    EXPECT_FALSE(env_.FileExists(target)) << "target created for a rejected archive";
    auto left = env_.ListDir(JoinPath(root_, "out"));
    if (left.ok()) {
      EXPECT_TRUE(left->empty()) << "temp dir left behind";
    }
    return result.status();
  }

  Env& env_ = *Env::Default();
  std::string root_;
};

TEST_F(ZipTest, PacksAtRootStoredWithManifestThatPythonReads) {
  Write("art/score.py", "def predict(x): return x\n");
  Write("art/runtime.yaml", "MODEL_ARTIFACT_VERSION: '3.0'\n");
  Write("art/sub/deep/data.bin", std::string("\0\1\2", 3));
  Write("art/__pycache__/score.cpython-311.pyc", "junk");
  Write("art/.ads/state.json", "{}");
  Write("art/model_artifact_manifest.json", "stale");
  ASSERT_TRUE(WriteDefaultModelIgnore(env_, JoinPath(root_, "art")).ok());
  std::string zip_path = JoinPath(root_, "art.zip");
  auto packed = PackArtifact(env_, JoinPath(root_, "art"), zip_path);
  ASSERT_TRUE(packed.ok()) << packed.status().ToString();
  EXPECT_THAT(packed->files, ElementsAre(".model-ignore", "runtime.yaml", "score.py",
                                         "sub/deep/data.bin"));
  auto members = ListZipMembers(env_, zip_path);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 5u);
  EXPECT_EQ(members->back().name, kManifestFileName);
  for (const ZipMember& m : *members) EXPECT_EQ(m.compression_method, 0) << m.name;

  // Python's zipfile reads it and agrees on names, storage, sizes and hashes.
  std::string script = JoinPath(root_, "check.py");
  Write("check.py",
        "import hashlib, json, sys, zipfile\n"
        "z = zipfile.ZipFile(sys.argv[1])\n"
        "m = json.loads(z.read('model_artifact_manifest.json'))\n"
        "assert z.read('model_artifact_manifest.json').decode() == "
        "json.dumps(m, indent=2, sort_keys=True)\n"
        "names = sorted(n for n in z.namelist() if n != 'model_artifact_manifest.json')\n"
        "assert names == sorted(m['files']), names\n"
        "for n in names:\n"
        "  d = z.read(n)\n"
        "  assert m['files'][n] == {'sha256': hashlib.sha256(d).hexdigest(), 'size': len(d)}, n\n"
        "  assert z.getinfo(n).compress_type == zipfile.ZIP_STORED\n"
        "assert m['version'] == 1 and m['generated_at'].endswith('+00:00')\n"
        "print('OK', len(names))\n");
  std::string cmd = "/usr/bin/python3 " + script + " " + zip_path + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::array<char, 512> buf{};
  std::string output;
  while (fgets(buf.data(), buf.size(), pipe) != nullptr) output += buf.data();
  pclose(pipe);
  EXPECT_EQ(output, "OK 4\n");
  EXPECT_EQ(packed->total_uncompressed_bytes, 25u + 30u + 3u + DefaultModelIgnoreContent().size());
}

TEST_F(ZipTest, RoundTripRestoresFilesAndModes) {
  Write("art/score.py", "print(1)\n");
  Write("art/a/b/c.txt", "hello");
  ASSERT_TRUE(env_.SetMode(JoinPath(root_, "art/score.py"), 0755).ok());
  std::string zip_path = JoinPath(root_, "art.zip");
  ASSERT_TRUE(PackArtifact(env_, JoinPath(root_, "art"), zip_path).ok());
  auto out = ExtractArtifact(env_, zip_path, JoinPath(root_, "restored"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->had_manifest);
  EXPECT_THAT(out->files, ElementsAre("a/b/c.txt", "score.py"));
  EXPECT_EQ(*env_.ReadFile(JoinPath(root_, "restored/a/b/c.txt")), "hello");
  EXPECT_EQ(env_.Stat(JoinPath(root_, "restored/score.py"))->mode & 0777, 0755u);
  EXPECT_FALSE(env_.FileExists(JoinPath(root_, "restored/model_artifact_manifest.json")));
}

TEST_F(ZipTest, PackWorksInMemEnv) {
  MemEnv mem;
  ASSERT_TRUE(mem.CreateDirs("/a/sub").ok());
  ASSERT_TRUE(mem.WriteFile("/a/x.txt", "x").ok());
  ASSERT_TRUE(mem.WriteFile("/a/sub/lib.manifest", "m").ok());
  ASSERT_TRUE(WriteDefaultModelIgnore(mem, "/a").ok());
  auto packed = PackArtifact(mem, "/a", "/a.zip");
  ASSERT_TRUE(packed.ok()) << packed.status().ToString();
  EXPECT_THAT(packed->files, ElementsAre(".model-ignore", "x.txt"));
  auto out = ExtractArtifact(mem, "/a.zip", "/b");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*mem.ReadFile("/b/x.txt"), "x");
}

TEST_F(ZipTest, AcceptsArchivesWithoutManifest) {
  std::string bytes = CraftZip({{"score.py", "x"}, {"dir/", "", 040755}, {"dir/f", "y"}});
  auto out = ExtractArtifactFromBuffer(env_, bytes, JoinPath(root_, "t"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FALSE(out->had_manifest);
  EXPECT_THAT(out->files, ElementsAre("dir/f", "score.py"));
  ExtractOptions strict;
  strict.require_manifest = true;
  EXPECT_THAT(ExtractBad(bytes, strict).message(), HasSubstr("has no model_artifact_manifest"));
}

TEST_F(ZipTest, RejectsUnsafeNames) {
  EXPECT_THAT(ExtractBad(CraftZip({{"../x", "a"}})).message(),
              HasSubstr("`../x` contains a \"..\" component"));
  EXPECT_THAT(ExtractBad(CraftZip({{"ok/../../x", "a"}})).message(), HasSubstr("`ok/../../x`"));
  EXPECT_THAT(ExtractBad(CraftZip({{"/abs", "a"}})).message(),
              HasSubstr("`/abs` has an absolute path"));
  EXPECT_THAT(ExtractBad(CraftZip({{"a\\b", "a"}})).message(),
              HasSubstr("contains a backslash"));
  EXPECT_THAT(ExtractBad(CraftZip({{"a//b", "a"}})).message(), HasSubstr("not a normalised"));
  EXPECT_THAT(ExtractBad(CraftZip({{"C:x", "a"}})).message(), HasSubstr("drive letter"));
}

TEST_F(ZipTest, RejectsSymlinksDevicesAndEncryption) {
  EXPECT_THAT(ExtractBad(CraftZip({{"link", "/etc/passwd", 0120777}})).message(),
              HasSubstr("`link` is a symbolic link"));
  EXPECT_THAT(ExtractBad(CraftZip({{"fifo", "", 0010644}})).message(),
              HasSubstr("`fifo` is not a regular file"));
  RawEntry secret{"secret.txt", "xxxx"};
  secret.encrypted_flag = true;
  EXPECT_THAT(ExtractBad(CraftZip({secret})).message(), HasSubstr("`secret.txt` is encrypted"));
}

TEST_F(ZipTest, RejectsDuplicatesAndFileFolderClashes) {
  EXPECT_THAT(ExtractBad(CraftZip({{"a.txt", "1"}, {"a.txt", "2"}})).message(),
              HasSubstr("`a.txt` appears more than once"));
  EXPECT_THAT(ExtractBad(CraftZip({{"a", "1"}, {"a/b", "2"}})).message(),
              HasSubstr("`a` is used both as a file and as a folder"));
}

TEST_F(ZipTest, EnforcesSizeAndEntryLimits) {
  ExtractOptions small;
  small.max_total_bytes = 1000;
  Status s = ExtractBad(CraftZip({{"a", std::string(600, 'a')}, {"b", std::string(600, 'b')}}),
                        small);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_THAT(s.message(), HasSubstr("`b` brings the declared expanded size past the limit"));
  ExtractOptions few;
  few.max_entries = 2;
  EXPECT_THAT(ExtractBad(CraftZip({{"a", ""}, {"b", ""}, {"c", ""}}), few).message(),
              HasSubstr("3 entries, more than the limit of 2"));
}

TEST_F(ZipTest, CountsRealBytesNotHeaders) {
  // A highly compressible entry built with libzip (deflate), then its
  // declared sizes patched down: the bytes actually inflated must be caught.
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(src);
  zip_t* za = zip_open_from_source(src, ZIP_TRUNCATE, &error);
  ASSERT_NE(za, nullptr);
  std::string zeros(200000, '\0');
  zip_source_t* data = zip_source_buffer(za, zeros.data(), zeros.size(), 0);
  ASSERT_GE(zip_file_add(za, "bomb.bin", data, 0), 0);
  ASSERT_EQ(zip_close(za), 0);
  zip_stat_t st;
  zip_stat_init(&st);
  ASSERT_EQ(zip_source_stat(src, &st), 0);
  ASSERT_EQ(zip_source_open(src), 0);
  std::string bytes(st.size, '\0');
  ASSERT_EQ(zip_source_read(src, bytes.data(), st.size), static_cast<zip_int64_t>(st.size));
  zip_source_close(src);
  zip_source_free(src);
  zip_error_fini(&error);
  ASSERT_LT(bytes.size(), 2000u);
  // Patch the uncompressed size (local header offset 22, central +24) to 100.
  auto patch = [&](size_t at) {
    bytes[at] = 100;
    bytes[at + 1] = bytes[at + 2] = bytes[at + 3] = 0;
  };
  patch(22);
  size_t cd = bytes.find(std::string("PK\1\2", 4));
  ASSERT_NE(cd, std::string::npos);
  patch(cd + 24);
  ExtractOptions limits;
  limits.max_total_bytes = 1000;
  Status s = ExtractBad(bytes, limits);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("`bomb.bin`"));
}

TEST_F(ZipTest, ManifestMustMatchFileSetSizesAndHashes) {
  std::string manifest = ManifestFor({{"a.txt", "aaa"}, {"gone.txt", "g"}});
  Status s = ExtractBad(CraftZip({{"a.txt", "aaa"}, {"new.txt", "n"},
                                  {std::string(kManifestFileName), manifest}}));
  EXPECT_EQ(s.message(),
            "Model artifact manifest does not match archive contents (missing files: gone.txt; "
            "extra files: new.txt).");
  manifest = ManifestFor({{"a.txt", "aaa"}});
  EXPECT_EQ(ExtractBad(CraftZip({{"a.txt", "aaaa"}, {std::string(kManifestFileName), manifest}}))
                .message(),
            "Model artifact file `a.txt` size mismatch.");
  EXPECT_EQ(ExtractBad(CraftZip({{"a.txt", "aab"}, {std::string(kManifestFileName), manifest}}))
                .message(),
            "Model artifact file `a.txt` hash mismatch.");
  EXPECT_THAT(
      ExtractBad(CraftZip({{"a.txt", "aaa"}, {std::string(kManifestFileName), "{\"files\": 3}"}}))
          .message(),
      HasSubstr("has no \"files\" object"));
  auto ok = ExtractArtifactFromBuffer(
      env_, CraftZip({{"a.txt", "aaa"}, {std::string(kManifestFileName), manifest}}),
      JoinPath(root_, "good"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->had_manifest);
}

TEST_F(ZipTest, RejectsCorruptBytes) {
  std::string good = CraftZip({{"a.txt", "hello world"}});
  std::string flipped = good;
  flipped[30 + 5 + 2] ^= 0x55;  // inside the stored data: CRC mismatch
  EXPECT_THAT(ExtractBad(flipped).message(), HasSubstr("`a.txt` is corrupt"));
  EXPECT_THAT(ExtractBad(good.substr(0, good.size() - 10)).message(),
              HasSubstr("bad.zip is not a valid zip archive"));
  EXPECT_THAT(ExtractBad("not a zip at all").message(), HasSubstr("not a valid zip archive"));
}

TEST_F(ZipTest, RefusesNonEmptyTarget) {
  Write("t/existing", "x");
  auto out = ExtractArtifactFromBuffer(env_, CraftZip({{"a", "1"}}), JoinPath(root_, "t"));
  EXPECT_EQ(out.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*env_.ReadFile(JoinPath(root_, "t/existing")), "x");
}

}  // namespace
}  // namespace ads::artifact
