#include "http/server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <vector>

#include "base/logging.h"
#include "http/parser.h"
#include "http/socket.h"

namespace ads::http {

namespace {

using internal::Millis;
using internal::Stream;

constexpr size_t kSendChunk = 64 * 1024;
// How long a closing connection keeps reading what the client still sends,
// so that the kernel does not answer it with a reset that could destroy the
// response before the client has read it.
constexpr Millis kLingerTime{1000};
constexpr size_t kLingerBytes = 1 << 20;
// A worker above the minimum that has had no connection to serve for this
// long exits.
constexpr int kSurplusWorkerIdleMs = 10000;
// How often the acceptor looks for requests that no worker picks up.
constexpr int kWorkerCheckMs = 5;

int64_t SteadyNowMs() {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// "Sun, 06 Nov 1994 08:49:37 GMT", recomputed once a second per thread.
const std::string& DateHeaderValue() {
  thread_local time_t cached_second = 0;
  thread_local std::string cached;
  const time_t now = ::time(nullptr);
  if (now != cached_second) {
    tm t{};
    ::gmtime_r(&now, &t);
    char buf[64];
    std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &t);
    cached = buf;
    cached_second = now;
  }
  return cached;
}

bool HasCrOrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Headers the server writes itself; a handler's copies are ignored.
bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
         EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "date");
}

}  // namespace

// One accepted socket. It is parked in the server's epoll set between
// requests and served by whichever worker thread epoll wakes for it.
class Server::Connection {
 public:
  Connection(Server* server, int fd) : server_(*server), stream_(fd) {
    internal::SetSocketOptions(stream_.fd(), server_.options_.read_timeout);
    remote_ = internal::PeerAddress(stream_.fd());
  }

  // Serves every request that is ready (the one epoll announced and any
  // pipelined after it). True when the connection stays open and is to be
  // parked; false when it has ended and is to be closed.
  bool ServeReady() {
    bool woken = true;
    do {
      if (!ServeOne(woken)) {
        if (linger_) LingeringClose();
        return false;
      }
      woken = false;
    } while (!stream_.buffered().empty());
    idle_.store(true);
    // Stop() may have looked at this connection while it was busy.
    return !server_.stopping_.load();
  }

  // Called by Stop() with the server's mu_ held.
  void WakeIfIdle() {
    if (idle_.load()) stream_.Shutdown();
  }

  // Called by SweepIdle() with the server's mu_ held.
  void ShutdownIfIdleSince(int64_t deadline_ms) {
    if (parked_.load() && parked_at_ms_.load() < deadline_ms) stream_.Shutdown();
  }

  void MarkParked() {
    parked_at_ms_.store(SteadyNowMs());
    parked_.store(true);
  }
  void MarkWoken() { parked_.store(false); }

  Stream& stream() { return stream_; }
  const ServerOptions& options() const { return server_.options_; }

 private:
  class Body;

  // `woken`: epoll has just announced input, so read before waiting.
  bool ServeOne(bool woken);
  // Reads until a whole head is buffered; false when the connection ends.
  bool ReadHead(RequestHead* head, size_t* consumed, bool woken);
  void SendError(int status, std::string_view message);
  Status WriteResponse(const RequestHead& head, Response& res, bool keep_alive);
  void LingeringClose();

  Server& server_;
  Stream stream_;
  std::string remote_;
  // True while waiting for a request: Stop() may then close the socket.
  std::atomic<bool> idle_{true};
  // True while in the epoll set waiting for input, since parked_at_ms_.
  std::atomic<bool> parked_{false};
  std::atomic<int64_t> parked_at_ms_{0};
  // Closing with unread input: read it away first (see kLingerTime).
  bool linger_ = false;
  std::vector<char> send_buf_;
};

// The request body as the handler sees it.
class Server::Connection::Body : public BodyReader {
 public:
  Body(Connection& conn, const RequestHead& head)
      : conn_(conn),
        chunked_(head.chunked),
        remaining_(head.content_length.value_or(0)),
        declared_(head.content_length.value_or(0)),
        continue_pending_(head.expect_continue) {
    done_ = !chunked_ && remaining_ == 0;
  }

  Result<size_t> Read(char* buf, size_t n) override {
    if (!error_.ok()) return error_;
    if (done_ || n == 0) return size_t{0};
    if (continue_pending_) {
      continue_pending_ = false;
      continue_sent_ = true;
      Status s = conn_.stream().WriteAll("HTTP/1.1 100 Continue\r\n\r\n");
      if (!s.ok()) return Fail(s);
    }
    const Millis timeout = conn_.options().read_timeout;
    if (!chunked_) {
      auto r = conn_.stream().Read(buf, static_cast<size_t>(std::min<uint64_t>(n, remaining_)),
                                   timeout);
      if (!r.ok()) return Fail(r.status());
      if (*r == 0) return Fail(IoError("the client closed the connection before the end of the body"));
      remaining_ -= *r;
      done_ = remaining_ == 0;
      return *r;
    }
    while (true) {
      std::string_view in = conn_.stream().buffered();
      if (!in.empty()) {
        auto step = decoder_.Decode(in, buf, n);
        if (!step.ok()) return Fail(step.status().WithContext("malformed chunked body"));
        conn_.stream().Consume(step->consumed);
        done_ = decoder_.done();
        if (step->produced > 0 || done_) return step->produced;
      }
      auto filled = conn_.stream().Fill(timeout);
      if (!filled.ok()) return Fail(filled.status());
      if (*filled == 0) return Fail(IoError("the client closed the connection inside a chunked body"));
    }
  }

  std::optional<uint64_t> declared_length() const override {
    if (chunked_) return std::nullopt;
    return declared_;
  }

  bool done() const { return done_; }
  bool failed() const { return !error_.ok(); }
  bool waiting_for_continue() const { return continue_pending_; }
  bool chunked() const { return chunked_; }
  uint64_t remaining() const { return remaining_; }

  // Reads and drops the rest of the body; false when it is longer than
  // `limit` or broken.
  bool Drain(uint64_t limit) {
    char scratch[16384];
    uint64_t total = 0;
    while (!done_) {
      auto r = Read(scratch, sizeof(scratch));
      if (!r.ok()) return false;
      total += *r;
      if (total > limit) return false;
    }
    return true;
  }

 private:
  Status Fail(Status s) {
    error_ = std::move(s);
    return error_;
  }

  Connection& conn_;
  const bool chunked_;
  uint64_t remaining_;
  const uint64_t declared_;
  bool continue_pending_;
  bool continue_sent_ = false;
  bool done_ = false;
  Status error_;
  ChunkedDecoder decoder_;
};

bool Server::Connection::ReadHead(RequestHead* head, size_t* consumed, bool woken) {
  const ServerOptions& o = options();
  const ParseLimits limits{o.request_line_limit, o.header_limit, o.max_headers};
  size_t scanned = 0;
  while (true) {
    std::string_view buffered = stream_.buffered();
    if (!buffered.empty()) {
      ParseError error;
      const HeadStatus st = ParseRequestHead(buffered, limits, scanned, head, consumed, &error);
      if (st == HeadStatus::kComplete) return true;
      if (st == HeadStatus::kError) {
        SendError(error.status, error.message);
        return false;
      }
      scanned = buffered.size();
    }
    const Millis timeout = buffered.empty() ? o.idle_timeout : o.read_timeout;
    auto n = stream_.Fill(timeout, std::max(o.header_limit, o.request_line_limit) + 4096,
                          /*wait_first=*/buffered.empty() && !woken);
    woken = false;
    if (!n.ok()) {
      if (!buffered.empty() && n.status().code() == StatusCode::kUnavailable) {
        SendError(408, "timed out reading the request head");
      } else if (n.status().code() == StatusCode::kOutOfRange) {
        SendError(431, "the request head is too large");
      }
      return false;
    }
    if (*n == 0) return false;
  }
}

bool Server::Connection::ServeOne(bool woken) {
  idle_.store(true);
  if (server_.stopping_.load()) return false;
  RequestHead head;
  size_t consumed = 0;
  if (!ReadHead(&head, &consumed, woken)) return false;
  idle_.store(false);
  stream_.Consume(consumed);

  const ServerOptions& o = options();
  if (o.max_body_length > 0 && head.content_length.value_or(0) > o.max_body_length) {
    SendError(413, "the request body is larger than " + std::to_string(o.max_body_length) +
                       " bytes");
    return false;
  }

  Body body(*this, head);
  Request req;
  req.method = std::move(head.method);
  req.target = std::move(head.target);
  req.path = std::move(head.path);
  req.query = std::move(head.query);
  req.headers = std::move(head.headers);
  req.remote_address = remote_;
  req.body = &body;
  Response res;
  try {
    server_.handler_(req, res);
  } catch (const std::exception& e) {
    LogError("http: the handler for " + req.method + " " + req.path + " threw: " + e.what());
    res = Response();
    res.SetJson(500, R"({"code": "InternalServerError", "message": "Internal error."})");
  } catch (...) {
    LogError("http: the handler for " + req.method + " " + req.path + " threw");
    res = Response();
    res.SetJson(500, R"({"code": "InternalServerError", "message": "Internal error."})");
  }
  head.method = req.method;
  head.path = req.path;

  bool keep_alive = head.keep_alive && !server_.stopping_.load();
  auto conn_header = res.headers.find("connection");
  if (conn_header != res.headers.end() && EqualsIgnoreCase(conn_header->second, "close")) {
    keep_alive = false;
  }
  if (!body.done()) {
    // The client has not sent a body it was told to wait for; answering and
    // closing is the only way to stay in sync without reading it.
    if (body.failed() || body.waiting_for_continue() ||
        (!body.chunked() && body.remaining() > o.drain_limit) || !body.Drain(o.drain_limit)) {
      keep_alive = false;
      linger_ = true;
    }
  }
  Status written = WriteResponse(head, res, keep_alive);
  if (!written.ok()) {
    linger_ = false;
    return false;
  }
  return keep_alive;
}

Status Server::Connection::WriteResponse(const RequestHead& head, Response& res,
                                         bool keep_alive) {
  std::string out;
  out.reserve(256);
  out.append("HTTP/1.1 ");
  out.append(std::to_string(res.status));
  out.push_back(' ');
  out.append(ReasonPhrase(res.status));
  out.append("\r\n");
  for (const auto& [name, value] : res.headers) {
    if (IsFramingHeader(name)) continue;
    if (HasCrOrLf(name) || HasCrOrLf(value) || name.empty()) {
      LogWarning("http: dropped a response header with CR or LF: " + Quoted(name));
      continue;
    }
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  out.append("date: ");
  out.append(DateHeaderValue());
  out.append("\r\n");
  const bool is_head = head.method == "HEAD";
  const bool bodiless_status = res.status < 200 || res.status == 204 || res.status == 304;
  const bool streamed = static_cast<bool>(res.body_source);
  uint64_t length = streamed ? res.body_length : res.body.size();
  if (is_head && res.head_length) length = *res.head_length;
  if (!bodiless_status) {
    out.append("content-length: ");
    out.append(std::to_string(length));
    out.append("\r\n");
  }
  if (!keep_alive) {
    out.append("connection: close\r\n");
  } else if (head.minor_version == 0) {
    out.append("connection: keep-alive\r\n");
  }
  out.append("\r\n");

  if (is_head || bodiless_status) return stream_.WriteAll(out);
  if (!streamed) return stream_.WriteAll(out, res.body);

  ADS_RETURN_IF_ERROR(stream_.WriteAll(out));
  if (send_buf_.empty()) send_buf_.resize(kSendChunk);
  uint64_t left = length;
  while (left > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(left, send_buf_.size()));
    Result<size_t> n = res.body_source(send_buf_.data(), want);
    if (!n.ok() || *n == 0 || *n > want) {
      // The head promised `length` bytes: the only honest end is a close.
      LogError("http: the response body of " + head.path + " ended " +
               std::to_string(left) + " bytes early" +
               (n.ok() ? std::string() : ": " + n.status().ToString()));
      return IoError("the response body source failed");
    }
    ADS_RETURN_IF_ERROR(stream_.WriteAll(std::string_view(send_buf_.data(), *n)));
    left -= *n;
  }
  return OkStatus();
}

void Server::Connection::SendError(int status, std::string_view message) {
  Response res;
  res.status = status;
  res.headers["content-type"] = "text/plain; charset=utf-8";
  res.body = std::string(message) + "\n";
  RequestHead head;
  Status s = WriteResponse(head, res, /*keep_alive=*/false);
  linger_ = s.ok();
}

void Server::Connection::LingeringClose() {
  ::shutdown(stream_.fd(), SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + kLingerTime;
  size_t total = 0;
  while (total < kLingerBytes) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    stream_.Consume(stream_.buffered().size());
    auto n = stream_.Fill(left);
    if (!n.ok() || *n == 0) break;
    total += *n;
  }
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler handler) {
  if (!handler) return InvalidArgumentError("http::Server needs a handler");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(options.port);
  const std::string where = options.host + ":" + port_text;
  const int gai = ::getaddrinfo(options.host.empty() ? nullptr : options.host.c_str(),
                                port_text.c_str(), &hints, &found);
  if (gai != 0) {
    return InvalidArgumentError("cannot resolve the listen address " + Quoted(where) + ": " +
                                ::gai_strerror(gai));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addrs(found, &::freeaddrinfo);
  std::string last_error = "no address";
  int fd = -1;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) break;
    last_error = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  if (fd < 0) {
    return UnavailableError("cannot listen on " + where + ": " + last_error);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  const int port = bound.ss_family == AF_INET6
                       ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                       : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  std::unique_ptr<Server> server(new Server(options, std::move(handler), fd, port));
  if (::pipe2(server->wake_fds_, O_CLOEXEC) != 0) {
    return IoError(std::string("pipe failed: ") + std::strerror(errno));
  }
  server->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  server->stop_event_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (server->epoll_fd_ < 0 || server->stop_event_fd_ < 0) {
    return IoError(std::string("epoll_create1/eventfd failed: ") + std::strerror(errno));
  }
  // Level-triggered and never consumed: once written, it wakes every worker.
  epoll_event stop_event{};
  stop_event.events = EPOLLIN;
  stop_event.data.ptr = nullptr;
  if (::epoll_ctl(server->epoll_fd_, EPOLL_CTL_ADD, server->stop_event_fd_, &stop_event) != 0) {
    return IoError(std::string("epoll_ctl failed: ") + std::strerror(errno));
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  server->min_workers_ = std::max<size_t>(2, cores);
  server->max_workers_ = std::max(server->min_workers_, options.max_connections + 1);
  {
    std::lock_guard<std::mutex> lock(server->workers_mu_);
    for (size_t i = 0; i < server->min_workers_; ++i) server->StartWorker();
  }
  server->acceptor_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  return server;
}

Server::Server(const ServerOptions& options, Handler handler, int listen_fd, int port)
    : options_(options), handler_(std::move(handler)), listen_fd_(listen_fd), port_(port) {}

Server::~Server() {
  Stop();
  for (int fd : {wake_fds_[0], wake_fds_[1], epoll_fd_, stop_event_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

size_t Server::connection_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connections_.size();
}

void Server::AcceptLoop() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
  const auto sweep_every = std::clamp<int64_t>(options_.idle_timeout.count() / 4, 10, 1000);
  int64_t next_sweep = SteadyNowMs() + sweep_every;
  int64_t next_check = SteadyNowMs() + kWorkerCheckMs;
  uint64_t last_taken = 0;
  while (!stopping_.load()) {
    const int ready = ::poll(fds, 2, kWorkerCheckMs);
    if (ready < 0) {
      if (errno == EINTR) continue;
      LogError(std::string("http: poll on the listener failed: ") + std::strerror(errno));
      return;
    }
    const int64_t now = SteadyNowMs();
    if (now >= next_check) {
      const uint64_t taken = events_taken_.load();
      if (taken == last_taken) MaybeAddWorker();
      ReapWorkers(/*all=*/false);
      last_taken = taken;
      next_check = now + kWorkerCheckMs;
    }
    if (now >= next_sweep) {
      SweepIdle();
      next_sweep = now + sweep_every;
    }
    if (ready == 0) continue;
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors or memory: back off instead of spinning.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      continue;
    }
    std::unique_ptr<Connection> conn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (connections_.size() < options_.max_connections) {
        conn = std::make_unique<Connection>(this, fd);
        connections_.insert(conn.get());
      }
    }
    if (!conn) {
      RejectBusy(fd);
      continue;
    }
    // From here a worker owns it; ConnectionEnded() deletes it.
    Park(conn.release(), EPOLL_CTL_ADD);
  }
}

void Server::WorkerLoop() {
  epoll_event ev{};
  while (true) {
    waiting_workers_.fetch_add(1);
    const int n = ::epoll_wait(epoll_fd_, &ev, 1, kSurplusWorkerIdleMs);
    waiting_workers_.fetch_sub(1);
    if (n < 0) {
      if (errno == EINTR) continue;
      LogError(std::string("http: epoll_wait failed: ") + std::strerror(errno));
      break;
    }
    if (n == 0) {
      std::lock_guard<std::mutex> lock(workers_mu_);
      if (LiveWorkers() > min_workers_) {
        exited_.push_back(std::this_thread::get_id());
        return;
      }
      continue;
    }
    auto* conn = static_cast<Connection*>(ev.data.ptr);
    if (conn == nullptr) break;  // the stop event
    events_taken_.fetch_add(1, std::memory_order_relaxed);
    conn->MarkWoken();
    if (conn->ServeReady()) {
      Park(conn, EPOLL_CTL_MOD);
    } else {
      ConnectionEnded(conn);
    }
  }
  std::lock_guard<std::mutex> lock(workers_mu_);
  exited_.push_back(std::this_thread::get_id());
}

void Server::StartWorker() {
  std::thread thread([this] { WorkerLoop(); });
  const std::thread::id id = thread.get_id();
  workers_.emplace(id, std::move(thread));
}

void Server::ReapWorkers(bool all) {
  std::vector<std::thread> done;
  {
    std::lock_guard<std::mutex> lock(workers_mu_);
    if (all) {
      for (auto& [id, thread] : workers_) done.push_back(std::move(thread));
      workers_.clear();
    } else {
      for (std::thread::id id : exited_) {
        auto it = workers_.find(id);
        if (it == workers_.end()) continue;
        done.push_back(std::move(it->second));
        workers_.erase(it);
      }
    }
    exited_.clear();
  }
  for (std::thread& t : done) t.join();
}

void Server::MaybeAddWorker() {
  if (waiting_workers_.load() > 0) return;
  // Is a parked connection's input waiting for a worker? (An epoll set
  // polls readable when it has events ready.)
  pollfd p{epoll_fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return;
  std::lock_guard<std::mutex> lock(workers_mu_);
  if (LiveWorkers() >= max_workers_) return;
  try {
    StartWorker();
  } catch (const std::system_error& e) {
    LogError(std::string("http: cannot start a worker thread: ") + e.what());
  }
}

void Server::Park(Connection* conn, int op) {
  const int fd = conn->stream().fd();
  conn->MarkParked();
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.ptr = conn;
  // Once armed, another worker may take (and end) the connection at once.
  if (::epoll_ctl(epoll_fd_, op, fd, &ev) != 0) {
    LogError(std::string("http: epoll_ctl(") + (op == EPOLL_CTL_ADD ? "ADD" : "MOD") +
             ") failed: " + std::strerror(errno));
    ConnectionEnded(conn);
  }
}

void Server::SweepIdle() {
  const int64_t deadline = SteadyNowMs() - options_.idle_timeout.count();
  std::lock_guard<std::mutex> lock(mu_);
  for (Connection* c : connections_) c->ShutdownIfIdleSince(deadline);
}

void Server::RejectBusy(int fd) {
  // Read what the client already sent so that closing does not reset the
  // connection before it reads the answer.
  char scratch[4096];
  while (::recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) > 0) {
  }
  static constexpr std::string_view kMessage = "too many connections; retry later\n";
  const std::string busy =
      "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
      "content-length: " + std::to_string(kMessage.size()) +
      "\r\nconnection: close\r\nretry-after: 1\r\n\r\n" + std::string(kMessage);
  ::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

void Server::ConnectionEnded(Connection* conn) {
  std::unique_ptr<Connection> owned(conn);
  std::lock_guard<std::mutex> lock(mu_);
  connections_.erase(conn);
  owned.reset();  // closes the socket while Stop() cannot be looking at it
  if (connections_.empty()) all_closed_.notify_all();
}

void Server::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  if (stopped_) return;
  stopping_.store(true);
  if (wake_fds_[1] >= 0) {
    const char byte = 'x';
    while (::write(wake_fds_[1], &byte, 1) < 0 && errno == EINTR) {
    }
  }
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  {
    std::unique_lock<std::mutex> lock(mu_);
    for (Connection* c : connections_) c->WakeIfIdle();
    all_closed_.wait(lock, [this] { return connections_.empty(); });
  }
  const uint64_t one = 1;
  if (::write(stop_event_fd_, &one, sizeof(one)) != sizeof(one)) {
    LogError(std::string("http: cannot wake the workers: ") + std::strerror(errno));
  }
  // Every worker sees the event and exits; join them all.
  ReapWorkers(/*all=*/true);
  stopped_ = true;
}

}  // namespace ads::http
