// Crash safety of the blob store: an injected I/O failure at every mutating
// call of an upload, and real processes killed with SIGKILL mid-upload. After
// recovery a blob is either absent or complete with the right hash, and tmp/
// is empty.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "base/hash.h"
#include "base/logging.h"
#include "store/blob_store.h"

namespace ads::store {
namespace {

using ::testing::IsEmpty;

std::string RandomBytes(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Uploads `bytes` in chunks through `env`; true when Commit returned OK.
bool UploadThrough(Env& env, const std::string& dir, const std::string& bytes) {
  auto store = BlobStore::Open(env, dir);
  if (!store.ok()) return false;
  auto upload = (*store)->BeginUpload();
  if (!upload.ok()) return false;
  for (size_t i = 0; i < bytes.size(); i += 1000) {
    if (!(*upload)->Append(std::string_view(bytes).substr(i, 1000)).ok()) return false;
  }
  return (*upload)->Commit().ok();
}

struct AfterRecovery {
  bool present = false;
  bool intact = false;
  size_t temp_entries = 0;
};

AfterRecovery RecoverAndInspect(const std::string& dir, const std::string& id) {
  Env& real = *Env::Default();
  AfterRecovery out;
  auto store = BlobStore::Open(real, dir);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return out;
  auto report = (*store)->RecoverAtStartup(/*verify_hashes=*/true);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  if (report.ok()) {
    EXPECT_THAT(report->corrupt_blobs, IsEmpty());
    EXPECT_THAT(report->unexpected_paths, IsEmpty());
  }
  out.present = (*store)->Exists(id).value_or(false);
  out.intact = out.present && (*store)->Verify(id).ok();
  out.temp_entries = real.ListDir((*store)->TempDir()).value_or({"?"}).size();
  return out;
}

// Fails the n-th mutating call (and all after it) for n = 0, 1, ... until an
// upload goes through without a fault.
void SweepFaults(bool blob_exists_before) {
  ScopedLogCapture quiet;  // aborts that fail under injection warn by design
  Env& real = *Env::Default();
  const std::string bytes = RandomBytes(42, 5500);
  const std::string id = Sha256Hex(bytes);
  bool saw_absent = false;
  bool saw_failed_but_present = false;
  int n = 0;
  for (;; ++n) {
    auto dir = real.MakeTempDir("blob_fault");
    ASSERT_TRUE(dir.ok());
    if (blob_exists_before) {
      ASSERT_TRUE(UploadThrough(real, *dir, bytes));
    }
    FaultInjectionEnv faulty(&real);
    faulty.FailAfter(n);
    const bool committed = UploadThrough(faulty, *dir, bytes);
    const bool fault_fired = faulty.mutating_calls() > n;
    faulty.Reset();

    AfterRecovery after = RecoverAndInspect(*dir, id);
    SCOPED_TRACE("fault at mutating call #" + std::to_string(n));
    EXPECT_EQ(after.temp_entries, 0u);
    EXPECT_EQ(after.present, after.intact) << "a visible blob must be complete";
    if (committed || blob_exists_before) {
      EXPECT_TRUE(after.intact);
    }
    if (!after.present) saw_absent = true;
    if (!committed && after.present) saw_failed_but_present = true;
    real.RemoveAll(*dir).IgnoreError();
    if (!fault_fired) {
      EXPECT_TRUE(committed);
      break;
    }
    ASSERT_LT(n, 1000) << "the upload never finished without a fault";
  }
  EXPECT_GT(n, 5) << "an upload should make several mutating calls";
  if (!blob_exists_before) {
    EXPECT_TRUE(saw_absent);
    // A fault after the rename (the directory fsync) leaves a complete blob
    // although Commit reported an error: "new state" is also allowed.
    EXPECT_TRUE(saw_failed_but_present);
  }
}

TEST(BlobStoreCrashTest, FaultAtEveryMutatingCallLeavesOldOrNewState) { SweepFaults(false); }

TEST(BlobStoreCrashTest, FaultDuringDedupedUploadKeepsExistingBlob) { SweepFaults(true); }

// The child uploads random blobs forever, reporting each committed id on
// `out_fd` only after Commit returned; it never returns.
[[noreturn]] void ChildUploadLoop(const std::string& dir, int out_fd, uint64_t seed) {
  Env& env = *Env::Default();
  auto store = BlobStore::Open(env, dir);
  if (!store.ok()) _exit(2);
  std::mt19937_64 rng(seed);
  std::string chunk(65536, '\0');
  for (int i = 0; i < 1000; ++i) {
    // The bytes are made while they stream, so that most of the child's time
    // is spent inside an upload, where a kill is interesting.
    size_t remaining = rng() % (2u << 20);
    auto upload = (*store)->BeginUpload();
    if (!upload.ok()) _exit(3);
    while (remaining > 0) {
      const size_t n = std::min(remaining, chunk.size());
      for (size_t j = 0; j < n; ++j) chunk[j] = static_cast<char>(rng() >> 13);
      if (!(*upload)->Append(std::string_view(chunk).substr(0, n)).ok()) _exit(4);
      remaining -= n;
    }
    auto info = (*upload)->Commit();
    if (!info.ok()) _exit(5);
    const std::string line = info->sha256 + "\n";
    if (::write(out_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(6);
  }
  _exit(0);
}

// Blocks until n bytes arrived (or the writer is gone).
std::string ReadExactly(int fd, size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, out.data() + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

std::string DrainPipe(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

TEST(BlobStoreCrashTest, SigkillDuringUploadsLeavesOnlyCompleteBlobs) {
  Env& real = *Env::Default();
  auto dir = real.MakeTempDir("blob_kill");
  ASSERT_TRUE(dir.ok());
  std::mt19937_64 rng(20261122);
  std::set<std::string> committed;
  size_t interrupted_uploads = 0;
  constexpr int kRounds = 40;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const uint64_t child_seed = rng();
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      ChildUploadLoop(*dir, fds[1], child_seed);
    }
    ::close(fds[1]);
    // On a loaded machine the child may not run at all before a short sleep
    // ends; every other round therefore waits for its first commit, so that
    // the kills land mid-upload no matter how busy the machine is.
    std::string lines;
    if (round % 2 == 1) lines = ReadExactly(fds[0], 65);
    ::usleep(static_cast<useconds_t>(1000 + rng() % 60000));
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the child stopped on its own: " << wstatus;
    lines += DrainPipe(fds[0]);
    ::close(fds[0]);
    for (size_t pos = 0; pos + 65 <= lines.size(); pos += 65) {
      committed.insert(lines.substr(pos, 64));
    }

    auto store = BlobStore::Open(real, *dir);
    ASSERT_TRUE(store.ok());
    auto report = (*store)->RecoverAtStartup(/*verify_hashes=*/true);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    SCOPED_TRACE("round " + std::to_string(round));
    EXPECT_THAT(report->corrupt_blobs, IsEmpty());
    EXPECT_THAT(report->unexpected_paths, IsEmpty());
    interrupted_uploads += report->removed_temp_files.size();
    EXPECT_THAT(*real.ListDir((*store)->TempDir()), IsEmpty());
    for (const std::string& id : committed) {
      EXPECT_TRUE((*store)->Verify(id).ok()) << "committed blob " << id << " was lost";
    }
  }
  // The kills must actually have landed mid-upload for the test to mean much.
  EXPECT_GT(interrupted_uploads, static_cast<size_t>(kRounds / 4));
  EXPECT_FALSE(committed.empty());
  real.RemoveAll(*dir).IgnoreError();
}

}  // namespace
}  // namespace ads::store
