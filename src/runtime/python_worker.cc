#include "runtime/python_worker.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <thread>

#include "runtime/python_worker_script.h"

namespace ads::runtime {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Room for an error frame's text on top of the result limit.
constexpr size_t kErrorFrameAllowance = 64 << 10;

Status SetNonBlocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return IoError(std::string("Cannot make a descriptor non-blocking: ") + std::strerror(errno) +
                   ".");
  }
  return OkStatus();
}

// Length of the well-formed UTF-8 sequence at the start of `s`, or 0. The
// ranges are those of RFC 3629 (no overlong forms, no surrogates).
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < n || byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return n;
}

// User output is arbitrary bytes, but error messages end up in JSON bodies
// and logs: invalid sequences become U+FFFD.
std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const size_t n = Utf8SequenceLength(s);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      s.remove_prefix(1);
    } else {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<PythonWorker>> PythonWorker::Spawn(const PythonWorkerConfig& config) {
  ADS_ASSIGN_OR_RETURN(auto sockets, MakeSocketPair());
  ADS_ASSIGN_OR_RETURN(Pipe output, MakePipe());
  // Only the server's ends are non-blocking: the worker's print() must wait
  // for room in a full pipe, not fail.
  ADS_RETURN_IF_ERROR(SetNonBlocking(sockets.first.get()));
  ADS_RETURN_IF_ERROR(SetNonBlocking(output.read.get()));
  SpawnSpec spec;
  // -B: no __pycache__ written into the artifact; -u: user output reaches
  // the pipe at once, so the lines printed just before a crash are kept.
  spec.argv = {config.python,
               "-B",
               "-u",
               "-c",
               PythonWorkerScript(),
               config.artifact_dir,
               std::to_string(config.max_output_bytes)};
  spec.env = config.env;
  spec.cwd = config.artifact_dir;
  spec.fds = {-1, output.write.get(), output.write.get(), sockets.second.get()};
  ADS_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(spec));
  // The child's ends close here, so EOF on ours means the worker is gone.
  return std::unique_ptr<PythonWorker>(
      new PythonWorker(config, std::move(child), std::move(sockets.first), std::move(output.read)));
}

PythonWorker::Wake PythonWorker::WaitFor(short events, Clock::time_point deadline,
                                         const std::atomic<bool>* cancel) {
  for (;;) {
    if (cancel != nullptr && cancel->load()) return Wake::kCancelled;
    const auto now = Clock::now();
    if (now >= deadline) return Wake::kTimeout;
    // Round up so that a wait never ends just before the deadline and spins.
    int64_t left = duration_cast<milliseconds>(deadline - now).count() + 1;
    if (cancel != nullptr) left = std::min<int64_t>(left, 100);
    pollfd fds[2] = {{socket_.get(), events, 0}, {output_.get(), POLLIN, 0}};
    const nfds_t count = output_.valid() ? 2 : 1;
    const int r = poll(fds, count, static_cast<int>(std::min<int64_t>(left, INT_MAX)));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Wake::kReady;  // the socket call that follows reports the error
    }
    if (count == 2 && fds[1].revents != 0) DrainOutput();
    if (fds[0].revents != 0) return Wake::kReady;
  }
}

void PythonWorker::DrainOutput() {
  if (!output_.valid()) return;
  char buf[16384];
  for (;;) {
    const ssize_t n = read(output_.get(), buf, sizeof buf);
    if (n > 0) {
      tail_.append(buf, static_cast<size_t>(n));
      if (tail_.size() > 2 * config_.output_tail_bytes) {
        tail_.erase(0, tail_.size() - config_.output_tail_bytes);
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    output_.reset();  // EOF or error: every writer is gone
    return;
  }
}

std::string PythonWorker::OutputTail() const {
  if (tail_.empty() || config_.output_tail_bytes == 0) return "";
  std::string_view tail = tail_;
  if (tail.size() > config_.output_tail_bytes) {
    tail.remove_prefix(tail.size() - config_.output_tail_bytes);
  }
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.remove_suffix(1);
  return "\nLast output of the worker:\n" + ToValidUtf8(tail);
}

Status PythonWorker::Stop(const Status& why) {
  child_.KillGroup();
  child_.Wait();
  DrainOutput();
  healthy_ = false;
  socket_.reset();
  output_.reset();
  return Status(why.code(), why.message() + OutputTail(), why.hint());
}

Status PythonWorker::Crashed() {
  // The socket closed; the process is normally exiting. Give it a moment so
  // that its own exit status is reported rather than our SIGKILL.
  std::optional<ExitInfo> exit = child_.TryWait();
  for (int i = 0; i < 40 && !exit; ++i) {
    std::this_thread::sleep_for(milliseconds(5));
    exit = child_.TryWait();
  }
  std::string how = exit ? exit->Describe() : "it closed its connection and was killed";
  return Stop(UnavailableError("score.py worker crashed (" + how + ") " + phase_ +
                               "; it is being replaced."));
}

bool PythonWorker::CheckAlive() {
  if (!healthy_) return false;
  if (!child_.TryWait().has_value()) return true;
  phase_ = "while idle";
  Crashed().IgnoreError();  // the pool logs the replacement
  return false;
}

Status PythonWorker::SendFrame(char kind, std::string_view payload, Clock::time_point deadline) {
  char header[kFrameHeaderBytes];
  header[0] = kind;
  uint64_t size = payload.size();
  for (int i = 8; i >= 1; --i, size >>= 8) header[i] = static_cast<char>(size & 0xff);
  for (std::string_view data : {std::string_view(header, sizeof header), payload}) {
    while (!data.empty()) {
      // MSG_NOSIGNAL: a dead worker gives EPIPE here, never SIGPIPE.
      const ssize_t n = send(socket_.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (WaitFor(POLLOUT, deadline, nullptr) == Wake::kTimeout) {
          return Stop(UnavailableError(timeout_message_));
        }
        continue;
      }
      return Crashed();
    }
  }
  return OkStatus();
}

Status PythonWorker::ReadExact(char* out, size_t n, Clock::time_point deadline,
                               const std::atomic<bool>* cancel) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = recv(socket_.get(), out + got, n - got, 0);
    if (r > 0) {
      got += static_cast<size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      switch (WaitFor(POLLIN, deadline, cancel)) {
        case Wake::kReady:
          continue;
        case Wake::kTimeout:
          return Stop(UnavailableError(timeout_message_));
        case Wake::kCancelled:
          return Stop(UnavailableError("The score.py worker was stopped " + phase_ +
                                       " because the predictor is shutting down."));
      }
    }
    return Crashed();  // EOF or a socket error
  }
  return OkStatus();
}

Result<PythonWorker::Frame> PythonWorker::ReceiveFrame(Clock::time_point deadline,
                                                       const std::atomic<bool>* cancel) {
  unsigned char header[kFrameHeaderBytes];
  ADS_RETURN_IF_ERROR(ReadExact(reinterpret_cast<char*>(header), sizeof header, deadline, cancel));
  uint64_t size = 0;
  for (int i = 1; i <= 8; ++i) size = (size << 8) | header[i];
  // The worker enforces the result limit itself and answers kFrameTooLarge;
  // a bigger frame means the protocol is broken, so the worker goes.
  const uint64_t limit = config_.max_output_bytes + kErrorFrameAllowance;
  if (size > limit) {
    return Stop(OutOfRangeError("The score.py worker sent a reply of " + std::to_string(size) +
                                " bytes " + phase_ + ", over the limit of " +
                                std::to_string(limit) + " bytes; it is being replaced."));
  }
  Frame frame;
  frame.kind = static_cast<char>(header[0]);
  frame.payload.resize(static_cast<size_t>(size));
  ADS_RETURN_IF_ERROR(ReadExact(frame.payload.data(), frame.payload.size(), deadline, cancel));
  return frame;
}

Status PythonWorker::WaitReady(Clock::time_point deadline, const std::atomic<bool>* cancel) {
  phase_ = "while loading score.py";
  timeout_message_ = "score.py did not finish loading (import and load_model()) in time.";
  ADS_ASSIGN_OR_RETURN(Frame frame, ReceiveFrame(deadline, cancel));
  if (frame.kind == kFrameReady) return OkStatus();
  if (frame.kind == kFrameLoadFailed) {
    return Stop(FailedPreconditionError("score.py failed to load: " + frame.payload));
  }
  return Stop(InternalError(std::string("The score.py worker sent an unexpected frame '") +
                            frame.kind + "' " + phase_ + "."));
}

Result<std::string> PythonWorker::Call(char kind, std::string_view body, milliseconds timeout) {
  if (!healthy_) return UnavailableError("The score.py worker is not running.");
  // Output printed between requests (by user threads) is not this request's.
  DrainOutput();
  tail_.clear();
  phase_ = "during predict()";
  timeout_message_ = "score.py predict() did not finish within " + std::to_string(timeout.count()) +
                     " ms (the python timeout); the worker was killed and is being replaced.";
  const auto deadline = Clock::now() + timeout;
  ADS_RETURN_IF_ERROR(SendFrame(kind, body, deadline));
  ADS_ASSIGN_OR_RETURN(Frame frame, ReceiveFrame(deadline, nullptr));
  switch (frame.kind) {
    case kFrameResult:
      return std::move(frame.payload);
    case kFrameException:
      return FailedPreconditionError("score.py predict() raised " + frame.payload);
    case kFrameBadInput:
      return InvalidArgumentError(frame.payload);
    case kFrameNotJson:
      return FailedPreconditionError(frame.payload);
    case kFrameTooLarge:
      return OutOfRangeError(frame.payload);
    default:
      return Stop(InternalError(std::string("The score.py worker sent an unexpected frame '") +
                                frame.kind + "' " + phase_ + "; it is being replaced."));
  }
}

}  // namespace ads::runtime
