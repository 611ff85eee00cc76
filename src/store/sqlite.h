// A small RAII layer over the SQLite C API: a Database connection opened in
// WAL mode with synchronous=FULL and foreign keys on, prepared Statements with
// typed binds and typed column reads, and a Transaction that rolls back unless
// committed. Every SQLite error becomes a Status naming the SQL and SQLite's
// message; SQLITE_BUSY / SQLITE_LOCKED become a retryable status
// (IsRetryable()).
//
//   ADS_ASSIGN_OR_RETURN(auto db, Database::Open(data_dir + "/ads.db"));
//   ADS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db));
//   ADS_ASSIGN_OR_RETURN(Statement insert,
//                        db->Prepare("INSERT INTO models(id, name) VALUES (?1, ?2)"));
//   ADS_RETURN_IF_ERROR(insert.BindText(1, id));
//   ADS_RETURN_IF_ERROR(insert.BindText(2, name));
//   ADS_RETURN_IF_ERROR(insert.Run());
//   ADS_RETURN_IF_ERROR(txn.Commit());
//
//   ADS_ASSIGN_OR_RETURN(Statement query, db->Prepare("SELECT name FROM models"));
//   for (;;) {
//     ADS_ASSIGN_OR_RETURN(bool row, query.Step());
//     if (!row) break;
//     ADS_ASSIGN_OR_RETURN(std::string name, query.ColumnText(0));
//   }
//
// Thread-safety: a Database (with its Statements and Transactions) belongs to
// one thread at a time; it is opened with SQLITE_OPEN_NOMUTEX, so sharing it
// needs a mutex held around every use, including the Statement calls and the
// error message they read. The intended pattern is one connection per thread
// (or a small pool); WAL lets readers on other connections run while one
// writer commits. Statements and Transactions must not outlive their Database.
//
// SQLite does its own file I/O (its VFS), not through ads::Env: a database is
// always a real file (or ":memory:").
#ifndef ADS_STORE_SQLITE_H_
#define ADS_STORE_SQLITE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ads::store {

// True for the status SQLITE_BUSY / SQLITE_LOCKED map to: another
// connection holds the lock; the same operation may succeed when retried.
bool IsRetryable(const Status& status);

struct DatabaseOptions {
  bool create_if_missing = true;
  bool read_only = false;
  // How long a statement waits for another connection's lock before it
  // fails with a retryable status.
  std::chrono::milliseconds busy_timeout{5000};
};

enum class ColumnType { kInteger, kFloat, kText, kBlob, kNull };

namespace internal {
struct SqliteCloser {
  void operator()(sqlite3* db) const;
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const;
};
}  // namespace internal

class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;

  // Parameters are 1-based, as in SQL (?1, ?2, ...).
  Status BindInt64(int index, int64_t value);
  Status BindDouble(int index, double value);
  Status BindText(int index, std::string_view value);
  Status BindBlob(int index, std::string_view bytes);
  Status BindNull(int index);
  // Binds a named parameter such as ":name" or "@name".
  Status BindText(std::string_view name, std::string_view value);
  Status BindInt64(std::string_view name, int64_t value);

  // Advances: true when a row is ready to read, false when done.
  Result<bool> Step();
  // Steps until done (for INSERT / UPDATE / DELETE / DDL), then rewinds the
  // statement so that it can be re-bound and run again.
  Status Run();
  // Makes the statement runnable again and clears every binding.
  Status Reset();

  // Columns are 0-based. Reads are strict: reading NULL, or a value stored
  // with another type, is an Internal error naming the column and the SQL
  // (integers widen to double; nothing else converts). Check IsNull() first
  // for nullable columns.
  int ColumnCount() const;
  std::string ColumnName(int column) const;
  ColumnType Type(int column) const;
  bool IsNull(int column) const { return Type(column) == ColumnType::kNull; }
  Result<int64_t> ColumnInt64(int column) const;
  Result<double> ColumnDouble(int column) const;
  Result<std::string> ColumnText(int column) const;
  Result<std::string> ColumnBlob(int column) const;

  const std::string& sql() const { return sql_; }

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
      : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  Status BindResult(int rc, int index);
  Result<int> NamedIndex(std::string_view name) const;
  Status CheckColumn(int column, ColumnType wanted, const char* wanted_name) const;

  sqlite3* db_;  // not owned
  std::unique_ptr<sqlite3_stmt, internal::StatementFinalizer> stmt_;
  std::string sql_;
};

class Database {
 public:
  // Opens (creating when allowed) the database at `path` in WAL mode with
  // synchronous=FULL, foreign keys on and the busy timeout set.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                const DatabaseOptions& options = {});

  // Runs one or more statements that return no rows (DDL, PRAGMAs).
  Status Exec(std::string_view sql);
  // Like Exec, inside the caller's open transaction: a BEGIN, COMMIT,
  // ROLLBACK or SAVEPOINT in `sql` is refused when reached (Internal error;
  // the statements before it ran, and the caller's rollback undoes them), as
  // it would break the caller's atomicity. FailedPrecondition when no
  // transaction is open.
  Status ExecInTransaction(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);

  // PRAGMA integrity_check: DataLoss listing SQLite's findings when not "ok".
  Status IntegrityCheck();

  int64_t LastInsertRowId() const;
  // Rows changed by the most recent INSERT / UPDATE / DELETE.
  int64_t Changes() const;
  bool InTransaction() const;
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Configure(const DatabaseOptions& options);

  std::unique_ptr<sqlite3, internal::SqliteCloser> db_;
  std::string path_;
};

// BEGIN IMMEDIATE ... COMMIT: takes the write lock at the start, so a
// transaction never fails half-way for want of it. Destroying an active
// Transaction rolls it back. Not nestable.
class Transaction {
 public:
  static Result<Transaction> Begin(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status Commit();
  Status Rollback();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;  // null once committed or rolled back
};

}  // namespace ads::store

#endif  // ADS_STORE_SQLITE_H_
