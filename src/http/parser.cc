#include "http/parser.h"

#include <algorithm>
#include <cstring>

namespace ads::http {

bool IsTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= '0' && u <= '9') return true;
  if ((u | 0x20) >= 'a' && (u | 0x20) <= 'z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

namespace {

constexpr size_t kNpos = std::string_view::npos;
// More leading empty lines than this is not a client being sloppy.
constexpr size_t kMaxLeadingEmptyLines = 8;

HeadStatus Fail(ParseError* error, int status, std::string message) {
  error->status = status;
  error->message = std::move(message);
  return HeadStatus::kError;
}

// Skips the empty lines RFC 9112 lets a server ignore before a request line.
size_t SkipLeadingEmptyLines(std::string_view buf) {
  size_t pos = 0;
  size_t lines = 0;
  while (pos < buf.size() && lines <= kMaxLeadingEmptyLines) {
    if (buf[pos] == '\n') {
      ++pos;
      ++lines;
    } else if (buf[pos] == '\r' && pos + 1 < buf.size() && buf[pos + 1] == '\n') {
      pos += 2;
      ++lines;
    } else {
      break;
    }
  }
  return pos;
}

// The index just past the empty line that ends the head, or kNpos.
size_t FindHeadEnd(std::string_view buf, size_t from) {
  size_t i = from;
  while ((i = buf.find('\n', i)) != kNpos) {
    if (i + 1 < buf.size() && buf[i + 1] == '\n') return i + 2;
    if (i + 2 < buf.size() && buf[i + 1] == '\r' && buf[i + 2] == '\n') return i + 3;
    ++i;
  }
  return kNpos;
}

// Calls `line(text)` for every line of the head (CR stripped), the first
// line included, and stops at the empty line. False when a line holds a
// bare CR.
template <typename F>
bool ForEachLine(std::string_view head, F&& line) {
  size_t pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    if (nl == kNpos) nl = head.size();
    std::string_view text = head.substr(pos, nl - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find('\r') != kNpos) return false;
    if (text.empty()) return true;
    if (!line(text)) return true;
    pos = nl + 1;
  }
  return true;
}

// Common head checks: where it ends, the first-line and head limits.
HeadStatus LocateHead(std::string_view buf, const ParseLimits& limits, size_t scan_from,
                      size_t start, size_t* end, ParseError* error) {
  const size_t from = std::max(start, scan_from >= 2 ? scan_from - 2 : 0);
  *end = FindHeadEnd(buf, from);
  const size_t first_nl = buf.find('\n', start);
  const size_t first_line = (first_nl == kNpos ? buf.size() : first_nl) - start;
  if (first_line > limits.request_line_limit) {
    return Fail(error, 414,
                "the request line is longer than " + std::to_string(limits.request_line_limit) +
                    " bytes");
  }
  const size_t head_size = (*end == kNpos ? buf.size() : *end) - start;
  if (head_size > limits.header_limit) {
    return Fail(error, 431,
                "the request head is larger than " + std::to_string(limits.header_limit) +
                    " bytes");
  }
  return *end == kNpos ? HeadStatus::kIncomplete : HeadStatus::kComplete;
}

// Reads the header lines after the first one into `headers`.
HeadStatus ParseHeaderLines(std::string_view head, const ParseLimits& limits, HeaderMap* headers,
                            ParseError* error) {
  size_t count = 0;
  bool first = true;
  std::string problem;
  int problem_status = 400;
  const bool clean = ForEachLine(head, [&](std::string_view line) {
    if (first) {
      first = false;
      return true;
    }
    if (++count > limits.max_headers) {
      problem_status = 431;
      problem = "more than " + std::to_string(limits.max_headers) + " header fields";
      return false;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      problem = "obsolete line folding in the header fields";
      return false;
    }
    const size_t colon = line.find(':');
    if (colon == kNpos || colon == 0) {
      problem = "a header line without a field name and colon";
      return false;
    }
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTokenChar)) {
      problem = "an invalid header field name " + Quoted(name.substr(0, 64));
      return false;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    for (const char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) {
        problem = "a control character in header field " + Quoted(name);
        return false;
      }
    }
    auto [it, inserted] = headers->try_emplace(std::string(name), value);
    if (!inserted) {
      it->second.append(", ");
      it->second.append(value);
    }
    return true;
  });
  if (!clean) problem = "a bare CR in the message head";
  if (!problem.empty()) return Fail(error, problem_status, problem);
  return HeadStatus::kComplete;
}

bool HasToken(std::string_view list, std::string_view token) {
  for (const std::string& part : Split(list, ',')) {
    if (EqualsIgnoreCase(Trim(part), token)) return true;
  }
  return false;
}

// Parses Content-Length (a list of equal values when the header repeated).
bool ParseContentLength(std::string_view text, uint64_t* out) {
  bool have = false;
  for (const std::string& part : Split(text, ',')) {
    std::string_view digits = Trim(part);
    if (digits.empty() || digits.size() > 18) return false;
    uint64_t value = 0;
    for (const char c : digits) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    if (have && value != *out) return false;
    *out = value;
    have = true;
  }
  return have;
}

// "HTTP/1.x" -> x; -1 for another well-formed version, -2 for garbage.
int ParseVersion(std::string_view text) {
  if (text.size() != 8 || text.substr(0, 5) != "HTTP/" || text[6] != '.' || text[5] < '0' ||
      text[5] > '9' || text[7] < '0' || text[7] > '9') {
    return -2;
  }
  if (text[5] != '1' || (text[7] != '0' && text[7] != '1')) return -1;
  return text[7] - '0';
}

// Body framing shared by requests and responses.
HeadStatus ParseFraming(const HeaderMap& headers, int minor_version, bool is_request,
                        std::optional<uint64_t>* content_length, bool* chunked, bool* keep_alive,
                        ParseError* error) {
  auto te = headers.find("transfer-encoding");
  auto cl = headers.find("content-length");
  if (te != headers.end()) {
    if (is_request && cl != headers.end()) {
      return Fail(error, 400, "both Content-Length and Transfer-Encoding are present");
    }
    if (is_request && minor_version == 0) {
      return Fail(error, 400, "Transfer-Encoding in an HTTP/1.0 request");
    }
    if (!EqualsIgnoreCase(Trim(te->second), "chunked")) {
      return Fail(error, 501, "unsupported Transfer-Encoding " + Quoted(te->second));
    }
    *chunked = true;
  } else if (cl != headers.end()) {
    uint64_t value = 0;
    if (!ParseContentLength(cl->second, &value)) {
      return Fail(error, 400, "invalid Content-Length " + Quoted(cl->second.substr(0, 64)));
    }
    *content_length = value;
  }
  auto conn = headers.find("connection");
  const std::string_view connection = conn == headers.end() ? "" : std::string_view(conn->second);
  *keep_alive = minor_version >= 1 ? !HasToken(connection, "close")
                                   : HasToken(connection, "keep-alive");
  return HeadStatus::kComplete;
}

// Splits the request target into path and query; absolute-form targets
// ("http://host/path") keep only their path.
bool SplitTarget(RequestHead* head) {
  std::string_view target = head->target;
  if (target == "*") {
    head->path = "*";
    return true;
  }
  if (target.size() > 7 && (EqualsIgnoreCase(target.substr(0, 7), "http://") ||
                            EqualsIgnoreCase(target.substr(0, 8), "https://"))) {
    const size_t slash = target.find('/', target.find("//") + 2);
    head->target = slash == kNpos ? "/" : std::string(target.substr(slash));
    target = head->target;
  }
  if (target.empty() || target[0] != '/') return false;
  const size_t q = target.find('?');
  head->path = std::string(target.substr(0, q));
  head->query = q == kNpos ? "" : std::string(target.substr(q + 1));
  return true;
}

}  // namespace

HeadStatus ParseRequestHead(std::string_view buf, const ParseLimits& limits, size_t scan_from,
                            RequestHead* head, size_t* consumed, ParseError* error) {
  const size_t start = SkipLeadingEmptyLines(buf);
  size_t end = 0;
  const HeadStatus located = LocateHead(buf, limits, scan_from, start, &end, error);
  if (located != HeadStatus::kComplete) return located;
  std::string_view text = buf.substr(start, end - start);

  *head = RequestHead();
  const size_t nl = text.find('\n');
  std::string_view line = text.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == kNpos ? kNpos : line.find(' ', sp1 + 1);
  if (sp1 == kNpos || sp2 == kNpos || line.find(' ', sp2 + 1) != kNpos || sp1 == 0 ||
      sp2 == sp1 + 1) {
    return Fail(error, 400, "a malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const int minor = ParseVersion(line.substr(sp2 + 1));
  if (!std::all_of(method.begin(), method.end(), IsTokenChar)) {
    return Fail(error, 400, "an invalid request method");
  }
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return Fail(error, 400, "a control character in the request target");
  }
  if (minor == -2) return Fail(error, 400, "a malformed HTTP version in the request line");
  if (minor == -1) return Fail(error, 505, "only HTTP/1.0 and HTTP/1.1 are supported");
  head->method = std::string(method);
  head->target = std::string(target);
  head->minor_version = minor;
  if (!SplitTarget(head)) return Fail(error, 400, "the request target is not a path");

  if (ParseHeaderLines(text, limits, &head->headers, error) == HeadStatus::kError) {
    return HeadStatus::kError;
  }
  if (ParseFraming(head->headers, minor, /*is_request=*/true, &head->content_length,
                   &head->chunked, &head->keep_alive, error) == HeadStatus::kError) {
    return HeadStatus::kError;
  }
  auto expect = head->headers.find("expect");
  if (expect != head->headers.end()) {
    if (!EqualsIgnoreCase(Trim(expect->second), "100-continue")) {
      return Fail(error, 417, "unsupported expectation " + Quoted(expect->second.substr(0, 64)));
    }
    head->expect_continue = minor >= 1;
  }
  *consumed = end;
  return HeadStatus::kComplete;
}

HeadStatus ParseResponseHead(std::string_view buf, const ParseLimits& limits, size_t scan_from,
                             ResponseHead* head, size_t* consumed, ParseError* error) {
  size_t end = 0;
  const HeadStatus located = LocateHead(buf, limits, scan_from, 0, &end, error);
  if (located != HeadStatus::kComplete) return located;
  std::string_view text = buf.substr(0, end);

  *head = ResponseHead();
  std::string_view line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // "HTTP/1.1 200 OK" (the reason may be empty, even without its space).
  if (line.size() < 12 || line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) {
    return Fail(error, 400, "a malformed status line");
  }
  const int minor = ParseVersion(line.substr(0, 8));
  if (minor < 0) return Fail(error, 400, "a malformed HTTP version in the status line");
  int status = 0;
  for (const char c : line.substr(9, 3)) {
    if (c < '0' || c > '9') return Fail(error, 400, "a malformed status code");
    status = status * 10 + (c - '0');
  }
  if (status < 100) return Fail(error, 400, "a malformed status code");
  head->minor_version = minor;
  head->status = status;
  head->reason = line.size() > 13 ? std::string(line.substr(13)) : "";
  if (ParseHeaderLines(text, limits, &head->headers, error) == HeadStatus::kError) {
    return HeadStatus::kError;
  }
  if (ParseFraming(head->headers, minor, /*is_request=*/false, &head->content_length,
                   &head->chunked, &head->keep_alive, error) == HeadStatus::kError) {
    return HeadStatus::kError;
  }
  *consumed = end;
  return HeadStatus::kComplete;
}

Status ChunkedDecoder::EndSizeLine() {
  if (size_digits_ == 0) return InvalidArgumentError("a chunk size line without a size");
  remaining_ = size_;
  state_ = size_ == 0 ? State::kTrailerStart : State::kData;
  return OkStatus();
}

Result<ChunkedDecoder::Step> ChunkedDecoder::Decode(std::string_view in, char* out,
                                                    size_t out_size) {
  Step step;
  size_t& i = step.consumed;
  while (i < in.size() && state_ != State::kDone) {
    const char c = in[i];
    switch (state_) {
      case State::kSize: {
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') digit = (c | 0x20) - 'a' + 10;
        if (digit >= 0) {
          if (size_digits_ >= 15) return InvalidArgumentError("a chunk size is too large");
          size_ = size_ * 16 + static_cast<uint64_t>(digit);
          ++size_digits_;
        } else if (c == ';' || c == ' ' || c == '\t') {
          state_ = State::kExtension;
          line_bytes_ = 0;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (c == '\n') {
          ADS_RETURN_IF_ERROR(EndSizeLine());
        } else {
          return InvalidArgumentError("an invalid character in a chunk size");
        }
        ++i;
        break;
      }
      case State::kExtension:
        if (c == '\n') {
          ADS_RETURN_IF_ERROR(EndSizeLine());
        } else if (++line_bytes_ > line_limit_) {
          return InvalidArgumentError("a chunk extension is too long");
        }
        ++i;
        break;
      case State::kSizeLf:
        if (c != '\n') return InvalidArgumentError("a chunk size line without LF after CR");
        ADS_RETURN_IF_ERROR(EndSizeLine());
        ++i;
        break;
      case State::kData: {
        if (step.produced == out_size) return step;
        const size_t n = static_cast<size_t>(
            std::min<uint64_t>({remaining_, in.size() - i, out_size - step.produced}));
        std::memcpy(out + step.produced, in.data() + i, n);
        step.produced += n;
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
      case State::kDataLf:
        if (c == '\r' && state_ == State::kDataCr) {
          state_ = State::kDataLf;
        } else if (c == '\n') {
          state_ = State::kSize;
          size_ = 0;
          size_digits_ = 0;
        } else {
          return InvalidArgumentError("chunk data not followed by CRLF");
        }
        ++i;
        break;
      case State::kTrailerStart:
      case State::kTrailerLine:
      case State::kTrailerEndLf:
        if (++trailer_bytes_ > trailer_limit_) {
          return InvalidArgumentError("the chunked trailer is too long");
        }
        if (state_ == State::kTrailerEndLf) {
          if (c != '\n') return InvalidArgumentError("the chunked body does not end in CRLF");
          state_ = State::kDone;
        } else if (state_ == State::kTrailerStart) {
          if (c == '\n') state_ = State::kDone;
          else if (c == '\r') state_ = State::kTrailerEndLf;
          else state_ = State::kTrailerLine;
        } else if (c == '\n') {
          state_ = State::kTrailerStart;
        }
        ++i;
        break;
      case State::kDone:
        break;
    }
  }
  return step;
}

}  // namespace ads::http
