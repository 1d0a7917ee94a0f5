// Tests for src/dialects/sqlite/sqlite3_driver.cpp: binding and reading every
// Value kind, statement rules, rowcount/lastrowid, executemany, the statement
// cache, transactions, locking and connection lifetime. Real SQLite only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "dialects/sqlite/sqlite_test_util.hpp"
#include "support/backends.hpp"

namespace alchemy {
namespace {

using ::testing::HasSubstr;
using testing::sqlite::open;
using testing::sqlite::run;
using testing::sqlite::scalar;
using testing::sqlite::VectorBatch;

const std::string kPersian = "\u0627\u062d\u0645\u062f";                         // احمد
const std::string kEmoji = "\xF0\x9F\x98\x80 \xF0\x9F\x87\xAE\xF0\x9F\x87\xB7";  // 😀 🇮🇷
const char* kBigDecimal = "12345678901234567890.123456789";

Bytes blob_with_nuls() { return Bytes{0x00, 0x01, 0x00, 0xff, 0x00, 'a', 0x00}; }

DateTime aware_datetime() {
  DateTime dt;
  dt.date = Date{2024, 2, 29};
  dt.time = Time{23, 59, 58, 123456};
  dt.utc_offset = 3 * 3600 + 30 * 60;  // +03:30 (Tehran)
  return dt;
}

DateTime naive_datetime() {
  DateTime dt;
  dt.date = Date{1999, 12, 31};
  dt.time = Time{8, 5, 0, 0};
  return dt;
}

Interval interval() {
  Interval iv;
  iv.months = 14;
  iv.days = 3;
  iv.microseconds = ((4LL * 60 + 5) * 60 + 6) * 1000000 + 500000;
  return iv;
}

// Number of prepared statements on `conn` whose SQL is `sql` (via the
// sqlite_stmt virtual table); -1 when this SQLite lacks it.
int prepared_count(DriverConnection& conn, const std::string& sql) {
  try {
    Value v = scalar(conn, "SELECT count(*) FROM sqlite_stmt WHERE sql = ?1", {sql});
    return static_cast<int>(v.as<std::int64_t>());
  } catch (const OperationalError&) {
    return -1;
  }
}

// ---------------------------------------------------------------------------
// Binding and reading values

TEST(sqlite_driver, select_param_round_trips_every_value_kind) {
  auto conn = open();
  // Scalars come back in their storage class.
  EXPECT_TRUE(scalar(*conn, "SELECT ?1", {Value()}).is_null());
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {true}), Value(std::int64_t{1}));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {false}), Value(std::int64_t{0}));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {std::int64_t{-9223372036854775807LL - 1}}),
            Value(std::int64_t{-9223372036854775807LL - 1}));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {2.5}), Value(2.5));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {kPersian}), Value(kPersian));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {kEmoji}), Value(kEmoji));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {std::string()}), Value(std::string()));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {blob_with_nuls()}), Value(blob_with_nuls()));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {Bytes{}}), Value(Bytes{}));
  EXPECT_EQ(scalar(*conn, "SELECT typeof(?1)", {Bytes{}}), Value("blob"));

  // Everything else travels as text and converts back exactly.
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {Decimal(kBigDecimal)}), Value(kBigDecimal));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {Date{2024, 1, 2}}), Value("2024-01-02"));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {Time{13, 4, 5, 0}}), Value("13:04:05"));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {Time{13, 4, 5, 600}}), Value("13:04:05.000600"));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {naive_datetime()}), Value("1999-12-31 08:05:00"));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {aware_datetime()}),
            Value("2024-02-29 23:59:58.123456+03:30"));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {interval()}), Value(interval().str()));
  const Uuid u = Uuid::parse("12345678-9abc-def0-1234-56789abcdef0");
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {u}), Value("12345678-9abc-def0-1234-56789abcdef0"));
  EXPECT_EQ(scalar(*conn, "SELECT ?1", {Json{R"({"a": [1, 2], "b": "\u0627"})"}}),
            Value(R"({"a": [1, 2], "b": "\u0627"})"));
  EXPECT_EQ(scalar(*conn, "SELECT json_extract(?1, '$.a[1]')", {Json{R"({"a": [1, 2]})"}}),
            Value(std::int64_t{2}));
}

TEST(sqlite_driver, table_round_trip_of_every_value_kind) {
  auto conn = open();
  conn->exec(
      "CREATE TABLE t (id INTEGER PRIMARY KEY, b BOOLEAN, i INTEGER, f REAL, s TEXT, "
      "bl BLOB, dec TEXT, d DATE, tm TIME, dt DATETIME, dta DATETIME, iv TEXT, u TEXT, "
      "j JSON, n TEXT)");
  const Uuid u = Uuid::uuid4();
  const Json j{R"({"name": "احمد", "tags": ["x"]})"};
  auto c = conn->cursor();
  run(*c,
      "INSERT INTO t (b, i, f, s, bl, dec, d, tm, dt, dta, iv, u, j, n) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
      {true, std::int64_t{1} << 40, -0.125, kPersian + " " + kEmoji, blob_with_nuls(),
       Decimal(kBigDecimal), Date{2000, 2, 29}, Time{0, 0, 1, 999999}, naive_datetime(),
       aware_datetime(), interval(), u, j, Value()});
  EXPECT_EQ(c->rowcount(), 1);
  EXPECT_EQ(c->lastrowid(), 1);
  EXPECT_FALSE(c->returns_rows());

  run(*c, "SELECT b, i, f, s, bl, dec, d, tm, dt, dta, iv, u, j, n FROM t");
  ASSERT_TRUE(c->returns_rows());
  ASSERT_EQ(c->column_count(), 14u);
  EXPECT_EQ(c->column_name(0), "b");
  EXPECT_EQ(c->column_name(13), "n");
  ASSERT_TRUE(c->fetch_next());
  EXPECT_TRUE(c->get_bool(0));
  EXPECT_EQ(c->get_int64(1), std::int64_t{1} << 40);
  EXPECT_EQ(c->get_double(2), -0.125);
  EXPECT_EQ(c->get_text(3), kPersian + " " + kEmoji);
  EXPECT_EQ(c->get_value(4).as<Bytes>(), blob_with_nuls());
  EXPECT_EQ(c->get_value(5).kind(), ValueKind::text);
  EXPECT_EQ(c->get_text(5), kBigDecimal);
  EXPECT_EQ(c->get_value(5).as<Decimal>().str(), kBigDecimal);
  EXPECT_EQ(c->get_value(6).as<Date>(), (Date{2000, 2, 29}));
  EXPECT_EQ(c->get_value(7).as<Time>(), (Time{0, 0, 1, 999999}));
  EXPECT_EQ(c->get_value(8).as<DateTime>(), naive_datetime());
  EXPECT_EQ(c->get_value(9).as<DateTime>(), aware_datetime());
  EXPECT_EQ(c->get_value(9).as<DateTime>().utc_offset, 3 * 3600 + 30 * 60);
  EXPECT_EQ(c->get_value(10).as<Interval>(), interval());
  EXPECT_EQ(c->get_value(11).as<Uuid>(), u);
  EXPECT_EQ(c->get_value(12).as<Json>(), j);
  EXPECT_TRUE(c->is_null(13));
  EXPECT_TRUE(c->get_value(13).is_null());
  EXPECT_FALSE(c->fetch_next());
  EXPECT_FALSE(c->fetch_next());
  EXPECT_EQ(c->rowcount(), -1);
  EXPECT_EQ(c->lastrowid(), std::nullopt);
}

TEST(sqlite_driver, accessors_convert_like_value_and_reject_null) {
  auto conn = open();
  auto c = conn->cursor();
  run(*c, "SELECT '42', 7, 2.0, NULL, 'yes', X'6869', 1.5");
  ASSERT_TRUE(c->fetch_next());
  EXPECT_EQ(c->get_int64(0), 42);                            // text parsed
  EXPECT_EQ(c->get_text(1), "7");                            // integer rendered
  EXPECT_EQ(c->get_double(1), 7.0);                          // integer widened
  EXPECT_EQ(c->get_int64(2), 2);                             // whole double
  EXPECT_TRUE(c->get_bool(4));                               // text "yes"
  EXPECT_EQ(c->get_text(5), "hi");                           // blob as text
  EXPECT_THROW((void)c->get_int64(6), InvalidRequestError);  // 1.5 is not whole
  EXPECT_TRUE(c->is_null(3));
  EXPECT_THROW((void)c->get_int64(3), InvalidRequestError);
  EXPECT_THROW((void)c->get_double(3), InvalidRequestError);
  EXPECT_THROW((void)c->get_bool(3), InvalidRequestError);
  EXPECT_THROW((void)c->get_text(3), InvalidRequestError);
  EXPECT_THROW((void)c->get_int64(7), NoSuchColumnError);
  EXPECT_FALSE(c->fetch_next());
  EXPECT_THROW((void)c->get_value(0), InvalidRequestError);  // no current row
}

TEST(sqlite_driver, repeated_placeholder_number_binds_one_value) {
  auto conn = open();
  EXPECT_EQ(scalar(*conn, "SELECT ?1 || '-' || ?2 || '-' || ?1", {"a", "b"}), Value("a-b-a"));
}

TEST(sqlite_driver, bound_text_is_copied_before_stepping) {
  auto conn = open();
  conn->exec(
      "CREATE TABLE t (s TEXT); INSERT INTO t VALUES ('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx1'),"
      "('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx2')");
  auto c = conn->cursor();
  {
    std::vector<Value> params{std::string(32, 'x')};
    params[0] = std::string("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0");
    run(*c, "SELECT s FROM t WHERE s > ?1 ORDER BY s", params);
  }  // the parameter is gone; the rows are still stepped correctly
  std::vector<std::string> got;
  while (c->fetch_next()) got.emplace_back(c->get_text(0));
  EXPECT_THAT(got, ::testing::ElementsAre("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx1",
                                          "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx2"));
}

// ---------------------------------------------------------------------------
// Statement rules

TEST(sqlite_driver, execute_without_params_runs_every_statement) {
  auto conn = open();
  auto c = conn->cursor();
  run(*c,
      "CREATE TABLE t (x INTEGER);\n"
      "-- a comment between statements\n"
      "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); /* block */ "
      "SELECT x FROM t ORDER BY x;  -- trailing comment");
  ASSERT_TRUE(c->returns_rows());
  std::vector<std::int64_t> xs;
  while (c->fetch_next()) xs.push_back(c->get_int64(0));
  EXPECT_THAT(xs, ::testing::ElementsAre(1, 2));

  // The result is the last statement's: here an UPDATE.
  run(*c, "INSERT INTO t VALUES (3); UPDATE t SET x = x * 10 WHERE x > 1");
  EXPECT_FALSE(c->returns_rows());
  EXPECT_EQ(c->rowcount(), 2);

  // An error in the middle stops the script.
  EXPECT_THROW(run(*c, "INSERT INTO t VALUES (4); SELECT * FROM nope; INSERT INTO t VALUES (5)"),
               OperationalError);
  EXPECT_EQ(scalar(*conn, "SELECT count(*) FROM t"), Value(std::int64_t{4}));

  // Blank SQL is a no-op.
  run(*c, "  -- nothing\n ;");
  EXPECT_FALSE(c->returns_rows());
  EXPECT_FALSE(c->fetch_next());
}

TEST(sqlite_driver, params_allow_only_one_statement) {
  auto conn = open();
  conn->exec("CREATE TABLE t (x)");
  auto c = conn->cursor();
  try {
    run(*c, "INSERT INTO t VALUES (?1); INSERT INTO t VALUES (2)", {1});
    FAIL() << "expected ProgrammingError";
  } catch (const ProgrammingError& e) {
    EXPECT_EQ(e.message(), "You can only execute one statement at a time.");
  }
  EXPECT_EQ(scalar(*conn, "SELECT count(*) FROM t"), Value(std::int64_t{0}));
  // Trailing whitespace, comments and semicolons are fine.
  run(*c, "INSERT INTO t VALUES (?1);  -- done\n /* really */ ;", {1});
  EXPECT_EQ(c->rowcount(), 1);
}

TEST(sqlite_driver, param_count_mismatch_is_programming_error) {
  auto conn = open();
  auto c = conn->cursor();
  try {
    run(*c, "SELECT ?1, ?2", {1});
    FAIL() << "expected ProgrammingError";
  } catch (const ProgrammingError& e) {
    EXPECT_EQ(e.message(),
              "Incorrect number of bindings supplied. The current statement uses 2, and there "
              "are 1 supplied.");
  }
  EXPECT_THROW(run(*c, "SELECT 1", {1}), ProgrammingError);
  EXPECT_THROW(run(*c, "SELECT ?1"), ProgrammingError);  // none supplied
  // The cursor is still usable.
  run(*c, "SELECT ?1, ?2", {1, 2});
  ASSERT_TRUE(c->fetch_next());
  EXPECT_EQ(c->get_int64(1), 2);
}

// ---------------------------------------------------------------------------
// rowcount, lastrowid, RETURNING

TEST(sqlite_driver, rowcount_and_lastrowid) {
  auto conn = open();
  auto c = conn->cursor();
  run(*c, "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)");
  EXPECT_EQ(c->rowcount(), -1);
  run(*c, "INSERT INTO t (x) VALUES (?1)", {10});
  EXPECT_EQ(c->rowcount(), 1);
  EXPECT_EQ(c->lastrowid(), 1);
  run(*c, "INSERT INTO t (id, x) VALUES (?1, ?2)", {41, 20});
  EXPECT_EQ(c->lastrowid(), 41);
  run(*c, "UPDATE t SET x = x + 1");
  EXPECT_EQ(c->rowcount(), 2);
  run(*c, "DELETE FROM t WHERE x > ?1", {100});
  EXPECT_EQ(c->rowcount(), 0);
  run(*c, "SELECT * FROM t");
  EXPECT_EQ(c->rowcount(), -1);
  EXPECT_EQ(c->lastrowid(), std::nullopt);
  c->close();
  EXPECT_EQ(c->rowcount(), -1);
}

TEST(sqlite_driver, returning_reports_rowcount_after_the_rows) {
  auto conn = open();
  conn->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)");
  auto c = conn->cursor();
  run(*c, "INSERT INTO t (x) VALUES (?1), (?2), (?3) RETURNING id, x * 2 AS doubled", {1, 2, 3});
  ASSERT_TRUE(c->returns_rows());
  EXPECT_EQ(c->column_name(1), "doubled");
  EXPECT_EQ(c->rowcount(), -1);
  EXPECT_TRUE(c->lastrowid().has_value());
  std::vector<std::int64_t> ids;
  while (c->fetch_next()) ids.push_back(c->get_int64(0));
  EXPECT_THAT(ids, ::testing::ElementsAre(1, 2, 3));
  EXPECT_EQ(c->rowcount(), 3);

  run(*c, "UPDATE t SET x = 0 WHERE id > ?1 RETURNING id", {1});
  while (c->fetch_next()) {
  }
  EXPECT_EQ(c->rowcount(), 2);
}

TEST(sqlite_driver, executemany_sums_rowcount_and_sets_lastrowid) {
  auto conn = open();
  conn->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)");
  auto c = conn->cursor();
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 1000; ++i)
    rows.push_back({kPersian + std::to_string(i), i % 3 == 0 ? Value() : Value(i * 0.5)});
  c->executemany("INSERT INTO t (name, score) VALUES (?1, ?2)", VectorBatch(2, rows));
  EXPECT_EQ(c->rowcount(), 1000);
  EXPECT_EQ(c->lastrowid(), 1000);
  EXPECT_FALSE(c->returns_rows());
  EXPECT_EQ(scalar(*conn, "SELECT name FROM t WHERE id = 501"), Value(kPersian + "500"));
  EXPECT_EQ(scalar(*conn, "SELECT count(score) FROM t"), Value(std::int64_t{666}));

  c->executemany("UPDATE t SET score = 1 WHERE id <= ?1",
                 VectorBatch(1, {{std::int64_t{10}}, {std::int64_t{20}}}));
  EXPECT_EQ(c->rowcount(), 30);

  // RETURNING rows are ignored.
  c->executemany("DELETE FROM t WHERE id = ?1 RETURNING id", VectorBatch(1, {{1}, {2}, {5000}}));
  EXPECT_EQ(c->rowcount(), 2);

  // Empty batch.
  c->executemany("DELETE FROM t WHERE id = ?1", VectorBatch(1, {}));
  EXPECT_EQ(c->rowcount(), 0);
}

TEST(sqlite_driver, executemany_errors_leave_the_cursor_usable) {
  auto conn = open();
  conn->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE)");
  auto c = conn->cursor();
  try {
    c->executemany("INSERT INTO t (email) VALUES (?1)", VectorBatch(1, {{"a"}, {"b"}, {"a"}}));
    FAIL() << "expected IntegrityError";
  } catch (const IntegrityError& e) {
    EXPECT_EQ(e.native_code(), 2067);
  }
  EXPECT_EQ(scalar(*conn, "SELECT count(*) FROM t"), Value(std::int64_t{2}));
  EXPECT_THROW(c->executemany("INSERT INTO t (email) VALUES (?1)", VectorBatch(2, {{"x", "y"}})),
               ProgrammingError);
  EXPECT_THROW(c->executemany("INSERT INTO t (email) VALUES (?1)", VectorBatch(1, {{"x", "y"}})),
               ArgumentError);  // thrown by fill()
  EXPECT_THROW(c->executemany("INSERT INTO t (email) VALUES (?1); SELECT 1", VectorBatch(1, {})),
               ProgrammingError);
  c->executemany("INSERT INTO t (email) VALUES (?1)", VectorBatch(1, {{"c"}}));
  EXPECT_EQ(c->rowcount(), 1);
  EXPECT_EQ(c->lastrowid(), 3);
}

// ---------------------------------------------------------------------------
// Statement cache

TEST(sqlite_driver, statement_cache_reuses_prepared_statements) {
  auto conn = open();
  conn->exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)");
  const std::string sql = "SELECT x FROM t WHERE x >= ?1 ORDER BY x";
  auto c = conn->cursor();
  for (int round = 0; round < 3; ++round) {
    run(*c, sql, {2});
    ASSERT_TRUE(c->fetch_next());
    EXPECT_EQ(c->get_int64(0), 2);
    c->close();
  }
  const int n = prepared_count(*conn, sql);
  if (n < 0) GTEST_SKIP() << "this SQLite has no sqlite_stmt virtual table";
  EXPECT_EQ(n, 1);  // prepared once, kept in the cache
}

TEST(sqlite_driver, two_open_cursors_on_the_same_sql_both_work) {
  auto conn = open();
  conn->exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)");
  const std::string sql = "SELECT x FROM t WHERE x >= ?1 ORDER BY x";
  auto a = conn->cursor();
  auto b = conn->cursor();
  run(*a, sql, {1});
  run(*b, sql, {2});
  std::vector<std::int64_t> got;
  // Interleave the two result sets.
  while (true) {
    const bool ra = a->fetch_next();
    const bool rb = b->fetch_next();
    if (ra) got.push_back(a->get_int64(0));
    if (rb) got.push_back(100 + b->get_int64(0));
    if (!ra && !rb) break;
  }
  EXPECT_THAT(got, ::testing::ElementsAre(1, 102, 2, 103, 3));
  if (prepared_count(*conn, sql) >= 0) {
    EXPECT_EQ(prepared_count(*conn, sql), 2);
  }
  b->close();  // its uncached statement is finalized
  if (prepared_count(*conn, sql) >= 0) {
    EXPECT_EQ(prepared_count(*conn, sql), 1);
  }
  a->close();
  run(*a, sql, {3});
  ASSERT_TRUE(a->fetch_next());
  EXPECT_EQ(a->get_int64(0), 3);
}

TEST(sqlite_driver, statement_cache_evicts_least_recently_used) {
  auto conn = open("sqlite://", {{"cached_statements", "2"}});
  auto c = conn->cursor();
  for (int i = 0; i < 5; ++i) {
    run(*c, "SELECT " + std::to_string(i) + ", ?1", {i});
    ASSERT_TRUE(c->fetch_next());
    EXPECT_EQ(c->get_int64(0), i);
  }
  c->close();
  if (prepared_count(*conn, "SELECT 0, ?1") < 0) GTEST_SKIP() << "no sqlite_stmt";
  EXPECT_EQ(prepared_count(*conn, "SELECT 0, ?1"), 0);
  EXPECT_EQ(prepared_count(*conn, "SELECT 4, ?1"), 1);
}

TEST(sqlite_driver, statement_cache_can_be_disabled) {
  auto conn = open("sqlite://", {{"cached_statements", "0"}});
  auto c = conn->cursor();
  for (int i = 0; i < 3; ++i) {
    run(*c, "SELECT ?1 + 1", {i});
    ASSERT_TRUE(c->fetch_next());
    EXPECT_EQ(c->get_int64(0), i + 1);
  }
  c->close();
  if (prepared_count(*conn, "SELECT ?1 + 1") >= 0) {
    EXPECT_EQ(prepared_count(*conn, "SELECT ?1 + 1"), 0);
  }
}

TEST(sqlite_driver, cached_statement_survives_schema_change) {
  auto conn = open();
  conn->exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)");
  EXPECT_EQ(scalar(*conn, "SELECT * FROM t WHERE x = ?1", {1}), Value(std::int64_t{1}));
  conn->exec("DROP TABLE t; CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('1')");
  EXPECT_EQ(scalar(*conn, "SELECT * FROM t WHERE x = ?1", {"1"}), Value("1"));
}

// ---------------------------------------------------------------------------
// Transactions and isolation

TEST(sqlite_driver, in_transaction_follows_begin_commit_rollback) {
  auto conn = open();
  conn->exec("CREATE TABLE t (x)");
  EXPECT_FALSE(conn->in_transaction());
  conn->begin();
  EXPECT_TRUE(conn->in_transaction());
  conn->exec("INSERT INTO t VALUES (1)");
  conn->commit();
  EXPECT_FALSE(conn->in_transaction());
  conn->begin();
  conn->exec("INSERT INTO t VALUES (2)");
  conn->rollback();
  EXPECT_FALSE(conn->in_transaction());
  EXPECT_EQ(scalar(*conn, "SELECT count(*) FROM t"), Value(std::int64_t{1}));
  // As pysqlite: commit/rollback outside a transaction do nothing.
  EXPECT_NO_THROW(conn->commit());
  EXPECT_NO_THROW(conn->rollback());
  conn->begin();
  EXPECT_THROW(conn->begin(), OperationalError);  // nested BEGIN
  conn->rollback();
  // Savepoints work inside a transaction.
  conn->begin();
  conn->exec(
      "INSERT INTO t VALUES (3); SAVEPOINT sp; INSERT INTO t VALUES (4);"
      "ROLLBACK TO SAVEPOINT sp; RELEASE SAVEPOINT sp");
  conn->commit();
  EXPECT_EQ(scalar(*conn, "SELECT group_concat(x) FROM t"), Value("1,3"));
}

TEST(sqlite_driver, isolation_level_pragma) {
  auto conn = open();
  EXPECT_EQ(conn->get_isolation_level(), "SERIALIZABLE");
  conn->set_isolation_level("READ UNCOMMITTED");
  EXPECT_EQ(scalar(*conn, "PRAGMA read_uncommitted"), Value(std::int64_t{1}));
  EXPECT_EQ(conn->get_isolation_level(), "READ UNCOMMITTED");
  conn->set_isolation_level("SERIALIZABLE");
  EXPECT_EQ(conn->get_isolation_level(), "SERIALIZABLE");
  EXPECT_THROW(conn->set_isolation_level("REPEATABLE READ"), ArgumentError);
}

TEST(sqlite_driver, busy_database_times_out_with_database_is_locked) {
  const std::string url = "sqlite:///" + testing::temp_db_path("busy");
  auto first = open(url);
  first->exec("CREATE TABLE t (x)");
  auto second = open(url, {{"timeout", "0.1"}});
  first->exec("BEGIN IMMEDIATE");
  const auto start = std::chrono::steady_clock::now();
  try {
    second->exec("INSERT INTO t VALUES (1)");
    FAIL() << "expected OperationalError";
  } catch (const OperationalError& e) {
    EXPECT_EQ(e.message(), "database is locked");
    EXPECT_EQ(e.native_code(), 5);  // SQLITE_BUSY
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(50));
  EXPECT_LT(elapsed, std::chrono::milliseconds(700));
  first->commit();
  second->exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(scalar(*first, "SELECT count(*) FROM t"), Value(std::int64_t{1}));
}

// ---------------------------------------------------------------------------
// Connection lifetime

TEST(sqlite_driver, connection_basics) {
  auto conn = open();
  EXPECT_TRUE(conn->ping());
  EXPECT_FALSE(conn->is_closed());
  EXPECT_NE(conn->native_handle(), nullptr);
  conn->close();
  conn->close();  // idempotent
  EXPECT_TRUE(conn->is_closed());
  EXPECT_FALSE(conn->ping());
  EXPECT_FALSE(conn->in_transaction());
  EXPECT_EQ(conn->native_handle(), nullptr);
}

TEST(sqlite_driver, closing_the_connection_under_an_open_cursor_is_safe) {
  auto conn = open();
  conn->exec("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2)");
  auto cached = conn->cursor();
  auto uncached = conn->cursor();
  auto idle = conn->cursor();
  run(*cached, "SELECT x FROM t WHERE x > ?1", {0});
  run(*uncached, "SELECT x FROM t WHERE x > ?1", {0});  // same SQL: its own statement
  ASSERT_TRUE(cached->fetch_next());
  conn->close();
  EXPECT_FALSE(cached->fetch_next());
  EXPECT_FALSE(uncached->fetch_next());
  EXPECT_THROW(run(*cached, "SELECT 1"), ProgrammingError);
  cached->close();
  cached->close();
  idle.reset();
  conn.reset();       // the connection object is gone ...
  uncached->close();  // ... and the cursors still close and die quietly
  cached.reset();
  uncached.reset();
}

TEST(sqlite_driver, cursor_close_is_idempotent_and_releases_the_statement) {
  auto conn = open();
  auto c = conn->cursor();
  run(*c, "SELECT 1 UNION ALL SELECT 2");
  ASSERT_TRUE(c->fetch_next());
  c->close();
  c->close();
  EXPECT_FALSE(c->fetch_next());
  // The statement went back to the cache and works for the next cursor.
  auto d = conn->cursor();
  run(*d, "SELECT 1 UNION ALL SELECT 2");
  int n = 0;
  while (d->fetch_next()) ++n;
  EXPECT_EQ(n, 2);
}

}  // namespace
}  // namespace alchemy
