#include "http/message.h"

#include <algorithm>
#include <cstring>

namespace ads::http {

Result<std::string> BodyReader::ReadAll(uint64_t limit) {
  std::string out;
  if (auto declared = declared_length()) {
    if (*declared > limit) {
      return OutOfRangeError("the request body has " + std::to_string(*declared) +
                             " bytes, more than the limit of " + std::to_string(limit));
    }
    out.reserve(static_cast<size_t>(*declared));
  }
  char buf[16384];
  while (true) {
    ADS_ASSIGN_OR_RETURN(size_t n, Read(buf, sizeof(buf)));
    if (n == 0) break;
    if (out.size() + n > limit) {
      return OutOfRangeError("the request body is larger than the limit of " +
                             std::to_string(limit) + " bytes");
    }
    out.append(buf, n);
  }
  return out;
}

Result<size_t> StringBodyReader::Read(char* buf, size_t n) {
  const size_t take = std::min(n, body_.size() - pos_);
  if (take > 0) std::memcpy(buf, body_.data() + pos_, take);
  pos_ += take;
  return take;
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (QueryDecode(key) == name) return QueryDecode(value);
  }
  return std::nullopt;
}

void Response::SetJson(int code, std::string json) {
  status = code;
  headers["content-type"] = "application/json";
  body = std::move(json);
  body_source = nullptr;
  body_length = 0;
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; a malformed escape is an error when `strict`, else
// kept literally.
bool Decode(std::string_view text, bool plus_is_space, bool strict, std::string* out) {
  out->clear();
  out->reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int hi = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        if (strict) return false;
        out->push_back(c);
        continue;
      }
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  if (!Decode(text, /*plus_is_space=*/false, /*strict=*/true, &out)) {
    return InvalidArgumentError("malformed percent-encoding in " + Quoted(text));
  }
  return out;
}

std::string QueryDecode(std::string_view text) {
  std::string out;
  Decode(text, /*plus_is_space=*/true, /*strict=*/false, &out);
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

}  // namespace ads::http
