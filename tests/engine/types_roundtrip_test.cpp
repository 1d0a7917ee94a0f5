// Every value type survives a round trip through a real database, on every backend.
#include <alchemy/alchemy.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/engine_fixture.hpp"

namespace alchemy::testing {
namespace {

using TypesRoundTripTest = EngineTest;

TEST_P(TypesRoundTripTest, every_value_kind_through_typed_columns) {
  auto engine = make_engine();
  auto conn = engine.connect();
  const bool p = pg();
  conn.execute(text(std::string("CREATE TABLE vals (") +
                    "b BOOLEAN, i BIGINT, f DOUBLE PRECISION, t TEXT, "
                    "blob " + (p ? "BYTEA" : "BLOB") + ", d " + (p ? "NUMERIC(40, 12)" : "TEXT") +
                    ", dt DATE, tm TIME, ts TIMESTAMP, tstz " + (p ? "TIMESTAMPTZ" : "TIMESTAMP") +
                    ", iv INTERVAL, u " + (p ? "UUID" : "CHAR(36)") + ", j " + (p ? "JSONB" : "JSON") +
                    ", n TEXT)"));
  const Bytes blob{0x00, 0x01, 0xff, 0x00, 0x7f, 0x00};
  const Decimal dec("12345678901234567890123456.123456789012");
  const Date date{2024, 2, 29};
  const Time time{23, 59, 58, 123456};
  const DateTime naive{Date{1999, 12, 31}, Time{23, 59, 59, 999999}, std::nullopt};
  const DateTime aware{Date{2024, 6, 1}, Time{12, 0, 0, 500000}, 0};
  const Interval iv{14, 3, 4 * 3600'000'000LL + 5 * 60'000'000LL + 6'789'000LL};
  const Uuid uuid = Uuid::parse("123e4567-e89b-12d3-a456-426614174000");
  const Json json{R"({"k": [1, 2, "احمد"]})"};
  const std::string persian = "احمد 🚀 emoji ñ";

  conn.execute(text("INSERT INTO vals VALUES (:b, :i, :f, :t, :blob, :d, :dt, :tm, :ts, :tstz, "
                    ":iv, :u, :j, :n)"),
               {{"b", true},
                {"i", std::int64_t{-9'007'199'254'740'993}},
                {"f", 0.1},
                {"t", persian},
                {"blob", blob},
                {"d", dec},
                {"dt", date},
                {"tm", time},
                {"ts", naive},
                {"tstz", aware},
                {"iv", iv},
                {"u", uuid},
                {"j", json},
                {"n", nullptr}});
  conn.commit();

  auto row = conn.execute(text("SELECT * FROM vals")).one();
  EXPECT_EQ(row.get<bool>("b"), true);
  EXPECT_EQ(row.get<std::int64_t>("i"), -9'007'199'254'740'993);
  EXPECT_EQ(row.get<double>("f"), 0.1);
  EXPECT_EQ(row.get<std::string>("t"), persian);
  EXPECT_EQ(row.get<Bytes>("blob"), blob);
  EXPECT_EQ(row.get<Decimal>("d"), dec);
  EXPECT_EQ(row.get<Decimal>("d").str().substr(0, 26), "12345678901234567890123456")
      << "no rounding through double";
  EXPECT_EQ(row.get<Date>("dt"), date);
  EXPECT_EQ(row.get<Time>("tm"), time);
  EXPECT_EQ(row.get<DateTime>("ts"), naive);
  EXPECT_EQ(row.get<DateTime>("tstz").to_sys_time(), aware.to_sys_time());
  if (p) {
    EXPECT_TRUE(row.get<DateTime>("tstz").utc_offset.has_value()) << "timestamptz is aware";
  }
  EXPECT_EQ(row.get<Interval>("iv"), iv);
  EXPECT_EQ(row.get<Uuid>("u"), uuid);
  if (p) {
    // jsonb normalizes whitespace; compare content loosely.
    EXPECT_NE(row.get<Json>("j").text.find("احمد"), std::string::npos);
  } else {
    EXPECT_EQ(row.get<Json>("j"), json);
  }
  EXPECT_TRUE(row.is_null(13));
  EXPECT_FALSE(row.get<std::optional<std::string>>("n"));
  // Materialized copies keep the same values.
  Row copy = row;
  EXPECT_EQ(copy.get<Bytes>("blob"), blob);
  EXPECT_EQ(copy.get<Interval>("iv"), iv);
}

TEST_P(TypesRoundTripTest, values_echo_through_a_parameter) {
  auto engine = make_engine();
  auto conn = engine.connect();
  const std::string sql = pg() ? "SELECT $1" : "SELECT ?1";
  auto echo = [&](const Value& v) { return conn.exec_driver_sql(sql, {v}).one()[0]; };
  EXPECT_EQ(echo(Value("احمد")).as<std::string>(), "احمد");
  EXPECT_EQ(echo(Value(std::int64_t{42})).as<std::int64_t>(), 42);
  EXPECT_EQ(echo(Value(Decimal("0.10"))).as<Decimal>(), Decimal("0.1"));
  EXPECT_EQ(echo(Value(Date{2001, 1, 1})).as<Date>(), (Date{2001, 1, 1}));
  EXPECT_EQ(echo(Value(Bytes{0, 1, 0})).as<Bytes>(), (Bytes{0, 1, 0}));
  EXPECT_TRUE(echo(Value()).is_null());
}

TEST_P(TypesRoundTripTest, chrono_types_bind) {
  auto engine = make_engine();
  auto conn = engine.connect();
  using namespace std::chrono;
  const sys_time<microseconds> tp = sys_days{year{2020} / 5 / 17} + hours{8} + microseconds{42};
  conn.execute(text("CREATE TABLE ev (at TIMESTAMP, d DATE)"));
  conn.execute(text("INSERT INTO ev VALUES (:at, :d)"),
               {{"at", tp}, {"d", year_month_day{year{2020}, month{5}, day{17}}}});
  auto row = conn.execute(text("SELECT at, d FROM ev")).one();
  EXPECT_EQ(row.get<sys_time<microseconds>>("at"), tp);
  EXPECT_EQ(row.get<year_month_day>("d"), (year_month_day{year{2020}, month{5}, day{17}}));
}

TEST_P(TypesRoundTripTest, special_doubles_are_kept_or_refused) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute(text("CREATE TABLE f (x DOUBLE PRECISION)"));
  const double inf = std::numeric_limits<double>::infinity();
  conn.execute(text("INSERT INTO f VALUES (:x)"), {{"x", inf}});
  conn.execute(text("INSERT INTO f VALUES (:x)"), {{"x", -inf}});
  auto xs = conn.execute(text("SELECT x FROM f ORDER BY x")).scalars<double>().all();
  EXPECT_EQ(xs, (std::vector<double>{-inf, inf}));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (pg()) {
    conn.execute(text("INSERT INTO f VALUES (:x)"), {{"x", nan}});
    EXPECT_TRUE(std::isnan(
        conn.execute(text("SELECT x FROM f WHERE x <> x OR x = 'NaN'")).scalar<double>()));
  } else {
    // SQLite would store NaN as NULL: a silent loss, so it is refused.
    EXPECT_THROW(conn.execute(text("INSERT INTO f VALUES (:x)"), {{"x", nan}}), DataError);
  }
}

ALCHEMY_INSTANTIATE_ON_ALL_BACKENDS(TypesRoundTripTest);

}  // namespace
}  // namespace alchemy::testing
