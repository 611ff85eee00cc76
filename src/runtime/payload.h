// Payload: decoding of predict request bodies for the native runtimes, the
// way the generated score.py's deserialize() reads them (artifact/score_py.cc).
//
// What ADS clients send, and what it becomes:
//   [[5.1, 3.5, 1.4, 0.2], ...]                      kList   (np.asarray later)
//   {"sepal_length": [5.1, ...], ...}                kFrame  (DataFrame.from_dict)
//   {"sepal_length": {"0": 5.1, "1": 4.9}, ...}      kFrame  (index from the keys)
//   {"data": "<base64 .npy>",
//    "data_type": "<class 'numpy.ndarray'>"}         kArray  (np.load, never unpickled)
//   {"data": "<DataFrame.to_json()>",
//    "data_type": "<class 'pandas.core.frame.DataFrame'>"}   kFrame (pd.read_json;
//                                                    orient columns, records or values)
//   {"data": [...], "data_type": "<class 'pandas.core.series.Series'>"}  kSeries
//   {"data": [...], "data_type": "<class 'list'>"}   kList
//
//   PayloadOptions opts;  // schema dtypes, from input_schema.json
//   ADS_ASSIGN_OR_RETURN(Payload p, DecodePayload(body, "application/json", opts));
//   if (p.kind == Payload::Kind::kFrame) { ... p.frame.columns ... }
//
// Errors are kInvalidArgument and name the problem: malformed JSON (with its
// position), a bad base64 or .npy, ragged columns, a wrong data type.
//
// Thread-safety: pure functions.
#ifndef ADS_RUNTIME_PAYLOAD_H_
#define ADS_RUNTIME_PAYLOAD_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "engine/tensor.h"

namespace ads::runtime {

// A pandas DataFrame: named columns of equal length. Cells are JSON scalars
// (null for pandas' NaN) or, for columns of sequences, JSON arrays.
struct Frame {
  std::vector<std::string> columns;
  std::vector<std::vector<Json>> cells;  // cells[column][row]
  size_t rows = 0;

  // Index of the column `name`, or -1.
  int ColumnIndex(std::string_view name) const;
};

struct Payload {
  enum class Kind {
    kList,    // a plain JSON value, usually nested lists
    kSeries,  // a pandas Series: its values as a JSON array
    kFrame,   // a pandas DataFrame
    kArray,   // a numpy array from an .npy file
  };
  Kind kind = Kind::kList;
  Json json;              // kList (unless dense) and kSeries
  Frame frame;            // kFrame
  engine::Tensor array;   // kArray; and kList when dense
  // A kList body that was a rectangular list of plain numbers, read by the
  // fast path (dense_list.h) into `array` as float64; `json` is then null.
  bool dense = false;
};

std::string_view PayloadKindName(Payload::Kind kind);

struct PayloadOptions {
  // Column name -> pandas dtype from input_schema.json; applied to DataFrame
  // JSON strings as pd.read_json(dtype=...) does (integer columns truncate).
  std::map<std::string, std::string> schema_dtypes;
};

// Decodes a request body. Only JSON bodies are accepted: the native runtimes
// have no user code that could interpret raw bytes.
Result<Payload> DecodePayload(std::string_view body, std::string_view content_type,
                              const PayloadOptions& options = {});
// Decodes an already parsed JSON body.
Result<Payload> DecodePayloadJson(const Json& data, const PayloadOptions& options = {});

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_PAYLOAD_H_
