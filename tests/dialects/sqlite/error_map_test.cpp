// Tests for src/dialects/sqlite/error_map.cpp, through real SQLite failures:
// each kind of native error arrives as the SQLAlchemy/pysqlite class, with the
// SQLite message and the extended result code as native_code().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "dialects/sqlite/sqlite_test_util.hpp"
#include "support/backends.hpp"

namespace alchemy {
namespace {

using ::testing::HasSubstr;
using testing::sqlite::open;
using testing::sqlite::run;

// Executes `sql` and returns the DBAPIError it raised (fails the test if none).
template <class E>
E error_of(DriverConnection& conn, const std::string& sql, const std::vector<Value>& params = {}) {
  auto c = conn.cursor();
  try {
    run(*c, sql, params);
    while (c->fetch_next()) {
    }
  } catch (const E& e) {
    return e;
  }
  ADD_FAILURE() << "expected an error from: " << sql;
  return E("none");
}

class SqliteErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    conn = open();
    conn->exec(
        "PRAGMA foreign_keys = ON;"
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT NOT NULL,"
        "  age INTEGER CHECK (age >= 0));"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));"
        "INSERT INTO users (id, email, name) VALUES (1, 'a@example.com', 'a')");
  }
  std::unique_ptr<DriverConnection> conn;
};

TEST_F(SqliteErrors, unique_violation_is_integrity_error_2067) {
  auto e = error_of<IntegrityError>(*conn, "INSERT INTO users (email, name) VALUES (?1, ?2)",
                                    {"a@example.com", "b"});
  EXPECT_EQ(e.native_code(), 2067);  // SQLITE_CONSTRAINT_UNIQUE
  EXPECT_EQ(e.message(), "UNIQUE constraint failed: users.email");
  EXPECT_EQ(e.sqlstate(), "");
  EXPECT_FALSE(e.is_disconnect());
  EXPECT_EQ(std::string(e.kind()), "IntegrityError");
  EXPECT_THAT(e.what(), HasSubstr("(IntegrityError code 2067) UNIQUE constraint failed"));
}

TEST_F(SqliteErrors, primary_key_not_null_check_and_foreign_key_are_integrity_errors) {
  EXPECT_EQ(
      error_of<IntegrityError>(*conn, "INSERT INTO users (id, name) VALUES (1, 'x')").native_code(),
      1555);  // SQLITE_CONSTRAINT_PRIMARYKEY
  EXPECT_EQ(
      error_of<IntegrityError>(*conn, "INSERT INTO users (email) VALUES ('n@x')").native_code(),
      1299);  // SQLITE_CONSTRAINT_NOTNULL
  EXPECT_EQ(error_of<IntegrityError>(*conn, "INSERT INTO users (name, age) VALUES ('n', -1)")
                .native_code(),
            275);  // SQLITE_CONSTRAINT_CHECK
  EXPECT_EQ(
      error_of<IntegrityError>(*conn, "INSERT INTO orders (user_id) VALUES (99)").native_code(),
      787);  // SQLITE_CONSTRAINT_FOREIGNKEY
}

TEST_F(SqliteErrors, datatype_mismatch_is_integrity_error) {
  auto e = error_of<IntegrityError>(*conn, "INSERT INTO users (id, name) VALUES ('abc', 'x')");
  EXPECT_EQ(e.native_code(), 20);  // SQLITE_MISMATCH
}

TEST_F(SqliteErrors, syntax_error_and_missing_table_are_operational_errors) {
  auto syntax = error_of<OperationalError>(*conn, "SELEC 1");
  EXPECT_EQ(syntax.native_code(), 1);  // SQLITE_ERROR
  EXPECT_THAT(syntax.message(), HasSubstr("syntax error"));

  auto missing = error_of<OperationalError>(*conn, "SELECT * FROM nope WHERE x = ?1", {1});
  EXPECT_EQ(missing.message(), "no such table: nope");
  EXPECT_THROW(conn->exec("DROP TABLE nope"), OperationalError);
}

TEST_F(SqliteErrors, too_big_is_data_error) {
  auto e = error_of<DataError>(*conn, "SELECT zeroblob(2000000000)");
  EXPECT_EQ(e.native_code(), 18);  // SQLITE_TOOBIG
}

TEST_F(SqliteErrors, trigger_raise_abort_keeps_the_message) {
  conn->exec(
      "CREATE TRIGGER no_bob BEFORE INSERT ON users WHEN NEW.name = 'bob' "
      "BEGIN SELECT RAISE(ABORT, 'bob is not welcome'); END");
  auto e = error_of<IntegrityError>(*conn, "INSERT INTO users (name) VALUES ('bob')");
  EXPECT_EQ(e.message(), "bob is not welcome");
  EXPECT_EQ(e.native_code(), 1811);  // SQLITE_CONSTRAINT_TRIGGER
}

TEST(sqlite_error_map, not_a_database_is_database_error) {
  const std::string path = testing::temp_db_path("garbage");
  {
    std::ofstream f(path, std::ios::binary);
    for (int i = 0; i < 100; ++i) f << "this is certainly not an SQLite database file\n";
  }
  auto conn = open("sqlite:///" + path);
  try {
    conn->exec("SELECT * FROM sqlite_master");
    FAIL() << "expected DatabaseError";
  } catch (const OperationalError&) {
    FAIL() << "SQLITE_NOTADB must be a plain DatabaseError, as in pysqlite";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(std::string(e.kind()), "DatabaseError");
    EXPECT_EQ(e.native_code(), 26);  // SQLITE_NOTADB
    EXPECT_EQ(e.message(), "file is not a database");
  }
}

TEST(sqlite_error_map, closed_connection_is_a_disconnect) {
  auto conn = open();
  auto cur = conn->cursor();
  conn->close();
  try {
    run(*cur, "SELECT 1");
    FAIL() << "expected ProgrammingError";
  } catch (const ProgrammingError& e) {
    EXPECT_TRUE(e.is_disconnect());
    EXPECT_THAT(e.message(), HasSubstr("closed database"));
  }
  EXPECT_THROW(conn->exec("SELECT 1"), ProgrammingError);
  EXPECT_THROW((void)conn->cursor(), ProgrammingError);
}

}  // namespace
}  // namespace alchemy
