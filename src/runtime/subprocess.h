// Subprocess: starts a child with exactly the file descriptors, environment
// and working directory given, alone in a new process group, and guarantees
// that the child is killed and reaped when its handle goes away.
//
//   ADS_ASSIGN_OR_RETURN(ChildProcess child,
//                        ChildProcess::Spawn({.argv = {"/usr/bin/python3", "-c", "..."},
//                                             .env = {"PATH=/usr/bin:/bin"},
//                                             .fds = {-1, out.get(), out.get()}}));
//   ExitInfo exit = child.Wait();   // "exit code 0", "signal 11: Segmentation fault"
//
// Why a process group: user code (score.py) may start helpers of its own;
// KillGroup stops them together with the child.
//
// Why these guarantees: the server runs untrusted user code in children and
// must not leak descriptors into them (every other descriptor is closed in
// the child, whether or not it was opened with O_CLOEXEC), must not keep
// zombies, and must not inherit a signal mask or ignored signals into them.
//
// Thread-safety: Spawn may be called from any thread (posix_spawn). A
// ChildProcess is used by one thread at a time.
#ifndef ADS_RUNTIME_SUBPROCESS_H_
#define ADS_RUNTIME_SUBPROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace ads::runtime {

// A file descriptor that is closed when it goes out of scope.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A pipe whose both ends are close-on-exec.
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};
Result<Pipe> MakePipe();

// A connected pair of close-on-exec Unix stream sockets.
Result<std::pair<UniqueFd, UniqueFd>> MakeSocketPair();

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is an absolute path
  std::vector<std::string> env;   // "NAME=value", the child's whole environment
  std::string cwd;                // empty: the parent's
  // fds[i] becomes descriptor i in the child; -1 opens /dev/null there. All
  // other descriptors are closed in the child.
  std::vector<int> fds;
};

// How a child ended.
struct ExitInfo {
  bool signaled = false;
  int code = 0;  // the exit code (-1: unknown), or the signal number when signaled
  // "exit code 3" or "signal 11: Segmentation fault".
  std::string Describe() const;
};

class ChildProcess {
 public:
  static Result<ChildProcess> Spawn(const SpawnSpec& spec);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills the process group and reaps the child, unless already reaped.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool reaped() const { return pid_ <= 0; }

  // SIGKILL to the child's process group. Safe until the child is reaped:
  // an unreaped child keeps its pid (and so its group id) from being reused.
  void KillGroup();
  // Blocks until the child has exited and reaps it.
  ExitInfo Wait();
  // Reaps the child if it has exited; nullopt while it runs.
  std::optional<ExitInfo> TryWait();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ExitInfo Reaped(int wait_status);

  pid_t pid_ = -1;
  ExitInfo exit_;
};

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_SUBPROCESS_H_
