#include "runtime/subprocess.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace ads::runtime {
namespace {

using ::testing::HasSubstr;

// Runs argv with stdout (and stderr) into a pipe; returns what it printed.
std::string RunAndRead(SpawnSpec spec, ExitInfo* exit = nullptr) {
  Result<Pipe> out = MakePipe();
  EXPECT_TRUE(out.ok());
  if (!out.ok()) return "";
  if (spec.fds.empty()) spec.fds = {-1, out->write.get(), out->write.get()};
  Result<ChildProcess> child = ChildProcess::Spawn(spec);
  EXPECT_TRUE(child.ok()) << child.status().ToString();
  if (!child.ok()) return "";
  out->write.reset();  // the child holds the only writer now
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(out->read.get(), buf, sizeof buf)) > 0) text.append(buf, n);
  ExitInfo info = child->Wait();
  if (exit != nullptr) *exit = info;
  return text;
}

bool GoneOrZombie(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    std::string stat;
    FILE* f = fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (f == nullptr) return true;
    char buf[512] = {};
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    stat.assign(buf, n);
    const size_t close = stat.rfind(')');
    if (close != std::string::npos && stat.size() > close + 2 && stat[close + 2] == 'Z') {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(SubprocessTest, RejectsRelativeAndMissingPrograms) {
  EXPECT_EQ(ChildProcess::Spawn({.argv = {"sh"}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChildProcess::Spawn({}).status().code(), StatusCode::kInvalidArgument);
  Result<ChildProcess> missing = ChildProcess::Spawn({.argv = {"/nonexistent/program"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/program"));
}

TEST(SubprocessTest, ReportsExitCodesAndSignals) {
  ExitInfo exit;
  RunAndRead({.argv = {"/bin/sh", "-c", "exit 7"}}, &exit);
  EXPECT_FALSE(exit.signaled);
  EXPECT_EQ(exit.code, 7);
  EXPECT_EQ(exit.Describe(), "exit code 7");
  RunAndRead({.argv = {"/bin/sh", "-c", "kill -TERM $$"}}, &exit);
  EXPECT_TRUE(exit.signaled);
  EXPECT_EQ(exit.code, SIGTERM);
  EXPECT_THAT(exit.Describe(), HasSubstr("signal " + std::to_string(SIGTERM) + ": "));
}

TEST(SubprocessTest, ChildGetsExactlyTheGivenEnvironmentAndDirectory) {
  EXPECT_EQ(RunAndRead({.argv = {"/usr/bin/env"}, .env = {"A=1", "B=two words"}}),
            "A=1\nB=two words\n");
  EXPECT_EQ(RunAndRead({.argv = {"/bin/pwd"}, .cwd = "/usr"}), "/usr\n");
}

TEST(SubprocessTest, OtherDescriptorsAreClosedEvenWithoutCloexec) {
  int leaky[2];
  ASSERT_EQ(pipe(leaky), 0);  // deliberately without O_CLOEXEC
  const std::string check = "for fd in " + std::to_string(leaky[0]) + " " +
                            std::to_string(leaky[1]) +
                            "; do test -e /proc/self/fd/$fd && echo leaked $fd; done; "
                            "test -e /proc/self/fd/0 && echo has0";
  const std::string out = RunAndRead({.argv = {"/bin/sh", "-c", check}});
  close(leaky[0]);
  close(leaky[1]);
  EXPECT_EQ(out, "has0\n");
}

TEST(SubprocessTest, StdoutAndStderrCanShareOneDescriptor) {
  Result<Pipe> out = MakePipe();
  ASSERT_TRUE(out.ok());
  const std::string text = RunAndRead({.argv = {"/bin/sh", "-c", "echo to-out; echo to-err >&2"},
                                       .fds = {-1, out->write.get(), out->write.get()}});
  EXPECT_EQ(text, "");  // nothing went to RunAndRead's own pipe
  out->write.reset();
  char buf[64] = {};
  const ssize_t n = read(out->read.get(), buf, sizeof buf - 1);
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "to-out\nto-err\n");
}

TEST(SubprocessTest, SignalsStartAtTheirDefaults) {
  struct sigaction ignore = {}, previous = {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGPIPE, &ignore, &previous), 0);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &block, &old), 0);
  const std::string out =
      RunAndRead({.argv = {"/bin/grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"}});
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  sigaction(SIGPIPE, &previous, nullptr);
  // Bit n-1 stands for signal n. glibc itself sets its reserved real-time
  // signals (32, 33) to ignored in a spawned child; the classic ones must be
  // at their defaults and unblocked.
  const size_t blk = out.find("SigBlk:\t");
  const size_t ign = out.find("SigIgn:\t");
  ASSERT_NE(blk, std::string::npos) << out;
  ASSERT_NE(ign, std::string::npos) << out;
  const unsigned long long blocked = std::stoull(out.substr(blk + 8, 16), nullptr, 16);
  const unsigned long long ignored = std::stoull(out.substr(ign + 8, 16), nullptr, 16);
  EXPECT_EQ(blocked, 0u) << out;
  EXPECT_EQ(ignored & 0x7fffffffULL, 0u) << out;
}

TEST(SubprocessTest, KillGroupStopsGrandchildren) {
  Result<Pipe> out = MakePipe();
  ASSERT_TRUE(out.ok());
  Result<ChildProcess> child =
      ChildProcess::Spawn({.argv = {"/bin/sh", "-c", "/bin/sleep 60 & echo $!; wait"},
                           .fds = {-1, out->write.get(), -1}});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  out->write.reset();
  EXPECT_FALSE(child->TryWait().has_value());  // still running
  std::string text;
  char c;
  while (read(out->read.get(), &c, 1) == 1 && c != '\n') text += c;
  const pid_t grandchild = std::stoi(text);
  child->KillGroup();
  const ExitInfo exit = child->Wait();
  EXPECT_TRUE(exit.signaled);
  EXPECT_EQ(exit.code, SIGKILL);
  EXPECT_TRUE(GoneOrZombie(grandchild));
}

TEST(SubprocessTest, DestructorKillsAndReaps) {
  pid_t pid = 0;
  {
    Result<ChildProcess> child = ChildProcess::Spawn({.argv = {"/bin/sleep", "60"}});
    ASSERT_TRUE(child.ok());
    pid = child->pid();
    ASSERT_TRUE(std::filesystem::exists("/proc/" + std::to_string(pid)));
  }
  // Reaped, so not even a zombie entry is left.
  EXPECT_FALSE(std::filesystem::exists("/proc/" + std::to_string(pid)));
}

}  // namespace
}  // namespace ads::runtime
