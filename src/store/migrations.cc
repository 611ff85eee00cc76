// The migration runner: validate the list, compare with the component's
// recorded history, apply what is missing one transaction at a time.
#include "store/migrations.h"

#include <map>

#include "base/ids.h"
#include "base/strings.h"

namespace ads::store {
namespace {

constexpr char kCreateHistory[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations("
    "component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, "
    "applied_at TEXT NOT NULL, PRIMARY KEY (component, version))";

std::string Describe(std::string_view component, const Migration& m) {
  return std::string(component) + " schema migration " + std::to_string(m.version) + " (" +
         m.name + ")";
}

// A bug in the code's list, caught before the database is touched.
Status ValidateList(std::string_view component, std::span<const Migration> migrations) {
  if (component.empty()) return InternalError("schema migrations need a component name");
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    if (m.version != static_cast<int>(i) + 1) {
      return InternalError(std::string(component) + " schema migration at position " +
                           std::to_string(i) + " has version " + std::to_string(m.version) +
                           "; versions must run 1, 2, 3, ...");
    }
    if (m.name.empty() || Trim(m.sql).empty()) {
      return InternalError(Describe(component, m) + " needs a name and SQL");
    }
  }
  return OkStatus();
}

Result<bool> HistoryTableExists(Database& db) {
  ADS_ASSIGN_OR_RETURN(Statement q, db.Prepare("SELECT count(*) FROM sqlite_master "
                                               "WHERE type = 'table' AND name = 'schema_migrations'"));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return false;
  ADS_ASSIGN_OR_RETURN(int64_t n, q.ColumnInt64(0));
  return n > 0;
}

// A history table from before components existed has no `component` column;
// which component its rows belong to cannot be known, so it is refused.
Status CheckHistoryLayout(Database& db) {
  ADS_ASSIGN_OR_RETURN(Statement q, db.Prepare("SELECT count(*) FROM "
                                               "pragma_table_info('schema_migrations') "
                                               "WHERE name = 'component'"));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  int64_t n = 0;
  if (row) {
    ADS_ASSIGN_OR_RETURN(n, q.ColumnInt64(0));
  }
  if (n == 0) {
    return FailedPreconditionError("database " + db.path() +
                                   " has a schema_migrations table without a component column; "
                                   "it comes from an older, incompatible build")
        .WithHint("Start with a fresh data directory.");
  }
  return OkStatus();
}

// version -> name, as recorded in the database for `component`.
Result<std::map<int, std::string>> ReadHistory(Database& db, std::string_view component) {
  std::map<int, std::string> history;
  ADS_ASSIGN_OR_RETURN(Statement q, db.Prepare("SELECT version, name FROM schema_migrations "
                                               "WHERE component = ?1"));
  ADS_RETURN_IF_ERROR(q.BindText(1, component));
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ADS_ASSIGN_OR_RETURN(int64_t version, q.ColumnInt64(0));
    ADS_ASSIGN_OR_RETURN(std::string name, q.ColumnText(1));
    history[static_cast<int>(version)] = std::move(name);
  }
  return history;
}

// Refuses a database this code cannot safely run against.
Status CheckHistory(Database& db, std::string_view component,
                    const std::map<int, std::string>& history,
                    std::span<const Migration> migrations) {
  const int known = static_cast<int>(migrations.size());
  const int recorded = history.empty() ? 0 : history.rbegin()->first;
  const std::string who = "database " + db.path() + " (component " + std::string(component) + ")";
  if (recorded > known) {
    return FailedPreconditionError(who + " has schema version " + std::to_string(recorded) +
                                   ", newer than the version " + std::to_string(known) +
                                   " this ads knows")
        .WithHint("Run a newer ads against this data directory.");
  }
  int expected_version = 1;
  for (const auto& [version, name] : history) {
    if (version != expected_version++) {
      return FailedPreconditionError(who + " has a gap in its schema history before version " +
                                     std::to_string(version));
    }
    const Migration& m = migrations[static_cast<size_t>(version) - 1];
    if (name != m.name) {
      return FailedPreconditionError(who + " recorded schema migration " +
                                     std::to_string(version) + " as " + Quoted(name) +
                                     ", but this ads calls it " + Quoted(m.name) +
                                     "; the database comes from a different build");
    }
  }
  return OkStatus();
}

Status Record(Database& db, std::string_view component, const Migration& m, Env& env) {
  ADS_ASSIGN_OR_RETURN(Statement insert,
                       db.Prepare("INSERT INTO schema_migrations(component, version, name, "
                                  "applied_at) VALUES (?1, ?2, ?3, ?4)"));
  ADS_RETURN_IF_ERROR(insert.BindText(1, component));
  ADS_RETURN_IF_ERROR(insert.BindInt64(2, m.version));
  ADS_RETURN_IF_ERROR(insert.BindText(3, m.name));
  ADS_RETURN_IF_ERROR(insert.BindText(4, FormatRfc3339(env.Now())));
  return insert.Run();
}

// Applies `m` unless another connection already did, all in one transaction.
Status ApplyOne(Database& db, std::string_view component, const Migration& m, Env& env) {
  ADS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
  // Re-read under the write lock: another process may have migrated since.
  ADS_ASSIGN_OR_RETURN(int current, SchemaVersion(db, component));
  if (current >= m.version) return OkStatus();  // txn rolls back (nothing done)
  Status s = db.ExecInTransaction(m.sql);
  if (!s.ok()) return s.WithContext(Describe(component, m) + " failed");
  ADS_RETURN_IF_ERROR(Record(db, component, m, env));
  return txn.Commit();
}

}  // namespace

Result<int> SchemaVersion(Database& db, std::string_view component) {
  ADS_ASSIGN_OR_RETURN(bool exists, HistoryTableExists(db));
  if (!exists) return 0;
  ADS_RETURN_IF_ERROR(CheckHistoryLayout(db));
  ADS_ASSIGN_OR_RETURN(Statement q, db.Prepare("SELECT coalesce(max(version), 0) "
                                               "FROM schema_migrations WHERE component = ?1"));
  ADS_RETURN_IF_ERROR(q.BindText(1, component));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return 0;
  ADS_ASSIGN_OR_RETURN(int64_t version, q.ColumnInt64(0));
  return static_cast<int>(version);
}

Result<int> ApplyMigrations(Database& db, std::string_view component,
                            std::span<const Migration> migrations, Env& env) {
  ADS_RETURN_IF_ERROR(ValidateList(component, migrations));
  ADS_ASSIGN_OR_RETURN(bool exists, HistoryTableExists(db));
  if (exists) {
    ADS_RETURN_IF_ERROR(CheckHistoryLayout(db));
  } else {
    ADS_RETURN_IF_ERROR(db.Exec(kCreateHistory));
  }
  ADS_ASSIGN_OR_RETURN(auto history, ReadHistory(db, component));
  ADS_RETURN_IF_ERROR(CheckHistory(db, component, history, migrations));
  for (const Migration& m : migrations) {
    if (history.count(m.version) != 0) continue;
    ADS_RETURN_IF_ERROR(ApplyOne(db, component, m, env));
  }
  return SchemaVersion(db, component);
}

}  // namespace ads::store
