// Decoding of the payload encodings ADS clients send, and the bad-input corpus.
#include "runtime/payload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/hash.h"
#include "runtime/output_json.h"

namespace ads::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Payload DecodeOk(std::string_view body, const PayloadOptions& options = {}) {
  auto p = DecodePayload(body, "application/json", options);
  EXPECT_TRUE(p.ok()) << p.status().ToString() << "\nbody: " << body;
  return p.ok() ? std::move(*p) : Payload{};
}

std::string DecodeError(std::string_view body, std::string_view content_type = "application/json") {
  auto p = DecodePayload(body, content_type);
  EXPECT_FALSE(p.ok()) << "accepted: " << body;
  if (p.ok()) return "";
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << p.status().ToString();
  return p.status().message();
}

// A column's cells as compact JSON, for comparisons.
std::string Cells(const Frame& f, size_t column) { return Json(f.cells[column]).dump(); }

TEST(PayloadTest, RawListsStayAsSent) {
  // Plain numbers take the dense fast path: float64 values, the list's shape.
  Payload p = DecodeOk("[[5.1, 3.5], [4.9, 3.0]]");
  EXPECT_EQ(p.kind, Payload::Kind::kList);
  ASSERT_TRUE(p.dense);
  std::string text;
  AppendTensorJson(p.array, &text);
  EXPECT_EQ(text, "[[5.1, 3.5], [4.9, 3.0]]");
  // Anything else keeps the JSON value.
  Payload mixed = DecodeOk("[[1, true], [null, 2]]");
  EXPECT_FALSE(mixed.dense);
  EXPECT_EQ(mixed.json.dump(), "[[1,true],[null,2]]");
  EXPECT_EQ(DecodeOk("7").kind, Payload::Kind::kList);
  EXPECT_FALSE(DecodeOk("7").dense);
}

TEST(PayloadTest, ListWrapperAndDataWithoutTypeAreRawLists) {
  Payload p = DecodeOk(R"({"data": [[1, 2]], "data_type": "<class 'list'>"})");
  EXPECT_EQ(p.kind, Payload::Kind::kList);
  EXPECT_EQ(p.json.dump(), "[[1,2]]");
  EXPECT_EQ(DecodeOk(R"({"data": [[3]]})").json.dump(), "[[3]]");
}

TEST(PayloadTest, DictOfColumnsIsAFrameInKeyOrder) {
  Payload p = DecodeOk(R"({"b": [1, 2], "a": [3.5, null]})");
  ASSERT_EQ(p.kind, Payload::Kind::kFrame);
  EXPECT_THAT(p.frame.columns, ElementsAre("b", "a"));
  EXPECT_EQ(p.frame.rows, 2u);
  EXPECT_EQ(Cells(p.frame, 1), "[3.5,null]");
  EXPECT_EQ(p.frame.ColumnIndex("a"), 1);
  EXPECT_EQ(p.frame.ColumnIndex("z"), -1);
}

TEST(PayloadTest, ScalarColumnsAreBroadcastLikePandas) {
  Payload p = DecodeOk(R"({"a": [1, 2, 3], "b": 0})");
  EXPECT_EQ(Cells(p.frame, 1), "[0,0,0]");
}

TEST(PayloadTest, DictOfDictsUsesTheUnionOfIndexKeys) {
  // DataFrame.to_dict() / orient="columns": {"col": {"0": v, "1": v}}.
  Payload p = DecodeOk(R"({"a": {"0": 1, "1": 2}, "b": {"1": 3, "2": 4}})");
  ASSERT_EQ(p.kind, Payload::Kind::kFrame);
  EXPECT_EQ(p.frame.rows, 3u);
  EXPECT_EQ(Cells(p.frame, 0), "[1,2,null]");
  EXPECT_EQ(Cells(p.frame, 1), "[null,3,4]");
}

TEST(PayloadTest, DataFrameToJsonOrientColumns) {
  Payload p = DecodeOk(
      R"({"data": "{\"x\":{\"0\":1.5,\"1\":2.5},\"y\":{\"0\":3,\"1\":4}}",)"
      R"( "data_type": "<class 'pandas.core.frame.DataFrame'>"})");
  ASSERT_EQ(p.kind, Payload::Kind::kFrame);
  EXPECT_THAT(p.frame.columns, ElementsAre("x", "y"));
  EXPECT_EQ(Cells(p.frame, 0), "[1.5,2.5]");
}

TEST(PayloadTest, DataFrameToJsonOrientRecordsAndValues) {
  Payload records = DecodeOk(
      R"({"data": "[{\"a\":1,\"b\":2},{\"b\":3,\"c\":4}]", "data_type": "<class 'pandas.core.frame.DataFrame'>"})");
  EXPECT_THAT(records.frame.columns, ElementsAre("a", "b", "c"));
  EXPECT_EQ(Cells(records.frame, 0), "[1,null]");
  EXPECT_EQ(Cells(records.frame, 2), "[null,4]");
  Payload values = DecodeOk(
      R"({"data": "[[1,2],[3,4]]", "data_type": "<class 'pandas.core.frame.DataFrame'>"})");
  EXPECT_THAT(values.frame.columns, ElementsAre("0", "1"));
  EXPECT_EQ(Cells(values.frame, 1), "[2,4]");
}

TEST(PayloadTest, AJsonStringAloneIsReadAsADataFrame) {
  Payload p = DecodeOk(R"("{\"a\":{\"0\":1}}")");
  EXPECT_EQ(p.kind, Payload::Kind::kFrame);
  EXPECT_EQ(Cells(p.frame, 0), "[1]");
}

TEST(PayloadTest, SchemaIntegerDtypesTruncateLikeReadJson) {
  PayloadOptions options;
  options.schema_dtypes = {{"n", "int64"}, {"x", "float64"}};
  Payload p = DecodeOk(
      R"({"data": "{\"n\":{\"0\":1.7,\"1\":-2.9},\"x\":{\"0\":1.7,\"1\":2}}",)"
      R"( "data_type": "<class 'pandas.core.frame.DataFrame'>"})",
      options);
  EXPECT_EQ(Cells(p.frame, 0), "[1,-2]");
  EXPECT_EQ(Cells(p.frame, 1), "[1.7,2]");
  // A column pandas cannot cast (a NaN) keeps its values.
  Payload kept = DecodeOk(
      R"({"data": "{\"n\":{\"0\":1.5,\"1\":null}}", "data_type": "<class 'pandas.core.frame.DataFrame'>"})",
      options);
  EXPECT_EQ(Cells(kept.frame, 0), "[1.5,null]");
}

TEST(PayloadTest, SeriesKeepsItsValues) {
  Payload p = DecodeOk(R"({"data": [1, 2, 3], "data_type": "<class 'pandas.core.series.Series'>"})");
  EXPECT_EQ(p.kind, Payload::Kind::kSeries);
  EXPECT_EQ(p.json.dump(), "[1,2,3]");
  Payload indexed =
      DecodeOk(R"({"data": {"a": 1, "b": 2}, "data_type": "<class 'pandas.core.series.Series'>"})");
  EXPECT_EQ(indexed.json.dump(), "[1,2]");
}

TEST(PayloadTest, NumpyWrapperDecodesTheNpyBytes) {
  // np.save(np.array([[1.0, 2.0]])) written out by hand: version 1.0, '<f8'.
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }";
  header.resize(117, ' ');  // 10 + 118 header bytes: the data starts 64-aligned
  header += '\n';
  std::string npy = std::string("\x93NUMPY\x01\x00", 8);
  npy += static_cast<char>(header.size() & 0xff);
  npy += static_cast<char>(header.size() >> 8);
  npy += header;
  const double values[2] = {1.0, 2.0};
  npy.append(reinterpret_cast<const char*>(values), sizeof(values));
  Payload p = DecodeOk(R"({"data": ")" + Base64Encode(npy) +
                       R"(", "data_type": "<class 'numpy.ndarray'>"})");
  ASSERT_EQ(p.kind, Payload::Kind::kArray);
  std::string text;
  AppendTensorJson(p.array, &text);
  EXPECT_EQ(text, "[[1.0, 2.0]]");
}

TEST(PayloadTest, ContentTypes) {
  EXPECT_EQ(DecodePayload("[1]", "").value().kind, Payload::Kind::kList);
  EXPECT_TRUE(DecodePayload("[1]", "Application/JSON; charset=utf-8").ok());
  EXPECT_THAT(DecodeError("[1]", "application/octet-stream"), HasSubstr("JSON bodies only"));
  EXPECT_THAT(DecodeError("[1]", "text/csv"), HasSubstr("text/csv"));
}

// The bad-input corpus: each body must fail with a message naming the problem.
TEST(PayloadTest, BadPayloadsNameTheProblem) {
  EXPECT_THAT(DecodeError("[[1, 2], [3, 4"), HasSubstr("not valid JSON"));
  EXPECT_THAT(DecodeError("{\"a\": [1,}"), HasSubstr("column"));  // position from the parser
  EXPECT_THAT(DecodeError(""), HasSubstr("not valid JSON"));
  EXPECT_THAT(DecodeError(R"({"a": [1, 2], "b": [1]})"), HasSubstr("same length"));
  EXPECT_THAT(DecodeError(R"({"a": 1, "b": 2})"), HasSubstr("list of values per column"));
  EXPECT_THAT(DecodeError(R"({})"), HasSubstr("no columns"));
  EXPECT_THAT(DecodeError(R"({"a": [1], "b": {"0": 1}})"), HasSubstr("mixes"));
  EXPECT_THAT(DecodeError(R"({"data": [1], "data_type": 5})"), HasSubstr("data_type"));
  EXPECT_THAT(DecodeError(R"({"data": [1], "data_type": "<class 'numpy.ndarray'>"})"),
              HasSubstr("base64"));
  EXPECT_THAT(DecodeError(R"({"data": "@@@", "data_type": "<class 'numpy.ndarray'>"})"),
              HasSubstr("not valid base64"));
  EXPECT_THAT(DecodeError(R"({"data": "aGVsbG8=", "data_type": "<class 'numpy.ndarray'>"})"),
              HasSubstr("not an .npy file"));
  EXPECT_THAT(DecodeError(R"({"data": [1], "data_type": "<class 'pandas.core.frame.DataFrame'>"})"),
              HasSubstr("DataFrame.to_json()"));
  EXPECT_THAT(DecodeError(R"({"data": "[1, 2", "data_type": "<class 'pandas.core.frame.DataFrame'>"})"),
              HasSubstr("DataFrame JSON"));
  EXPECT_THAT(DecodeError(R"({"data": "5", "data_type": "<class 'pandas.core.frame.DataFrame'>"})"),
              HasSubstr("must be an object"));
  EXPECT_THAT(DecodeError(R"({"data": "[]", "data_type": "<class 'pandas.core.frame.DataFrame'>"})"),
              HasSubstr("no rows"));
  EXPECT_THAT(DecodeError(R"({"data": "[{\"a\": 1}, [2]]", "data_type": "<class 'pandas.core.frame.DataFrame'>"})"),
              HasSubstr("mixes records"));
}

TEST(PayloadTest, DeepNestingIsRefusedNotACrash) {
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_THAT(DecodeError(deep), HasSubstr("nested"));
}

}  // namespace
}  // namespace ads::runtime
