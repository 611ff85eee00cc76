#include "http/socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ads::http::internal {

Stream::Stream(int fd, size_t initial_buffer) : fd_(fd), buf_(initial_buffer) {}

Stream::~Stream() {
  if (fd_ >= 0) ::close(fd_);
}

Status Stream::WaitReadable(Millis timeout) {
  pollfd p{fd_, POLLIN, 0};
  while (true) {
    const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (r > 0) return OkStatus();
    if (r == 0) return UnavailableError("timed out waiting for the peer");
    if (errno != EINTR) return IoError(std::string("poll failed: ") + std::strerror(errno));
  }
}

bool Stream::Readable() {
  if (end_ > begin_) return true;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

Result<size_t> Stream::Fill(Millis timeout, size_t max_buffer, bool wait_first) {
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (end_ == buf_.size() && begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) {
    if (buf_.size() >= max_buffer) return OutOfRangeError("the read buffer is full");
    buf_.resize(std::min(max_buffer, buf_.size() * 2));
  }
  // Otherwise try first: inside a message the bytes are usually there
  // already, which saves the poll.
  if (wait_first) ADS_RETURN_IF_ERROR(WaitReadable(timeout));
  while (true) {
    const ssize_t n = ::recv(fd_, buf_.data() + end_, buf_.size() - end_, MSG_DONTWAIT);
    if (n >= 0) {
      end_ += static_cast<size_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      if (errno == ECONNRESET) return size_t{0};
      return IoError(std::string("recv failed: ") + std::strerror(errno));
    }
    ADS_RETURN_IF_ERROR(WaitReadable(timeout));
  }
}

Result<size_t> Stream::Read(char* out, size_t n, Millis timeout) {
  if (n == 0) return size_t{0};
  if (end_ > begin_) {
    const size_t take = std::min(n, end_ - begin_);
    std::memcpy(out, buf_.data() + begin_, take);
    begin_ += take;
    return take;
  }
  if (n < buf_.size() / 2) {
    // Small reads go through the buffer so that one recv serves many.
    ADS_ASSIGN_OR_RETURN(size_t got, Fill(timeout));
    if (got == 0) return size_t{0};
    return Read(out, n, timeout);
  }
  while (true) {
    const ssize_t r = ::recv(fd_, out, n, MSG_DONTWAIT);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      if (errno == ECONNRESET) return size_t{0};
      return IoError(std::string("recv failed: ") + std::strerror(errno));
    }
    ADS_RETURN_IF_ERROR(WaitReadable(timeout));
  }
}

Status Stream::WriteAll(std::string_view a, std::string_view b) {
  iovec iov[2] = {{const_cast<char*>(a.data()), a.size()},
                  {const_cast<char*>(b.data()), b.size()}};
  int first = 0;
  const int count = b.empty() ? 1 : 2;
  while (first < count) {
    msghdr msg{};
    msg.msg_iov = iov + first;
    msg.msg_iovlen = static_cast<size_t>(count - first);
    const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return UnavailableError("timed out sending to the peer");
      }
      return IoError(std::string("send failed: ") + std::strerror(errno));
    }
    size_t left = static_cast<size_t>(n);
    while (first < count && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      ++first;
    }
    if (first < count) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return OkStatus();
}

void Stream::Shutdown() { ::shutdown(fd_, SHUT_RDWR); }

void SetSocketOptions(int fd, Millis send_timeout) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(send_timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((send_timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

std::string PeerAddress(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  char host[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    port = ntohs(in6->sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
  }
  return "";
}

}  // namespace ads::http::internal
