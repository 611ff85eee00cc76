// Sample data readers: the X/y samples `ads model prepare` turns into
// input_schema.json / output_schema.json, read into a small column table
// with the dtypes pandas would give them.
//
//   ADS_ASSIGN_OR_RETURN(Table x, ReadSampleFile(env, "iris_sample.csv"));
//   for (const Column& c : x.columns) std::cout << c.name << " " << c.dtype;
//
// Formats, chosen by extension:
//   .csv  header row, RFC 4180 quoting, types inferred as pandas.read_csv does
//   .json records [{"a":1},...], columns {"a":{"0":1}} / {"a":[1,2]},
//         1-D [1,2,3] or 2-D [[1,2],[3,4]] arrays
//   .npy  v1/v2/v3 headers, little-endian f4/f8/i4/i8/b1/u1, 1-D and 2-D
// Bare arrays get integer column names (0, 1, ...) as pandas would, marked by
// Column::name_is_index so the schema writes them as JSON numbers.
//
// Thread-safety: free functions over values; safe to call concurrently.
#ifndef ADS_ARTIFACT_SAMPLE_DATA_H_
#define ADS_ARTIFACT_SAMPLE_DATA_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"

namespace ads::artifact {

struct Column {
  std::string name;
  // pandas dtype name: int64, float64, bool, object (NPY also gives float32,
  // int32, uint8).
  std::string dtype;
  // One value per row: integers for int dtypes, doubles (NaN when missing)
  // for float dtypes, booleans for bool, and for object the parsed value or
  // null when missing.
  std::vector<Json> values;
  // True when pandas would name the column with an integer (bare arrays).
  bool name_is_index = false;

  // The name as it appears in a schema: a JSON number for index names.
  Json NameJson() const;
  // pandas isnull() of row i.
  bool IsMissing(size_t row) const;
};

struct Table {
  std::vector<Column> columns;
  size_t num_rows() const { return columns.empty() ? 0 : columns.front().values.size(); }
};

// Reads a sample by its extension (.csv, .json, .npy); errors name the file.
Result<Table> ReadSampleFile(Env& env, const std::string& path);

Result<Table> ReadCsvSample(std::string_view text, std::string_view what = "CSV");
Result<Table> ReadJsonSample(std::string_view text, std::string_view what = "JSON");
Result<Table> ReadNpySample(std::string_view bytes, std::string_view what = "NPY");
// The JSON shapes above, from an already parsed value.
Result<Table> TableFromJson(const Json& value, std::string_view what = "JSON");

}  // namespace ads::artifact

#endif  // ADS_ARTIFACT_SAMPLE_DATA_H_
