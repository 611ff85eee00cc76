// Versioned schema migrations for a SQLite Database. Several components
// (catalog, iam, ...) share one database file, each with its own numbered
// history: a component lists every migration it knows, numbered 1, 2, 3, ...;
// ApplyMigrations() runs those the database has not seen yet for that
// component, in order, each in its own transaction together with its row in
// `schema_migrations` (primary key (component, version)), so a failure leaves
// the component at its previous version. A database newer than the code, or
// whose recorded history differs from the code's (a renamed or reordered
// migration), is refused rather than guessed at; that check is per component,
// so components upgrade independently. Running it again is a no-op.
//
//   const std::vector<Migration> kCatalogMigrations = {
//       {1, "projects", "CREATE TABLE projects(id TEXT PRIMARY KEY, ...);"},
//       {2, "models", "CREATE TABLE models(...); CREATE INDEX ...;"},
//   };
//   ADS_ASSIGN_OR_RETURN(int version, ApplyMigrations(*db, "catalog", kCatalogMigrations, env));
//
// Migration SQL must not contain BEGIN / COMMIT / SAVEPOINT: the runner owns
// the transaction and refuses such a migration before it runs. Thread-safety: as for the Database (one thread at a time);
// several processes may migrate the same file at once (BEGIN IMMEDIATE
// serialises them and each re-reads the version inside its transaction).
#ifndef ADS_STORE_MIGRATIONS_H_
#define ADS_STORE_MIGRATIONS_H_

#include <span>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/status.h"
#include "store/sqlite.h"

namespace ads::store {

struct Migration {
  int version = 0;   // 1, 2, 3, ... without gaps
  std::string name;  // short, stable, recorded in schema_migrations
  std::string sql;   // one or more statements
};

// The highest migration of `component` recorded in `db`; 0 for a component
// (or database) never migrated.
Result<int> SchemaVersion(Database& db, std::string_view component);

// Brings `component` in `db` up to the last of `migrations` and returns that
// version. `component` is a short stable name such as "catalog" or "iam".
// FailedPrecondition when the database is newer than the code or its history
// differs; the failing migration's error (with its version and name) when one
// fails, after which the database stays at the version before it. `env`
// supplies the applied_at timestamps.
Result<int> ApplyMigrations(Database& db, std::string_view component,
                            std::span<const Migration> migrations, Env& env);

}  // namespace ads::store

#endif  // ADS_STORE_MIGRATIONS_H_
