// HTTP/1.1 message-head parsing and chunked decoding over plain buffers, with
// no sockets involved: the server and the client feed them what they read,
// and the fuzzer feeds them arbitrary bytes.
//
//   RequestHead head;
//   size_t consumed = 0;
//   ParseError error;
//   switch (ParseRequestHead(buffer, limits, 0, &head, &consumed, &error)) {
//     case HeadStatus::kIncomplete: ...read more...
//     case HeadStatus::kError: ...answer error.status, close...
//     case HeadStatus::kComplete: ...the body starts at buffer[consumed]...
//   }
//
// What is accepted (RFC 9112, strictly where ambiguity could smuggle a
// request): HTTP/1.0 and 1.1; lines end in CRLF or a bare LF; empty lines
// before a request line are skipped; header names are tokens with no space
// before the colon; no obsolete line folding; control characters other than
// tab are refused in values; repeated headers are joined with ", ";
// Content-Length must be digits (repeats must agree); Transfer-Encoding must
// be exactly "chunked" and may not come with Content-Length.
//
// Thread-safety: functions over values; a ChunkedDecoder belongs to one
// thread.
#ifndef ADS_HTTP_PARSER_H_
#define ADS_HTTP_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/strings.h"

namespace ads::http {

struct ParseLimits {
  size_t request_line_limit = 8 * 1024;  // the request (or status) line
  size_t header_limit = 64 * 1024;       // the whole head, request line included
  size_t max_headers = 100;
};

// Why a head was refused, with the status a server answers with (400, 414,
// 431, 417, 501, 505).
struct ParseError {
  int status = 400;
  std::string message;
};

struct RequestHead {
  std::string method;
  std::string target;  // as sent (an absolute-form target keeps only its path)
  std::string path;
  std::string query;
  int minor_version = 1;  // HTTP/1.<minor>
  HeaderMap headers;
  std::optional<uint64_t> content_length;
  bool chunked = false;
  bool keep_alive = true;
  bool expect_continue = false;
};

struct ResponseHead {
  int minor_version = 1;
  int status = 0;
  std::string reason;
  HeaderMap headers;
  std::optional<uint64_t> content_length;
  bool chunked = false;
  bool keep_alive = true;
};

enum class HeadStatus { kIncomplete, kComplete, kError };

// Parses the request head at the start of `buf`. `scan_from` is how many
// bytes of `buf` an earlier kIncomplete call already saw (so a head trickling
// in is scanned once, not once per read). On kComplete, `*consumed` is the
// size of the head (the body starts there).
HeadStatus ParseRequestHead(std::string_view buf, const ParseLimits& limits, size_t scan_from,
                            RequestHead* head, size_t* consumed, ParseError* error);
HeadStatus ParseResponseHead(std::string_view buf, const ParseLimits& limits, size_t scan_from,
                             ResponseHead* head, size_t* consumed, ParseError* error);

// Decodes a chunked body incrementally: any split of the input gives the
// same output. Chunk extensions are skipped; trailers are read and dropped.
class ChunkedDecoder {
 public:
  struct Step {
    size_t consumed = 0;  // input bytes used
    size_t produced = 0;  // body bytes written to `out`
  };
  // Limits the size-line extensions and the trailer section.
  explicit ChunkedDecoder(size_t line_limit = 4096, size_t trailer_limit = 64 * 1024)
      : line_limit_(line_limit), trailer_limit_(trailer_limit) {}

  // Consumes `in` until it is used up, `out` is full or the body ends.
  // InvalidArgument on malformed framing.
  Result<Step> Decode(std::string_view in, char* out, size_t out_size);
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State {
    kSize,        // hex digits of a chunk size
    kExtension,   // after ';' up to the end of the line
    kSizeLf,      // after CR of the size line
    kData,        // chunk bytes
    kDataCr,      // the CRLF after chunk data
    kDataLf,
    kTrailerStart,  // the start of a trailer line (or the final empty line)
    kTrailerLine,
    kTrailerEndLf,
    kDone,
  };
  Status EndSizeLine();

  State state_ = State::kSize;
  uint64_t size_ = 0;        // the chunk size being read
  int size_digits_ = 0;
  uint64_t remaining_ = 0;   // data bytes left in the current chunk
  size_t line_bytes_ = 0;    // extension bytes on the size line
  size_t trailer_bytes_ = 0;
  size_t line_limit_;
  size_t trailer_limit_;
};

// True for RFC 9110 token characters (method and header names).
bool IsTokenChar(char c);

}  // namespace ads::http

#endif  // ADS_HTTP_PARSER_H_
