#include "store/sqlite.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "base/env.h"

namespace ads::store {
namespace {

using ::testing::HasSubstr;

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("sqlite_test");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    path_ = JoinPath(dir_, "ads.db");
  }
  void TearDown() override { env_.RemoveAll(dir_).IgnoreError(); }

  std::unique_ptr<Database> OpenDb(DatabaseOptions options = {}) {
    auto db = Database::Open(path_, options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // The first column of the first row of `sql`, as text.
  static std::string QueryText(Database& db, const std::string& sql) {
    auto stmt = db.Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok() || !stmt->Step().value_or(false)) return "<no row>";
    if (stmt->Type(0) == ColumnType::kInteger) return std::to_string(*stmt->ColumnInt64(0));
    return stmt->ColumnText(0).value_or("<not text>");
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::string path_;
};

TEST_F(SqliteTest, OpenUsesWalFullSyncForeignKeysAndBusyTimeout) {
  auto db = OpenDb({.busy_timeout = std::chrono::milliseconds(1234)});
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(QueryText(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryText(*db, "PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(QueryText(*db, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(QueryText(*db, "PRAGMA busy_timeout"), "1234");
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  EXPECT_TRUE(env_.FileExists(path_ + "-wal"));
}

TEST_F(SqliteTest, TypedBindsRoundTripWithTheirStorageClasses) {
  auto db = OpenDb();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(i, d, s, b, n, es, eb)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  const std::string text = "h\xC3\xA9llo, \xE4\xB8\x96\xE7\x95\x8C";
  const std::string blob("\x00\x01\xFF\x00z", 5);
  ASSERT_TRUE(insert->BindInt64(1, std::numeric_limits<int64_t>::min()).ok());
  ASSERT_TRUE(insert->BindDouble(2, 0.1).ok());
  ASSERT_TRUE(insert->BindText(3, text).ok());
  ASSERT_TRUE(insert->BindBlob(4, blob).ok());
  ASSERT_TRUE(insert->BindNull(5).ok());
  ASSERT_TRUE(insert->BindText(6, std::string_view()).ok());
  ASSERT_TRUE(insert->BindBlob(7, std::string_view()).ok());
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(db->Changes(), 1);
  EXPECT_EQ(db->LastInsertRowId(), 1);

  // SQLite's own view of what was stored, independent of our readers.
  EXPECT_EQ(QueryText(*db,
                      "SELECT typeof(i)||typeof(d)||typeof(s)||typeof(b)||typeof(n)||"
                      "typeof(es)||typeof(eb)||length(s)||length(b) FROM t"),
            "integerrealtextblobnulltextblob95");

  auto select = db->Prepare("SELECT i, d, s, b, n, es, eb FROM t");
  ASSERT_TRUE(select.ok());
  ASSERT_EQ(*select->Step(), true);
  EXPECT_EQ(select->ColumnCount(), 7);
  EXPECT_EQ(*select->ColumnInt64(0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*select->ColumnDouble(1), 0.1);
  EXPECT_EQ(*select->ColumnText(2), text);
  EXPECT_EQ(*select->ColumnBlob(3), blob);
  EXPECT_TRUE(select->IsNull(4));
  EXPECT_EQ(*select->ColumnText(5), "");
  EXPECT_EQ(*select->ColumnBlob(6), "");
  EXPECT_EQ(*select->ColumnDouble(0), static_cast<double>(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(*select->Step(), false);
}

TEST_F(SqliteTest, MismatchedColumnReadsNameTheColumnAndSql) {
  auto db = OpenDb();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(name TEXT, size INTEGER); "
                       "INSERT INTO t VALUES ('x', NULL)").ok());
  auto select = db->Prepare("SELECT name, size FROM t");
  ASSERT_TRUE(select.ok() && *select->Step());
  Result<int64_t> as_int = select->ColumnInt64(0);
  EXPECT_EQ(as_int.status().code(), StatusCode::kInternal);
  EXPECT_THAT(as_int.status().message(), HasSubstr("`name`"));
  EXPECT_THAT(as_int.status().message(), HasSubstr("SELECT name, size FROM t"));
  EXPECT_THAT(as_int.status().message(), HasSubstr("is text, not an integer"));
  EXPECT_THAT(select->ColumnText(1).status().message(), HasSubstr("is NULL, not text"));
  EXPECT_THAT(select->ColumnBlob(0).status().message(), HasSubstr("not a blob"));
  EXPECT_THAT(select->ColumnText(7).status().message(), HasSubstr("has no column 7"));
}

TEST_F(SqliteTest, NamedParametersAndBadIndexes) {
  auto db = OpenDb();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(k TEXT, v INTEGER)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (:k, :v)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->BindText(":k", "key").ok());
  ASSERT_TRUE(insert->BindInt64(":v", 7).ok());
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(insert->BindText(":missing", "x").code(), StatusCode::kInternal);
  EXPECT_THAT(insert->BindInt64(3, 1).message(), HasSubstr("has no parameter 3"));
  EXPECT_EQ(QueryText(*db, "SELECT k || v FROM t"), "key7");

  // Run() rewinds: the same statement takes new values at once.
  ASSERT_TRUE(insert->BindInt64(":v", 8).ok());
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(QueryText(*db, "SELECT group_concat(k || v) FROM t"), "key7,key8");
  auto select = db->Prepare("SELECT ?1");
  ASSERT_TRUE(select.ok() && select->BindInt64(1, 1).ok() && *select->Step());
  EXPECT_THAT(select->BindInt64(1, 2).message(), HasSubstr("Reset() it first"));

  // Reset clears bindings: the statement runs again with NULLs.
  ASSERT_TRUE(insert->Reset().ok());
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(QueryText(*db, "SELECT count(*) FROM t WHERE k IS NULL AND v IS NULL"), "1");
}

TEST_F(SqliteTest, ErrorsNameTheSqlAndSqlitesMessage) {
  auto db = OpenDb();
  auto bad = db->Prepare("SELEC 1");
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
  EXPECT_THAT(bad.status().message(), HasSubstr("`SELEC 1`"));
  EXPECT_THAT(bad.status().message(), HasSubstr("syntax error"));

  std::string long_sql = "SELECT * FROM no_such_table WHERE " + std::string(200, 'x') + " = 1";
  auto missing = db->Prepare(long_sql);
  EXPECT_THAT(missing.status().message(), HasSubstr("no such table: no_such_table"));
  EXPECT_THAT(missing.status().message(), HasSubstr("...`"));
  EXPECT_LT(missing.status().message().size(), 200u);

  EXPECT_THAT(db->Prepare("SELECT 1; SELECT 2").status().message(),
              HasSubstr("more than one statement"));
  EXPECT_EQ(db->Prepare("  -- nothing\n").status().code(), StatusCode::kInternal);
  EXPECT_TRUE(db->Prepare("SELECT 1;  ").ok());
}

TEST_F(SqliteTest, ConstraintViolationsMapToMeaningfulCodes) {
  auto db = OpenDb();
  ASSERT_TRUE(db->Exec("CREATE TABLE p(id TEXT PRIMARY KEY);"
                       "CREATE TABLE c(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                       "  p TEXT REFERENCES p(id));"
                       "INSERT INTO p VALUES ('a'); INSERT INTO c(name, p) VALUES ('n', 'a');")
                  .ok());
  Status dup = db->Exec("INSERT INTO c(name, p) VALUES ('n', 'a')");
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.message(), HasSubstr("UNIQUE constraint failed: c.name"));
  EXPECT_EQ(db->Exec("INSERT INTO p VALUES ('a')").code(), StatusCode::kAlreadyExists);
  Status fk = db->Exec("INSERT INTO c(name, p) VALUES ('m', 'nope')");
  EXPECT_EQ(fk.code(), StatusCode::kFailedPrecondition);  // foreign keys are on
  EXPECT_THAT(fk.message(), HasSubstr("FOREIGN KEY"));
  EXPECT_EQ(db->Exec("INSERT INTO c(name) VALUES (NULL)").code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsRetryable(dup));
}

TEST_F(SqliteTest, TransactionsCommitOrRollBack) {
  auto db = OpenDb();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.ok());
    EXPECT_TRUE(db->InTransaction());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
    EXPECT_EQ(Transaction::Begin(*db).status().code(), StatusCode::kFailedPrecondition);
  }  // destroyed without Commit
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(QueryText(*db, "SELECT count(*) FROM t"), "0");

  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(txn->Commit().ok());
    EXPECT_EQ(txn->Commit().code(), StatusCode::kFailedPrecondition);
    EXPECT_TRUE(txn->Rollback().ok());  // nothing left to roll back
  }
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (3)").ok());
    ASSERT_TRUE(txn->Rollback().ok());
  }
  EXPECT_EQ(db->ExecInTransaction("INSERT INTO t VALUES (4)").code(),
            StatusCode::kFailedPrecondition);
  {
    auto txn = Transaction::Begin(*db);
    Status nested = db->ExecInTransaction("INSERT INTO t VALUES (5); COMMIT");
    EXPECT_EQ(nested.code(), StatusCode::kInternal);
    EXPECT_THAT(nested.message(), HasSubstr("transaction"));
    EXPECT_TRUE(db->InTransaction());
  }
  db.reset();
  auto reopened = OpenDb();
  EXPECT_EQ(QueryText(*reopened, "SELECT group_concat(x) FROM t"), "2");
}

TEST_F(SqliteTest, LockedDatabaseIsRetryableAndReadersAreNotBlocked) {
  auto writer = OpenDb();
  ASSERT_TRUE(writer->Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)").ok());
  auto other = OpenDb({.busy_timeout = std::chrono::milliseconds(20)});
  auto txn = Transaction::Begin(*writer);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(writer->Exec("UPDATE t SET x = 2").ok());

  // WAL: the other connection still reads the last committed state.
  EXPECT_EQ(QueryText(*other, "SELECT x FROM t"), "1");
  auto blocked = Transaction::Begin(*other);
  ASSERT_FALSE(blocked.ok());
  EXPECT_TRUE(IsRetryable(blocked.status())) << blocked.status().ToString();
  Status write = other->Exec("INSERT INTO t VALUES (9)");
  EXPECT_TRUE(IsRetryable(write)) << write.ToString();
  EXPECT_TRUE(IsRetryable(write.WithContext("saving model")));

  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_TRUE(other->Exec("INSERT INTO t VALUES (9)").ok());
  EXPECT_EQ(QueryText(*writer, "SELECT group_concat(x) FROM t"), "2,9");
}

TEST_F(SqliteTest, IntegrityCheckPassesAndDetectsCorruption) {
  {
    auto db = OpenDb();
    ASSERT_TRUE(db->Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
                         "CREATE INDEX t_v ON t(v);"
                         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                         "WHERE i < 2000) INSERT INTO t SELECT i, hex(randomblob(40)) FROM n;")
                    .ok());
    EXPECT_TRUE(db->IntegrityCheck().ok());
  }  // the last connection closing checkpoints the WAL into the main file
  auto bytes = env_.ReadFile(path_);
  ASSERT_TRUE(bytes.ok());
  ASSERT_GT(bytes->size(), 40000u);
  std::string damaged = *bytes;
  for (size_t i = 5000; i < 9000; ++i) damaged[i] = static_cast<char>(0x5A);
  ASSERT_TRUE(env_.WriteFile(path_, damaged).ok());

  auto db = Database::Open(path_);
  Status check = db.ok() ? (*db)->IntegrityCheck() : db.status();
  EXPECT_EQ(check.code(), StatusCode::kDataLoss) << check.ToString();
}

TEST_F(SqliteTest, OpenFailuresAreClearErrors) {
  auto missing = Database::Open(JoinPath(dir_, "absent.db"), {.create_if_missing = false});
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  EXPECT_THAT(missing.status().message(), HasSubstr("absent.db"));

  ASSERT_TRUE(env_.WriteFile(path_, std::string(8192, 'j')).ok());
  auto garbage = Database::Open(path_);
  EXPECT_EQ(garbage.status().code(), StatusCode::kDataLoss) << garbage.status().ToString();
  EXPECT_THAT(garbage.status().message(), HasSubstr("ads.db"));
}

}  // namespace
}  // namespace ads::store
