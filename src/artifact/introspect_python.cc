// The child-process runner and the `ast` scan of score.py used by introspection.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "artifact/introspect_internal.h"

namespace ads::artifact::internal {
namespace {

// Reads the parsed module's top-level function signatures. It only parses:
// nothing from score.py is imported or executed. The decoding mirrors
// `open(path).read()` in ADS's validator (UTF-8, universal newlines).
constexpr const char* kScanProgram = R"PY(
import ast, io, json, sys
data = sys.stdin.buffer.read()
try:
    source = io.TextIOWrapper(io.BytesIO(data), encoding='utf-8').read()
    tree = ast.parse(source)
except SyntaxError as e:
    out = {'outcome': 'syntax_error', 'error': str(e)}
except Exception as e:
    out = {'outcome': 'other_error', 'error': str(e)}
else:
    functions = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            functions[node.name] = {'args': [a.arg for a in node.args.args],
                                    'defaults': len(node.args.defaults)}
    out = {'outcome': 'parsed', 'functions': functions}
sys.stdout.write(json.dumps(out))
)PY";

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

Result<int> MakeMemFile(const char* name) {
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return IoError(std::string("memfd_create failed: ") + std::strerror(errno) + ".");
  return fd;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(std::string("Writing the child's input failed: ") + std::strerror(errno) + ".");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (lseek(fd, 0, SEEK_SET) < 0) return IoError("Rewinding the child's input failed.");
  return OkStatus();
}

std::string ReadAllFrom(int fd) {
  std::string out;
  if (lseek(fd, 0, SEEK_SET) < 0) return out;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Waits for `pid` up to the deadline; kills it afterwards. Returns the exit code.
int WaitWithDeadline(pid_t pid, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

// The child's stdin, stdout and stderr are memory files, so there is no pipe
// to deadlock on and no SIGPIPE to guard against.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, std::string_view input,
                                 int timeout_ms) {
  if (argv.empty() || argv[0].empty() || argv[0][0] != '/') {
    return InvalidArgumentError("The program to run must be an absolute path.");
  }
  Fd in, out, err;
  ADS_ASSIGN_OR_RETURN(in.fd, MakeMemFile("ads-stdin"));
  ADS_ASSIGN_OR_RETURN(out.fd, MakeMemFile("ads-stdout"));
  ADS_ASSIGN_OR_RETURN(err.fd, MakeMemFile("ads-stderr"));
  ADS_RETURN_IF_ERROR(WriteAll(in.fd, input));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  char env_path[] = "PATH=/usr/bin:/bin";
  char env_lang[] = "LC_ALL=C.UTF-8";
  char* envp[] = {env_path, env_lang, nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return FailedPreconditionError("Cannot run " + argv[0] + ": " + std::strerror(rc) + ".");
  }
  ProcessResult result;
  result.exit_code = WaitWithDeadline(pid, timeout_ms);
  result.out = ReadAllFrom(out.fd);
  result.err = ReadAllFrom(err.fd);
  return result;
}

Result<ScoreScan> ScanScorePy(const std::string& python, std::string_view source, int timeout_ms) {
  ADS_ASSIGN_OR_RETURN(ProcessResult run,
                       RunProcess({python, "-I", "-S", "-c", kScanProgram}, source, timeout_ms));
  if (run.exit_code != 0) {
    return InternalError("Parsing score.py with " + python + " failed (exit code " +
                         std::to_string(run.exit_code) + "): " + run.err);
  }
  auto parsed = ParseJson(run.out, "the score.py scan");
  if (!parsed.ok()) return InternalError("The score.py scan printed unreadable output.");
  const Json& doc = *parsed;
  ScoreScan scan;
  try {
    const std::string outcome = doc.at("outcome").get<std::string>();
    if (outcome == "parsed") {
      scan.outcome = ScoreScan::kParsed;
      for (const auto& [name, fn] : doc.at("functions").items()) {
        FunctionSignature sig;
        for (const Json& a : fn.at("args")) sig.args.push_back(a.get<std::string>());
        sig.defaults = fn.at("defaults").get<size_t>();
        scan.functions[name] = std::move(sig);
      }
    } else {
      scan.outcome = outcome == "syntax_error" ? ScoreScan::kSyntaxError : ScoreScan::kOtherError;
      scan.error = doc.at("error").get<std::string>();
    }
  } catch (const std::exception& e) {
    return InternalError(std::string("The score.py scan printed unexpected JSON: ") + e.what());
  }
  return scan;
}

bool PyTruthy(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      return false;
    case Json::value_t::boolean:
      return value.get<bool>();
    case Json::value_t::number_integer:
      return value.get<int64_t>() != 0;
    case Json::value_t::number_unsigned:
      return value.get<uint64_t>() != 0;
    case Json::value_t::number_float:
      return value.get<double>() != 0.0;
    case Json::value_t::string:
      return !value.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object:
    case Json::value_t::binary:
      return !value.empty();
  }
  return false;
}

std::string PyStr(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "None";
    case Json::value_t::boolean:
      return value.get<bool>() ? "True" : "False";
    case Json::value_t::number_float:
      return PythonFloatRepr(value.get<double>());
    case Json::value_t::string:
      return value.get<std::string>();
    default:
      return DumpPythonJson(value);
  }
}

}  // namespace ads::artifact::internal
