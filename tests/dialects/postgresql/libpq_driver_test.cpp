// The libpq driver against a real server: value round trips, parameter
// rendering, streaming, executemany pipelines, the statement cache.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "alchemy/core/value.hpp"
#include "alchemy/engine/interfaces.hpp"
#include "alchemy/engine/url.hpp"
#include "alchemy/exc.hpp"
#include "support/backends.hpp"

namespace alchemy {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<DriverConnection> connect(const std::string& url) {
  return load_dialect("postgresql", "")->connector(make_url(url), {})();
}

using Row = std::vector<Value>;

std::vector<const Value*> pointers(const std::vector<Value>& values) {
  std::vector<const Value*> out;
  for (const auto& v : values) out.push_back(&v);
  return out;
}

// All rows of `sql` as Values.
std::vector<Row> query(DriverConnection& conn, std::string_view sql,
                       const std::vector<Value>& params = {}) {
  auto cur = conn.cursor();
  auto ptrs = pointers(params);
  cur->execute(sql, ptrs, {});
  std::vector<Row> rows;
  while (cur->fetch_next()) {
    Row r;
    for (std::size_t i = 0; i < cur->column_count(); ++i) r.push_back(cur->get_value(i));
    rows.push_back(std::move(r));
  }
  return rows;
}

Value scalar(DriverConnection& conn, std::string_view sql, const std::vector<Value>& params = {}) {
  auto rows = query(conn, sql, params);
  EXPECT_EQ(rows.size(), 1u) << sql;
  return rows.empty() || rows[0].empty() ? Value() : rows[0][0];
}

std::int64_t count(DriverConnection& conn, std::string_view sql) {
  return scalar(conn, sql).as<std::int64_t>();
}

// An executemany batch held in memory.
class VectorBatch final : public ParamBatch {
 public:
  explicit VectorBatch(std::vector<Row> rows, std::size_t width)
      : rows_(std::move(rows)), width_(width) {}
  std::size_t size() const override { return rows_.size(); }
  std::size_t width() const override { return width_; }
  void fill(std::size_t row, const Value** out) const override {
    for (std::size_t i = 0; i < width_; ++i) out[i] = &rows_[row][i];
  }

 private:
  std::vector<Row> rows_;
  std::size_t width_;
};

// ---------------------------------------------------------------------------
// Values

TEST(libpq_driver, every_value_kind_round_trips_through_typed_columns) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("SET TIME ZONE 'UTC'");
  conn->exec(
      "CREATE TEMP TABLE rt (i8 int8, f8 float8, num numeric, b bool, t text, by bytea, "
      "d date, tm time, ts timestamp, tstz timestamptz, iv interval, u uuid, j json, "
      "jb jsonb)");
  const Row row = {
      Value(std::int64_t{-9223372036854775807LL - 1}),
      Value(0.1),
      Value(Decimal("123456789012345678901234567890.123456789012")),
      Value(true),
      Value(std::string("احمد 🎉 ok")),
      Value(Bytes{0x00, 0x01, 0xff, 0x00, 0x7f}),
      Value(Date{2024, 2, 29}),
      Value(Time{23, 59, 58, 123456}),
      Value(DateTime{Date{1999, 12, 31}, Time{23, 59, 59, 999999}, std::nullopt}),
      Value(DateTime{Date{2024, 6, 1}, Time{12, 0, 0, 0}, 0}),
      Value(Interval{14, 3, (4LL * 3600 + 5 * 60 + 6) * 1000000 + 500000}),
      Value(Uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
      Value(Json{R"({"k": [1, 2.5, "x"]})"}),
      Value(Json{R"({"a": 1, "b": null})"}),
  };
  auto ptrs = pointers(row);
  auto cur = conn->cursor();
  cur->execute(
      "INSERT INTO rt VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)", ptrs,
      {});
  EXPECT_EQ(cur->rowcount(), 1);
  EXPECT_FALSE(cur->returns_rows());
  auto back = query(*conn, "SELECT * FROM rt");
  ASSERT_EQ(back.size(), 1u);
  ASSERT_EQ(back[0].size(), row.size());
  for (std::size_t i = 0; i < row.size(); ++i)
    EXPECT_EQ(back[0][i], row[i]) << "column " << i << ": " << back[0][i].repr();
  EXPECT_EQ(back[0][2].get<Decimal>().str(), "123456789012345678901234567890.123456789012");
  EXPECT_EQ(back[0][4].get<std::string>(), "احمد 🎉 ok");

  // NULL in every column comes back as NULL.
  std::vector<Value> nulls(row.size());
  auto np = pointers(nulls);
  cur->execute(
      "INSERT INTO rt VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)", np,
      {});
  cur->execute("SELECT * FROM rt WHERE i8 IS NULL", {}, {});
  ASSERT_TRUE(cur->fetch_next());
  for (std::size_t i = 0; i < row.size(); ++i) {
    EXPECT_TRUE(cur->is_null(i));
    EXPECT_TRUE(cur->get_value(i).is_null());
  }
  EXPECT_THROW(cur->get_int64(0), InvalidRequestError);
  EXPECT_THROW(cur->get_text(4), InvalidRequestError);
  EXPECT_FALSE(cur->fetch_next());
}

TEST(libpq_driver, timestamptz_keeps_the_reported_offset) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("SET TIME ZONE 'Asia/Kolkata'");
  const Value aware = DateTime{Date{2024, 1, 2}, Time{3, 4, 5, 0}, 0};
  Value v = scalar(*conn, "SELECT $1::timestamptz", {aware});
  const auto& dt = v.get<DateTime>();
  EXPECT_EQ(dt.utc_offset, 5 * 3600 + 30 * 60);
  EXPECT_EQ(dt.time.hour, 8);
  EXPECT_EQ(dt.time.minute, 34);
  EXPECT_EQ(dt.to_sys_time(), aware.get<DateTime>().to_sys_time());
  // A negative offset with minutes, sent and read back.
  conn->exec("SET TIME ZONE 'America/St_Johns'");
  const Value nst = DateTime{Date{2024, 1, 2}, Time{3, 4, 5, 250000}, -(3 * 3600 + 30 * 60)};
  EXPECT_EQ(scalar(*conn, "SELECT $1::timestamptz", {nst}), nst);
}

TEST(libpq_driver, select_param_renders_text) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  auto text_of = [&](const Value& v) { return scalar(*conn, "SELECT $1", {v}); };
  EXPECT_EQ(text_of(42), Value("42"));
  EXPECT_EQ(text_of(std::int64_t{-9223372036854775807LL}), Value("-9223372036854775807"));
  EXPECT_EQ(text_of(0.1), Value("0.1"));
  EXPECT_EQ(text_of(1e300), Value("1e+300"));
  EXPECT_EQ(text_of(std::nan("")), Value("NaN"));
  EXPECT_EQ(text_of(std::numeric_limits<double>::infinity()), Value("Infinity"));
  EXPECT_EQ(text_of(-std::numeric_limits<double>::infinity()), Value("-Infinity"));
  EXPECT_EQ(text_of(true), Value("true"));
  EXPECT_EQ(text_of(false), Value("false"));
  EXPECT_EQ(text_of(Decimal("-0.00100")), Value("-0.00100"));
  EXPECT_EQ(text_of(Date{2024, 2, 29}), Value("2024-02-29"));
  EXPECT_EQ(text_of(Time{7, 8, 9, 0}), Value("07:08:09"));
  EXPECT_EQ(text_of(Time{7, 8, 9, 10}), Value("07:08:09.000010"));
  EXPECT_EQ(text_of(DateTime{Date{2024, 2, 29}, Time{7, 8, 9, 0}, std::nullopt}),
            Value("2024-02-29 07:08:09"));
  EXPECT_EQ(text_of(DateTime{Date{2024, 2, 29}, Time{7, 8, 9, 0}, 19800}),
            Value("2024-02-29 07:08:09+05:30"));
  EXPECT_EQ(text_of(Uuid::parse("A0EEBC999C0B4EF8BB6D6BB9BD380A11")),
            Value("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
  EXPECT_EQ(text_of(Json{"[1, 2]"}), Value("[1, 2]"));
  EXPECT_EQ(text_of(std::string("احمد 👋")), Value("احمد 👋"));
  EXPECT_EQ(text_of(std::string()), Value(""));
  EXPECT_TRUE(text_of(Value()).is_null());

  // Typed round trips through casts, including special floats.
  EXPECT_TRUE(std::isnan(scalar(*conn, "SELECT $1::float8", {std::nan("")}).get<double>()));
  EXPECT_EQ(scalar(*conn, "SELECT $1::float8", {-std::numeric_limits<double>::infinity()}),
            Value(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(scalar(*conn, "SELECT $1::float8", {0.1 + 0.2}), Value(0.1 + 0.2));
  EXPECT_EQ(scalar(*conn, "SELECT $1::numeric", {Decimal("NaN")}).get<Decimal>().str(), "NaN");
  const Interval neg{-1, 2, -(3LL * 3600 * 1000000 + 1)};
  EXPECT_EQ(scalar(*conn, "SELECT $1::interval", {neg}), Value(neg));
  const Interval big{0, 0, 100LL * 3600 * 1000000};
  EXPECT_EQ(scalar(*conn, "SELECT $1::interval", {big}), Value(big));
  EXPECT_EQ(scalar(*conn, "SELECT $1::bytea", {Bytes{}}), Value(Bytes{}));
  EXPECT_EQ(scalar(*conn, "SELECT $1::bytea", {Bytes{0, 0, 0}}), Value(Bytes{0, 0, 0}));
  EXPECT_EQ(scalar(*conn, "SELECT octet_length($1)", {Bytes{0, 'a', 0}}), Value(3));
}

TEST(libpq_driver, bc_dates_and_out_of_range_values) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  // 44 BC is astronomical year -43.
  EXPECT_EQ(scalar(*conn, "SELECT DATE '0044-03-15 BC'"), Value(Date{-43, 3, 15}));
  EXPECT_EQ(scalar(*conn, "SELECT $1::date::text", {Date{-43, 3, 15}}), Value("0044-03-15 BC"));
  // Values the Value types do not model come back as their text.
  EXPECT_EQ(scalar(*conn, "SELECT 'infinity'::timestamp"), Value("infinity"));
  EXPECT_EQ(scalar(*conn, "SELECT '24:00:00'::time").kind(), ValueKind::text);
  EXPECT_EQ(scalar(*conn, "SELECT ARRAY[1,2]"), Value("{1,2}"));
}

TEST(libpq_driver, nul_in_text_is_data_error) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  const Value bad = std::string("a\0b", 3);
  try {
    query(*conn, "SELECT $1", {bad});
    FAIL() << "a NUL was sent silently";
  } catch (const DataError& e) {
    EXPECT_EQ(e.sqlstate(), "22021");
    EXPECT_THAT(e.what(), HasSubstr("NUL"));
    EXPECT_THAT(e.what(), HasSubstr("alchemy::Bytes"));
  }
  EXPECT_THROW(query(*conn, "SELECT $1::json", {Json{std::string("{\0}", 3)}}), DataError);
  EXPECT_THROW(conn->exec(std::string("SELECT 1\0", 9)), ProgrammingError);
  conn->exec("CREATE TEMP TABLE nul_t (t text)");
  auto cur = conn->cursor();
  VectorBatch batch({{Value("ok")}, {bad}}, 1);
  EXPECT_THROW(cur->executemany("INSERT INTO nul_t VALUES ($1)", batch), DataError);
  // The connection is still usable, and the row before the bad one went in
  // (autocommit: each row is its own transaction).
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM nul_t"), 1);
  EXPECT_TRUE(conn->ping());
}

TEST(libpq_driver, typed_accessors_fast_paths_and_fallbacks) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  auto cur = conn->cursor();
  cur->execute(
      "SELECT 42::int8 AS a, 2.5::float8 AS b, true AS c, 'txt' AS d, '7' AS e, "
      "1.50::numeric AS f, 'abc' AS g, 'NaN'::float8 AS h",
      {}, {});
  EXPECT_TRUE(cur->returns_rows());
  ASSERT_EQ(cur->column_count(), 8u);
  EXPECT_EQ(cur->column_name(0), "a");
  EXPECT_EQ(cur->column_name(7), "h");
  EXPECT_THROW(cur->get_int64(0), InvalidRequestError);  // before fetch_next()
  ASSERT_TRUE(cur->fetch_next());
  EXPECT_EQ(cur->get_int64(0), 42);
  EXPECT_EQ(cur->get_double(0), 42.0);
  EXPECT_EQ(cur->get_double(1), 2.5);
  EXPECT_TRUE(cur->get_bool(2));
  EXPECT_EQ(cur->get_text(3), "txt");
  EXPECT_EQ(cur->get_int64(4), 7);  // text "7" converts like Value::as
  EXPECT_EQ(cur->get_double(5), 1.5);
  EXPECT_EQ(cur->get_value(5), Value(Decimal("1.5")));
  EXPECT_THROW(cur->get_int64(6), InvalidRequestError);
  EXPECT_TRUE(std::isnan(cur->get_double(7)));
  EXPECT_THROW(cur->get_value(8), InvalidRequestError);
  EXPECT_FALSE(cur->fetch_next());
  EXPECT_EQ(cur->rowcount(), 1);
  EXPECT_EQ(cur->lastrowid(), std::nullopt);
}

TEST(libpq_driver, rowcount_returning_and_multiple_statements) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE rc (id serial PRIMARY KEY, v int)");
  auto cur = conn->cursor();
  cur->execute("INSERT INTO rc (v) SELECT g FROM generate_series(1, 5) g", {}, {});
  EXPECT_EQ(cur->rowcount(), 5);
  EXPECT_FALSE(cur->returns_rows());
  const Value three = 3;
  const Value* p[] = {&three};
  cur->execute("UPDATE rc SET v = v + 1 WHERE v >= $1", p, {});
  EXPECT_EQ(cur->rowcount(), 3);
  cur->execute("INSERT INTO rc (v) VALUES ($1) RETURNING id", p, {});
  EXPECT_TRUE(cur->returns_rows());
  ASSERT_TRUE(cur->fetch_next());
  EXPECT_EQ(cur->get_int64(0), 6);
  EXPECT_EQ(cur->lastrowid(), std::nullopt);
  // Several statements: the last one's result counts.
  cur->execute("SELECT 1; SELECT 2 AS two", {}, {});
  ASSERT_TRUE(cur->fetch_next());
  EXPECT_EQ(cur->column_name(0), "two");
  EXPECT_EQ(cur->get_int64(0), 2);
  cur->execute("", {}, {});
  EXPECT_FALSE(cur->returns_rows());
  EXPECT_FALSE(cur->fetch_next());
}

TEST(libpq_driver, copy_is_refused_and_connection_stays_usable) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  EXPECT_THROW(conn->exec("COPY (SELECT 1) TO STDOUT"), NotSupportedError);
  conn->exec("CREATE TEMP TABLE cp (v int)");
  EXPECT_THROW(conn->exec("COPY cp FROM STDIN"), NotSupportedError);
  EXPECT_EQ(count(*conn, "SELECT 1"), 1);
}

// ---------------------------------------------------------------------------
// Transactions and connection state

TEST(libpq_driver, transaction_state_and_close) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  EXPECT_FALSE(conn->in_transaction());
  conn->begin();
  EXPECT_TRUE(conn->in_transaction());
  EXPECT_THROW(conn->exec("SELECT 1/0"), DataError);
  EXPECT_TRUE(conn->in_transaction());  // failed, still open
  conn->rollback();
  EXPECT_FALSE(conn->in_transaction());
  conn->begin();
  conn->commit();
  EXPECT_FALSE(conn->in_transaction());
  EXPECT_TRUE(conn->ping());
  EXPECT_NE(conn->native_handle(), nullptr);
  EXPECT_FALSE(conn->is_closed());
  auto cur = conn->cursor();
  conn->close();
  conn->close();
  EXPECT_TRUE(conn->is_closed());
  EXPECT_FALSE(conn->ping());
  EXPECT_EQ(conn->native_handle(), nullptr);
  EXPECT_THROW(conn->exec("SELECT 1"), InterfaceError);
  EXPECT_THROW(cur->execute("SELECT 1", {}, {}), InterfaceError);
  cur->close();
}

TEST(libpq_driver, cursor_outliving_its_connection_fails_cleanly) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  auto cur = conn->cursor();
  cur->execute("SELECT generate_series(1, 10)", {}, {.stream_results = true});
  ASSERT_TRUE(cur->fetch_next());
  conn.reset();
  EXPECT_THROW(cur->execute("SELECT 1", {}, {}), InterfaceError);
  cur->close();
}

// ---------------------------------------------------------------------------
// Streaming

TEST(libpq_driver, stream_results_delivers_rows_before_the_statement_ends) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  auto cur = conn->cursor();
  // The last row fails. Buffered, execute() itself would throw; streamed, the
  // first 199999 rows arrive one by one before the error does.
  const char* sql =
      "SELECT CASE WHEN g < 200000 THEN g ELSE 1 / (g - g) END AS v "
      "FROM generate_series(1, 200000) g";
  EXPECT_THROW(cur->execute(sql, {}, {}), DataError);
  cur->execute(sql, {}, {.stream_results = true});
  EXPECT_TRUE(cur->returns_rows());
  EXPECT_EQ(cur->column_name(0), "v");
  EXPECT_EQ(cur->rowcount(), -1);  // not known until the end
  std::int64_t n = 0;
  try {
    while (cur->fetch_next()) {
      ++n;
      ASSERT_EQ(cur->get_int64(0), n);
    }
    FAIL() << "the division by zero did not surface";
  } catch (const DataError& e) {
    EXPECT_EQ(e.sqlstate(), "22012");
  }
  EXPECT_EQ(n, 199999);
  EXPECT_EQ(count(*conn, "SELECT 1"), 1);
}

TEST(libpq_driver, another_command_mid_stream_buffers_the_rest) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE mid (v int)");
  auto stream = conn->cursor();
  const Value limit = 200000;
  const Value* p[] = {&limit};
  stream->execute("SELECT g, g::text AS s FROM generate_series(1, $1::int) g", p,
                  {.stream_results = true});
  std::int64_t n = 0;
  std::int64_t sum = 0;
  while (stream->fetch_next()) {
    ++n;
    sum += stream->get_int64(0);
    ASSERT_EQ(stream->get_text(1), std::to_string(n));
    if (n == 1000) {
      // Each kind of command may start while rows are still on the wire.
      auto other = conn->cursor();
      other->execute("SELECT 7", {}, {});
      ASSERT_TRUE(other->fetch_next());
      EXPECT_EQ(other->get_int64(0), 7);
      conn->exec("INSERT INTO mid VALUES (1)");
      conn->begin();
      VectorBatch batch({{Value(2)}, {Value(3)}}, 1);
      other->executemany("INSERT INTO mid VALUES ($1)", batch);
      conn->commit();
      EXPECT_TRUE(conn->ping());
    }
  }
  EXPECT_EQ(n, 200000);
  EXPECT_EQ(sum, 200000LL * 200001 / 2);
  EXPECT_EQ(stream->rowcount(), 200000);
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM mid"), 3);
}

TEST(libpq_driver, error_in_buffered_stream_is_deferred_to_its_reader) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  auto stream = conn->cursor();
  stream->execute(
      "SELECT CASE WHEN g < 5000 THEN g ELSE 1 / (g - g) END FROM "
      "generate_series(1, 5000) g",
      {}, {.stream_results = true});
  ASSERT_TRUE(stream->fetch_next());
  // The other command succeeds; the stream's failure belongs to the stream.
  EXPECT_EQ(count(*conn, "SELECT 5"), 5);
  std::int64_t n = 1;
  EXPECT_THROW(
      {
        while (stream->fetch_next()) ++n;
      },
      DataError);
  EXPECT_EQ(n, 4999);
}

TEST(libpq_driver, closing_a_stream_discards_its_rows) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  auto stream = conn->cursor();
  stream->execute("SELECT generate_series(1, 100000)", {}, {.stream_results = true});
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(stream->fetch_next());
  stream->close();
  stream->close();
  EXPECT_EQ(count(*conn, "SELECT 3"), 3);
  // Re-executing a cursor abandons its previous stream too.
  stream->execute("SELECT generate_series(1, 100000)", {}, {.stream_results = true});
  ASSERT_TRUE(stream->fetch_next());
  stream->execute("SELECT 11", {}, {.stream_results = true});
  ASSERT_TRUE(stream->fetch_next());
  EXPECT_EQ(stream->get_int64(0), 11);
  EXPECT_FALSE(stream->fetch_next());
  // A streamed statement without rows behaves like a buffered one.
  conn->exec("CREATE TEMP TABLE st (v int)");
  stream->execute("INSERT INTO st SELECT generate_series(1, 4)", {}, {.stream_results = true});
  EXPECT_FALSE(stream->returns_rows());
  EXPECT_EQ(stream->rowcount(), 4);
  stream->execute("SELECT * FROM st WHERE v > 10", {}, {.stream_results = true});
  EXPECT_TRUE(stream->returns_rows());
  EXPECT_FALSE(stream->fetch_next());
}

// Resident set size of this process in bytes (Linux).
std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0;
  std::int64_t resident = 0;
  statm >> size >> resident;
  return resident * 4096;
}

TEST(libpq_driver, streaming_a_million_rows_keeps_memory_bounded) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  auto cur = conn->cursor();
  // About 120 MB of row data: buffering it would show in the resident set.
  cur->execute("SELECT g, repeat('x', 100) FROM generate_series(1, 1000000) g", {},
               {.stream_results = true});
  const std::int64_t before = resident_bytes();
  std::int64_t n = 0;
  std::int64_t peak = before;
  while (cur->fetch_next()) {
    ++n;
    ASSERT_EQ(cur->get_text(1).size(), 100u);
    if (n % 100000 == 0) peak = std::max(peak, resident_bytes());
  }
  EXPECT_EQ(n, 1000000);
  EXPECT_EQ(cur->rowcount(), 1000000);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's quarantine holds freed rows back, so RSS says nothing.
  (void)peak;
#else
  EXPECT_LT(peak - before, 32LL * 1024 * 1024);
#endif
}

// ---------------------------------------------------------------------------
// executemany

std::vector<Row> numbered_rows(std::size_t n) {
  std::vector<Row> rows;
  rows.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    rows.push_back({Value(static_cast<std::int64_t>(i)), Value("row " + std::to_string(i))});
  return rows;
}

TEST(libpq_driver, executemany_autocommit_rowcount) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE em_auto (id int8 PRIMARY KEY, name text)");
  auto cur = conn->cursor();
  VectorBatch batch(numbered_rows(2500), 2);
  cur->executemany("INSERT INTO em_auto VALUES ($1, $2)", batch);
  EXPECT_EQ(cur->rowcount(), 2500);
  EXPECT_FALSE(cur->returns_rows());
  EXPECT_FALSE(conn->in_transaction());
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM em_auto"), 2500);
  EXPECT_EQ(scalar(*conn, "SELECT name FROM em_auto WHERE id = 2499"), Value("row 2499"));
  // UPDATE counts are summed, rows matching nothing count zero.
  VectorBatch updates({{Value(1)}, {Value(99999)}, {Value(2)}}, 1);
  cur->executemany("UPDATE em_auto SET name = 'x' WHERE id = $1", updates);
  EXPECT_EQ(cur->rowcount(), 2);
  VectorBatch empty({}, 1);
  cur->executemany("UPDATE em_auto SET name = 'y' WHERE id = $1", empty);
  EXPECT_EQ(cur->rowcount(), 0);
}

TEST(libpq_driver, executemany_in_transaction) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE em_tx (id int8 PRIMARY KEY, name text)");
  auto cur = conn->cursor();
  conn->begin();
  VectorBatch batch(numbered_rows(3001), 2);
  cur->executemany("INSERT INTO em_tx VALUES ($1, $2)", batch);
  EXPECT_EQ(cur->rowcount(), 3001);
  EXPECT_TRUE(conn->in_transaction());
  conn->rollback();
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM em_tx"), 0);
  conn->begin();
  cur->executemany("INSERT INTO em_tx VALUES ($1, $2)", batch);
  conn->commit();
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM em_tx"), 3001);
}

TEST(libpq_driver, executemany_failing_row_in_transaction) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE em_fail (id int8 PRIMARY KEY, name text)");
  auto rows = numbered_rows(3000);
  rows[1500][0] = Value(std::int64_t{10});  // duplicate of row 10
  VectorBatch batch(rows, 2);
  auto cur = conn->cursor();
  conn->begin();
  try {
    cur->executemany("INSERT INTO em_fail VALUES ($1, $2)", batch);
    FAIL() << "duplicate key accepted";
  } catch (const IntegrityError& e) {
    EXPECT_EQ(e.sqlstate(), "23505");
    EXPECT_THAT(e.what(), HasSubstr("(id)=(10)"));
  }
  EXPECT_TRUE(conn->in_transaction());
  conn->rollback();
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM em_fail"), 0);
  // The pipeline was left cleanly: normal commands work.
  EXPECT_TRUE(conn->ping());
  cur->execute("SELECT 1", {}, {});
  EXPECT_TRUE(cur->fetch_next());
}

TEST(libpq_driver, executemany_failing_row_in_autocommit) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE em_fail2 (id int8 PRIMARY KEY, name text)");
  auto rows = numbered_rows(2000);
  rows[1500][0] = Value(std::int64_t{10});
  VectorBatch batch(rows, 2);
  auto cur = conn->cursor();
  EXPECT_THROW(cur->executemany("INSERT INTO em_fail2 VALUES ($1, $2)", batch), IntegrityError);
  EXPECT_FALSE(conn->in_transaction());
  // Each row was its own transaction: the rows before the failure stay.
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM em_fail2 WHERE id < 1500"), 1500);
  EXPECT_EQ(scalar(*conn, "SELECT name FROM em_fail2 WHERE id = 10"), Value("row 10"));
}

// A batch whose row `bad` cannot be bound (as a missing named parameter would).
class FailingBatch final : public ParamBatch {
 public:
  FailingBatch(std::size_t n, std::size_t bad) : n_(n), bad_(bad) {}
  std::size_t size() const override { return n_; }
  std::size_t width() const override { return 1; }
  void fill(std::size_t row, const Value** out) const override {
    if (row == bad_)
      throw ArgumentError("missing value for parameter 'id' in row " + std::to_string(row));
    value_ = Value(static_cast<std::int64_t>(row));
    out[0] = &value_;
  }

 private:
  std::size_t n_;
  std::size_t bad_;
  mutable Value value_;
};

TEST(libpq_driver, executemany_row_that_cannot_be_bound) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE em_bind (id int8)");
  auto cur = conn->cursor();
  conn->begin();
  EXPECT_THROW(cur->executemany("INSERT INTO em_bind VALUES ($1)", FailingBatch(3000, 1234)),
               ArgumentError);
  // The rows before it were sent and ran; the transaction is intact.
  conn->commit();
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM em_bind"), 1234);
  EXPECT_THROW(cur->executemany("INSERT INTO em_bind VALUES ($1)", FailingBatch(10, 0)),
               ArgumentError);
  EXPECT_THROW(cur->executemany("INSERT INTO em_bind VALUES ($1)", FailingBatch(3000, 2000)),
               ArgumentError);
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM em_bind"), 1234 + 2000);
}

TEST(libpq_driver, executemany_binds_bytes_and_nulls) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE em_bytes (id int, b bytea)");
  // Row 0 decides the parameter types: NULL there means later Bytes travel as
  // bytea hex text; Bytes there means binary bytea, and later NULLs still fit.
  VectorBatch batch({{Value(0), Value()},
                     {Value(1), Value(Bytes{0, 1, 2})},
                     {Value(2), Value(Bytes{})},
                     {Value(3), Value()}},
                    2);
  auto cur = conn->cursor();
  cur->executemany("INSERT INTO em_bytes VALUES ($1, $2)", batch);
  EXPECT_EQ(cur->rowcount(), 4);
  auto rows = query(*conn, "SELECT b FROM em_bytes ORDER BY id");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_TRUE(rows[0][0].is_null());
  EXPECT_EQ(rows[1][0], Value(Bytes{0, 1, 2}));
  EXPECT_EQ(rows[2][0], Value(Bytes{}));
  EXPECT_TRUE(rows[3][0].is_null());
  VectorBatch binary_first({{Value(4), Value(Bytes{0xff, 0})}, {Value(5), Value()}}, 2);
  cur->executemany("INSERT INTO em_bytes VALUES ($1, $2)", binary_first);
  EXPECT_EQ(scalar(*conn, "SELECT b FROM em_bytes WHERE id = 4"), Value(Bytes{0xff, 0}));
}

TEST(libpq_driver, executemany_100k_rows) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE em_big (id int8, name text, x float8)");
  std::vector<Row> rows;
  rows.reserve(100000);
  for (std::int64_t i = 0; i < 100000; ++i)
    rows.push_back({Value(i), Value("n" + std::to_string(i)), Value(i * 0.5)});
  VectorBatch batch(std::move(rows), 3);
  auto cur = conn->cursor();
  conn->begin();
  cur->executemany("INSERT INTO em_big VALUES ($1, $2, $3)", batch);
  conn->commit();
  EXPECT_EQ(cur->rowcount(), 100000);
  EXPECT_EQ(scalar(*conn, "SELECT sum(id) FROM em_big").as<std::int64_t>(), 99999LL * 100000 / 2);
}

// ---------------------------------------------------------------------------
// Statement cache

std::int64_t prepared_count(DriverConnection& conn) {
  return count(conn, "SELECT count(*) FROM pg_prepared_statements");
}

TEST(libpq_driver, statement_cache_reuses_and_evicts) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  EXPECT_EQ(prepared_count(*conn), 0);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(scalar(*conn, "SELECT $1::int + 1", {i}), Value(i + 1));
  EXPECT_EQ(prepared_count(*conn), 1);
  // Bytes change the parameter type, hence a second statement.
  scalar(*conn, "SELECT $1", {Bytes{1}});
  scalar(*conn, "SELECT $1", {"text"});
  EXPECT_EQ(prepared_count(*conn), 3);
  for (int i = 0; i < 200; ++i) scalar(*conn, "SELECT $1::int + " + std::to_string(i), {i});
  // Evicted statements are deallocated before a later command.
  EXPECT_EQ(prepared_count(*conn), 128);
  // A dropped cache (DEALLOCATE ALL) is noticed.
  conn->exec("DEALLOCATE ALL");
  EXPECT_EQ(scalar(*conn, "SELECT $1::int + 1", {1}), Value(2));
  EXPECT_EQ(prepared_count(*conn), 1);
}

TEST(libpq_driver, cached_plan_result_type_change_recovers) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE shape (a int); INSERT INTO shape VALUES (1)");
  const std::string sql = "SELECT * FROM shape WHERE a = $1";
  ASSERT_EQ(query(*conn, sql, {1})[0].size(), 1u);
  conn->exec("ALTER TABLE shape ADD COLUMN b int DEFAULT 2");
  // Outside a transaction the driver re-prepares and retries transparently.
  auto rows = query(*conn, sql, {1});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (Row{Value(1), Value(2)}));

  conn->exec("ALTER TABLE shape ADD COLUMN c int DEFAULT 3");
  conn->begin();
  try {
    query(*conn, sql, {1});
    FAIL() << "expected the cached plan error inside a transaction";
  } catch (const NotSupportedError& e) {
    EXPECT_EQ(e.sqlstate(), "0A000");
    EXPECT_THAT(e.what(), HasSubstr("cached plan must not change result type"));
  }
  conn->rollback();
  EXPECT_EQ(query(*conn, sql, {1})[0].size(), 3u);

  // executemany with a stale statement, in autocommit, retries too.
  conn->exec("CREATE TEMP TABLE shape2 (a int)");
  auto cur = conn->cursor();
  VectorBatch one({{Value(1)}}, 1);
  cur->executemany("INSERT INTO shape2 SELECT $1 RETURNING *", one);
  conn->exec("ALTER TABLE shape2 ADD COLUMN b int");
  cur->executemany("INSERT INTO shape2 SELECT $1 RETURNING *", one);
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM shape2"), 2);
  // ... which it had to: inside a transaction the same change surfaces.
  conn->exec("ALTER TABLE shape2 ADD COLUMN c int");
  conn->begin();
  EXPECT_THROW(cur->executemany("INSERT INTO shape2 SELECT $1 RETURNING *", one),
               NotSupportedError);
  conn->rollback();
  cur->executemany("INSERT INTO shape2 SELECT $1 RETURNING *", one);
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM shape2"), 3);
}

}  // namespace
}  // namespace alchemy
