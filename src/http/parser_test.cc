// The head parser, the chunked decoder and the message helpers, on buffers.
#include "http/parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "http/message.h"

namespace ads::http {
namespace {

using ::testing::HasSubstr;

struct Parsed {
  HeadStatus status;
  RequestHead head;
  size_t consumed = 0;
  ParseError error;
};

Parsed Parse(std::string_view text, const ParseLimits& limits = {}) {
  Parsed p;
  p.status = ParseRequestHead(text, limits, 0, &p.head, &p.consumed, &p.error);
  return p;
}

TEST(ParserTest, ParsesARequestHead) {
  const std::string text =
      "POST /20190101/models?limit=10&page=a%2Fb HTTP/1.1\r\nHost: x\r\n"
      "Content-Length: 5\r\nX-A: 1\r\nx-a:  2 \r\n\r\nhello";
  Parsed p = Parse(text);
  ASSERT_EQ(p.status, HeadStatus::kComplete) << p.error.message;
  EXPECT_EQ(p.head.method, "POST");
  EXPECT_EQ(p.head.target, "/20190101/models?limit=10&page=a%2Fb");
  EXPECT_EQ(p.head.path, "/20190101/models");
  EXPECT_EQ(p.head.query, "limit=10&page=a%2Fb");
  EXPECT_EQ(p.head.headers["x-a"], "1, 2");
  EXPECT_EQ(p.head.content_length, 5u);
  EXPECT_TRUE(p.head.keep_alive);
  EXPECT_EQ(text.substr(p.consumed), "hello");
}

TEST(ParserTest, IncompleteUntilTheEmptyLine) {
  const std::string text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t i = 0; i < text.size(); ++i) {
    EXPECT_EQ(Parse(text.substr(0, i)).status, HeadStatus::kIncomplete) << i;
  }
  EXPECT_EQ(Parse(text).status, HeadStatus::kComplete);
  // Bare LF line ends and leading empty lines are tolerated.
  Parsed lf = Parse("\r\n\nGET /a HTTP/1.0\nConnection: keep-alive\n\n");
  ASSERT_EQ(lf.status, HeadStatus::kComplete);
  EXPECT_EQ(lf.head.path, "/a");
  EXPECT_EQ(lf.head.minor_version, 0);
  EXPECT_TRUE(lf.head.keep_alive);
  EXPECT_FALSE(Parse("GET / HTTP/1.0\r\n\r\n").head.keep_alive);
  EXPECT_FALSE(Parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").head.keep_alive);
}

TEST(ParserTest, AbsoluteFormKeepsThePath) {
  Parsed p = Parse("GET http://example.com:8080/a/b?c=d HTTP/1.1\r\n\r\n");
  ASSERT_EQ(p.status, HeadStatus::kComplete);
  EXPECT_EQ(p.head.target, "/a/b?c=d");
  EXPECT_EQ(p.head.path, "/a/b");
}

TEST(ParserTest, RefusesMalformedHeads) {
  struct Case {
    std::string text;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"GARBAGE\r\n\r\n", 400, "request line"},
      {"GET  / HTTP/1.1\r\n\r\n", 400, "request line"},
      {"GET / HTTP/1.1 x\r\n\r\n", 400, "request line"},
      {"G(T / HTTP/1.1\r\n\r\n", 400, "method"},
      {"GET / HTTP/2.0\r\n\r\n", 505, "HTTP/1.0"},
      {"GET / HTTX/1.1\r\n\r\n", 400, "version"},
      {"GET x HTTP/1.1\r\n\r\n", 400, "target"},
      {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400, "field name"},
      {"GET / HTTP/1.1\r\nName : x\r\n\r\n", 400, "field name"},
      {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400, "colon"},
      {"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400, "folding"},
      {"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 400, "control"},
      {"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400, "CR"},
      {"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "Transfer-Encoding"},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0"},
      {"POST / HTTP/1.1\r\nExpect: magic\r\n\r\n", 417, "expectation"},
  };
  for (const Case& c : cases) {
    Parsed p = Parse(c.text);
    EXPECT_EQ(p.status, HeadStatus::kError) << c.text;
    EXPECT_EQ(p.error.status, c.status) << c.text;
    EXPECT_THAT(p.error.message, HasSubstr(c.message)) << c.text;
  }
  // Repeats of an equal Content-Length are one length.
  EXPECT_EQ(Parse("POST / HTTP/1.1\r\nContent-Length: 4\r\ncontent-length: 4\r\n\r\n")
                .head.content_length,
            4u);
}

TEST(ParserTest, EnforcesLimits) {
  ParseLimits limits;
  limits.request_line_limit = 100;
  limits.header_limit = 1000;
  limits.max_headers = 5;
  // Refused as soon as the limit is passed, before the head is complete.
  Parsed line = Parse("GET /" + std::string(200, 'a'), limits);
  EXPECT_EQ(line.status, HeadStatus::kError);
  EXPECT_EQ(line.error.status, 414);
  Parsed big = Parse("GET / HTTP/1.1\r\nA: " + std::string(2000, 'b'), limits);
  EXPECT_EQ(big.status, HeadStatus::kError);
  EXPECT_EQ(big.error.status, 431);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 6; ++i) many += "H" + std::to_string(i) + ": v\r\n";
  Parsed count = Parse(many + "\r\n", limits);
  EXPECT_EQ(count.status, HeadStatus::kError);
  EXPECT_EQ(count.error.status, 431);
}

TEST(ParserTest, ParsesResponseHeads) {
  ResponseHead head;
  size_t consumed = 0;
  ParseError error;
  const std::string text = "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}";
  ASSERT_EQ(ParseResponseHead(text, {}, 0, &head, &consumed, &error), HeadStatus::kComplete);
  EXPECT_EQ(head.status, 404);
  EXPECT_EQ(head.reason, "Not Found");
  EXPECT_EQ(head.content_length, 2u);
  EXPECT_EQ(ParseResponseHead("HTTP/1.1 200\r\n\r\n", {}, 0, &head, &consumed, &error),
            HeadStatus::kComplete);
  EXPECT_EQ(ParseResponseHead("HTTP/1.1 2x0 OK\r\n\r\n", {}, 0, &head, &consumed, &error),
            HeadStatus::kError);
}

// Decodes `in` fed in pieces of `piece` bytes into an output of `out_size`.
Result<std::string> DecodeInPieces(std::string_view in, size_t piece, size_t out_size,
                                   size_t* leftover = nullptr) {
  ChunkedDecoder decoder;
  std::string out;
  std::string buf(out_size, '\0');
  size_t pos = 0;
  while (!decoder.done() && pos < in.size()) {
    std::string_view window = in.substr(pos, piece);
    ADS_ASSIGN_OR_RETURN(ChunkedDecoder::Step step, decoder.Decode(window, buf.data(), buf.size()));
    out.append(buf.data(), step.produced);
    pos += step.consumed;
  }
  if (!decoder.done()) return InvalidArgumentError("incomplete");
  if (leftover) *leftover = in.size() - pos;
  return out;
}

TEST(ParserTest, ChunkedDecodingIgnoresHowTheInputIsSplit) {
  const std::string body =
      "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  for (size_t piece : {1, 2, 3, 7, 100}) {
    for (size_t out : {1, 4, 64}) {
      size_t leftover = 0;
      Result<std::string> r = DecodeInPieces(body, piece, out, &leftover);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(*r, "hello 0123456789");
      EXPECT_EQ(leftover, 4u);  // "NEXT" belongs to the next request
    }
  }
}

TEST(ParserTest, ChunkedDecodingRefusesBadFraming) {
  for (const std::string& bad : std::vector<std::string>{"zz\r\n", "\r\n", "5\r\nhelloXX", "5\rX", "ffffffffffffffffff\r\n",
        "3;" + std::string(5000, 'e') + "\r\n"}) {
    EXPECT_FALSE(DecodeInPieces(bad + "\r\n0\r\n\r\n", 3, 16).ok()) << bad;
  }
}

TEST(MessageTest, PercentCoding) {
  EXPECT_EQ(*PercentDecode("a%2Fb+c%20"), "a/b+c ");
  EXPECT_FALSE(PercentDecode("a%2").ok());
  EXPECT_FALSE(PercentDecode("a%zz").ok());
  EXPECT_EQ(QueryDecode("a+b%2B%"), "a b+%");
  EXPECT_EQ(PercentEncode("a b/ü~"), "a%20b%2F%C3%BC~");
}

TEST(MessageTest, HeadersAndQueryParams) {
  Request req;
  req.headers["Content-Type"] = "application/json";
  req.query = "limit=10&name=a+b%26c&empty=&flag";
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_EQ(req.Header("missing"), "");
  EXPECT_EQ(req.QueryParam("limit"), "10");
  EXPECT_EQ(req.QueryParam("name"), "a b&c");
  EXPECT_EQ(req.QueryParam("empty"), "");
  EXPECT_EQ(req.QueryParam("flag"), "");
  EXPECT_EQ(req.QueryParam("nope"), std::nullopt);
}

TEST(MessageTest, ReadAllHonoursTheLimit) {
  StringBodyReader small("hello");
  EXPECT_EQ(*small.ReadAll(5), "hello");
  StringBodyReader big(std::string(100, 'x'));
  Result<std::string> r = big.ReadAll(10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_THAT(r.status().message(), HasSubstr("10"));
  Response res;
  res.SetJson(201, "{}");
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.headers["content-type"], "application/json");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
}

}  // namespace
}  // namespace ads::http
