// InputSchema: what the native runtimes take from an artifact's
// input_schema.json — the column names in order and their pandas dtypes —
// and the rule that matches DataFrame columns to it.
//
//   ADS_ASSIGN_OR_RETURN(InputSchema schema, ReadInputSchema(env, dir));
//   ADS_ASSIGN_OR_RETURN(std::vector<size_t> cols, TableColumns(frame, schema));
//
// Thread-safety: values and pure functions.
#ifndef ADS_RUNTIME_INPUT_SCHEMA_H_
#define ADS_RUNTIME_INPUT_SCHEMA_H_

#include <string>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "runtime/payload.h"

namespace ads::runtime {

struct InputSchema {
  std::vector<std::string> columns;  // empty when the artifact has no schema
  PayloadOptions payload_options;    // the dtypes, for DataFrame JSON strings
};

// Reads <dir>/input_schema.json when present (as the generated score.py's
// fetch_data_type_from_schema does: each entry's "name" and "dtype"). A file
// that is not JSON or lacks those fields is an error naming the file.
Result<InputSchema> ReadInputSchema(Env& env, const std::string& dir);

// The frame's columns (indexes) that form the model's feature table:
// without a schema, all columns as sent; with one, the schema's columns in
// the schema's order, matched by name (a missing or unknown column is an
// error naming it). Columns named "0", "1", ... (a DataFrame built from rows
// without names) are taken by position.
Result<std::vector<size_t>> TableColumns(const Frame& frame, const InputSchema& schema);

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_INPUT_SCHEMA_H_
