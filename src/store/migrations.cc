// The migration runner: validate the list, compare with the recorded history,
// apply what is missing one transaction at a time.
#include "store/migrations.h"

#include <map>

#include "base/ids.h"
#include "base/strings.h"

namespace ads::store {
namespace {

constexpr char kCreateHistory[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

std::string Describe(const Migration& m) {
  return "schema migration " + std::to_string(m.version) + " (" + m.name + ")";
}

// A bug in the code's list, caught before the database is touched.
Status ValidateList(std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    if (m.version != static_cast<int>(i) + 1) {
      return InternalError("schema migration at position " + std::to_string(i) + " has version " +
                           std::to_string(m.version) + "; versions must run 1, 2, 3, ...");
    }
    if (m.name.empty() || Trim(m.sql).empty()) {
      return InternalError(Describe(m) + " needs a name and SQL");
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

// version -> name, as recorded in the database.
Result<std::map<int, std::string>> ReadHistory(Database& db) {
  std::map<int, std::string> history;
  ADS_ASSIGN_OR_RETURN(bool exists, HistoryTableExists(db));
  if (!exists) return history;
  ADS_ASSIGN_OR_RETURN(Statement q, db.Prepare("SELECT version, name FROM schema_migrations"));
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
Status CheckHistory(Database& db, const std::map<int, std::string>& history,
                    std::span<const Migration> migrations) {
  const int known = static_cast<int>(migrations.size());
  const int recorded = history.empty() ? 0 : history.rbegin()->first;
  if (recorded > known) {
    return FailedPreconditionError("database " + db.path() + " has schema version " +
                                   std::to_string(recorded) + ", newer than the version " +
                                   std::to_string(known) + " this ads knows")
        .WithHint("Run a newer ads against this data directory.");
  }
  int expected_version = 1;
  for (const auto& [version, name] : history) {
    if (version != expected_version++) {
      return FailedPreconditionError("database " + db.path() +
                                     " has a gap in its schema history before version " +
                                     std::to_string(version));
    }
    const Migration& m = migrations[static_cast<size_t>(version) - 1];
    if (name != m.name) {
      return FailedPreconditionError("database " + db.path() + " recorded schema migration " +
                                     std::to_string(version) + " as " + Quoted(name) +
                                     ", but this ads calls it " + Quoted(m.name) +
                                     "; the database comes from a different build");
    }
  }
  return OkStatus();
}

Status Record(Database& db, const Migration& m, Env& env) {
  ADS_ASSIGN_OR_RETURN(Statement insert,
                       db.Prepare("INSERT INTO schema_migrations(version, name, applied_at) "
                                  "VALUES (?1, ?2, ?3)"));
  ADS_RETURN_IF_ERROR(insert.BindInt64(1, m.version));
  ADS_RETURN_IF_ERROR(insert.BindText(2, m.name));
  ADS_RETURN_IF_ERROR(insert.BindText(3, FormatRfc3339(env.Now())));
  return insert.Run();
}

// Applies `m` unless another connection already did, all in one transaction.
Status ApplyOne(Database& db, const Migration& m, Env& env) {
  ADS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
  // Re-read under the write lock: another process may have migrated since.
  ADS_ASSIGN_OR_RETURN(int current, SchemaVersion(db));
  if (current >= m.version) return OkStatus();  // txn rolls back (nothing done)
  Status s = db.ExecInTransaction(m.sql);
  if (!s.ok()) return s.WithContext(Describe(m) + " failed");
  ADS_RETURN_IF_ERROR(Record(db, m, env));
  return txn.Commit();
}

}  // namespace

Result<int> SchemaVersion(Database& db) {
  ADS_ASSIGN_OR_RETURN(bool exists, HistoryTableExists(db));
  if (!exists) return 0;
  ADS_ASSIGN_OR_RETURN(Statement q,
                       db.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations"));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return 0;
  ADS_ASSIGN_OR_RETURN(int64_t version, q.ColumnInt64(0));
  return static_cast<int>(version);
}

Result<int> ApplyMigrations(Database& db, std::span<const Migration> migrations, Env& env) {
  ADS_RETURN_IF_ERROR(ValidateList(migrations));
  ADS_RETURN_IF_ERROR(db.Exec(kCreateHistory));
  ADS_ASSIGN_OR_RETURN(auto history, ReadHistory(db));
  ADS_RETURN_IF_ERROR(CheckHistory(db, history, migrations));
  for (const Migration& m : migrations) {
    if (history.count(m.version) != 0) continue;
    ADS_RETURN_IF_ERROR(ApplyOne(db, m, env));
  }
  return SchemaVersion(db);
}

}  // namespace ads::store
