#include "server/os_routes.h"

#include <charconv>
#include <memory>
#include <optional>
#include <utility>

#include "base/ids.h"
#include "base/strings.h"
#include "iam/http_signature.h"

namespace ads::server {
namespace {

using objectstore::Bucket;
using objectstore::ObjectInfo;
using objectstore::ObjectStore;

constexpr std::string_view kMetaPrefix = "opc-meta-";

std::string Time(objectstore::TimePoint t) { return FormatRfc3339(t); }

// ---- request helpers -------------------------------------------------------

// The bucket named in the path, if the caller may `verb` on `resource_type`
// in its compartment; the same 404 either way otherwise.
Result<Bucket> AuthorizedBucket(Call& call, ObjectStore& store, iam::Verb verb,
                                std::string_view resource_type) {
  ADS_ASSIGN_OR_RETURN(Bucket bucket, store.GetBucket(call.Param("ns"), call.Param("bucket")));
  ADS_RETURN_IF_ERROR(call.Authorize(verb, resource_type, bucket.compartment_id));
  return bucket;
}

Result<int> IntQuery(const Call& call, std::string_view name, int fallback, int min, int max) {
  std::optional<std::string> text = call.request.QueryParam(name);
  if (!text || text->empty()) return fallback;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return InvalidArgumentError("the query parameter " + std::string(name) + " must be an integer "
                                "from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

std::string Query(const Call& call, std::string_view name) {
  return call.request.QueryParam(name).value_or("");
}

Result<std::string> RequiredQuery(const Call& call, std::string_view name) {
  std::string value = Query(call, name);
  if (value.empty()) {
    return InvalidArgumentError("the query parameter " + std::string(name) + " is required");
  }
  return value;
}

// opc-meta-* request headers, keys without the prefix and lowercased.
objectstore::Metadata MetaHeaders(const http::Request& request) {
  objectstore::Metadata out;
  for (const auto& [name, value] : request.headers) {
    const std::string lower = ToLower(name);
    if (lower.starts_with(kMetaPrefix) && lower.size() > kMetaPrefix.size()) {
      out[lower.substr(kMetaPrefix.size())] = value;
    }
  }
  return out;
}

// if-match / if-none-match of a write. OCI accepts only "*" for if-none-match.
Result<objectstore::PutObjectOptions> WriteConditions(const Call& call) {
  objectstore::PutObjectOptions options;
  const std::string_view none_match = Trim(call.request.Header("if-none-match"));
  if (!none_match.empty() && none_match != "*") {
    return InvalidArgumentError("if-none-match only accepts '*'");
  }
  options.if_none_match_any = none_match == "*";
  options.if_match = call.IfMatch();
  return options;
}

objectstore::ByteSource BodySource(Call& call) {
  return [&call](char* buf, size_t n) { return call.request.body->Read(buf, n); };
}

// ---- JSON shapes -----------------------------------------------------------

Json MetadataJson(const objectstore::Metadata& metadata) {
  Json out = Json::object();
  for (const auto& [key, value] : metadata) out[key] = value;
  return out;
}

Json BucketSummaryJson(const Bucket& b) {
  Json out = Json::object();
  out["namespace"] = b.namespace_name;
  out["name"] = b.name;
  out["compartmentId"] = b.compartment_id;
  out["createdBy"] = b.created_by;
  out["timeCreated"] = Time(b.time_created);
  out["etag"] = b.etag;
  out["freeformTags"] = Json::object();
  out["definedTags"] = Json::object();
  return out;
}

Json BucketJson(const Bucket& b) {
  Json out = BucketSummaryJson(b);
  out["metadata"] = MetadataJson(b.metadata);
  out["publicAccessType"] = "NoPublicAccess";
  out["storageTier"] = b.storage_tier;
  out["objectEventsEnabled"] = false;
  out["versioning"] = b.versioning;
  out["id"] = b.id;
  out["isReadOnly"] = false;
  out["replicationEnabled"] = false;
  out["autoTiering"] = "Disabled";
  return out;
}

Json UploadJson(const objectstore::MultipartUpload& u) {
  Json out = Json::object();
  out["namespace"] = u.namespace_name;
  out["bucket"] = u.bucket;
  out["object"] = u.object;
  out["uploadId"] = u.upload_id;
  out["timeCreated"] = Time(u.time_created);
  out["storageTier"] = u.storage_tier;
  return out;
}

// Which ObjectSummary fields a ListObjects asked for (name always).
struct Fields {
  bool size = false, etag = false, md5 = false, time_created = false, time_modified = false,
       storage_tier = false;
};

Result<Fields> ParseFields(std::string_view text) {
  Fields f;
  for (const std::string& raw : Split(text, ',')) {
    const std::string_view field = Trim(raw);
    if (field.empty() || field == "name") continue;
    if (field == "size") f.size = true;
    else if (field == "etag") f.etag = true;
    else if (field == "md5") f.md5 = true;
    else if (field == "timeCreated") f.time_created = true;
    else if (field == "timeModified") f.time_modified = true;
    else if (field == "storageTier") f.storage_tier = true;
    else if (field == "archivalState") continue;  // never archived here
    else return InvalidArgumentError("unknown field " + Quoted(field) + " in fields");
  }
  return f;
}

Json ObjectSummaryJson(const ObjectInfo& o, const Fields& f) {
  Json out = Json::object();
  out["name"] = o.name;
  if (f.size) out["size"] = o.blob.size;
  if (f.md5) out["md5"] = o.ReportedMd5();
  if (f.time_created) out["timeCreated"] = Time(o.time_created);
  if (f.etag) out["etag"] = o.etag;
  if (f.storage_tier) out["storageTier"] = "Standard";
  if (f.time_modified) out["timeModified"] = Time(o.time_modified);
  return out;
}

// Headers that describe an object on GET and HEAD.
void SetObjectHeaders(http::Response& response, const ObjectInfo& o) {
  response.headers["etag"] = o.etag;
  response.headers["last-modified"] = iam::FormatHttpDate(o.time_modified);
  response.headers["content-type"] = o.content_type;
  response.headers["accept-ranges"] = "bytes";
  response.headers["storage-tier"] = "Standard";
  // GET/HEAD name it content-md5 (PutObject answers opc-content-md5).
  if (o.multipart_md5.empty()) {
    response.headers["content-md5"] = o.blob.md5_base64;
  } else {
    response.headers["opc-multipart-md5"] = o.multipart_md5;
  }
  for (const auto& [key, value] : o.metadata) {
    response.headers[std::string(kMetaPrefix) + key] = value;
  }
}

// ---- ranges ----------------------------------------------------------------

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

std::optional<uint64_t> ParseU64(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A single "bytes=a-b" / "bytes=a-" / "bytes=-n" range. nullopt: serve the
// whole object (no header, or one we do not understand, as RFC 9110 allows);
// OutOfRange: unsatisfiable (416).
Result<std::optional<ByteRange>> ParseRange(std::string_view header, uint64_t size) {
  header = Trim(header);
  if (!header.starts_with("bytes=") || header.find(',') != std::string_view::npos) {
    return std::optional<ByteRange>();
  }
  const std::string_view spec = header.substr(6);
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::optional<ByteRange>();
  const std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  if (a.empty()) {  // suffix: the last n bytes
    std::optional<uint64_t> n = ParseU64(b);
    if (!n) return std::optional<ByteRange>();
    if (*n == 0 || size == 0) return OutOfRangeError("empty suffix range");
    const uint64_t len = std::min(*n, size);
    return std::optional<ByteRange>(ByteRange{size - len, len});
  }
  std::optional<uint64_t> first = ParseU64(a);
  std::optional<uint64_t> last = b.empty() ? std::optional<uint64_t>(UINT64_MAX) : ParseU64(b);
  if (!first || !last || *last < *first) return std::optional<ByteRange>();
  if (*first >= size) return OutOfRangeError("range starts past the end");
  const uint64_t end = std::min(*last, size - 1);
  return std::optional<ByteRange>(ByteRange{*first, end - *first + 1});
}

// Streams bytes [window.first, +window.length) of a blob as the body.
Status StreamBlob(http::Response& response, ObjectStore& store, const std::string& sha256,
                  ByteRange window) {
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, store.blobs().OpenBlob(sha256));
  std::shared_ptr<RandomAccessFile> shared(std::move(file));
  auto offset = std::make_shared<uint64_t>(window.first);
  const uint64_t end = window.first + window.length;
  response.body_length = window.length;
  response.body_source = [shared, offset, end](char* buf, size_t n) -> Result<size_t> {
    const uint64_t want = std::min<uint64_t>(n, end - *offset);
    if (want == 0) return size_t{0};
    ADS_ASSIGN_OR_RETURN(size_t got, shared->Read(*offset, static_cast<size_t>(want), buf));
    if (got == 0) return DataLossError("the object's blob ended early");
    *offset += got;
    return got;
  };
  return OkStatus();
}

// ---- handlers: namespace and buckets ---------------------------------------

Status CreateBucket(Call& call, ObjectStore& store) {
  ADS_ASSIGN_OR_RETURN(Json body, call.JsonBody());
  objectstore::BucketDetails details;
  ADS_ASSIGN_OR_RETURN(details.name, GetString(body, "name", "CreateBucketDetails"));
  ADS_ASSIGN_OR_RETURN(details.compartment_id,
                       GetString(body, "compartmentId", "CreateBucketDetails"));
  details.storage_tier = StringMemberOr(body, "storageTier", "Standard");
  details.versioning = StringMemberOr(body, "versioning", "Disabled");
  const std::string access = StringMemberOr(body, "publicAccessType", "NoPublicAccess");
  if (access != "NoPublicAccess") {
    return InvalidArgumentError("publicAccessType " + Quoted(access) +
                                " is not supported; buckets here are never public");
  }
  if (const Json* metadata = FindMember(body, "metadata"); metadata && !metadata->is_null()) {
    if (!metadata->is_object()) return InvalidArgumentError("metadata must be an object");
    for (const auto& [key, value] : metadata->items()) {
      if (!value.is_string()) return InvalidArgumentError("metadata values must be strings");
      details.metadata[key] = value.get<std::string>();
    }
  }
  ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kManage, iam::kBuckets, details.compartment_id));
  ADS_ASSIGN_OR_RETURN(Bucket bucket,
                       store.CreateBucket(call.Param("ns"), details, call.principal.id));
  call.ReplyJson(200, BucketJson(bucket));
  call.response.headers["etag"] = bucket.etag;
  call.response.headers["location"] = "/n/" + http::PercentEncode(bucket.namespace_name) +
                                      "/b/" + http::PercentEncode(bucket.name);
  return OkStatus();
}

Status ListBuckets(Call& call, ObjectStore& store) {
  ADS_ASSIGN_OR_RETURN(std::string compartment, RequiredQuery(call, "compartmentId"));
  ADS_ASSIGN_OR_RETURN(int limit, IntQuery(call, "limit", objectstore::kMaxListLimit, 1,
                                           objectstore::kMaxListLimit));
  ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kInspect, iam::kBuckets, compartment));
  ADS_ASSIGN_OR_RETURN(auto page,
                       store.ListBuckets(call.Param("ns"), compartment, limit, Query(call, "page")));
  Json out = Json::array();
  for (const Bucket& b : page.items) out.push_back(BucketSummaryJson(b));
  call.ReplyJson(200, out);
  if (!page.next_page.empty()) call.response.headers["opc-next-page"] = page.next_page;
  return OkStatus();
}

Status GetBucket(Call& call, ObjectStore& store, bool head) {
  ADS_ASSIGN_OR_RETURN(Bucket b, AuthorizedBucket(call, store, iam::Verb::kRead, iam::kBuckets));
  const std::string none_match(Trim(call.request.Header("if-none-match")));
  if (!none_match.empty() && none_match == b.etag) {
    call.response.status = 304;
  } else if (head) {
    call.response.status = 200;
  } else {
    call.ReplyJson(200, BucketJson(b));
  }
  call.response.headers["etag"] = b.etag;
  return OkStatus();
}

Status DeleteBucket(Call& call, ObjectStore& store) {
  ADS_RETURN_IF_ERROR(
      AuthorizedBucket(call, store, iam::Verb::kManage, iam::kBuckets).status());
  ADS_RETURN_IF_ERROR(store.DeleteBucket(call.Param("ns"), call.Param("bucket"), call.IfMatch()));
  call.response.status = 204;
  return OkStatus();
}

// ---- handlers: objects -----------------------------------------------------

Status PutObject(Call& call, ObjectStore& store) {
  ADS_RETURN_IF_ERROR(AuthorizedBucket(call, store, iam::Verb::kManage, iam::kObjects).status());
  const std::string& ns = call.Param("ns");
  const std::string& bucket = call.Param("bucket");
  const std::string& name = call.Param("object");
  ADS_RETURN_IF_ERROR(objectstore::ValidateObjectName(name));
  ADS_ASSIGN_OR_RETURN(objectstore::PutObjectOptions options, WriteConditions(call));
  options.content_type = std::string(Trim(call.request.Header("content-type")));
  options.metadata = MetaHeaders(call.request);
  ADS_ASSIGN_OR_RETURN(store::BlobInfo blob,
                       store.WriteBlob(BodySource(call), call.body_sha256_to_check,
                                       Trim(call.request.Header("content-md5"))));
  ADS_ASSIGN_OR_RETURN(ObjectInfo info, store.PutObject(ns, bucket, name, blob, options));
  call.response.status = 200;
  call.response.headers["etag"] = info.etag;
  call.response.headers["opc-content-md5"] = info.blob.md5_base64;
  call.response.headers["last-modified"] = iam::FormatHttpDate(info.time_modified);
  return OkStatus();
}

Status GetObject(Call& call, ObjectStore& store, bool head) {
  ADS_RETURN_IF_ERROR(AuthorizedBucket(call, store, iam::Verb::kRead, iam::kObjects).status());
  ADS_ASSIGN_OR_RETURN(ObjectInfo info, store.GetObject(call.Param("ns"), call.Param("bucket"),
                                                        call.Param("object")));
  const std::string if_match = call.IfMatch();
  if (!if_match.empty() && if_match != info.etag) {
    return OciError(412, "IfMatchFailed", "The if-match etag does not match the object's etag.");
  }
  SetObjectHeaders(call.response, info);
  if (Trim(call.request.Header("if-none-match")) == info.etag) {
    call.response.status = 304;
    return OkStatus();
  }
  const uint64_t size = info.blob.size;
  Result<std::optional<ByteRange>> range = ParseRange(call.request.Header("range"), size);
  if (!range.ok()) {
    // Written here rather than returned: the error path drops content-range.
    Json error = Json::object();
    error["code"] = "InvalidRange";
    error["message"] = "The requested range is not satisfiable for an object of " +
                       std::to_string(size) + " bytes.";
    call.response.SetJson(416, error.dump());
    call.response.headers["content-range"] = "bytes */" + std::to_string(size);
    return OkStatus();
  }
  ByteRange window{0, size};
  call.response.status = 200;
  if (range->has_value()) {
    window = **range;
    call.response.status = 206;
    call.response.headers["content-range"] =
        "bytes " + std::to_string(window.first) + "-" +
        std::to_string(window.first + window.length - 1) + "/" + std::to_string(size);
  }
  if (head) {
    call.response.head_length = window.length;
    return OkStatus();
  }
  if (window.length == 0) {
    call.response.body.clear();  // an empty object: nothing to stream
    return OkStatus();
  }
  return StreamBlob(call.response, store, info.blob.sha256, window);
}

Status DeleteObject(Call& call, ObjectStore& store) {
  ADS_RETURN_IF_ERROR(AuthorizedBucket(call, store, iam::Verb::kManage, iam::kObjects).status());
  ADS_RETURN_IF_ERROR(store.DeleteObject(call.Param("ns"), call.Param("bucket"),
                                         call.Param("object"), call.IfMatch()));
  call.response.status = 204;
  return OkStatus();
}

Status ListObjects(Call& call, ObjectStore& store) {
  ADS_RETURN_IF_ERROR(AuthorizedBucket(call, store, iam::Verb::kInspect, iam::kObjects).status());
  objectstore::ListObjectsOptions options;
  options.prefix = Query(call, "prefix");
  options.start = Query(call, "start");
  options.end = Query(call, "end");
  options.delimiter = Query(call, "delimiter");
  ADS_ASSIGN_OR_RETURN(options.limit, IntQuery(call, "limit", objectstore::kMaxListLimit, 1,
                                               objectstore::kMaxListLimit));
  ADS_ASSIGN_OR_RETURN(Fields fields, ParseFields(Query(call, "fields")));
  ADS_ASSIGN_OR_RETURN(auto result,
                       store.ListObjects(call.Param("ns"), call.Param("bucket"), options));
  Json objects = Json::array();
  for (const ObjectInfo& o : result.objects) objects.push_back(ObjectSummaryJson(o, fields));
  Json out = Json::object();
  out["objects"] = std::move(objects);
  out["prefixes"] = result.prefixes;
  if (!result.next_start_with.empty()) out["nextStartWith"] = result.next_start_with;
  call.ReplyJson(200, out);
  return OkStatus();
}


// ---- handlers: multipart uploads -------------------------------------------

Status CreateUpload(Call& call, ObjectStore& store) {
  ADS_RETURN_IF_ERROR(AuthorizedBucket(call, store, iam::Verb::kManage, iam::kObjects).status());
  ADS_ASSIGN_OR_RETURN(Json body, call.JsonBody());
  ADS_ASSIGN_OR_RETURN(std::string object, GetString(body, "object", "CreateMultipartUploadDetails"));
  objectstore::Metadata metadata;
  if (const Json* meta = FindMember(body, "metadata"); meta && !meta->is_null()) {
    if (!meta->is_object()) return InvalidArgumentError("metadata must be an object");
    for (const auto& [key, value] : meta->items()) {
      const std::string lower = ToLower(key);
      if (!lower.starts_with(kMetaPrefix) || !value.is_string()) {
        return InvalidArgumentError("metadata keys must start with opc-meta- and values must be "
                                    "strings; got " + Quoted(key));
      }
      metadata[lower.substr(kMetaPrefix.size())] = value.get<std::string>();
    }
  }
  ADS_ASSIGN_OR_RETURN(auto upload,
                       store.CreateMultipartUpload(call.Param("ns"), call.Param("bucket"), object,
                                                   StringMemberOr(body, "contentType"), metadata,
                                                   StringMemberOr(body, "storageTier")));
  call.ReplyJson(200, UploadJson(upload));
  call.response.headers["location"] = "/n/" + http::PercentEncode(upload.namespace_name) + "/b/" +
                                      http::PercentEncode(upload.bucket) + "/u/" +
                                      http::PercentEncode(upload.object) +
                                      "?uploadId=" + upload.upload_id;
  return OkStatus();
}

Status UploadPart(Call& call, ObjectStore& store) {
  ADS_RETURN_IF_ERROR(AuthorizedBucket(call, store, iam::Verb::kManage, iam::kObjects).status());
  const std::string& ns = call.Param("ns");
  const std::string& bucket = call.Param("bucket");
  const std::string& object = call.Param("object");
  ADS_ASSIGN_OR_RETURN(std::string upload_id, RequiredQuery(call, "uploadId"));
  ADS_ASSIGN_OR_RETURN(int part_number,
                       IntQuery(call, "uploadPartNum", 0, 1, objectstore::kMaxPartNumber));
  if (part_number == 0) return InvalidArgumentError("the query parameter uploadPartNum is required");
  // Refuse before reading the body when the upload does not exist.
  ADS_RETURN_IF_ERROR(store.GetMultipartUpload(ns, bucket, object, upload_id).status());
  ADS_ASSIGN_OR_RETURN(store::BlobInfo blob,
                       store.WriteBlob(BodySource(call), call.body_sha256_to_check,
                                       Trim(call.request.Header("content-md5"))));
  ADS_ASSIGN_OR_RETURN(auto part, store.PutPart(ns, bucket, object, upload_id, part_number, blob));
  call.response.status = 200;
  call.response.headers["etag"] = part.etag;
  call.response.headers["opc-content-md5"] = part.blob.md5_base64;
  return OkStatus();
}

Result<std::vector<objectstore::CommitPart>> ParseCommit(const Json& body) {
  const Json* parts = FindMember(body, "partsToCommit");
  if (parts == nullptr || !parts->is_array()) {
    return InvalidArgumentError("partsToCommit must be an array of {partNum, etag}");
  }
  std::vector<objectstore::CommitPart> out;
  for (const Json& part : *parts) {
    const Json* num = FindMember(part, "partNum");
    const Json* etag = FindMember(part, "etag");
    if (num == nullptr || !num->is_number_integer() || etag == nullptr || !etag->is_string()) {
      return InvalidArgumentError("each of partsToCommit needs an integer partNum and an etag");
    }
    const int64_t n = num->get<int64_t>();
    if (n < 1 || n > objectstore::kMaxPartNumber) {
      return InvalidArgumentError("partNum must be between 1 and 10000");
    }
    out.push_back({static_cast<int>(n), etag->get<std::string>()});
  }
  // partsToExclude needs no action: parts not committed are dropped anyway.
  return out;
}

Status CommitUpload(Call& call, ObjectStore& store) {
  ADS_RETURN_IF_ERROR(AuthorizedBucket(call, store, iam::Verb::kManage, iam::kObjects).status());
  ADS_ASSIGN_OR_RETURN(std::string upload_id, RequiredQuery(call, "uploadId"));
  ADS_ASSIGN_OR_RETURN(Json body, call.JsonBody());
  ADS_ASSIGN_OR_RETURN(auto parts, ParseCommit(body));
  ADS_ASSIGN_OR_RETURN(objectstore::PutObjectOptions options, WriteConditions(call));
  ADS_ASSIGN_OR_RETURN(ObjectInfo info,
                       store.CommitMultipartUpload(call.Param("ns"), call.Param("bucket"),
                                                   call.Param("object"), upload_id,
                                                   std::move(parts), options));
  call.response.status = 200;
  call.response.headers["etag"] = info.etag;
  call.response.headers["opc-multipart-md5"] = info.multipart_md5;
  call.response.headers["last-modified"] = iam::FormatHttpDate(info.time_modified);
  return OkStatus();
}

Status AbortUpload(Call& call, ObjectStore& store) {
  ADS_RETURN_IF_ERROR(AuthorizedBucket(call, store, iam::Verb::kManage, iam::kObjects).status());
  ADS_ASSIGN_OR_RETURN(std::string upload_id, RequiredQuery(call, "uploadId"));
  ADS_RETURN_IF_ERROR(store.AbortMultipartUpload(call.Param("ns"), call.Param("bucket"),
                                                 call.Param("object"), upload_id));
  call.response.status = 204;
  return OkStatus();
}

Status ListParts(Call& call, ObjectStore& store) {
  ADS_RETURN_IF_ERROR(AuthorizedBucket(call, store, iam::Verb::kInspect, iam::kObjects).status());
  ADS_ASSIGN_OR_RETURN(std::string upload_id, RequiredQuery(call, "uploadId"));
  ADS_ASSIGN_OR_RETURN(int limit, IntQuery(call, "limit", objectstore::kMaxListLimit, 1,
                                           objectstore::kMaxListLimit));
  ADS_ASSIGN_OR_RETURN(auto page, store.ListParts(call.Param("ns"), call.Param("bucket"),
                                                  call.Param("object"), upload_id, limit,
                                                  Query(call, "page")));
  Json out = Json::array();
  for (const objectstore::PartInfo& p : page.items) {
    Json part = Json::object();
    part["partNumber"] = p.part_number;
    part["etag"] = p.etag;
    part["md5"] = p.blob.md5_base64;
    part["size"] = p.blob.size;
    out.push_back(std::move(part));
  }
  call.ReplyJson(200, out);
  if (!page.next_page.empty()) call.response.headers["opc-next-page"] = page.next_page;
  return OkStatus();
}

Status ListUploads(Call& call, ObjectStore& store) {
  ADS_RETURN_IF_ERROR(AuthorizedBucket(call, store, iam::Verb::kInspect, iam::kObjects).status());
  ADS_ASSIGN_OR_RETURN(int limit, IntQuery(call, "limit", objectstore::kMaxListLimit, 1,
                                           objectstore::kMaxListLimit));
  ADS_ASSIGN_OR_RETURN(auto page, store.ListUploads(call.Param("ns"), call.Param("bucket"), limit,
                                                    Query(call, "page")));
  Json out = Json::array();
  for (const auto& u : page.items) out.push_back(UploadJson(u));
  call.ReplyJson(200, out);
  if (!page.next_page.empty()) call.response.headers["opc-next-page"] = page.next_page;
  return OkStatus();
}

}  // namespace

void AddObjectStorageRoutes(Router& router, ObjectStore& store) {
  const RouteOptions none;
  RouteOptions json;
  json.body = BodyKind::kJson;
  RouteOptions binary;
  binary.body = BodyKind::kBinary;
  ObjectStore* os = &store;

  auto get_namespace = [os](Call& call) -> Status {
    call.ReplyJson(200, Json(os->namespace_name()));
    return OkStatus();
  };
  router.Add("GET", "/n/", none, get_namespace);
  router.Add("GET", "/n", none, get_namespace);
  router.Add("GET", "/n/{ns}", none, [os](Call& call) -> Status {
    ADS_ASSIGN_OR_RETURN(Json metadata, os->NamespaceMetadata(call.Param("ns")));
    call.ReplyJson(200, metadata);
    return OkStatus();
  });

  // The SDKs differ on a trailing slash after /b; accept both.
  for (const char* buckets : {"/n/{ns}/b", "/n/{ns}/b/"}) {
    router.Add("POST", buckets, json, [os](Call& call) { return CreateBucket(call, *os); });
    router.Add("GET", buckets, none, [os](Call& call) { return ListBuckets(call, *os); });
  }
  const std::string bucket = "/n/{ns}/b/{bucket}";
  router.Add("GET", bucket, none, [os](Call& call) { return GetBucket(call, *os, false); });
  router.Add("HEAD", bucket, none, [os](Call& call) { return GetBucket(call, *os, true); });
  router.Add("DELETE", bucket, none, [os](Call& call) { return DeleteBucket(call, *os); });

  for (const char* list : {"/n/{ns}/b/{bucket}/o", "/n/{ns}/b/{bucket}/o/"}) {
    router.Add("GET", list, none, [os](Call& call) { return ListObjects(call, *os); });
  }
  const std::string object = "/n/{ns}/b/{bucket}/o/{object}";
  router.Add("PUT", object, binary, [os](Call& call) { return PutObject(call, *os); });
  router.Add("GET", object, none, [os](Call& call) { return GetObject(call, *os, false); });
  router.Add("HEAD", object, none, [os](Call& call) { return GetObject(call, *os, true); });
  router.Add("DELETE", object, none, [os](Call& call) { return DeleteObject(call, *os); });

  for (const char* uploads : {"/n/{ns}/b/{bucket}/u", "/n/{ns}/b/{bucket}/u/"}) {
    router.Add("POST", uploads, json, [os](Call& call) { return CreateUpload(call, *os); });
    router.Add("GET", uploads, none, [os](Call& call) { return ListUploads(call, *os); });
  }
  const std::string upload = "/n/{ns}/b/{bucket}/u/{object}";
  router.Add("PUT", upload, binary, [os](Call& call) { return UploadPart(call, *os); });
  router.Add("POST", upload, json, [os](Call& call) { return CommitUpload(call, *os); });
  router.Add("DELETE", upload, none, [os](Call& call) { return AbortUpload(call, *os); });
  router.Add("GET", upload, none, [os](Call& call) { return ListParts(call, *os); });
}

}  // namespace ads::server
