#include "http/client.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "http/parser.h"
#include "http/socket.h"

namespace ads::http {

namespace {

constexpr size_t kIoChunk = 64 * 1024;

// Connects with a deadline: a non-blocking connect, then poll.
Result<int> ConnectTo(const addrinfo& a, std::chrono::milliseconds timeout) {
  const int fd = ::socket(a.ai_family, a.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a.ai_protocol);
  if (fd < 0) return IoError(std::string("socket failed: ") + std::strerror(errno));
  if (::connect(fd, a.ai_addr, a.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return UnavailableError(why);
    }
    pollfd p{fd, POLLOUT, 0};
    int r;
    while ((r = ::poll(&p, 1, static_cast<int>(timeout.count()))) < 0 && errno == EINTR) {
    }
    if (r == 0) {
      ::close(fd);
      return UnavailableError("timed out connecting");
    }
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (r < 0 || err != 0) {
      const std::string why = std::strerror(r < 0 ? errno : err);
      ::close(fd);
      return UnavailableError(why);
    }
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

bool MethodHasBody(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

std::string_view ClientResponse::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

Client::Client(ClientOptions options) : options_(std::move(options)) {}

Client::~Client() = default;

void Client::Close() { stream_.reset(); }

Status Client::Connect() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options_.port);
  const std::string where = options_.host + ":" + port;
  const int gai = ::getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &found);
  if (gai != 0) {
    return UnavailableError("cannot resolve " + Quoted(where) + ": " + ::gai_strerror(gai));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addrs(found, &::freeaddrinfo);
  std::string last = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    Result<int> fd = ConnectTo(*a, options_.connect_timeout);
    if (fd.ok()) {
      internal::SetSocketOptions(*fd, options_.read_timeout);
      stream_ = std::make_unique<internal::Stream>(*fd);
      return OkStatus();
    }
    last = fd.status().message();
  }
  return UnavailableError("cannot connect to " + where + ": " + last);
}

Result<ClientResponse> Client::Send(const ClientRequest& request) {
  bool reused = stream_ != nullptr;
  // A readable idle connection means the server closed it (or sent
  // something unasked): either way it cannot carry this request.
  if (reused && stream_->Readable()) {
    Close();
    reused = false;
  }
  bool started = false;
  Result<ClientResponse> r = SendOnce(request, &started);
  if (!r.ok() && reused && !started && !request.body_source) {
    Close();
    r = SendOnce(request, &started);
  }
  if (!r.ok()) Close();
  return r;
}

Result<ClientResponse> Client::SendOnce(const ClientRequest& request, bool* response_started) {
  if (!stream_) ADS_RETURN_IF_ERROR(Connect());
  const bool streamed = static_cast<bool>(request.body_source);
  const uint64_t length = streamed ? request.body_length : request.body.size();

  std::string head;
  head.reserve(256);
  head.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
  for (const auto& [name, value] : request.headers) {
    if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding")) {
      continue;
    }
    if (name.find_first_of("\r\n") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgumentError("header " + Quoted(name) + " contains CR or LF");
    }
    head.append(name).append(": ").append(value).append("\r\n");
  }
  if (request.headers.find("host") == request.headers.end()) {
    const bool ipv6 = options_.host.find(':') != std::string::npos;
    head.append("host: ").append(ipv6 ? "[" + options_.host + "]" : options_.host);
    head.append(":").append(std::to_string(options_.port));
    head.append("\r\n");
  }
  if (length > 0 || streamed || MethodHasBody(request.method)) {
    head.append("content-length: ").append(std::to_string(length)).append("\r\n");
  }
  head.append("\r\n");

  if (!streamed) {
    ADS_RETURN_IF_ERROR(stream_->WriteAll(head, request.body));
  } else {
    ADS_RETURN_IF_ERROR(stream_->WriteAll(head));
    std::vector<char> buf(static_cast<size_t>(std::min<uint64_t>(kIoChunk, length)));
    uint64_t left = length;
    while (left > 0) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
      ADS_ASSIGN_OR_RETURN(size_t n, request.body_source(buf.data(), want));
      if (n == 0 || n > want) {
        return InvalidArgumentError("the request body source ended " + std::to_string(left) +
                                    " bytes before its declared length");
      }
      ADS_RETURN_IF_ERROR(stream_->WriteAll(std::string_view(buf.data(), n)));
      left -= n;
    }
  }

  const ParseLimits limits{options_.header_limit, options_.header_limit, 1000};
  ResponseHead parsed;
  while (true) {
    size_t consumed = 0;
    size_t scanned = 0;
    while (true) {
      std::string_view buffered = stream_->buffered();
      if (!buffered.empty()) {
        *response_started = true;
        ParseError error;
        const HeadStatus st =
            ParseResponseHead(buffered, limits, scanned, &parsed, &consumed, &error);
        if (st == HeadStatus::kComplete) break;
        if (st == HeadStatus::kError) {
          return IoError("bad response from " + options_.host + ": " + error.message);
        }
        scanned = buffered.size();
      }
      ADS_ASSIGN_OR_RETURN(size_t n, stream_->Fill(options_.read_timeout,
                                                    options_.header_limit + 4096,
                                                    /*wait_first=*/buffered.empty()));
      if (n == 0) {
        return UnavailableError("the server closed the connection before answering");
      }
    }
    stream_->Consume(consumed);
    // Interim answers (100 Continue) precede the real one.
    if (parsed.status >= 200 || parsed.status == 101) break;
  }

  ClientResponse response;
  response.status = parsed.status;
  response.reason = std::move(parsed.reason);
  response.headers = std::move(parsed.headers);
  const bool no_body = request.method == "HEAD" || parsed.status == 204 || parsed.status == 304;
  bool reusable = parsed.keep_alive;
  if (!no_body) {
    const bool until_close = !parsed.chunked && !parsed.content_length;
    ADS_RETURN_IF_ERROR(ReadBody(request, parsed.chunked, parsed.content_length, until_close,
                                 &response, &reusable));
    if (until_close) reusable = false;
  }
  if (!reusable) Close();
  return response;
}

Status Client::ReadBody(const ClientRequest& request, bool chunked,
                        std::optional<uint64_t> length, bool until_close,
                        ClientResponse* response, bool* reusable) {
  const bool to_sink = request.sink && response->status >= 200 && response->status < 300;
  auto deliver = [&](std::string_view piece) -> Status {
    if (to_sink) return request.sink(piece);
    response->body.append(piece);
    return OkStatus();
  };
  std::vector<char> buf(kIoChunk);
  const auto timeout = options_.read_timeout;
  if (chunked) {
    ChunkedDecoder decoder;
    while (!decoder.done()) {
      std::string_view in = stream_->buffered();
      if (in.empty()) {
        ADS_ASSIGN_OR_RETURN(size_t n, stream_->Fill(timeout));
        if (n == 0) return IoError("the server closed the connection inside a chunked body");
        continue;
      }
      ADS_ASSIGN_OR_RETURN(ChunkedDecoder::Step step, decoder.Decode(in, buf.data(), buf.size()));
      stream_->Consume(step.consumed);
      if (step.produced > 0) ADS_RETURN_IF_ERROR(deliver({buf.data(), step.produced}));
    }
    return OkStatus();
  }
  if (!to_sink && length) response->body.reserve(static_cast<size_t>(std::min<uint64_t>(*length, 1 << 26)));
  uint64_t left = length.value_or(UINT64_MAX);
  while (left > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
    ADS_ASSIGN_OR_RETURN(size_t n, stream_->Read(buf.data(), want, timeout));
    if (n == 0) {
      if (until_close) break;
      *reusable = false;
      return IoError("the server closed the connection " + std::to_string(left) +
                     " bytes before the end of the body");
    }
    ADS_RETURN_IF_ERROR(deliver({buf.data(), n}));
    left -= n;
  }
  return OkStatus();
}

Result<Url> ParseUrl(std::string_view url) {
  Url out;
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return InvalidArgumentError("not an http URL: " + Quoted(url));
  }
  out.scheme = ToLower(url.substr(0, sep));
  if (out.scheme == "https") {
    return UnimplementedError("https is not supported by the ads HTTP client: " + Quoted(url));
  }
  if (out.scheme != "http") return InvalidArgumentError("not an http URL: " + Quoted(url));
  std::string_view rest = url.substr(sep + 3);
  const size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? "" : rest.substr(end);
  if (const size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("URLs with user information are not supported: " + Quoted(url));
  }
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("bad IPv6 host in " + Quoted(url));
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return InvalidArgumentError("bad host in " + Quoted(url));
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return InvalidArgumentError("no host in " + Quoted(url));
  if (!port_text.empty()) {
    int port = 0;
    for (const char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) return InvalidArgumentError("bad port in " + Quoted(url));
      port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) return InvalidArgumentError("bad port in " + Quoted(url));
    out.port = port;
  }
  out.target = target.empty() ? "/" : (target[0] == '?' ? "/" + std::string(target) : std::string(target));
  return out;
}

}  // namespace ads::http
