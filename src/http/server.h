// An HTTP/1.1 server over POSIX sockets: one acceptor thread and a pool of
// worker threads that wait on epoll for connections with a request to read
// (see "Threads" in docs/http.md), keep-alive and pipelining, request
// bodies streamed to the handler (Content-Length or chunked, with Expect:
// 100-continue), response bodies from a string or pulled from a BodySource.
//
//   ADS_ASSIGN_OR_RETURN(std::unique_ptr<http::Server> server,
//       http::Server::Start({.port = 0}, [](http::Request& req, http::Response& res) {
//         res.SetJson(200, R"({"path": ")" + req.path + R"("})");
//       }));
//   int port = server->port();
//   ...
//   server->Stop();  // or let the destructor do it
//
// A malformed request gets a short plain-text 400/413/414/431/... answer
// and its connection is closed; a handler that throws gets a 500. Both are
// per-connection events: the server keeps serving everyone else. See
// docs/http.md for the limits and what is accepted.
//
// Thread-safety: the handler is called concurrently from worker threads; a
// request is served start to end on one thread, which may block in it.
// port() and Stop() may be called from any thread.
#ifndef ADS_HTTP_SERVER_H_
#define ADS_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "http/message.h"

namespace ads::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal, or "localhost"
  int port = 8080;                 // 0: an ephemeral port (see port())
  size_t max_connections = 256;    // more get 503 and are closed
  size_t header_limit = 64 * 1024;       // the whole request head: 431 beyond
  size_t request_line_limit = 8 * 1024;  // 414 beyond
  size_t max_headers = 100;              // 431 beyond
  std::chrono::milliseconds idle_timeout{60000};  // a keep-alive connection with no request
  std::chrono::milliseconds read_timeout{30000};  // any wait inside a request (and sends)
  // A declared Content-Length above this gets 413 (0: no limit; routes
  // enforce their own limits through BodyReader::ReadAll).
  uint64_t max_body_length = 0;
  // What the server reads and drops of a body the handler left unread, to
  // keep the connection; a longer rest closes the connection instead.
  uint64_t drain_limit = 1024 * 1024;
};

class Server {
 public:
  // Binds and listens, then serves on background threads. Unavailable
  // naming the address when it cannot bind (e.g. the port is taken).
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler handler);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound (useful with port 0).
  int port() const { return port_; }

  // Stops accepting, lets requests in flight finish, closes idle keep-alive
  // connections, and returns when every connection thread has ended.
  // Idempotent.
  void Stop();

  // Connections open now (for tests and metrics).
  size_t connection_count() const;

 private:
  class Connection;
  Server(const ServerOptions& options, Handler handler, int listen_fd, int port);

  void AcceptLoop();
  void RejectBusy(int fd);
  void ConnectionEnded(Connection* conn);
  // Waits on epoll for a parked connection with input, serves it, parks it
  // again or ends it; exits when the server stops or, above the minimum,
  // after a while without work.
  void WorkerLoop();
  // Starts a worker, up to the cap, when input waits and no worker is free.
  // Called by the acceptor every few milliseconds when no worker has taken
  // a connection since the last call: the workers are then all blocked in
  // handlers (a Python score.py, a slow upload), and one more keeps the
  // other connections served. Workers that are merely busy on the CPU keep
  // taking connections, so a CPU-bound load does not grow the pool.
  void MaybeAddWorker();
  // Starts one worker (workers_mu_ held).
  void StartWorker();
  size_t LiveWorkers() const { return workers_.size() - exited_.size(); }  // workers_mu_ held
  // Joins the workers that have returned, or with `all` (Stop(), after the
  // stop event) every worker.
  void ReapWorkers(bool all);
  // Puts a connection into epoll until its next request: a new one
  // (EPOLL_CTL_ADD) or a keep-alive one handed back (EPOLL_CTL_MOD). Ends
  // the connection when epoll refuses it.
  void Park(Connection* conn, int op);
  // Shuts down parked connections idle for longer than idle_timeout; a
  // worker then sees their end of stream and closes them.
  void SweepIdle();

  const ServerOptions options_;
  const Handler handler_;
  int listen_fd_;
  int wake_fds_[2] = {-1, -1};  // a pipe that wakes the acceptor's poll
  const int port_;
  std::thread acceptor_;
  int epoll_fd_ = -1;
  int stop_event_fd_ = -1;  // in epoll, readable once the workers must exit
  std::mutex workers_mu_;
  // Workers are joined, never detached: a thread that outlived Stop()
  // could still be running its thread-local destructors (OpenSSL's, for
  // one) when the process exits and frees the same state.
  std::map<std::thread::id, std::thread> workers_;  // GUARDED_BY(workers_mu_)
  std::vector<std::thread::id> exited_;  // returned, not joined yet; GUARDED_BY(workers_mu_)
  size_t min_workers_ = 2;   // kept even when idle
  size_t max_workers_ = 2;   // one per connection at most, plus one waiting
  std::atomic<size_t> waiting_workers_{0};
  std::atomic<uint64_t> events_taken_{0};  // connections taken from epoll, ever
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;  // serialises Stop()
  bool stopped_ = false;

  mutable std::mutex mu_;
  std::condition_variable all_closed_;
  std::set<Connection*> connections_;  // GUARDED_BY(mu_)
};

}  // namespace ads::http

#endif  // ADS_HTTP_SERVER_H_
