#include "serving/deployment_store.h"

#include <variant>

#include "base/hash.h"
#include "base/strings.h"
#include "store/migrations.h"

namespace ads::serving {
namespace {

const std::vector<store::Migration>& Migrations() {
  static const std::vector<store::Migration> kMigrations = {
      {1, "model_deployments",
       "CREATE TABLE model_deployments("
       " id TEXT PRIMARY KEY,"
       " compartment_id TEXT NOT NULL,"
       " project_id TEXT NOT NULL,"
       " display_name TEXT NOT NULL,"
       " lifecycle_state TEXT NOT NULL,"
       " created_by TEXT NOT NULL,"
       " model_id TEXT NOT NULL,"
       " time_created INTEGER NOT NULL,"
       " retry_token TEXT NOT NULL,"
       " create_work_request_id TEXT NOT NULL,"
       " work_request_id TEXT NOT NULL,"
       " pending TEXT NOT NULL,"
       " doc TEXT NOT NULL);"
       "CREATE INDEX model_deployments_by_time ON model_deployments(compartment_id,"
       " time_created, id);"
       "CREATE INDEX model_deployments_by_name ON model_deployments(compartment_id,"
       " display_name, id);"
       "CREATE INDEX model_deployments_by_retry_token ON model_deployments(created_by,"
       " retry_token) WHERE retry_token != '';"
       "CREATE INDEX model_deployments_by_state ON model_deployments(lifecycle_state);"},
  };
  return kMigrations;
}

constexpr char kColumns[] =
    "id, compartment_id, project_id, display_name, lifecycle_state, created_by, model_id,"
    " time_created, retry_token, create_work_request_id, work_request_id, pending, doc";

Status BindRow(store::Statement& q, const DeploymentRow& row) {
  ADS_RETURN_IF_ERROR(q.BindText(1, row.id));
  ADS_RETURN_IF_ERROR(q.BindText(2, row.compartment_id));
  ADS_RETURN_IF_ERROR(q.BindText(3, row.project_id));
  ADS_RETURN_IF_ERROR(q.BindText(4, row.display_name));
  ADS_RETURN_IF_ERROR(q.BindText(5, row.lifecycle_state));
  ADS_RETURN_IF_ERROR(q.BindText(6, row.created_by));
  ADS_RETURN_IF_ERROR(q.BindText(7, row.model_id));
  ADS_RETURN_IF_ERROR(q.BindInt64(8, row.time_created_us));
  ADS_RETURN_IF_ERROR(q.BindText(9, row.retry_token));
  ADS_RETURN_IF_ERROR(q.BindText(10, row.create_work_request_id));
  ADS_RETURN_IF_ERROR(q.BindText(11, row.work_request_id));
  ADS_RETURN_IF_ERROR(q.BindText(12, row.pending.is_null() ? "" : row.pending.dump()));
  return q.BindText(13, row.doc.dump());
}

Result<DeploymentRow> ReadRow(const store::Statement& q) {
  DeploymentRow row;
  ADS_ASSIGN_OR_RETURN(row.id, q.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(row.compartment_id, q.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(row.project_id, q.ColumnText(2));
  ADS_ASSIGN_OR_RETURN(row.display_name, q.ColumnText(3));
  ADS_ASSIGN_OR_RETURN(row.lifecycle_state, q.ColumnText(4));
  ADS_ASSIGN_OR_RETURN(row.created_by, q.ColumnText(5));
  ADS_ASSIGN_OR_RETURN(row.model_id, q.ColumnText(6));
  ADS_ASSIGN_OR_RETURN(row.time_created_us, q.ColumnInt64(7));
  ADS_ASSIGN_OR_RETURN(row.retry_token, q.ColumnText(8));
  ADS_ASSIGN_OR_RETURN(row.create_work_request_id, q.ColumnText(9));
  ADS_ASSIGN_OR_RETURN(row.work_request_id, q.ColumnText(10));
  ADS_ASSIGN_OR_RETURN(std::string pending, q.ColumnText(11));
  if (!pending.empty()) {
    ADS_ASSIGN_OR_RETURN(row.pending, ParseJson(pending, "pending action"));
  }
  ADS_ASSIGN_OR_RETURN(std::string doc, q.ColumnText(12));
  ADS_ASSIGN_OR_RETURN(row.doc, ParseJson(doc, "model deployment row"));
  return row;
}

Result<std::vector<DeploymentRow>> ReadAll(store::Statement& q) {
  std::vector<DeploymentRow> rows;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool more, q.Step());
    if (!more) break;
    ADS_ASSIGN_OR_RETURN(DeploymentRow row, ReadRow(q));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string FilterColumn(std::string_view filter) {
  if (filter == "projectId") return "project_id";
  if (filter == "lifecycleState") return "lifecycle_state";
  if (filter == "displayName") return "display_name";
  if (filter == "id") return "id";
  if (filter == "createdBy") return "created_by";
  return "";
}

std::string EncodeToken(std::string_view sort_by, const Json& key, std::string_view id) {
  std::string text = Base64Encode(Json{{"s", sort_by}, {"k", key}, {"i", id}}.dump());
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

Result<std::pair<Json, std::string>> DecodeToken(std::string_view token, bool by_time,
                                                 std::string_view sort_by) {
  std::string text(token);
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text.push_back('=');
  const Status bad = InvalidArgumentError("The page token is not valid for this list.");
  std::string raw;
  if (!Base64Decode(text, &raw)) return bad;
  Result<Json> doc = ParseJson(raw, "page token");
  if (!doc.ok() || !doc->is_object()) return bad;
  const Json* s = FindMember(*doc, "s");
  const Json* k = FindMember(*doc, "k");
  const Json* i = FindMember(*doc, "i");
  if (!s || !k || !i || !i->is_string() || *s != Json(sort_by)) return bad;
  if (by_time ? !k->is_number_integer() : !k->is_string()) return bad;
  return std::make_pair(*k, i->get<std::string>());
}

}  // namespace

Result<std::unique_ptr<DeploymentStore>> DeploymentStore::Open(
    std::unique_ptr<store::Database> db, Env& env) {
  ADS_RETURN_IF_ERROR(store::ApplyMigrations(*db, "serving", Migrations(), env).status());
  return std::unique_ptr<DeploymentStore>(new DeploymentStore(std::move(db)));
}

Result<std::optional<DeploymentRow>> DeploymentStore::Get(std::string_view id) {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare(std::string("SELECT ") + kColumns +
                                    " FROM model_deployments WHERE id = ?1"));
  ADS_RETURN_IF_ERROR(q.BindText(1, id));
  ADS_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return std::optional<DeploymentRow>();
  ADS_ASSIGN_OR_RETURN(DeploymentRow row, ReadRow(q));
  return std::optional<DeploymentRow>(std::move(row));
}

Status DeploymentStore::Insert(const DeploymentRow& row) {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare(std::string("INSERT INTO model_deployments(") + kColumns +
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                                    " ?12, ?13)"));
  ADS_RETURN_IF_ERROR(BindRow(q, row));
  return q.Run();
}

Status DeploymentStore::Update(const DeploymentRow& row) {
  ADS_ASSIGN_OR_RETURN(
      store::Statement q,
      db_->Prepare("UPDATE model_deployments SET compartment_id = ?2, project_id = ?3,"
                   " display_name = ?4, lifecycle_state = ?5, created_by = ?6, model_id = ?7,"
                   " time_created = ?8, retry_token = ?9, create_work_request_id = ?10,"
                   " work_request_id = ?11, pending = ?12, doc = ?13 WHERE id = ?1"));
  ADS_RETURN_IF_ERROR(BindRow(q, row));
  return q.Run();
}

Result<std::vector<DeploymentRow>> DeploymentStore::Live() {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare(std::string("SELECT ") + kColumns +
                                    " FROM model_deployments WHERE lifecycle_state != 'DELETED'"
                                    " ORDER BY time_created"));
  return ReadAll(q);
}

Result<std::optional<DeploymentRow>> DeploymentStore::FindByRetryToken(
    std::string_view created_by, std::string_view retry_token, int64_t not_before_us) {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare(std::string("SELECT ") + kColumns +
                                    " FROM model_deployments WHERE created_by = ?1 AND"
                                    " retry_token = ?2 AND retry_token != '' AND"
                                    " time_created >= ?3 ORDER BY time_created DESC LIMIT 1"));
  ADS_RETURN_IF_ERROR(q.BindText(1, created_by));
  ADS_RETURN_IF_ERROR(q.BindText(2, retry_token));
  ADS_RETURN_IF_ERROR(q.BindInt64(3, not_before_us));
  ADS_ASSIGN_OR_RETURN(std::vector<DeploymentRow> rows, ReadAll(q));
  if (rows.empty()) return std::optional<DeploymentRow>();
  return std::optional<DeploymentRow>(std::move(rows.front()));
}

Result<catalog::Page> DeploymentStore::List(const catalog::ListQuery& query) {
  using Bind = std::variant<std::string, int64_t>;
  std::vector<Bind> binds{query.compartment_id};
  std::string where = " WHERE compartment_id = ?1";
  bool state_filter = false;
  for (const auto& [filter, value] : query.filters) {
    const std::string column = FilterColumn(filter);
    if (column.empty()) return InvalidArgumentError("Unknown list filter " + Quoted(filter) + ".");
    if (column == "lifecycle_state") state_filter = true;
    binds.emplace_back(value);
    where += " AND " + column + " = ?" + std::to_string(binds.size());
  }
  if (!state_filter) where += " AND lifecycle_state != 'DELETED'";

  const bool by_time = query.sort_by == "timeCreated";
  if (!by_time && query.sort_by != "displayName") {
    return InvalidArgumentError("Invalid sortBy " + Quoted(query.sort_by) +
                                "; use timeCreated or displayName.");
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
  const std::string key_column = by_time ? "time_created" : "display_name";
  if (!query.page.empty()) {
    ADS_ASSIGN_OR_RETURN(auto position, DecodeToken(query.page, by_time, query.sort_by));
    if (by_time) {
      binds.emplace_back(position.first.get<int64_t>());
    } else {
      binds.emplace_back(position.first.get<std::string>());
    }
    binds.emplace_back(position.second);
    where += " AND (" + key_column + ", id) " + (order == "ASC" ? ">" : "<") + " (?" +
             std::to_string(binds.size() - 1) + ", ?" + std::to_string(binds.size()) + ")";
  }
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_->Prepare("SELECT doc, id, time_created, display_name FROM"
                                    " model_deployments" + where + " ORDER BY " + key_column +
                                    " " + order + ", id " + order + " LIMIT " +
                                    std::to_string(query.limit + 1)));
  for (size_t i = 0; i < binds.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    if (const auto* s = std::get_if<std::string>(&binds[i])) {
      ADS_RETURN_IF_ERROR(q.BindText(index, *s));
    } else {
      ADS_RETURN_IF_ERROR(q.BindInt64(index, std::get<int64_t>(binds[i])));
    }
  }
  catalog::Page page;
  Json last_key;
  std::string last_id;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool more, q.Step());
    if (!more) break;
    if (static_cast<int>(page.items.size()) == query.limit) {
      page.next_page = EncodeToken(query.sort_by, last_key, last_id);
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
    ADS_ASSIGN_OR_RETURN(Json item, ParseJson(doc, "model deployment row"));
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace ads::serving
