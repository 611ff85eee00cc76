// Internal to objectstore/: how rows of os_objects map to ObjectInfo, and the
// small helpers that object_store.cc and multipart.cc share. Not for other
// components.
#ifndef ADS_OBJECTSTORE_ROWS_H_
#define ADS_OBJECTSTORE_ROWS_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/status.h"
#include "objectstore/object_store.h"
#include "store/sqlite.h"

namespace ads::objectstore {

// The os_objects columns ReadObject() expects, in order (name first).
inline constexpr std::string_view kObjectColumns =
    "name, blob_sha256, size, md5, multipart_md5, etag, content_type, metadata, time_created, "
    "time_modified";

Result<ObjectInfo> ReadObject(const store::Statement& row);

// Metadata is stored as a JSON object of strings.
std::string MetadataToText(const Metadata& metadata);
Result<Metadata> ParseMetadata(std::string_view text);

// if-none-match / if-match against the current version (nullopt: none).
Status CheckPreconditions(const std::optional<ObjectInfo>& current,
                          const PutObjectOptions& options);

// 404 ObjectNotFound, named (the caller may see the bucket).
Status ObjectNotFound(std::string_view bucket, std::string_view object);

// A random RFC 4122 version-4 UUID (etags, upload ids).
std::string NewUuid(Env& env);

}  // namespace ads::objectstore

#endif  // ADS_OBJECTSTORE_ROWS_H_
