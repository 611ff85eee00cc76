#include "catalog/catalog_store.h"

#include <set>
#include <variant>

#include "base/hash.h"
#include "base/strings.h"
#include "store/migrations.h"

namespace ads::catalog {
namespace {

// Every resource table has the same columns, so that one set of row
// functions serves them all; `name` and `lifecycle_state` mean what Row says.
std::string ResourceTableSql(const std::string& table) {
  return "CREATE TABLE " + table +
         "(id TEXT PRIMARY KEY, compartment_id TEXT NOT NULL, project_id TEXT NOT NULL,"
         " lifecycle_state TEXT NOT NULL, created_by TEXT NOT NULL, name TEXT NOT NULL,"
         " time_created INTEGER NOT NULL, mvs_id TEXT NOT NULL, version_id INTEGER NOT NULL,"
         " version_label TEXT NOT NULL, doc TEXT NOT NULL, extra TEXT NOT NULL);"
         "CREATE INDEX " +
         table + "_by_time ON " + table +
         "(compartment_id, time_created, id);"
         "CREATE INDEX " +
         table + "_by_name ON " + table + "(compartment_id, name, id);";
}

const std::vector<store::Migration>& Migrations() {
  static const auto* migrations = new std::vector<store::Migration>{
      {1, "resources",
       ResourceTableSql("projects") + ResourceTableSql("models") +
           ResourceTableSql("model_version_sets") + ResourceTableSql("work_requests") +
           "CREATE INDEX models_by_project ON models(project_id);"
           "CREATE INDEX models_by_mvs ON models(mvs_id);"
           "CREATE INDEX mvs_by_project ON model_version_sets(project_id);"},
      {2, "artifacts_and_tokens",
       "CREATE TABLE artifacts(model_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL,"
       " md5 TEXT NOT NULL, size INTEGER NOT NULL, disposition TEXT NOT NULL,"
       " time_uploaded INTEGER NOT NULL);"
       "CREATE TABLE version_counters(mvs_id TEXT PRIMARY KEY, last INTEGER NOT NULL);"
       "CREATE TABLE retry_tokens(token TEXT NOT NULL, kind TEXT NOT NULL,"
       " request_hash TEXT NOT NULL, resource_id TEXT NOT NULL, time_created INTEGER NOT NULL,"
       " PRIMARY KEY(token, kind));"},
      // A model list filtered by one column walks one index in the sort
      // order (time or name) instead of scanning the compartment.
      {3, "model_filter_indexes",
       "CREATE INDEX models_by_name_time_created ON models(compartment_id, name, time_created, id);"
       "CREATE INDEX models_by_project_id_time_created ON models(compartment_id, project_id, "
       "time_created, id);"
       "CREATE INDEX models_by_project_id_name ON models(compartment_id, project_id, name, id);"
       "CREATE INDEX models_by_lifecycle_state_time_created ON models(compartment_id, "
       "lifecycle_state, time_created, id);"
       "CREATE INDEX models_by_version_label_time_created ON models(compartment_id, version_label, "
       "time_created, id);"
       "CREATE INDEX models_by_version_label_name ON models(compartment_id, version_label, name, "
       "id);"
       "CREATE INDEX models_by_mvs_id_time_created ON models(compartment_id, mvs_id, time_created, "
       "id);"
       "CREATE INDEX models_by_mvs_id_name ON models(compartment_id, mvs_id, name, id);"
       "CREATE INDEX models_by_created_by_time_created ON models(compartment_id, created_by, "
       "time_created, id);"
       "CREATE INDEX models_by_created_by_name ON models(compartment_id, created_by, name, id);"},
      // A model list answers with stored ModelSummary text instead of
      // parsing every document and dropping its detail-only members per
      // request (the members are those ModelSummary() drops). The state
      // filter also gets a displayName-ordered index, as the console lists
      // ACTIVE models by name.
      {4, "model_summaries",
       "ALTER TABLE models ADD COLUMN summary TEXT NOT NULL DEFAULT '';"
       "UPDATE models SET summary = json_remove(doc, '$.description', '$.lifecycleDetails',"
       " '$.customMetadataList', '$.definedMetadataList', '$.inputSchema', '$.outputSchema');"
       "CREATE INDEX models_by_lifecycle_state_name ON models(compartment_id, lifecycle_state, "
       "name, id);"},
  };
  return *migrations;
}

const char* Table(Kind kind) {
  switch (kind) {
    case Kind::kProject:
      return "projects";
    case Kind::kModel:
      return "models";
    case Kind::kModelVersionSet:
      return "model_version_sets";
    case Kind::kWorkRequest:
      return "work_requests";
  }
  return "projects";
}

constexpr char kColumns[] =
    "id, compartment_id, project_id, lifecycle_state, created_by, name, time_created, mvs_id,"
    " version_id, version_label, doc, extra";

// The column a list answers with: models keep their summary apart.
const char* ListColumn(Kind kind) { return kind == Kind::kModel ? "summary" : "doc"; }

Result<Row> ReadRow(const store::Statement& q) {
  Row row;
  ADS_ASSIGN_OR_RETURN(row.id, q.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(row.compartment_id, q.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(row.project_id, q.ColumnText(2));
  ADS_ASSIGN_OR_RETURN(row.lifecycle_state, q.ColumnText(3));
  ADS_ASSIGN_OR_RETURN(row.created_by, q.ColumnText(4));
  ADS_ASSIGN_OR_RETURN(row.name, q.ColumnText(5));
  ADS_ASSIGN_OR_RETURN(row.time_created_us, q.ColumnInt64(6));
  ADS_ASSIGN_OR_RETURN(row.mvs_id, q.ColumnText(7));
  ADS_ASSIGN_OR_RETURN(row.version_id, q.ColumnInt64(8));
  ADS_ASSIGN_OR_RETURN(row.version_label, q.ColumnText(9));
  ADS_ASSIGN_OR_RETURN(std::string doc, q.ColumnText(10));
  ADS_ASSIGN_OR_RETURN(std::string extra, q.ColumnText(11));
  ADS_ASSIGN_OR_RETURN(row.doc, ParseJson(doc, "catalog row"));
  ADS_ASSIGN_OR_RETURN(row.extra, ParseJson(extra, "catalog row"));
  return row;
}

Status BindRow(store::Statement& q, Kind kind, const Row& row) {
  ADS_RETURN_IF_ERROR(q.BindText(1, row.id));
  ADS_RETURN_IF_ERROR(q.BindText(2, row.compartment_id));
  ADS_RETURN_IF_ERROR(q.BindText(3, row.project_id));
  ADS_RETURN_IF_ERROR(q.BindText(4, row.lifecycle_state));
  ADS_RETURN_IF_ERROR(q.BindText(5, row.created_by));
  ADS_RETURN_IF_ERROR(q.BindText(6, row.name));
  ADS_RETURN_IF_ERROR(q.BindInt64(7, row.time_created_us));
  ADS_RETURN_IF_ERROR(q.BindText(8, row.mvs_id));
  ADS_RETURN_IF_ERROR(q.BindInt64(9, row.version_id));
  ADS_RETURN_IF_ERROR(q.BindText(10, row.version_label));
  ADS_RETURN_IF_ERROR(q.BindText(11, row.doc.dump()));
  ADS_RETURN_IF_ERROR(q.BindText(12, row.extra.dump()));
  if (kind == Kind::kModel) return q.BindText(13, ModelSummary(row.doc).dump());
  return OkStatus();
}

// The column a list filter of `kind` compares, or "" when it has none.
std::string FilterColumn(Kind kind, std::string_view filter) {
  if (filter == "id") return "id";
  if (filter == "createdBy") return "created_by";
  if (kind == Kind::kWorkRequest) {
    if (filter == "operationType") return "name";
    if (filter == "status") return "lifecycle_state";
    return "";
  }
  if (filter == "lifecycleState") return "lifecycle_state";
  if (kind == Kind::kModelVersionSet) {
    if (filter == "name") return "name";
    if (filter == "projectId") return "project_id";
    return "";
  }
  if (filter == "displayName") return "name";
  if (kind == Kind::kModel) {
    if (filter == "projectId") return "project_id";
    if (filter == "versionLabel") return "version_label";
    if (filter == "modelVersionSetId") return "mvs_id";
  }
  return "";
}

using Bind = std::variant<std::string, int64_t>;

Status BindAll(store::Statement& q, const std::vector<Bind>& binds) {
  for (size_t i = 0; i < binds.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    if (const auto* s = std::get_if<std::string>(&binds[i])) {
      ADS_RETURN_IF_ERROR(q.BindText(index, *s));
    } else {
      ADS_RETURN_IF_ERROR(q.BindInt64(index, std::get<int64_t>(binds[i])));
    }
  }
  return OkStatus();
}

std::string WhereConditions(const std::vector<Condition>& conditions, std::vector<Bind>& binds) {
  std::string where = " WHERE lifecycle_state != 'DELETED'";
  for (const auto& [column, value] : conditions) {
    binds.emplace_back(value);
    where += " AND " + column + " = ?" + std::to_string(binds.size());
  }
  return where;
}

}  // namespace

Json ModelSummary(const Json& model_doc) {
  Json summary = model_doc;
  for (const char* key : {"description", "lifecycleDetails", "customMetadataList",
                          "definedMetadataList", "inputSchema", "outputSchema"}) {
    summary.erase(key);
  }
  return summary;
}

std::string JsonArrayText(const std::vector<std::string>& items) {
  size_t size = 2;
  for (const std::string& item : items) size += item.size() + 1;
  std::string out;
  out.reserve(size);
  out += '[';
  for (const std::string& item : items) {
    if (out.size() > 1) out += ',';
    out += item;
  }
  out += ']';
  return out;
}

std::string EncodePageToken(std::string_view sort_by, const Json& key, std::string_view id) {
  Json token = {{"s", sort_by}, {"k", key}, {"i", id}};
  std::string text = Base64Encode(token.dump());
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

Result<std::pair<Json, std::string>> DecodePageToken(std::string_view token,
                                                     std::string_view sort_by) {
  std::string text(token);
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text.push_back('=');
  std::string raw;
  const Status bad = InvalidArgumentError("The page token is not valid for this list.");
  if (!Base64Decode(text, &raw)) return bad;
  Result<Json> doc = ParseJson(raw, "page token");
  if (!doc.ok() || !doc->is_object()) return bad;
  const Json* s = FindMember(*doc, "s");
  const Json* k = FindMember(*doc, "k");
  const Json* i = FindMember(*doc, "i");
  if (!s || !k || !i || !i->is_string() || *s != Json(sort_by) ||
      !(k->is_string() || k->is_number_integer())) {
    return bad;
  }
  return std::make_pair(*k, i->get<std::string>());
}

Result<std::unique_ptr<CatalogStore>> CatalogStore::Open(std::unique_ptr<store::Database> db,
                                                         Env& env) {
  ADS_RETURN_IF_ERROR(store::ApplyMigrations(*db, "catalog", Migrations(), env).status());
  return std::unique_ptr<CatalogStore>(new CatalogStore(std::move(db)));
}

Result<std::optional<Row>> CatalogStore::Get(Kind kind, std::string_view id) {
  ADS_ASSIGN_OR_RETURN(store::Statement q, db_->Prepare(std::string("SELECT ") + kColumns +
                                                        " FROM " + Table(kind) + " WHERE id = ?1"));
  ADS_RETURN_IF_ERROR(q.BindText(1, id));
  ADS_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return std::optional<Row>();
  ADS_ASSIGN_OR_RETURN(Row row, ReadRow(q));
  return std::optional<Row>(std::move(row));
}

Status CatalogStore::Insert(Kind kind, const Row& row) {
  const bool model = kind == Kind::kModel;
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare(std::string("INSERT INTO ") + Table(kind) + "(" + kColumns +
                                    (model ? ", summary" : "") +
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12" +
                                    (model ? ", ?13)" : ")")));
  ADS_RETURN_IF_ERROR(BindRow(q, kind, row));
  return q.Run();
}

Status CatalogStore::Update(Kind kind, const Row& row) {
  ADS_ASSIGN_OR_RETURN(
      store::Statement q,
      db_->Prepare(std::string("UPDATE ") + Table(kind) +
                   " SET compartment_id = ?2, project_id = ?3, lifecycle_state = ?4,"
                   " created_by = ?5, name = ?6, time_created = ?7, mvs_id = ?8,"
                   " version_id = ?9, version_label = ?10, doc = ?11, extra = ?12" +
                   (kind == Kind::kModel ? ", summary = ?13" : "") + " WHERE id = ?1"));
  ADS_RETURN_IF_ERROR(BindRow(q, kind, row));
  return q.Run();
}

Result<int64_t> CatalogStore::CountLive(Kind kind, const std::vector<Condition>& conditions) {
  std::vector<Bind> binds;
  const std::string where = WhereConditions(conditions, binds);
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare(std::string("SELECT COUNT(*) FROM ") + Table(kind) + where));
  ADS_RETURN_IF_ERROR(BindAll(q, binds));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return InternalError("COUNT(*) returned no row");
  return q.ColumnInt64(0);
}

Result<std::vector<Row>> CatalogStore::ListLive(Kind kind,
                                                const std::vector<Condition>& conditions) {
  std::vector<Bind> binds;
  const std::string where = WhereConditions(conditions, binds);
  ADS_ASSIGN_OR_RETURN(store::Statement q, db_->Prepare(std::string("SELECT ") + kColumns +
                                                        " FROM " + Table(kind) + where));
  ADS_RETURN_IF_ERROR(BindAll(q, binds));
  std::vector<Row> rows;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool more, q.Step());
    if (!more) break;
    ADS_ASSIGN_OR_RETURN(Row row, ReadRow(q));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<TextPage> CatalogStore::List(Kind kind, const ListQuery& query) {
  std::vector<Bind> binds{query.compartment_id};
  std::string where = " WHERE compartment_id = ?1";
  std::string state_condition;          // " = ?n" for a lifecycleState (status) filter
  std::set<std::string> equal_columns;  // columns fixed by an equality filter
  for (const auto& [filter, value] : query.filters) {
    if (filter == "modelVersionSetName" && kind == Kind::kModel) {
      // Resolved to ids first so that the common case (one set) is an
      // equality the (compartment_id, mvs_id, ...) indexes serve in order.
      ADS_ASSIGN_OR_RETURN(store::Statement sets,
                           db_->Prepare("SELECT id FROM model_version_sets WHERE name = ?1"
                                        " AND lifecycle_state != 'DELETED'"));
      ADS_RETURN_IF_ERROR(sets.BindText(1, value));
      std::vector<std::string> ids;
      for (;;) {
        ADS_ASSIGN_OR_RETURN(bool more, sets.Step());
        if (!more) break;
        ADS_ASSIGN_OR_RETURN(std::string id, sets.ColumnText(0));
        ids.push_back(std::move(id));
      }
      if (ids.empty()) return TextPage{};
      std::string in;
      for (std::string& id : ids) {
        binds.emplace_back(std::move(id));
        in += (in.empty() ? "?" : ", ?") + std::to_string(binds.size());
      }
      where += ids.size() == 1 ? " AND mvs_id = " + in : " AND mvs_id IN (" + in + ")";
      if (ids.size() == 1) equal_columns.insert("mvs_id");
      continue;
    }
    const std::string column = FilterColumn(kind, filter);
    if (column.empty()) return InvalidArgumentError("Unknown list filter " + Quoted(filter) + ".");
    binds.emplace_back(value);
    const std::string condition = " = ?" + std::to_string(binds.size());
    if (column == "lifecycle_state") {
      state_condition = condition;
    } else {
      where += " AND " + column + condition;
      equal_columns.insert(column);
    }
  }
  if (!state_condition.empty()) {
    // Nearly every model of a compartment shares one state, so another
    // filter's index narrows far better; without table statistics SQLite
    // would take the state index, and `+` keeps it from doing so.
    const bool other_filter = where.find(" AND ") != std::string::npos;
    where += std::string(other_filter ? " AND +" : " AND ") + "lifecycle_state" + state_condition;
    equal_columns.insert("lifecycle_state");
  } else if (kind != Kind::kWorkRequest) {
    where += " AND lifecycle_state != 'DELETED'";
  }

  const bool by_time = query.sort_by == "timeCreated" || query.sort_by == "timeAccepted";
  const bool by_name = query.sort_by == "displayName" || query.sort_by == "name";
  if (!by_time && !by_name) {
    return InvalidArgumentError("Invalid sortBy " + Quoted(query.sort_by) + ".");
  }
  std::string order = query.sort_order;
  if (order.empty()) order = by_time ? "DESC" : "ASC";
  if (order != "ASC" && order != "DESC") {
    return InvalidArgumentError("Invalid sortOrder " + Quoted(query.sort_order) +
                                "; use ASC or DESC.");
  }
  if (query.limit < 1 || query.limit > 1000) {
    return InvalidArgumentError("The limit must be between 1 and 1000.");
  }
  const std::string key_column = by_time ? "time_created" : "name";
  if (!query.page.empty()) {
    ADS_ASSIGN_OR_RETURN(auto position, DecodePageToken(query.page, query.sort_by));
    if (by_time != position.first.is_number_integer()) {
      return InvalidArgumentError("The page token is not valid for this list.");
    }
    if (by_time) {
      binds.emplace_back(position.first.get<int64_t>());
    } else {
      binds.emplace_back(position.first.get<std::string>());
    }
    binds.emplace_back(position.second);
    const std::string key = "?" + std::to_string(binds.size() - 1);
    const std::string id = "?" + std::to_string(binds.size());
    const char* after = order == "ASC" ? " > " : " < ";
    if (equal_columns.contains(key_column)) {
      // The filter fixes the sort key (displayName= sorted by displayName)
      // and a token of this list carries that same key, so this selects the
      // rows the row-value comparison would, in a form SQLite seeks on
      // (compartment_id, name, id) instead of scanning every name before
      // the key and sorting them.
      where += " AND " + key_column + " = " + key + " AND id" + after + id;
    } else {
      where += " AND (" + key_column + ", id)" + after + "(" + key + ", " + id + ")";
    }
  }
  const std::string sql = std::string("SELECT ") + ListColumn(kind) +
                          ", id, time_created, name FROM " + Table(kind) + where + " ORDER BY " +
                          key_column + " " + order + ", id " + order + " LIMIT " +
                          std::to_string(query.limit + 1);
  ADS_ASSIGN_OR_RETURN(store::Statement q, db_->Prepare(sql));
  ADS_RETURN_IF_ERROR(BindAll(q, binds));
  TextPage page;
  Json last_key;
  std::string last_id;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool more, q.Step());
    if (!more) break;
    if (static_cast<int>(page.items.size()) == query.limit) {
      page.next_page = EncodePageToken(query.sort_by, last_key, last_id);
      break;
    }
    ADS_ASSIGN_OR_RETURN(std::string doc, q.ColumnText(0));
    ADS_ASSIGN_OR_RETURN(last_id, q.ColumnText(1));
    if (by_time) {
      ADS_ASSIGN_OR_RETURN(int64_t t, q.ColumnInt64(2));
      last_key = t;
    } else {
      ADS_ASSIGN_OR_RETURN(std::string n, q.ColumnText(3));
      last_key = n;
    }
    page.items.push_back(std::move(doc));
  }
  return page;
}

Result<int64_t> CatalogStore::NextVersion(std::string_view mvs_id) {
  ADS_ASSIGN_OR_RETURN(store::Statement bump,
                       db_->Prepare("INSERT INTO version_counters(mvs_id, last) VALUES (?1, 1)"
                                    " ON CONFLICT(mvs_id) DO UPDATE SET last = last + 1"));
  ADS_RETURN_IF_ERROR(bump.BindText(1, mvs_id));
  ADS_RETURN_IF_ERROR(bump.Run());
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare("SELECT last FROM version_counters WHERE mvs_id = ?1"));
  ADS_RETURN_IF_ERROR(q.BindText(1, mvs_id));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return InternalError("version counter vanished");
  return q.ColumnInt64(0);
}

Result<std::optional<ArtifactRow>> CatalogStore::GetArtifact(std::string_view model_id) {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare("SELECT sha256, md5, size, disposition, time_uploaded"
                                    " FROM artifacts WHERE model_id = ?1"));
  ADS_RETURN_IF_ERROR(q.BindText(1, model_id));
  ADS_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return std::optional<ArtifactRow>();
  ArtifactRow a;
  ADS_ASSIGN_OR_RETURN(a.blob.sha256, q.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(a.blob.md5_base64, q.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(int64_t size, q.ColumnInt64(2));
  a.blob.size = static_cast<uint64_t>(size);
  ADS_ASSIGN_OR_RETURN(a.content_disposition, q.ColumnText(3));
  ADS_ASSIGN_OR_RETURN(a.time_ms, q.ColumnInt64(4));
  return std::optional<ArtifactRow>(std::move(a));
}

Status CatalogStore::InsertArtifact(std::string_view model_id, const ArtifactRow& a) {
  ADS_ASSIGN_OR_RETURN(std::optional<ArtifactRow> existing, GetArtifact(model_id));
  if (existing) {
    return AlreadyExistsError("The model " + std::string(model_id) +
                              " already has an artifact; artifacts are immutable.");
  }
  ADS_ASSIGN_OR_RETURN(
      store::Statement q,
      db_->Prepare("INSERT INTO artifacts(model_id, sha256, md5, size,"
                   " disposition, time_uploaded) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  ADS_RETURN_IF_ERROR(q.BindText(1, model_id));
  ADS_RETURN_IF_ERROR(q.BindText(2, a.blob.sha256));
  ADS_RETURN_IF_ERROR(q.BindText(3, a.blob.md5_base64));
  ADS_RETURN_IF_ERROR(q.BindInt64(4, static_cast<int64_t>(a.blob.size)));
  ADS_RETURN_IF_ERROR(q.BindText(5, a.content_disposition));
  ADS_RETURN_IF_ERROR(q.BindInt64(6, a.time_ms));
  return q.Run();
}

Result<std::optional<std::pair<std::string, std::string>>> CatalogStore::GetRetryToken(
    std::string_view token, std::string_view kind, int64_t now_ms, int64_t max_age_ms) {
  using Found = std::optional<std::pair<std::string, std::string>>;
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare("SELECT request_hash, resource_id, time_created"
                                    " FROM retry_tokens WHERE token = ?1 AND kind = ?2"));
  ADS_RETURN_IF_ERROR(q.BindText(1, token));
  ADS_RETURN_IF_ERROR(q.BindText(2, kind));
  ADS_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return Found();
  ADS_ASSIGN_OR_RETURN(int64_t created, q.ColumnInt64(2));
  if (now_ms - created > max_age_ms) return Found();
  ADS_ASSIGN_OR_RETURN(std::string hash, q.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(std::string id, q.ColumnText(1));
  return Found(std::make_pair(std::move(hash), std::move(id)));
}

Status CatalogStore::PutRetryToken(std::string_view token, std::string_view kind,
                                   std::string_view request_hash, std::string_view id,
                                   int64_t now_ms) {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare("INSERT OR REPLACE INTO retry_tokens(token, kind,"
                                    " request_hash, resource_id, time_created)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5)"));
  ADS_RETURN_IF_ERROR(q.BindText(1, token));
  ADS_RETURN_IF_ERROR(q.BindText(2, kind));
  ADS_RETURN_IF_ERROR(q.BindText(3, request_hash));
  ADS_RETURN_IF_ERROR(q.BindText(4, id));
  ADS_RETURN_IF_ERROR(q.BindInt64(5, now_ms));
  return q.Run();
}

}  // namespace ads::catalog
