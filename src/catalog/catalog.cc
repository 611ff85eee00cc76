#include "catalog/catalog.h"

#include <set>

#include "base/hash.h"
#include "base/ids.h"
#include "base/strings.h"
#include "catalog/catalog_internal.h"
#include "metadata/limits.h"
#include "metadata/serialization.h"

namespace ads::catalog {

std::string EtagOf(const Json& doc) { return Sha256Hex(doc.dump()).substr(0, 32); }

Status CheckIfMatch(const Row& row, std::string_view if_match) {
  if (if_match.empty() || if_match == EtagOf(row.doc)) return OkStatus();
  return Status(StatusCode::kFailedPrecondition,
                "The if-match value does not match the current etag of " + row.id + ".",
                kNoEtagMatch);
}

Result<Row> Catalog::Impl::Load(Kind kind, std::string_view id) {
  ADS_ASSIGN_OR_RETURN(std::optional<Row> row, store->Get(kind, id));
  if (!row) return NotFoundError("No resource " + Quoted(id) + ".");
  return std::move(*row);
}

namespace {

constexpr char kActive[] = "ACTIVE";
constexpr char kDeleted[] = "DELETED";
constexpr char kInactive[] = "INACTIVE";

Resource ToResource(const Row& row) { return Resource{row.doc, EtagOf(row.doc)}; }

Status RequireLive(const Row& row) {
  if (row.lifecycle_state == kDeleted) {
    return FailedPreconditionError("The resource " + row.id + " is DELETED.");
  }
  return OkStatus();
}

// A string member: absent or null -> nullopt; another type is an error.
Result<std::optional<std::string>> OptString(const Json& details, std::string_view key) {
  const Json* v = FindMember(details, key);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return InvalidArgumentError(std::string(key) + " must be a string.");
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::string> RequiredString(const Json& details, std::string_view key) {
  ADS_ASSIGN_OR_RETURN(std::optional<std::string> v, OptString(details, key));
  if (!v || v->empty()) return InvalidArgumentError(std::string(key) + " is required.");
  return *v;
}

// Checks freeformTags ({string: string}) and definedTags ({ns: {key: any}})
// when present and copies them (or {} on create) into `doc`.
Status ApplyTags(const Json& details, Json& doc, bool create) {
  if (const Json* f = FindMember(details, "freeformTags"); f && !f->is_null()) {
    if (!f->is_object()) return InvalidArgumentError("freeformTags must be an object.");
    for (const auto& [k, v] : f->items()) {
      if (!v.is_string()) {
        return InvalidArgumentError("freeformTags value of " + Quoted(k) + " must be a string.");
      }
    }
    doc["freeformTags"] = *f;
  } else if (create) {
    doc["freeformTags"] = Json::object();
  }
  if (const Json* d = FindMember(details, "definedTags"); d && !d->is_null()) {
    if (!d->is_object()) return InvalidArgumentError("definedTags must be an object.");
    for (const auto& [ns, tags] : d->items()) {
      if (!tags.is_object()) {
        return InvalidArgumentError("definedTags namespace " + Quoted(ns) +
                                    " must map to an object.");
      }
    }
    doc["definedTags"] = *d;
  } else if (create) {
    doc["definedTags"] = Json::object();
  }
  return OkStatus();
}

Status CopyString(const Json& details, std::string_view key, Json& doc) {
  ADS_ASSIGN_OR_RETURN(std::optional<std::string> v, OptString(details, key));
  if (v) doc[std::string(key)] = *v;
  return OkStatus();
}

Status AsInvalid(const Status& s) {
  if (s.ok() || s.code() == StatusCode::kInvalidArgument) return s;
  return InvalidArgumentError(s.message());
}

// Service-side metadata limits: item shapes, categories, 255-character
// custom values and descriptions, unique keys, 32000 bytes in all.
Status ValidateMetadata(const Json& custom_list, const Json& defined_list) {
  ADS_ASSIGN_OR_RETURN(metadata::CustomMetadata custom, metadata::CustomFromOciList(custom_list));
  ADS_ASSIGN_OR_RETURN(metadata::TaxonomyMetadata taxonomy,
                       metadata::TaxonomyFromOciList(defined_list));
  for (const Json* list : {&custom_list, &defined_list}) {
    std::set<std::string> keys;
    for (const Json& item : *list) {
      const std::string key = ToLower(StringMemberOr(item, "key"));
      if (key.empty()) return InvalidArgumentError("A metadata item has no key.");
      if (!keys.insert(key).second) {
        return InvalidArgumentError("The metadata key " + Quoted(StringMemberOr(item, "key")) +
                                    " appears more than once.");
      }
    }
  }
  ADS_RETURN_IF_ERROR(AsInvalid(custom.Validate()));
  ADS_RETURN_IF_ERROR(AsInvalid(taxonomy.Validate()));
  return AsInvalid(metadata::CheckMetadataSize(taxonomy, custom));
}

Result<Json> ListMember(const Json& details, std::string_view key, const Json& fallback) {
  const Json* v = FindMember(details, key);
  if (!v || v->is_null()) return fallback;
  if (!v->is_array()) return InvalidArgumentError(std::string(key) + " must be an array.");
  return *v;
}

// The hash a retry token is bound to: who asked, for what, with what.
std::string RequestHash(std::string_view kind, const CreateContext& ctx, const Json& details) {
  return Sha256Hex(std::string(kind) + "\n" + ctx.created_by + "\n" + details.dump());
}

}  // namespace

Catalog::Catalog(std::unique_ptr<Impl> impl, store::BlobStore& blobs)
    : impl_(std::move(impl)), blobs_(blobs) {}

Catalog::~Catalog() {
  std::vector<Impl::Worker> threads;
  {
    std::lock_guard<std::mutex> lock(impl_->threads_mu);
    threads.swap(impl_->threads);
  }
  for (Impl::Worker& w : threads) w.thread.join();
}

Result<std::unique_ptr<Catalog>> Catalog::Open(std::unique_ptr<store::Database> db,
                                               store::BlobStore& blobs, Env& env,
                                               CatalogOptions options) {
  if (!db) return InvalidArgumentError("Catalog::Open needs a database.");
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<CatalogStore> store, CatalogStore::Open(std::move(db), env));
  auto impl = std::make_unique<Impl>(env, blobs, std::move(options), std::move(store));
  return std::unique_ptr<Catalog>(new Catalog(std::move(impl), blobs));
}

// Runs `create` (which inserts and returns the new row) inside one write
// transaction, honouring an opc-retry-token: the same token and request give
// the first resource again; the same token with another request is Conflict.
template <typename Fn>
static Result<Resource> CreateOnce(Catalog::Impl& impl, Kind kind, std::string_view kind_name,
                                   const Json& details, const CreateContext& ctx, Fn create) {
  std::lock_guard<std::mutex> lock(impl.mu);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, impl.store->Begin());
  const std::string hash = RequestHash(kind_name, ctx, details);
  if (!ctx.retry_token.empty()) {
    const int64_t max_age =
        std::chrono::duration_cast<std::chrono::milliseconds>(impl.options.retry_token_lifetime)
            .count();
    ADS_ASSIGN_OR_RETURN(
        auto seen, impl.store->GetRetryToken(ctx.retry_token, kind_name, impl.NowMs(), max_age));
    if (seen) {
      if (seen->first != hash) {
        return AlreadyExistsError("The opc-retry-token was already used with a different request.");
      }
      ADS_ASSIGN_OR_RETURN(Row row, impl.Load(kind, seen->second));
      return ToResource(row);
    }
  }
  ADS_ASSIGN_OR_RETURN(Row row, create());
  ADS_RETURN_IF_ERROR(impl.store->Insert(kind, row));
  if (!ctx.retry_token.empty()) {
    ADS_RETURN_IF_ERROR(
        impl.store->PutRetryToken(ctx.retry_token, kind_name, hash, row.id, impl.NowMs()));
  }
  ADS_RETURN_IF_ERROR(txn.Commit());
  return ToResource(row);
}

// Loads, checks liveness and if-match, applies `change` to the row and
// writes it back, all in one transaction.
template <typename Fn>
static Result<Row> Modify(Catalog::Impl& impl, Kind kind, std::string_view id,
                          std::string_view if_match, Fn change) {
  std::lock_guard<std::mutex> lock(impl.mu);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, impl.store->Begin());
  ADS_ASSIGN_OR_RETURN(Row row, impl.Load(kind, id));
  ADS_RETURN_IF_ERROR(CheckIfMatch(row, if_match));
  ADS_RETURN_IF_ERROR(RequireLive(row));
  ADS_RETURN_IF_ERROR(change(row));
  ADS_RETURN_IF_ERROR(impl.store->Update(kind, row));
  ADS_RETURN_IF_ERROR(txn.Commit());
  return row;
}

static Row NewRow(Catalog::Impl& impl, std::string_view ocid_type, const Json& details,
                  const CreateContext& ctx) {
  Row row;
  row.id = GenerateOcid(impl.env, ocid_type, impl.options.region);
  row.compartment_id = StringMemberOr(details, "compartmentId");
  row.project_id = StringMemberOr(details, "projectId");
  row.lifecycle_state = kActive;
  row.created_by = ctx.created_by;
  row.time_created_us = impl.NextCreateTimeUs();
  return row;
}

static std::string Rfc3339Us(int64_t us) {
  return FormatRfc3339(std::chrono::system_clock::time_point(std::chrono::microseconds(us)));
}

static std::string Rfc3339Ms(int64_t ms) {
  return FormatRfc3339(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

// ---- Projects ----

Result<Resource> Catalog::CreateProject(const Json& details, const CreateContext& ctx) {
  if (!details.is_object()) return InvalidArgumentError("CreateProjectDetails must be an object.");
  ADS_RETURN_IF_ERROR(RequiredString(details, "compartmentId").status());
  return CreateOnce(*impl_, Kind::kProject, "project", details, ctx, [&]() -> Result<Row> {
    Row row = NewRow(*impl_, "datascienceproject", details, ctx);
    ADS_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(details, "displayName"));
    row.name = name.value_or(RandomDisplayName(impl_->env));
    Json doc = {
        {"id", row.id}, {"timeCreated", Rfc3339Us(row.time_created_us)}, {"displayName", row.name}};
    ADS_RETURN_IF_ERROR(CopyString(details, "description", doc));
    doc["compartmentId"] = row.compartment_id;
    doc["createdBy"] = row.created_by;
    doc["lifecycleState"] = kActive;
    ADS_RETURN_IF_ERROR(ApplyTags(details, doc, true));
    row.doc = std::move(doc);
    return row;
  });
}

Result<Resource> Catalog::GetProject(std::string_view id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(Row row, impl_->Load(Kind::kProject, id));
  return ToResource(row);
}

Result<TextPage> Catalog::ListProjects(const ListQuery& query) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store->List(Kind::kProject, query);
}

Result<Resource> Catalog::UpdateProject(std::string_view id, const Json& details,
                                        std::string_view if_match) {
  if (!details.is_object()) return InvalidArgumentError("UpdateProjectDetails must be an object.");
  ADS_ASSIGN_OR_RETURN(Row row, Modify(*impl_, Kind::kProject, id, if_match, [&](Row& r) {
                         ADS_RETURN_IF_ERROR(CopyString(details, "displayName", r.doc));
                         ADS_RETURN_IF_ERROR(CopyString(details, "description", r.doc));
                         r.name = StringMemberOr(r.doc, "displayName");
                         return ApplyTags(details, r.doc, false);
                       }));
  return ToResource(row);
}

Result<std::string> Catalog::DeleteProject(std::string_view id, std::string_view if_match) {
  std::string wr_id;
  ADS_RETURN_IF_ERROR(
      Modify(*impl_, Kind::kProject, id, if_match, [&](Row& r) -> Status {
        ADS_ASSIGN_OR_RETURN(int64_t models,
                             impl_->store->CountLive(Kind::kModel, {{"project_id", r.id}}));
        ADS_ASSIGN_OR_RETURN(
            int64_t sets, impl_->store->CountLive(Kind::kModelVersionSet, {{"project_id", r.id}}));
        if (models + sets > 0) {
          return FailedPreconditionError(
              "The project " + r.id + " still holds " + std::to_string(models) + " model(s) and " +
              std::to_string(sets) + " model version set(s) that are not DELETED.");
        }
        r.lifecycle_state = kDeleted;
        r.doc["lifecycleState"] = kDeleted;
        ADS_ASSIGN_OR_RETURN(
            Row wr, impl_->NewWorkRequest("PROJECT_DELETE", r.compartment_id, "project", r.id,
                                          "/20190101/projects/" + r.id, "SUCCEEDED"));
        wr_id = wr.id;
        return OkStatus();
      }).status());
  return wr_id;
}

Status Catalog::ChangeProjectCompartment(std::string_view id, std::string_view compartment_id,
                                         std::string_view if_match) {
  return Modify(*impl_, Kind::kProject, id, if_match,
                [&](Row& r) {
                  r.compartment_id = std::string(compartment_id);
                  r.doc["compartmentId"] = r.compartment_id;
                  return OkStatus();
                })
      .status();
}

// ---- Models ----

Result<Resource> Catalog::CreateModel(const Json& details, const CreateContext& ctx) {
  if (!details.is_object()) return InvalidArgumentError("CreateModelDetails must be an object.");
  ADS_RETURN_IF_ERROR(RequiredString(details, "compartmentId").status());
  ADS_RETURN_IF_ERROR(RequiredString(details, "projectId").status());
  ADS_ASSIGN_OR_RETURN(Json custom, ListMember(details, "customMetadataList", Json::array()));
  ADS_ASSIGN_OR_RETURN(Json defined, ListMember(details, "definedMetadataList", Json::array()));
  ADS_RETURN_IF_ERROR(ValidateMetadata(custom, defined));
  return CreateOnce(*impl_, Kind::kModel, "model", details, ctx, [&]() -> Result<Row> {
    Row row = NewRow(*impl_, "datasciencemodel", details, ctx);
    ADS_ASSIGN_OR_RETURN(Row project, impl_->Load(Kind::kProject, row.project_id));
    ADS_RETURN_IF_ERROR(RequireLive(project));
    ADS_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(details, "displayName"));
    row.name = name.value_or(RandomDisplayName(impl_->env));
    Json doc = {{"id", row.id},
                {"compartmentId", row.compartment_id},
                {"projectId", row.project_id},
                {"displayName", row.name}};
    ADS_RETURN_IF_ERROR(CopyString(details, "description", doc));
    doc["lifecycleState"] = kActive;
    doc["timeCreated"] = Rfc3339Us(row.time_created_us);
    doc["createdBy"] = row.created_by;
    ADS_RETURN_IF_ERROR(ApplyTags(details, doc, true));
    doc["customMetadataList"] = custom;
    doc["definedMetadataList"] = defined;
    ADS_RETURN_IF_ERROR(CopyString(details, "inputSchema", doc));
    ADS_RETURN_IF_ERROR(CopyString(details, "outputSchema", doc));
    ADS_ASSIGN_OR_RETURN(std::optional<std::string> mvs, OptString(details, "modelVersionSetId"));
    if (mvs && !mvs->empty()) {
      ADS_ASSIGN_OR_RETURN(Row set, impl_->Load(Kind::kModelVersionSet, *mvs));
      ADS_RETURN_IF_ERROR(RequireLive(set));
      ADS_ASSIGN_OR_RETURN(row.version_id, impl_->store->NextVersion(set.id));
      row.mvs_id = set.id;
      doc["modelVersionSetId"] = set.id;
      doc["modelVersionSetName"] = set.name;
      doc["versionId"] = row.version_id;
    }
    ADS_ASSIGN_OR_RETURN(std::optional<std::string> label, OptString(details, "versionLabel"));
    if (label) {
      row.version_label = *label;
      doc["versionLabel"] = *label;
    }
    row.doc = std::move(doc);
    return row;
  });
}

Result<Resource> Catalog::GetModel(std::string_view id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(Row row, impl_->Load(Kind::kModel, id));
  return ToResource(row);
}

Result<TextPage> Catalog::ListModels(const ListQuery& query) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store->List(Kind::kModel, query);
}

Result<Resource> Catalog::UpdateModel(std::string_view id, const Json& details,
                                      std::string_view if_match) {
  if (!details.is_object()) return InvalidArgumentError("UpdateModelDetails must be an object.");
  for (const char* immutable : {"inputSchema", "outputSchema", "compartmentId", "projectId"}) {
    if (const Json* v = FindMember(details, immutable); v && !v->is_null()) {
      return InvalidArgumentError(std::string(immutable) + " cannot be updated.");
    }
  }
  ADS_ASSIGN_OR_RETURN(
      Row row, Modify(*impl_, Kind::kModel, id, if_match, [&](Row& r) -> Status {
        ADS_RETURN_IF_ERROR(CopyString(details, "displayName", r.doc));
        ADS_RETURN_IF_ERROR(CopyString(details, "description", r.doc));
        ADS_RETURN_IF_ERROR(ApplyTags(details, r.doc, false));
        ADS_ASSIGN_OR_RETURN(Json custom,
                             ListMember(details, "customMetadataList",
                                        r.doc.value("customMetadataList", Json::array())));
        ADS_ASSIGN_OR_RETURN(Json defined,
                             ListMember(details, "definedMetadataList",
                                        r.doc.value("definedMetadataList", Json::array())));
        ADS_RETURN_IF_ERROR(ValidateMetadata(custom, defined));
        r.doc["customMetadataList"] = custom;
        r.doc["definedMetadataList"] = defined;
        ADS_ASSIGN_OR_RETURN(std::optional<std::string> mvs,
                             OptString(details, "modelVersionSetId"));
        if (mvs && !mvs->empty() && *mvs != r.mvs_id) {
          if (!r.mvs_id.empty()) {
            return FailedPreconditionError("The model " + r.id +
                                           " is already associated with model version set " +
                                           r.mvs_id + "; a model cannot move to another set.");
          }
          ADS_ASSIGN_OR_RETURN(Row set, impl_->Load(Kind::kModelVersionSet, *mvs));
          ADS_RETURN_IF_ERROR(RequireLive(set));
          ADS_ASSIGN_OR_RETURN(r.version_id, impl_->store->NextVersion(set.id));
          r.mvs_id = set.id;
          r.doc["modelVersionSetId"] = set.id;
          r.doc["modelVersionSetName"] = set.name;
          r.doc["versionId"] = r.version_id;
        }
        ADS_ASSIGN_OR_RETURN(std::optional<std::string> label, OptString(details, "versionLabel"));
        if (label) {
          r.version_label = *label;
          r.doc["versionLabel"] = *label;
        }
        r.name = StringMemberOr(r.doc, "displayName");
        return OkStatus();
      }));
  return ToResource(row);
}

Status Catalog::DeleteModel(std::string_view id, std::string_view if_match, bool force) {
  if (!force && impl_->options.has_active_deployment && impl_->options.has_active_deployment(id)) {
    // Looked up first so that a missing model stays a 404.
    ADS_RETURN_IF_ERROR(GetModel(id).status());
    return FailedPreconditionError("The model " + std::string(id) +
                                   " is used by an active model deployment; delete the deployment"
                                   " first or pass isForceDelete=true.");
  }
  return Modify(*impl_, Kind::kModel, id, if_match,
                [&](Row& r) {
                  r.lifecycle_state = kDeleted;
                  r.doc["lifecycleState"] = kDeleted;
                  return OkStatus();
                })
      .status();
}

Result<Resource> Catalog::SetModelActive(std::string_view id, bool active,
                                         std::string_view if_match) {
  ADS_ASSIGN_OR_RETURN(Row row, Modify(*impl_, Kind::kModel, id, if_match, [&](Row& r) -> Status {
                         const char* from = active ? kInactive : kActive;
                         const char* to = active ? kActive : kInactive;
                         if (r.lifecycle_state != from) {
                           return FailedPreconditionError("The model " + r.id + " is " +
                                                          r.lifecycle_state + "; only a " + from +
                                                          " model can become " + to + ".");
                         }
                         r.lifecycle_state = to;
                         r.doc["lifecycleState"] = to;
                         return OkStatus();
                       }));
  return ToResource(row);
}

Status Catalog::ChangeModelCompartment(std::string_view id, std::string_view compartment_id,
                                       std::string_view if_match) {
  return Modify(*impl_, Kind::kModel, id, if_match,
                [&](Row& r) {
                  r.compartment_id = std::string(compartment_id);
                  r.doc["compartmentId"] = r.compartment_id;
                  return OkStatus();
                })
      .status();
}

// ---- Model version sets ----

Result<Resource> Catalog::CreateModelVersionSet(const Json& details, const CreateContext& ctx) {
  if (!details.is_object()) {
    return InvalidArgumentError("CreateModelVersionSetDetails must be an object.");
  }
  ADS_RETURN_IF_ERROR(RequiredString(details, "compartmentId").status());
  ADS_RETURN_IF_ERROR(RequiredString(details, "projectId").status());
  ADS_ASSIGN_OR_RETURN(std::string name, RequiredString(details, "name"));
  return CreateOnce(
      *impl_, Kind::kModelVersionSet, "modelVersionSet", details, ctx, [&]() -> Result<Row> {
        Row row = NewRow(*impl_, "datasciencemodelversionset", details, ctx);
        ADS_ASSIGN_OR_RETURN(Row project, impl_->Load(Kind::kProject, row.project_id));
        ADS_RETURN_IF_ERROR(RequireLive(project));
        ADS_ASSIGN_OR_RETURN(
            int64_t same,
            impl_->store->CountLive(Kind::kModelVersionSet,
                                    {{"compartment_id", row.compartment_id}, {"name", name}}));
        if (same > 0) {
          return AlreadyExistsError("A model version set named " + Quoted(name) +
                                    " already exists in the compartment.");
        }
        row.name = name;
        const std::string now = Rfc3339Us(row.time_created_us);
        Json doc = {{"id", row.id},
                    {"compartmentId", row.compartment_id},
                    {"projectId", row.project_id},
                    {"name", name}};
        ADS_RETURN_IF_ERROR(CopyString(details, "description", doc));
        doc["timeCreated"] = now;
        doc["timeUpdated"] = now;
        doc["lifecycleState"] = kActive;
        doc["createdBy"] = row.created_by;
        ADS_RETURN_IF_ERROR(ApplyTags(details, doc, true));
        row.doc = std::move(doc);
        return row;
      });
}

Result<Resource> Catalog::GetModelVersionSet(std::string_view id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ADS_ASSIGN_OR_RETURN(Row row, impl_->Load(Kind::kModelVersionSet, id));
  return ToResource(row);
}

Result<TextPage> Catalog::ListModelVersionSets(const ListQuery& query) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store->List(Kind::kModelVersionSet, query);
}

Result<Resource> Catalog::UpdateModelVersionSet(std::string_view id, const Json& details,
                                                std::string_view if_match) {
  if (!details.is_object()) {
    return InvalidArgumentError("UpdateModelVersionSetDetails must be an object.");
  }
  if (const Json* v = FindMember(details, "name"); v && !v->is_null()) {
    return InvalidArgumentError("The name of a model version set cannot be updated.");
  }
  ADS_ASSIGN_OR_RETURN(Row row, Modify(*impl_, Kind::kModelVersionSet, id, if_match, [&](Row& r) {
                         ADS_RETURN_IF_ERROR(CopyString(details, "description", r.doc));
                         ADS_RETURN_IF_ERROR(ApplyTags(details, r.doc, false));
                         r.doc["timeUpdated"] = Rfc3339Ms(impl_->NowMs());
                         return OkStatus();
                       }));
  return ToResource(row);
}

Result<std::string> Catalog::DeleteModelVersionSet(std::string_view id, std::string_view if_match,
                                                   bool delete_related_models) {
  if (delete_related_models && impl_->options.has_active_deployment) {
    // Asked without the catalog lock: the hook may call back into us.
    std::vector<Row> models;
    {
      std::lock_guard<std::mutex> lock(impl_->mu);
      ADS_ASSIGN_OR_RETURN(models,
                           impl_->store->ListLive(Kind::kModel, {{"mvs_id", std::string(id)}}));
    }
    for (const Row& model : models) {
      if (impl_->options.has_active_deployment(model.id)) {
        return FailedPreconditionError("The model " + model.id +
                                       " is used by an active model deployment.");
      }
    }
  }
  std::string wr_id;
  ADS_RETURN_IF_ERROR(
      Modify(*impl_, Kind::kModelVersionSet, id, if_match, [&](Row& r) -> Status {
        ADS_ASSIGN_OR_RETURN(std::vector<Row> models,
                             impl_->store->ListLive(Kind::kModel, {{"mvs_id", r.id}}));
        if (!models.empty() && !delete_related_models) {
          return FailedPreconditionError("The model version set " + r.id + " still holds " +
                                         std::to_string(models.size()) +
                                         " model(s) that are not DELETED; delete them first or pass"
                                         " isDeleteRelatedModels=true.");
        }
        for (Row& model : models) {
          model.lifecycle_state = kDeleted;
          model.doc["lifecycleState"] = kDeleted;
          ADS_RETURN_IF_ERROR(impl_->store->Update(Kind::kModel, model));
        }
        r.lifecycle_state = kDeleted;
        r.doc["lifecycleState"] = kDeleted;
        r.doc["timeUpdated"] = Rfc3339Ms(impl_->NowMs());
        ADS_ASSIGN_OR_RETURN(
            Row wr,
            impl_->NewWorkRequest("MODELVERSIONSET_DELETE", r.compartment_id, "modelVersionSet",
                                  r.id, "/20190101/modelVersionSets/" + r.id, "SUCCEEDED"));
        wr_id = wr.id;
        return OkStatus();
      }).status());
  return wr_id;
}

Status Catalog::ChangeModelVersionSetCompartment(std::string_view id,
                                                 std::string_view compartment_id,
                                                 std::string_view if_match) {
  return Modify(*impl_, Kind::kModelVersionSet, id, if_match,
                [&](Row& r) -> Status {
                  ADS_ASSIGN_OR_RETURN(
                      int64_t same,
                      impl_->store->CountLive(
                          Kind::kModelVersionSet,
                          {{"compartment_id", std::string(compartment_id)}, {"name", r.name}}));
                  if (same > 0 && compartment_id != r.compartment_id) {
                    return AlreadyExistsError("A model version set named " + Quoted(r.name) +
                                              " already exists in the target compartment.");
                  }
                  r.compartment_id = std::string(compartment_id);
                  r.doc["compartmentId"] = r.compartment_id;
                  return OkStatus();
                })
      .status();
}

}  // namespace ads::catalog
