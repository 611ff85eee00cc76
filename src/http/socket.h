// Internal to http/: a connected TCP socket with a reusable read buffer,
// timeouts on every wait, and gathered writes. Shared by the server's
// connections and the client.
//
//   Stream s(fd);
//   ADS_ASSIGN_OR_RETURN(size_t n, s.Fill(std::chrono::seconds(30)));  // 0 = peer closed
//   ... parse s.buffered(), then s.Consume(head_size) ...
//   ADS_RETURN_IF_ERROR(s.WriteAll(head, body));
//
// Thread-safety: a Stream belongs to one thread; Shutdown() may be called
// from another thread to wake it.
#ifndef ADS_HTTP_SOCKET_H_
#define ADS_HTTP_SOCKET_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ads::http::internal {

using Millis = std::chrono::milliseconds;

class Stream {
 public:
  // Takes ownership of a connected socket.
  explicit Stream(int fd, size_t initial_buffer = 16 * 1024);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  int fd() const { return fd_; }

  // Bytes read and not yet consumed.
  std::string_view buffered() const { return {buf_.data() + begin_, end_ - begin_}; }
  void Consume(size_t n) { begin_ += n; }

  // Reads what is available (waiting up to `timeout` for at least one byte)
  // and appends it to the buffer, which grows up to `max_buffer`. Returns the
  // number of new bytes, 0 when the peer closed; Unavailable on timeout.
  // `wait_first` when the bytes are unlikely to be there yet (a response
  // just sent or a request just written): saves a failing recv.
  Result<size_t> Fill(Millis timeout, size_t max_buffer = 1 << 20, bool wait_first = false);

  // Reads up to n bytes: buffered ones first, else straight from the socket
  // (large bodies skip the buffer). 0 when the peer closed.
  Result<size_t> Read(char* out, size_t n, Millis timeout);

  // Writes all of `a` then `b` (one gathered write when possible).
  Status WriteAll(std::string_view a, std::string_view b = {});

  // True when a read would not block (data, EOF or error pending).
  bool Readable();

  // Wakes a thread blocked on this socket (it sees EOF); safe from any thread.
  void Shutdown();

 private:
  Status WaitReadable(Millis timeout);

  int fd_;
  std::vector<char> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

// TCP_NODELAY and the send timeout on an accepted or connected socket.
void SetSocketOptions(int fd, Millis send_timeout);

// The "127.0.0.1:53412" form of a peer address.
std::string PeerAddress(int fd);

}  // namespace ads::http::internal

#endif  // ADS_HTTP_SOCKET_H_
