#include "objectstore/rows.h"

#include <cstdio>

#include "base/json.h"
#include "base/strings.h"

namespace ads::objectstore {

Result<ObjectInfo> ReadObject(const store::Statement& row) {
  ObjectInfo info;
  ADS_ASSIGN_OR_RETURN(info.name, row.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(info.blob.sha256, row.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(int64_t size, row.ColumnInt64(2));
  info.blob.size = static_cast<uint64_t>(size);
  ADS_ASSIGN_OR_RETURN(info.blob.md5_base64, row.ColumnText(3));
  ADS_ASSIGN_OR_RETURN(info.multipart_md5, row.ColumnText(4));
  ADS_ASSIGN_OR_RETURN(info.etag, row.ColumnText(5));
  ADS_ASSIGN_OR_RETURN(info.content_type, row.ColumnText(6));
  ADS_ASSIGN_OR_RETURN(std::string metadata, row.ColumnText(7));
  ADS_ASSIGN_OR_RETURN(info.metadata, ParseMetadata(metadata));
  ADS_ASSIGN_OR_RETURN(int64_t created, row.ColumnInt64(8));
  ADS_ASSIGN_OR_RETURN(int64_t modified, row.ColumnInt64(9));
  info.time_created = FromMillis(created);
  info.time_modified = FromMillis(modified);
  return info;
}

std::string MetadataToText(const Metadata& metadata) {
  Json out = Json::object();
  for (const auto& [key, value] : metadata) out[key] = value;
  return out.dump();
}

Result<Metadata> ParseMetadata(std::string_view text) {
  ADS_ASSIGN_OR_RETURN(Json doc, ParseJson(text, "stored metadata"));
  if (!doc.is_object()) return InternalError("stored metadata is not a JSON object");
  Metadata out;
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_string()) return InternalError("stored metadata value is not a string");
    out[key] = value.get<std::string>();
  }
  return out;
}

Status CheckPreconditions(const std::optional<ObjectInfo>& current,
                          const PutObjectOptions& options) {
  if (options.if_none_match_any && current) {
    return Status(StatusCode::kFailedPrecondition,
                  "The object " + Quoted(current->name) +
                      " already exists and if-none-match: * was given.",
                  "oci:412 IfNoneMatchFailed");
  }
  if (!options.if_match.empty() && options.if_match != "*" &&
      (!current || current->etag != options.if_match)) {
    return Status(StatusCode::kFailedPrecondition,
                  "The if-match etag " + Quoted(options.if_match) +
                      " does not match the object's current etag.",
                  "oci:412 IfMatchFailed");
  }
  return OkStatus();
}

Status ObjectNotFound(std::string_view bucket, std::string_view object) {
  return Status(StatusCode::kNotFound,
                "The object " + Quoted(object) + " was not found in the bucket " + Quoted(bucket) +
                    ".",
                "oci:404 ObjectNotFound");
}

std::string NewUuid(Env& env) {
  uint64_t hi = env.RandomU64();
  uint64_t lo = env.RandomU64();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                        // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xFFFF),
                static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace ads::objectstore
