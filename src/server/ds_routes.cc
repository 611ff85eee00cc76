#include "server/ds_routes.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>

#include "base/hash.h"
#include "base/strings.h"
#include "iam/http_signature.h"

namespace ads::server {
namespace {

using catalog::Catalog;
using catalog::Resource;

constexpr char kApi[] = "/20190101";

// An if-match mismatch from the catalog becomes OCI's 412 NoEtagMatch.
RouteHandler Wrap(RouteHandler handler) {
  return [handler = std::move(handler)](Call& call) -> Status {
    Status status = handler(call);
    if (catalog::IsEtagMismatch(status)) return OciError(412, "NoEtagMatch", status.message());
    return status;
  };
}

void ReplyResource(Call& call, int status, const Resource& resource) {
  call.response.headers["etag"] = resource.etag;
  call.ReplyJson(status, resource.doc);
}

void ReplyEmpty(Call& call, int status) {
  call.response.status = status;
  call.response.body.clear();
}

void ReplyWorkRequest(Call& call, const std::string& wr_id) {
  call.response.headers["opc-work-request-id"] = wr_id;
  ReplyEmpty(call, 202);
}

std::string DocCompartment(const Json& doc) { return StringMemberOr(doc, "compartmentId"); }

// Creates: the compartment must exist and the caller may manage there.
Status AuthorizeCreate(Call& call, std::string_view type, const Json& details) {
  const std::string compartment = StringMemberOr(details, "compartmentId");
  if (compartment.empty()) return InvalidArgumentError("compartmentId is required.");
  if (call.access && !call.access->CompartmentExists(compartment)) {
    return NotFoundError("Authorization failed or requested resource not found.");
  }
  return call.Authorize(iam::Verb::kManage, type, compartment);
}

catalog::CreateContext CreateContextOf(const Call& call) {
  return {call.principal.id, std::string(call.request.Header("opc-retry-token"))};
}

// compartmentId (required), limit, page, sortBy, sortOrder and the filters
// `filters` of one list; the caller must be able to inspect the compartment.
Result<catalog::ListQuery> ListQueryOf(Call& call, std::string_view type,
                                       std::initializer_list<const char*> filters,
                                       std::string default_sort = "timeCreated") {
  catalog::ListQuery query;
  query.compartment_id = call.request.QueryParam("compartmentId").value_or("");
  if (query.compartment_id.empty()) return InvalidArgumentError("compartmentId is required.");
  ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kInspect, type, query.compartment_id));
  for (const char* name : filters) {
    if (std::optional<std::string> v = call.request.QueryParam(name)) query.filters[name] = *v;
  }
  if (std::optional<std::string> limit = call.request.QueryParam("limit")) {
    int n = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || end != limit->data() + limit->size()) {
      return InvalidArgumentError("limit must be an integer.");
    }
    query.limit = n;
  }
  query.page = call.request.QueryParam("page").value_or("");
  query.sort_by = call.request.QueryParam("sortBy").value_or(default_sort);
  query.sort_order = call.request.QueryParam("sortOrder").value_or("");
  return query;
}

void ReplyPage(Call& call, const catalog::Page& page) {
  if (!page.next_page.empty()) call.response.headers["opc-next-page"] = page.next_page;
  call.ReplyJson(200, Json(page.items));
}

void ReplyPage(Call& call, const catalog::TextPage& page) {
  if (!page.next_page.empty()) call.response.headers["opc-next-page"] = page.next_page;
  call.response.SetJson(200, catalog::JsonArrayText(page.items));
}

// Loads a resource with `get` and checks `verb` on its compartment.
template <typename Get>
Result<Resource> Authorized(Call& call, iam::Verb verb, std::string_view type, Get get) {
  ADS_ASSIGN_OR_RETURN(Resource r, get());
  ADS_RETURN_IF_ERROR(call.Authorize(verb, type, DocCompartment(r.doc)));
  return r;
}

// changeCompartment: manage in the current and the target compartment.
Result<std::string> TargetCompartment(Call& call, std::string_view type) {
  ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
  const std::string target = StringMemberOr(details, "compartmentId");
  if (target.empty()) return InvalidArgumentError("compartmentId is required.");
  if (call.access && !call.access->CompartmentExists(target)) {
    return NotFoundError("Authorization failed or requested resource not found.");
  }
  ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kManage, type, target));
  return target;
}

bool QueryFlag(const Call& call, std::string_view name) {
  return EqualsIgnoreCase(call.request.QueryParam(name).value_or(""), "true");
}

RouteOptions JsonBody() { return RouteOptions{.body = BodyKind::kJson}; }

// ---- Projects ----

void AddProjectRoutes(Router& r, Catalog& c) {
  const std::string base = std::string(kApi) + "/projects";
  const auto get = [&c](Call& call) { return [&] { return c.GetProject(call.Param("projectId")); }; };
  r.Add("POST", base, JsonBody(), Wrap([&c](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          ADS_RETURN_IF_ERROR(AuthorizeCreate(call, iam::kProjects, details));
          ADS_ASSIGN_OR_RETURN(Resource p, c.CreateProject(details, CreateContextOf(call)));
          ReplyResource(call, 200, p);
          return OkStatus();
        }));
  r.Add("GET", base, {}, Wrap([&c](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(auto query,
                               ListQueryOf(call, iam::kProjects,
                                           {"id", "displayName", "lifecycleState", "createdBy"}));
          ADS_ASSIGN_OR_RETURN(catalog::TextPage page, c.ListProjects(query));
          ReplyPage(call, page);
          return OkStatus();
        }));
  r.Add("GET", base + "/{projectId}", {}, Wrap([get](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(Resource p, Authorized(call, iam::Verb::kRead, iam::kProjects, get(call)));
          ReplyResource(call, 200, p);
          return OkStatus();
        }));
  r.Add("PUT", base + "/{projectId}", JsonBody(), Wrap([&c, get](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, iam::kProjects, get(call)).status());
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          ADS_ASSIGN_OR_RETURN(Resource p,
                               c.UpdateProject(call.Param("projectId"), details, call.IfMatch()));
          ReplyResource(call, 200, p);
          return OkStatus();
        }));
  r.Add("DELETE", base + "/{projectId}", {}, Wrap([&c, get](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, iam::kProjects, get(call)).status());
          ADS_ASSIGN_OR_RETURN(std::string wr, c.DeleteProject(call.Param("projectId"), call.IfMatch()));
          ReplyWorkRequest(call, wr);
          return OkStatus();
        }));
  r.Add("POST", base + "/{projectId}/actions/changeCompartment", JsonBody(),
        Wrap([&c, get](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, iam::kProjects, get(call)).status());
          ADS_ASSIGN_OR_RETURN(std::string target, TargetCompartment(call, iam::kProjects));
          ADS_RETURN_IF_ERROR(c.ChangeProjectCompartment(call.Param("projectId"), target, call.IfMatch()));
          ReplyEmpty(call, 200);
          return OkStatus();
        }));
}

// ---- Model version sets ----

void AddModelVersionSetRoutes(Router& r, Catalog& c) {
  const std::string base = std::string(kApi) + "/modelVersionSets";
  const auto get = [&c](Call& call) {
    return [&] { return c.GetModelVersionSet(call.Param("modelVersionSetId")); };
  };
  const auto type = iam::kModelVersionSets;
  r.Add("POST", base, JsonBody(), Wrap([&c, type](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          ADS_RETURN_IF_ERROR(AuthorizeCreate(call, type, details));
          ADS_ASSIGN_OR_RETURN(Resource s, c.CreateModelVersionSet(details, CreateContextOf(call)));
          ReplyResource(call, 200, s);
          return OkStatus();
        }));
  r.Add("GET", base, {}, Wrap([&c, type](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(auto query,
                               ListQueryOf(call, type,
                                           {"projectId", "id", "name", "lifecycleState", "createdBy"}));
          ADS_ASSIGN_OR_RETURN(catalog::TextPage page, c.ListModelVersionSets(query));
          ReplyPage(call, page);
          return OkStatus();
        }));
  r.Add("GET", base + "/{modelVersionSetId}", {}, Wrap([get, type](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(Resource s, Authorized(call, iam::Verb::kRead, type, get(call)));
          ReplyResource(call, 200, s);
          return OkStatus();
        }));
  r.Add("PUT", base + "/{modelVersionSetId}", JsonBody(), Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, type, get(call)).status());
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          ADS_ASSIGN_OR_RETURN(Resource s, c.UpdateModelVersionSet(call.Param("modelVersionSetId"),
                                                                   details, call.IfMatch()));
          ReplyResource(call, 200, s);
          return OkStatus();
        }));
  r.Add("DELETE", base + "/{modelVersionSetId}", {}, Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, type, get(call)).status());
          ADS_ASSIGN_OR_RETURN(std::string wr,
                               c.DeleteModelVersionSet(call.Param("modelVersionSetId"),
                                                       call.IfMatch(),
                                                       QueryFlag(call, "isDeleteRelatedModels")));
          ReplyWorkRequest(call, wr);
          return OkStatus();
        }));
  r.Add("POST", base + "/{modelVersionSetId}/actions/changeCompartment", JsonBody(),
        Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, type, get(call)).status());
          ADS_ASSIGN_OR_RETURN(std::string target, TargetCompartment(call, type));
          ADS_RETURN_IF_ERROR(c.ChangeModelVersionSetCompartment(call.Param("modelVersionSetId"),
                                                                 target, call.IfMatch()));
          ReplyEmpty(call, 200);
          return OkStatus();
        }));
}

// ---- Work requests ----

void AddWorkRequestRoutes(Router& r, Catalog& c) {
  const std::string base = std::string(kApi) + "/workRequests";
  const auto type = iam::kWorkRequests;
  const auto get = [&c](Call& call) -> Result<Resource> {
    ADS_ASSIGN_OR_RETURN(Json doc, c.GetWorkRequest(call.Param("workRequestId")));
    return Resource{doc, ""};
  };
  r.Add("GET", base, {}, Wrap([&c, type](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(auto query, ListQueryOf(call, type, {"id", "operationType", "status"},
                                                       "timeAccepted"));
          ADS_ASSIGN_OR_RETURN(catalog::Page page, c.ListWorkRequests(query));
          ReplyPage(call, page);
          return OkStatus();
        }));
  r.Add("GET", base + "/{workRequestId}", {}, Wrap([get, type](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(Resource wr,
                               Authorized(call, iam::Verb::kRead, type, [&] { return get(call); }));
          call.ReplyJson(200, wr.doc);
          return OkStatus();
        }));
  r.Add("GET", base + "/{workRequestId}/errors", {}, Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(
              Authorized(call, iam::Verb::kRead, type, [&] { return get(call); }).status());
          ADS_ASSIGN_OR_RETURN(Json errors, c.WorkRequestErrors(call.Param("workRequestId")));
          call.ReplyJson(200, errors);
          return OkStatus();
        }));
  r.Add("GET", base + "/{workRequestId}/logs", {}, Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(
              Authorized(call, iam::Verb::kRead, type, [&] { return get(call); }).status());
          ADS_ASSIGN_OR_RETURN(Json logs, c.WorkRequestLogs(call.Param("workRequestId")));
          call.ReplyJson(200, logs);
          return OkStatus();
        }));
}


// ---- Models ----

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

std::optional<uint64_t> ParseU64(std::string_view text) {
  uint64_t v = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// RFC 7233 single ranges: "bytes=a-b", "bytes=a-", "bytes=-n". A header we
// do not understand is ignored (whole body), as HTTP allows; OutOfRange
// when it cannot be satisfied (416).
Result<std::optional<ByteRange>> ParseRange(std::string_view header, uint64_t size) {
  header = Trim(header);
  if (!header.starts_with("bytes=")) return std::optional<ByteRange>();
  std::string_view spec = Trim(header.substr(6));
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos || spec.find(',') != std::string_view::npos) {
    return std::optional<ByteRange>();
  }
  const std::string_view a = Trim(spec.substr(0, dash));
  const std::string_view b = Trim(spec.substr(dash + 1));
  if (a.empty()) {
    std::optional<uint64_t> n = ParseU64(b);
    if (!n) return std::optional<ByteRange>();
    if (*n == 0 || size == 0) return OutOfRangeError("The range cannot be satisfied.");
    const uint64_t len = std::min(*n, size);
    return std::optional<ByteRange>(ByteRange{size - len, len});
  }
  std::optional<uint64_t> first = ParseU64(a);
  if (!first) return std::optional<ByteRange>();
  if (*first >= size) return OutOfRangeError("The range cannot be satisfied.");
  std::optional<uint64_t> last = b.empty() ? std::optional<uint64_t>(size - 1) : ParseU64(b);
  if (!last || *last < *first) return std::optional<ByteRange>();
  const uint64_t end = std::min(*last, size - 1);
  return std::optional<ByteRange>(ByteRange{*first, end - *first + 1});
}

void ArtifactHeaders(Call& call, const catalog::ArtifactInfo& a) {
  call.response.headers["etag"] = a.blob.sha256;
  call.response.headers["content-md5"] = a.blob.md5_base64;
  call.response.headers["last-modified"] = iam::FormatHttpDate(a.time_uploaded);
  call.response.headers["content-disposition"] = a.content_disposition;
  call.response.headers["content-type"] = "application/octet-stream";
  call.response.headers["accept-ranges"] = "bytes";
}

Status ServeArtifact(Call& call, Catalog& c, const catalog::ArtifactInfo& a) {
  ArtifactHeaders(call, a);
  const uint64_t size = a.blob.size;
  Result<std::optional<ByteRange>> range = ParseRange(call.request.Header("range"), size);
  if (!range.ok()) {
    call.response.headers["content-range"] = "bytes */" + std::to_string(size);
    return OciError(416, "InvalidRange", range.status().message());
  }
  ByteRange window{0, size};
  call.response.status = 200;
  if (*range) {
    window = **range;
    call.response.status = 206;
    call.response.headers["content-range"] = "bytes " + std::to_string(window.first) + "-" +
                                             std::to_string(window.first + window.length - 1) +
                                             "/" + std::to_string(size);
  }
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, c.blobs().OpenBlob(a.blob.sha256));
  std::shared_ptr<RandomAccessFile> shared(std::move(file));
  auto offset = std::make_shared<uint64_t>(window.first);
  const uint64_t end = window.first + window.length;
  call.response.body_length = window.length;
  call.response.body_source = [shared, offset, end](char* buf, size_t n) -> Result<size_t> {
    if (*offset >= end) return size_t{0};
    const uint64_t want = std::min<uint64_t>(n, end - *offset);
    ADS_ASSIGN_OR_RETURN(size_t got, shared->Read(*offset, static_cast<size_t>(want), buf));
    if (got == 0) return DataLossError("The artifact blob is shorter than recorded.");
    *offset += got;
    return got;
  };
  return OkStatus();
}

void AddModelRoutes(Router& r, Catalog& c) {
  const std::string base = std::string(kApi) + "/models";
  const std::string one = base + "/{modelId}";
  const auto type = iam::kModels;
  const auto get = [&c](Call& call) { return [&] { return c.GetModel(call.Param("modelId")); }; };
  r.Add("POST", base, JsonBody(), Wrap([&c, type](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          ADS_RETURN_IF_ERROR(AuthorizeCreate(call, type, details));
          ADS_ASSIGN_OR_RETURN(Resource m, c.CreateModel(details, CreateContextOf(call)));
          ReplyResource(call, 200, m);
          return OkStatus();
        }));
  r.Add("GET", base, {}, Wrap([&c, type](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(auto query,
                               ListQueryOf(call, type,
                                           {"projectId", "id", "displayName", "lifecycleState",
                                            "createdBy", "modelVersionSetName", "versionLabel"}));
          ADS_ASSIGN_OR_RETURN(catalog::TextPage page, c.ListModels(query));
          ReplyPage(call, page);
          return OkStatus();
        }));
  r.Add("GET", one, {}, Wrap([get, type](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(Resource m, Authorized(call, iam::Verb::kRead, type, get(call)));
          ReplyResource(call, 200, m);
          return OkStatus();
        }));
  r.Add("PUT", one, JsonBody(), Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, type, get(call)).status());
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          ADS_ASSIGN_OR_RETURN(Resource m,
                               c.UpdateModel(call.Param("modelId"), details, call.IfMatch()));
          ReplyResource(call, 200, m);
          return OkStatus();
        }));
  r.Add("DELETE", one, {}, Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, type, get(call)).status());
          ADS_RETURN_IF_ERROR(c.DeleteModel(call.Param("modelId"), call.IfMatch(),
                                            QueryFlag(call, "isForceDelete")));
          ReplyEmpty(call, 204);
          return OkStatus();
        }));
  for (const bool active : {true, false}) {
    r.Add("POST", one + (active ? "/actions/activate" : "/actions/deactivate"), JsonBody(),
          Wrap([&c, get, type, active](Call& call) -> Status {
            ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, type, get(call)).status());
            ADS_ASSIGN_OR_RETURN(Resource m,
                                 c.SetModelActive(call.Param("modelId"), active, call.IfMatch()));
            ReplyResource(call, 200, m);
            return OkStatus();
          }));
  }
  r.Add("POST", one + "/actions/changeCompartment", JsonBody(),
        Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, type, get(call)).status());
          ADS_ASSIGN_OR_RETURN(std::string target, TargetCompartment(call, type));
          ADS_RETURN_IF_ERROR(c.ChangeModelCompartment(call.Param("modelId"), target, call.IfMatch()));
          ReplyEmpty(call, 200);
          return OkStatus();
        }));
  r.Add("POST", one + "/actions/exportArtifact", JsonBody(),
        Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, type, get(call)).status());
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          ADS_ASSIGN_OR_RETURN(std::string wr,
                               c.ExportArtifact(call.Param("modelId"), details, call.principal));
          ReplyWorkRequest(call, wr);
          return OkStatus();
        }));
  r.Add("POST", one + "/actions/importArtifact", JsonBody(),
        Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kRead, type, get(call)).status());
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          ADS_ASSIGN_OR_RETURN(std::string wr,
                               c.ImportArtifact(call.Param("modelId"), details, call.principal));
          ReplyWorkRequest(call, wr);
          return OkStatus();
        }));

  // Artifact bytes.
  r.Add("POST", one + "/artifact", RouteOptions{.body = BodyKind::kBinary},
        Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, type, get(call)).status());
          http::BodyReader* body = call.request.body;
          ADS_RETURN_IF_ERROR(c.UploadArtifact(
              call.Param("modelId"), [body](char* buf, size_t n) { return body->Read(buf, n); },
              call.request.Header("content-disposition"), call.body_sha256_to_check));
          ADS_ASSIGN_OR_RETURN(catalog::ArtifactInfo a, c.GetArtifact(call.Param("modelId")));
          call.response.headers["etag"] = a.blob.sha256;
          ReplyEmpty(call, 200);
          return OkStatus();
        }));
  r.Add("HEAD", one + "/artifact/content", {}, Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kRead, type, get(call)).status());
          ADS_ASSIGN_OR_RETURN(catalog::ArtifactInfo a, c.GetArtifact(call.Param("modelId")));
          ArtifactHeaders(call, a);
          call.response.status = 200;
          call.response.head_length = a.blob.size;
          return OkStatus();
        }));
  r.Add("GET", one + "/artifact/content", {}, Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kRead, type, get(call)).status());
          ADS_ASSIGN_OR_RETURN(catalog::ArtifactInfo a, c.GetArtifact(call.Param("modelId")));
          return ServeArtifact(call, c, a);
        }));

  // Provenance.
  for (const char* method : {"POST", "PUT"}) {
    const bool create = std::string_view(method) == "POST";
    r.Add(method, one + "/provenance", JsonBody(), Wrap([&c, get, type, create](Call& call) -> Status {
            ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kManage, type, get(call)).status());
            ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
            ADS_ASSIGN_OR_RETURN(Json p, create ? c.CreateProvenance(call.Param("modelId"), details)
                                                : c.UpdateProvenance(call.Param("modelId"), details));
            call.response.headers["etag"] = Sha256Hex(p.dump()).substr(0, 32);
            call.ReplyJson(200, p);
            return OkStatus();
          }));
  }
  r.Add("GET", one + "/provenance", {}, Wrap([&c, get, type](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, iam::Verb::kRead, type, get(call)).status());
          ADS_ASSIGN_OR_RETURN(Json p, c.GetProvenance(call.Param("modelId")));
          call.response.headers["etag"] = Sha256Hex(p.dump()).substr(0, 32);
          call.ReplyJson(200, p);
          return OkStatus();
        }));
}

}  // namespace

void AddDataScienceRoutes(Router& router, Catalog& catalog) {
  AddProjectRoutes(router, catalog);
  AddModelRoutes(router, catalog);
  AddModelVersionSetRoutes(router, catalog);
  AddWorkRequestRoutes(router, catalog);
}

}  // namespace ads::server
