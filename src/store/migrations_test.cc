#include "store/migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace ads::store {
namespace {

using ::testing::HasSubstr;

const Migration kV1{1, "projects", "CREATE TABLE projects(id TEXT PRIMARY KEY, name TEXT);"};
const Migration kV2{2, "project_descriptions",
                    "ALTER TABLE projects ADD COLUMN description TEXT NOT NULL DEFAULT '';\n"
                    "UPDATE projects SET description = 'about ' || name;\n"
                    "CREATE INDEX projects_name ON projects(name);"};
const Migration kV3{3, "models", "CREATE TABLE models(id TEXT PRIMARY KEY);"};

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = real_.MakeTempDir("migrations_test");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    clock_.SetNow(std::chrono::system_clock::time_point(std::chrono::seconds(1767323045)));
  }
  void TearDown() override { real_.RemoveAll(dir_).IgnoreError(); }

  std::unique_ptr<Database> OpenDb() {
    auto db = Database::Open(JoinPath(dir_, "ads.db"));
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  Result<int> Apply(Database& db, std::vector<Migration> list,
                    std::string_view component = "catalog") {
    return ApplyMigrations(db, component, list, clock_);
  }

  static std::vector<std::string> Rows(Database& db, const std::string& sql) {
    std::vector<std::string> out;
    auto q = db.Prepare(sql);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    while (q.ok() && q->Step().value_or(false)) out.push_back(q->ColumnText(0).value_or("?"));
    return out;
  }

  static bool TableExists(Database& db, const std::string& name) {
    return !Rows(db, "SELECT name FROM sqlite_master WHERE type='table' AND name='" + name + "'")
                .empty();
  }

  Env& real_ = *Env::Default();
  MemEnv clock_;  // only its clock is used
  std::string dir_;
};

TEST_F(MigrationsTest, FreshDatabaseGetsEveryMigrationRecorded) {
  auto db = OpenDb();
  EXPECT_EQ(*SchemaVersion(*db, "catalog"), 0);
  auto version = Apply(*db, {kV1, kV2, kV3});
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 3);
  EXPECT_EQ(*SchemaVersion(*db, "catalog"), 3);
  EXPECT_TRUE(TableExists(*db, "models"));
  // 1767323045 s after the epoch is 2026-01-02T03:04:05Z.
  EXPECT_EQ(Rows(*db, "SELECT version || ' ' || name || ' ' || applied_at "
                      "FROM schema_migrations ORDER BY version"),
            (std::vector<std::string>{"1 projects 2026-01-02T03:04:05.000Z",
                                      "2 project_descriptions 2026-01-02T03:04:05.000Z",
                                      "3 models 2026-01-02T03:04:05.000Z"}));
  EXPECT_TRUE(db->IntegrityCheck().ok());
}

TEST_F(MigrationsTest, RestartIsANoOp) {
  {
    auto db = OpenDb();
    ASSERT_TRUE(Apply(*db, {kV1, kV2}).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO projects(id, name) VALUES ('p1', 'iris')").ok());
  }
  auto db = OpenDb();
  clock_.SetNow(clock_.Now() + std::chrono::hours(24));
  auto version = Apply(*db, {kV1, kV2});
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 2);
  EXPECT_EQ(Rows(*db, "SELECT count(*) || '' FROM schema_migrations"),
            std::vector<std::string>{"2"});
  EXPECT_EQ(Rows(*db, "SELECT DISTINCT applied_at FROM schema_migrations"),
            std::vector<std::string>{"2026-01-02T03:04:05.000Z"});
  EXPECT_EQ(Rows(*db, "SELECT name FROM projects"), std::vector<std::string>{"iris"});
}

TEST_F(MigrationsTest, UpgradeFromV1ToV2KeepsAndTransformsData) {
  {
    auto db = OpenDb();
    ASSERT_EQ(*Apply(*db, {kV1}), 1);
    ASSERT_TRUE(db->Exec("INSERT INTO projects VALUES ('p1', 'iris'), ('p2', 'wine')").ok());
  }
  auto db = OpenDb();
  auto version = Apply(*db, {kV1, kV2});
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 2);
  EXPECT_EQ(Rows(*db, "SELECT description FROM projects ORDER BY id"),
            (std::vector<std::string>{"about iris", "about wine"}));
  EXPECT_EQ(Rows(*db, "SELECT name FROM sqlite_master WHERE type = 'index' "
                      "AND name = 'projects_name'"),
            std::vector<std::string>{"projects_name"});
}

TEST_F(MigrationsTest, FailingMigrationRollsBackToThePreviousVersion) {
  auto db = OpenDb();
  ASSERT_EQ(*Apply(*db, {kV1}), 1);
  const Migration broken{2, "half_done",
                         "CREATE TABLE half(x);\n"
                         "INSERT INTO half VALUES (1);\n"
                         "INSERT INTO no_such_table VALUES (1);"};
  auto failed = Apply(*db, {kV1, broken, kV3});
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("schema migration 2 (half_done) failed"));
  EXPECT_THAT(failed.status().message(), HasSubstr("no such table: no_such_table"));
  EXPECT_EQ(*SchemaVersion(*db, "catalog"), 1);
  EXPECT_FALSE(TableExists(*db, "half"));   // its first statements were undone
  EXPECT_FALSE(TableExists(*db, "models"));  // later migrations did not run
  EXPECT_FALSE(db->InTransaction());

  const Migration fixed{2, "half_done", "CREATE TABLE half(x);"};
  auto version = Apply(*db, {kV1, fixed, kV3});
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 3);
}

TEST_F(MigrationsTest, NewerDatabaseIsRefusedUntouched) {
  auto db = OpenDb();
  ASSERT_EQ(*Apply(*db, {kV1, kV2, kV3}), 3);
  auto refused = Apply(*db, {kV1, kV2});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("has schema version 3, newer than the version 2 this ads knows"));
  EXPECT_THAT(refused.status().hint(), HasSubstr("newer ads"));
  EXPECT_EQ(*SchemaVersion(*db, "catalog"), 3);
}

TEST_F(MigrationsTest, DivergentHistoryIsRefused) {
  auto db = OpenDb();
  ASSERT_EQ(*Apply(*db, {kV1, kV2}), 2);
  Migration renamed = kV2;
  renamed.name = "something_else";
  auto refused = Apply(*db, {kV1, renamed, kV3});
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("`project_descriptions`"));
  EXPECT_FALSE(TableExists(*db, "models"));
}

TEST_F(MigrationsTest, MigrationThatCommitsOnItsOwnIsRefusedBeforeRunning) {
  auto db = OpenDb();
  ASSERT_EQ(*Apply(*db, {kV1}), 1);
  const Migration sneaky{2, "sneaky", "CREATE TABLE early(x); COMMIT; CREATE TABLE late(x);"};
  auto refused = Apply(*db, {kV1, sneaky});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInternal);
  EXPECT_THAT(refused.status().message(), HasSubstr("schema migration 2 (sneaky)"));
  EXPECT_FALSE(TableExists(*db, "early"));
  EXPECT_EQ(*SchemaVersion(*db, "catalog"), 1);
}

TEST_F(MigrationsTest, BadListsAreRejectedBeforeTouchingTheDatabase) {
  auto db = OpenDb();
  EXPECT_EQ(Apply(*db, {kV1, kV3}).status().code(), StatusCode::kInternal);  // gap
  EXPECT_EQ(Apply(*db, {Migration{1, "", "CREATE TABLE x(y)"}}).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(Apply(*db, {Migration{1, "empty", "  "}}).status().code(), StatusCode::kInternal);
  EXPECT_FALSE(TableExists(*db, "schema_migrations"));
  EXPECT_EQ(*Apply(*db, {}), 0);
}

TEST_F(MigrationsTest, ComponentsShareOneDatabaseWithIndependentHistories) {
  auto db = OpenDb();
  ASSERT_EQ(*Apply(*db, {kV1, kV2}, "catalog"), 2);
  const Migration iam1{1, "tenancy", "CREATE TABLE tenancy(id TEXT PRIMARY KEY);"};
  EXPECT_EQ(*SchemaVersion(*db, "iam"), 0);
  auto iam = Apply(*db, {iam1}, "iam");
  ASSERT_TRUE(iam.ok()) << iam.status().ToString();
  EXPECT_EQ(*iam, 1);
  EXPECT_EQ(*SchemaVersion(*db, "catalog"), 2);
  EXPECT_EQ(*SchemaVersion(*db, "iam"), 1);
  EXPECT_TRUE(TableExists(*db, "tenancy"));
  // Upgrading one component leaves the other alone.
  ASSERT_EQ(*Apply(*db, {kV1, kV2, kV3}, "catalog"), 3);
  EXPECT_EQ(*SchemaVersion(*db, "iam"), 1);
  EXPECT_EQ(Rows(*db, "SELECT component || ' ' || version FROM schema_migrations "
                      "ORDER BY component, version"),
            (std::vector<std::string>{"catalog 1", "catalog 2", "catalog 3", "iam 1"}));
  // The same version number under another component is not a conflict, but
  // a different name for an already recorded migration of the same one is.
  const Migration other{1, "other", "CREATE TABLE other(x);"};
  auto refused = Apply(*db, {other}, "iam");
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("component iam"));
  // A newer component is refused on its own terms.
  auto newer = Apply(*db, {kV1}, "catalog");
  EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(newer.status().message(), HasSubstr("has schema version 3, newer than the version 1"));
}

TEST_F(MigrationsTest, HistoryTableWithoutComponentsIsRefused) {
  auto db = OpenDb();
  ASSERT_TRUE(db->Exec("CREATE TABLE schema_migrations(version INTEGER PRIMARY KEY, "
                       "name TEXT NOT NULL, applied_at TEXT NOT NULL)")
                  .ok());
  auto refused = Apply(*db, {kV1});
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("without a component column"));
  EXPECT_FALSE(TableExists(*db, "projects"));
  EXPECT_EQ(SchemaVersion(*db, "catalog").status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(MigrationsTest, EmptyComponentNameIsABug) {
  auto db = OpenDb();
  EXPECT_EQ(Apply(*db, {kV1}, "").status().code(), StatusCode::kInternal);
  EXPECT_FALSE(TableExists(*db, "schema_migrations"));
}

}  // namespace
}  // namespace ads::store
