// Input/output schemas (ADS schema 1.1, ads/feature_engineering/schema.py):
// inference from a sample Table, serialisation for the file and for the
// catalog, the 32000 size rule, and loading with validation.
//
//   ADS_ASSIGN_OR_RETURN(Table x, ReadSampleFile(env, "x.csv"));
//   ADS_ASSIGN_OR_RETURN(SchemaResult s, InferSchema(x));
//   if (s.outcome == SchemaOutcome::kOk) {
//     ADS_ASSIGN_OR_RETURN(SchemaWriteResult w,
//                          WriteSchemaFile(env, dir + "/input_schema.json", s.schema));
//     if (w.attach_to_catalog) model.input_schema = SchemaCatalogText(s.schema);
//   }
//
// Feature types follow ADS's default-by-dtype rule (feature_type_manager.py
// _feature_type_by_dtype): bool -> Boolean, float -> Continuous, int ->
// Integer, object/string -> String. Category and DateTime come only from
// pandas categorical/datetime64 dtypes, which our sample readers never
// produce, and ADS never picks Constant by default; so we never emit them.
//
// Thread-safety: free functions over values; safe to call concurrently.
#ifndef ADS_ARTIFACT_SCHEMA_H_
#define ADS_ARTIFACT_SCHEMA_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "artifact/sample_data.h"
#include "base/env.h"
#include "base/json.h"
#include "base/status.h"

namespace ads::artifact {

inline constexpr char kSchemaVersion[] = "1.1";
inline constexpr size_t kDefaultMaxColNum = 2000;     // DATA_SCHEMA_MAX_COL_NUM
inline constexpr uint64_t kSchemaSizeLimit = 32000;   // INPUT_OUTPUT_SCHENA_SIZE_LIMIT

struct SchemaOptions {
  size_t max_col_num = kDefaultMaxColNum;
};

enum class SchemaOutcome {
  kOk,       // `schema` holds the document
  kTooWide,  // more than max_col_num columns: no schema, a warning was logged
};

struct SchemaResult {
  SchemaOutcome outcome = SchemaOutcome::kOk;
  Json schema;  // {"schema": [...], "version": "1.1"}; null when kTooWide
};

// ADS feature type name for a pandas dtype name.
std::string FeatureTypeForDtype(std::string_view dtype);

// One attribute per column, with ADS's stats for its feature type.
Result<SchemaResult> InferSchema(const Table& table, const SchemaOptions& options = {});

// The file text: json.dumps(schema) (NaN stays a bare NaN token).
std::string SchemaFileText(const Json& schema);
// The catalog text: the same with every NaN/Infinity number as null.
std::string SchemaCatalogText(const Json& schema);
// ADS measures sys.getsizeof(schema.to_yaml()): PyYAML's output is ASCII
// (allow_unicode=False), and CPython's size of an ASCII str is 49 + length.
uint64_t SchemaSizeForLimit(const Json& schema);

struct SchemaWriteResult {
  uint64_t size = 0;               // SchemaSizeForLimit
  bool attach_to_catalog = false;  // size <= kSchemaSizeLimit
};
// Always writes the file (atomically), then applies the size rule; an
// oversized schema logs ADS's warning and is flagged "not attached".
Result<SchemaWriteResult> WriteSchemaFile(Env& env, const std::string& path, const Json& schema);

// Parses and validates a schema document (ADS's Cerberus rules); the
// version defaults to "1.0" when absent, as ADS's loader does.
Result<Json> ParseSchema(std::string_view text, std::string_view what = "schema");
Result<Json> LoadSchema(Env& env, const std::string& path);

}  // namespace ads::artifact

#endif  // ADS_ARTIFACT_SCHEMA_H_
