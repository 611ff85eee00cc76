// libFuzzer target for the HTTP request parser: the bytes are what a client
// sent on a connection. They go through ParseRequestHead as the server
// feeds it (growing prefixes, so incremental scanning is exercised), then
// the body framing the head declares: the chunked decoder with a small
// output buffer, or a Content-Length slice. The first few bytes also pick
// the limits. Any error is fine; a crash, sanitizer report or hang is a bug.
//
//   fuzz/build.sh && build-fuzz/http_request_fuzzer -max_total_time=120 build-fuzz/http_corpus
//
// Thread-safety: libFuzzer calls the entry point from one thread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"
#include "http/parser.h"

namespace {

using ads::http::ChunkedDecoder;
using ads::http::HeadStatus;
using ads::http::ParseError;
using ads::http::ParseLimits;
using ads::http::RequestHead;

void DecodeBody(std::string_view rest, const RequestHead& head, size_t piece) {
  if (head.chunked) {
    ChunkedDecoder decoder(64, 256);
    char out[7];
    size_t pos = 0;
    while (!decoder.done() && pos < rest.size()) {
      auto step = decoder.Decode(rest.substr(pos, piece), out, sizeof(out));
      if (!step.ok()) return;
      if (step->consumed == 0 && step->produced == 0) return;  // must not happen: a hang
      pos += step->consumed;
    }
    return;
  }
  const uint64_t length = head.content_length.value_or(0);
  (void)rest.substr(0, static_cast<size_t>(std::min<uint64_t>(length, rest.size())));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  ParseLimits limits;
  limits.request_line_limit = 16 + data[0] * 4;
  limits.header_limit = 64 + data[0] * 16;
  limits.max_headers = 1 + data[1] % 16;
  const size_t piece = 1 + data[1] % 13;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);

  // As a server sees it: the head arrives in pieces.
  RequestHead head;
  size_t consumed = 0;
  size_t scanned = 0;
  HeadStatus status = HeadStatus::kIncomplete;
  for (size_t end = piece; status == HeadStatus::kIncomplete; end += piece) {
    const std::string_view prefix = bytes.substr(0, std::min(end, bytes.size()));
    ParseError error;
    status = ads::http::ParseRequestHead(prefix, limits, scanned, &head, &consumed, &error);
    scanned = prefix.size();
    if (status == HeadStatus::kError && (error.status < 400 || error.message.empty())) {
      __builtin_trap();  // every refusal names a 4xx/5xx and a reason
    }
    if (end >= bytes.size()) break;
  }
  if (status != HeadStatus::kComplete) return 0;
  if (consumed > bytes.size()) __builtin_trap();
  // The incremental answer must match a one-shot parse of the same bytes.
  RequestHead again;
  size_t consumed_again = 0;
  ParseError error;
  if (ads::http::ParseRequestHead(bytes.substr(0, consumed), limits, 0, &again, &consumed_again,
                                  &error) != HeadStatus::kComplete ||
      consumed_again != consumed || again.target != head.target) {
    __builtin_trap();
  }
  ads::http::Request req;
  req.query = head.query;
  (void)req.QueryParam("limit");
  (void)ads::http::PercentDecode(head.path);
  DecodeBody(bytes.substr(consumed), head, piece);
  return 0;
}
