#include "runtime/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ads::runtime {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset(int fd) {
  // close() is not retried on EINTR: on Linux the descriptor is gone anyway.
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

Result<Pipe> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return IoError(std::string("Cannot create a pipe: ") + std::strerror(errno) + ".");
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<std::pair<UniqueFd, UniqueFd>> MakeSocketPair() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return IoError(std::string("Cannot create a socket pair: ") + std::strerror(errno) + ".");
  }
  return std::pair<UniqueFd, UniqueFd>(UniqueFd(fds[0]), UniqueFd(fds[1]));
}

std::string ExitInfo::Describe() const {
  if (!signaled && code < 0) return "an unknown exit status";
  if (!signaled) return "exit code " + std::to_string(code);
  const char* name = strsignal(code);
  return "signal " + std::to_string(code) + (name != nullptr ? std::string(": ") + name : "");
}

namespace {

// RAII for the posix_spawn attribute objects, so every early return frees them.
struct SpawnActions {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnActions() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnActions() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

// The child starts with an empty signal mask and every signal at its default
// disposition: a server that ignores SIGPIPE or blocks SIGTERM must not pass
// that on to user code.
void SetCleanSignals(posix_spawnattr_t& attr) {
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
}

}  // namespace

Result<ChildProcess> ChildProcess::Spawn(const SpawnSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty() || spec.argv[0][0] != '/') {
    return InvalidArgumentError("The program to run must be an absolute path.");
  }
  SpawnActions sa;
  // Each source descriptor is first copied above every target number, so
  // that dup2 never has a source equal to its target (which would keep the
  // close-on-exec flag) and no target overwrites a later source.
  const int first_free = static_cast<int>(spec.fds.size());
  std::vector<UniqueFd> sources;
  for (size_t i = 0; i < spec.fds.size(); ++i) {
    const int target = static_cast<int>(i);
    if (spec.fds[i] < 0) {
      posix_spawn_file_actions_addopen(&sa.actions, target, "/dev/null", O_RDWR, 0);
      continue;
    }
    UniqueFd copy(fcntl(spec.fds[i], F_DUPFD_CLOEXEC, first_free + 3));
    if (!copy.valid()) {
      return IoError(std::string("Cannot duplicate a descriptor for the child: ") +
                     std::strerror(errno) + ".");
    }
    posix_spawn_file_actions_adddup2(&sa.actions, copy.get(), target);
    sources.push_back(std::move(copy));
  }
  posix_spawn_file_actions_addclosefrom_np(&sa.actions, first_free);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&sa.actions, spec.cwd.c_str());
  SetCleanSignals(sa.attr);

  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int rc =
      posix_spawn(&pid, spec.argv[0].c_str(), &sa.actions, &sa.attr, argv.data(), envp.data());
  if (rc != 0) {
    return FailedPreconditionError("Cannot run " + spec.argv[0] + ": " + std::strerror(rc) + ".");
  }
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), exit_(other.exit_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (!reaped()) {
      KillGroup();
      Wait();
    }
    pid_ = other.pid_;
    exit_ = other.exit_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (reaped()) return;
  KillGroup();
  Wait();
}

void ChildProcess::KillGroup() {
  if (reaped()) return;
  // The group may already be empty except for the zombie leader: ESRCH is fine.
  kill(-pid_, SIGKILL);
}

ExitInfo ChildProcess::Reaped(int wait_status) {
  pid_ = -1;
  if (WIFSIGNALED(wait_status)) {
    exit_ = {.signaled = true, .code = WTERMSIG(wait_status)};
  } else if (WIFEXITED(wait_status)) {
    exit_ = {.signaled = false, .code = WEXITSTATUS(wait_status)};
  }
  return exit_;
}

ExitInfo ChildProcess::Wait() {
  if (reaped()) return exit_;
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid_, &status, 0);
    if (r == pid_) return Reaped(status);
    if (r < 0 && errno == EINTR) continue;
    // ECHILD: someone else reaped it (a SIGCHLD handler set to SIG_IGN, for
    // instance). Nothing is left to wait for, and the status is lost.
    pid_ = -1;
    exit_ = {.signaled = false, .code = -1};
    return exit_;
  }
}

std::optional<ExitInfo> ChildProcess::TryWait() {
  if (reaped()) return exit_;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) return Reaped(status);
  if (r < 0 && errno != EINTR) {
    pid_ = -1;
    exit_ = {.signaled = false, .code = -1};
    return exit_;
  }
  return std::nullopt;
}

}  // namespace ads::runtime
