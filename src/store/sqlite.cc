// RAII over the SQLite C API; every failure becomes an ads::Status.
#include "store/sqlite.h"

#include <sqlite3.h>

#include <algorithm>
#include <climits>
#include <utility>
#include <vector>

#include "base/logging.h"
#include "base/strings.h"

namespace ads::store {
namespace {

// A lock timeout is kUnavailable (the server will answer 503, which the OCI
// SDKs retry); the hint tells a CLI user the same.
constexpr char kRetryHint[] =
    "Another connection holds the database lock; retrying the operation may succeed.";
constexpr size_t kMaxSqlInMessage = 80;

// The SQL as it should appear in a message: whitespace collapsed, truncated.
std::string ShortSql(std::string_view sql) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() > kMaxSqlInMessage) {
      out.resize(kMaxSqlInMessage);
      return "`" + out + "...`";
    }
  }
  return "`" + out + "`";
}

Status StatusForCode(int rc, std::string message) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(std::move(message)).WithHint(kRetryHint);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError(std::move(message));
      }
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return FailedPreconditionError(std::move(message));
      return InvalidArgumentError(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(std::move(message));
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return IoError(std::move(message));
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return PermissionDeniedError(std::move(message));
    case SQLITE_TOOBIG:
      return OutOfRangeError(std::move(message));
    default:  // SQLITE_ERROR (bad SQL), MISUSE, RANGE, NOMEM...: bugs in ads
      return InternalError(std::move(message));
  }
}

// `rc` is the (extended) result code of the failed call on `db`.
Status SqliteError(sqlite3* db, int rc, std::string_view sql) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return StatusForCode(rc, "SQL " + ShortSql(sql) + " failed: " + detail);
}

const char* TypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger: return "an integer";
    case ColumnType::kFloat: return "a float";
    case ColumnType::kText: return "text";
    case ColumnType::kBlob: return "a blob";
    case ColumnType::kNull: return "NULL";
  }
  return "unknown";
}

}  // namespace

bool IsRetryable(const Status& status) {
  return status.code() == StatusCode::kUnavailable;
}

namespace internal {
void SqliteCloser::operator()(sqlite3* db) const {
  // close_v2 defers the close until the last statement is finalized, so a
  // statement destroyed after its database cannot touch freed memory.
  sqlite3_close_v2(db);
}
void StatementFinalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
}  // namespace internal

// -------------------------------------------------------------- Statement

Status Statement::BindResult(int rc, int index) {
  if (rc == SQLITE_OK) return OkStatus();
  if ((rc & 0xff) == SQLITE_RANGE) {
    return InternalError("SQL " + ShortSql(sql_) + " has no parameter " + std::to_string(index));
  }
  if (rc == SQLITE_MISUSE) {
    return InternalError("cannot bind parameter " + std::to_string(index) + " of SQL " +
                         ShortSql(sql_) + " while it is being stepped; Reset() it first");
  }
  return SqliteError(db_, rc, sql_);
}

Status Statement::BindInt64(int index, int64_t value) {
  return BindResult(sqlite3_bind_int64(stmt_.get(), index, value), index);
}

Status Statement::BindDouble(int index, double value) {
  return BindResult(sqlite3_bind_double(stmt_.get(), index, value), index);
}

Status Statement::BindText(int index, std::string_view value) {
  // A null pointer would bind NULL, not the empty string.
  const char* data = value.data() != nullptr ? value.data() : "";
  return BindResult(sqlite3_bind_text64(stmt_.get(), index, data, value.size(), SQLITE_TRANSIENT,
                                        SQLITE_UTF8),
                    index);
}

Status Statement::BindBlob(int index, std::string_view bytes) {
  const char* data = bytes.data() != nullptr ? bytes.data() : "";
  return BindResult(sqlite3_bind_blob64(stmt_.get(), index, data, bytes.size(), SQLITE_TRANSIENT),
                    index);
}

Status Statement::BindNull(int index) {
  return BindResult(sqlite3_bind_null(stmt_.get(), index), index);
}

Result<int> Statement::NamedIndex(std::string_view name) const {
  const int index = sqlite3_bind_parameter_index(stmt_.get(), std::string(name).c_str());
  if (index == 0) {
    return InternalError("SQL " + ShortSql(sql_) + " has no parameter " + Quoted(name));
  }
  return index;
}

Status Statement::BindText(std::string_view name, std::string_view value) {
  ADS_ASSIGN_OR_RETURN(int index, NamedIndex(name));
  return BindText(index, value);
}

Status Statement::BindInt64(std::string_view name, int64_t value) {
  ADS_ASSIGN_OR_RETURN(int index, NamedIndex(name));
  return BindInt64(index, value);
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status error = SqliteError(db_, rc, sql_);
  sqlite3_reset(stmt_.get());  // releases locks; the error is already captured
  return error;
}

Status Statement::Run() {
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  // Ready to be bound and run again; the bindings stay.
  sqlite3_reset(stmt_.get());
  return OkStatus();
}

Status Statement::Reset() {
  sqlite3_clear_bindings(stmt_.get());
  // sqlite3_reset repeats the last step's error, which Step() reported.
  sqlite3_reset(stmt_.get());
  return OkStatus();
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_.get()); }

std::string Statement::ColumnName(int column) const {
  const char* name = sqlite3_column_name(stmt_.get(), column);
  return name != nullptr ? name : std::to_string(column);
}

ColumnType Statement::Type(int column) const {
  if (column < 0 || column >= ColumnCount()) return ColumnType::kNull;
  switch (sqlite3_column_type(stmt_.get(), column)) {
    case SQLITE_INTEGER: return ColumnType::kInteger;
    case SQLITE_FLOAT: return ColumnType::kFloat;
    case SQLITE_TEXT: return ColumnType::kText;
    case SQLITE_BLOB: return ColumnType::kBlob;
    default: return ColumnType::kNull;
  }
}

Status Statement::CheckColumn(int column, ColumnType wanted, const char* wanted_name) const {
  if (column < 0 || column >= ColumnCount()) {
    return InternalError("SQL " + ShortSql(sql_) + " has no column " + std::to_string(column) +
                         " (it returns " + std::to_string(ColumnCount()) + ")");
  }
  const ColumnType actual = Type(column);
  if (actual == wanted) return OkStatus();
  if (wanted == ColumnType::kFloat && actual == ColumnType::kInteger) return OkStatus();
  // A typed read that does not match is a bug in the query or the schema,
  // never bad user input.
  return InternalError("column " + std::to_string(column) + " (" + Quoted(ColumnName(column)) +
                       ") of SQL " + ShortSql(sql_) + " is " + TypeName(actual) + ", not " +
                       wanted_name);
}

Result<int64_t> Statement::ColumnInt64(int column) const {
  ADS_RETURN_IF_ERROR(CheckColumn(column, ColumnType::kInteger, "an integer"));
  return static_cast<int64_t>(sqlite3_column_int64(stmt_.get(), column));
}

Result<double> Statement::ColumnDouble(int column) const {
  ADS_RETURN_IF_ERROR(CheckColumn(column, ColumnType::kFloat, "a number"));
  return sqlite3_column_double(stmt_.get(), column);
}

Result<std::string> Statement::ColumnText(int column) const {
  ADS_RETURN_IF_ERROR(CheckColumn(column, ColumnType::kText, "text"));
  const unsigned char* text = sqlite3_column_text(stmt_.get(), column);
  const int n = sqlite3_column_bytes(stmt_.get(), column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(n));
}

Result<std::string> Statement::ColumnBlob(int column) const {
  ADS_RETURN_IF_ERROR(CheckColumn(column, ColumnType::kBlob, "a blob"));
  const void* bytes = sqlite3_column_blob(stmt_.get(), column);
  const int n = sqlite3_column_bytes(stmt_.get(), column);
  if (bytes == nullptr) return std::string();  // zero-length blob
  return std::string(static_cast<const char*>(bytes), static_cast<size_t>(n));
}

// --------------------------------------------------------------- Database

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 const DatabaseOptions& options) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (options.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // SQLite hands back a handle even on failure; it must be closed either way.
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) {
    const char* detail = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return StatusForCode(rc, "cannot open database " + path + ": " + detail);
  }
  Status configured = db->Configure(options);
  if (!configured.ok()) return configured.WithContext("cannot open database " + path);
  return db;
}

Status Database::Configure(const DatabaseOptions& options) {
  sqlite3_extended_result_codes(db_.get(), 1);
  const int64_t timeout_ms = options.busy_timeout.count();
  sqlite3_busy_timeout(db_.get(), static_cast<int>(std::min<int64_t>(timeout_ms, INT_MAX)));
  ADS_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys = ON"));
  if (options.read_only) return OkStatus();
  // WAL: readers never block the writer; with synchronous=FULL every commit
  // fsyncs the WAL, so a transaction that reported success survives power
  // loss (NORMAL would only sync at checkpoints and could lose the last ones).
  ADS_ASSIGN_OR_RETURN(Statement wal, Prepare("PRAGMA journal_mode = WAL"));
  ADS_ASSIGN_OR_RETURN(bool row, wal.Step());
  std::string mode = row ? wal.ColumnText(0).value_or("") : "";
  if (mode != "wal" && !(path_ == ":memory:" && mode == "memory")) {
    return IoError("database " + path_ + " cannot use write-ahead logging (journal mode is " +
                   Quoted(mode) + ")");
  }
  return Exec("PRAGMA synchronous = FULL");
}

Status Database::Exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, sql);
  return OkStatus();
}

namespace {
int DenyTransactionControl(void*, int action, const char*, const char*, const char*,
                           const char*) {
  return action == SQLITE_TRANSACTION || action == SQLITE_SAVEPOINT ? SQLITE_DENY : SQLITE_OK;
}
}  // namespace

Status Database::ExecInTransaction(std::string_view sql) {
  if (!InTransaction()) {
    return FailedPreconditionError("SQL " + ShortSql(sql) + " must run inside a transaction");
  }
  sqlite3_set_authorizer(db_.get(), DenyTransactionControl, nullptr);
  Status s = Exec(sql);
  sqlite3_set_authorizer(db_.get(), nullptr, nullptr);
  if (s.code() == StatusCode::kPermissionDenied) {
    return InternalError("SQL " + ShortSql(sql) +
                         " tries to begin, end or nest a transaction, which its caller owns");
  }
  return s;
}

Result<Statement> Database::Prepare(std::string_view sql) {
  if (sql.size() > static_cast<size_t>(INT_MAX)) {
    return OutOfRangeError("SQL " + ShortSql(sql) + " is too long to prepare");
  }
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc =
      sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  Statement stmt(db_.get(), raw, std::string(sql));
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, sql);
  if (raw == nullptr) return InternalError("SQL " + ShortSql(sql) + " contains no statement");
  std::string_view rest(tail, static_cast<size_t>(sql.data() + sql.size() - tail));
  if (!Trim(rest).empty() && Trim(rest) != ";") {
    return InternalError("SQL " + ShortSql(sql) +
                         " holds more than one statement; Prepare takes one (use Exec)");
  }
  return stmt;
}

Status Database::IntegrityCheck() {
  ADS_ASSIGN_OR_RETURN(Statement check, Prepare("PRAGMA integrity_check"));
  std::vector<std::string> findings;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, check.Step());
    if (!row) break;
    ADS_ASSIGN_OR_RETURN(std::string line, check.ColumnText(0));
    findings.push_back(std::move(line));
  }
  if (findings.size() == 1 && findings[0] == "ok") return OkStatus();
  return DataLossError("database " + path_ + " failed its integrity check: " +
                       Join(findings, "; "));
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_.get()); }

int64_t Database::Changes() const { return sqlite3_changes64(db_.get()); }

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

// ------------------------------------------------------------ Transaction

Result<Transaction> Transaction::Begin(Database& db) {
  if (db.InTransaction()) {
    return FailedPreconditionError("database " + db.path() +
                                   " already has an open transaction; transactions do not nest");
  }
  ADS_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  Status s = Rollback();
  if (!s.ok()) LogWarning("could not roll back a transaction: " + s.message());
}

Status Transaction::Commit() {
  if (db_ == nullptr) {
    return FailedPreconditionError("the transaction was already committed or rolled back");
  }
  // On failure (e.g. busy) the transaction stays open; the destructor or
  // Rollback() ends it.
  ADS_RETURN_IF_ERROR(db_->Exec("COMMIT"));
  db_ = nullptr;
  return OkStatus();
}

Status Transaction::Rollback() {
  Database* db = std::exchange(db_, nullptr);
  // SQLite may already have rolled back by itself after certain errors.
  if (db == nullptr || !db->InTransaction()) return OkStatus();
  return db->Exec("ROLLBACK");
}

}  // namespace ads::store
