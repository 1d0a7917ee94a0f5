#include "alchemy/core/value.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "alchemy/exc.hpp"

namespace alchemy {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Runs `f`, expects exception E, and returns its message.
template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no exception thrown";
  return {};
}

// ---------------------------------------------------------------------------
// Decimal

TEST(decimal, canonical_text) {
  EXPECT_EQ(Decimal().str(), "0");
  EXPECT_EQ(Decimal("123").str(), "123");
  EXPECT_EQ(Decimal("+123").str(), "123");
  EXPECT_EQ(Decimal("-0.5").str(), "-0.5");
  EXPECT_EQ(Decimal("1.50").str(), "1.50");
  EXPECT_EQ(Decimal("-12.3400").str(), "-12.3400");
  EXPECT_EQ(Decimal("007").str(), "7");
  EXPECT_EQ(Decimal("000.25").str(), "0.25");
  EXPECT_EQ(Decimal(".5").str(), "0.5");
  EXPECT_EQ(Decimal("5.").str(), "5");
  EXPECT_EQ(Decimal("-0").str(), "0");
  EXPECT_EQ(Decimal("-0.00").str(), "0.00");
  EXPECT_EQ(Decimal("+0").str(), "0");
}

TEST(decimal, exponent_is_expanded) {
  EXPECT_EQ(Decimal("1.25e3").str(), "1250");
  EXPECT_EQ(Decimal("1.25E3").str(), "1250");
  EXPECT_EQ(Decimal("1.25e+3").str(), "1250");
  EXPECT_EQ(Decimal("1.5e-3").str(), "0.0015");
  EXPECT_EQ(Decimal("-1.5e-3").str(), "-0.0015");
  EXPECT_EQ(Decimal("1.50e1").str(), "15.0");
  EXPECT_EQ(Decimal("123e-2").str(), "1.23");
  EXPECT_EQ(Decimal("123e-3").str(), "0.123");
  EXPECT_EQ(Decimal("1e0").str(), "1");
  EXPECT_EQ(Decimal("0e5").str(), "0");
  EXPECT_EQ(Decimal("0e-3").str(), "0.000");
  EXPECT_EQ(Decimal("-0e-2").str(), "0.00");
  EXPECT_EQ(Decimal("1e20").str(), "100000000000000000000");
}

TEST(decimal, special_values) {
  EXPECT_EQ(Decimal("NaN").str(), "NaN");
  EXPECT_EQ(Decimal("nan").str(), "NaN");
  EXPECT_EQ(Decimal("NAN").str(), "NaN");
  EXPECT_EQ(Decimal("Infinity").str(), "Infinity");
  EXPECT_EQ(Decimal("infinity").str(), "Infinity");
  EXPECT_EQ(Decimal("+Infinity").str(), "Infinity");
  EXPECT_EQ(Decimal("inf").str(), "Infinity");
  EXPECT_EQ(Decimal("-Infinity").str(), "-Infinity");
  EXPECT_EQ(Decimal("-INFINITY").str(), "-Infinity");
  EXPECT_EQ(Decimal("-inf").str(), "-Infinity");
}

TEST(decimal, rejects_malformed_text) {
  for (const char* bad : {"", "-", "+", ".", "abc", "1.2.3", "1e", "1e+", "e5", "1 2", " 1", "1 ",
                          "0x10", "1,5", "--1", "Infinit", "NaNa", "1.5f"}) {
    const std::string msg = error_of<ArgumentError>([&] { Decimal d(bad); });
    EXPECT_THAT(msg, HasSubstr("invalid Decimal")) << bad;
    EXPECT_THAT(msg, HasSubstr("expected an optional sign")) << bad;
  }
  EXPECT_THAT(error_of<ArgumentError>([] { Decimal d("12x"); }),
              AllOf(HasSubstr("'12x'"), HasSubstr("unexpected character 'x'")));
}

TEST(decimal, rejects_out_of_range_exponent) {
  EXPECT_THAT(error_of<ArgumentError>([] { Decimal d("1e999999999999"); }),
              HasSubstr("digits before the decimal point"));
  EXPECT_THAT(error_of<ArgumentError>([] { Decimal d("1e-20000"); }),
              HasSubstr("digits after the decimal point"));
}

TEST(decimal, from_int64_is_exact) {
  EXPECT_EQ(Decimal(std::int64_t{0}).str(), "0");
  EXPECT_EQ(Decimal(std::int64_t{-42}).str(), "-42");
  EXPECT_EQ(Decimal(std::numeric_limits<std::int64_t>::max()).str(), "9223372036854775807");
  EXPECT_EQ(Decimal(std::numeric_limits<std::int64_t>::min()).str(), "-9223372036854775808");
}

TEST(decimal, equality_is_numeric) {
  EXPECT_EQ(Decimal("1.50"), Decimal("1.5"));
  EXPECT_EQ(Decimal("0"), Decimal("-0.00"));
  EXPECT_EQ(Decimal("1250"), Decimal("1.25e3"));
  EXPECT_EQ(Decimal("007.100"), Decimal("7.1"));
  EXPECT_EQ(Decimal("-3"), Decimal(std::int64_t{-3}));
  EXPECT_NE(Decimal("1.5"), Decimal("-1.5"));
  EXPECT_NE(Decimal("1.5"), Decimal("1.05"));
  EXPECT_NE(Decimal("10"), Decimal("1"));
  EXPECT_NE(Decimal("0.1"), Decimal("0.01"));
  EXPECT_EQ(Decimal("Infinity"), Decimal("inf"));
  EXPECT_NE(Decimal("Infinity"), Decimal("-Infinity"));
  EXPECT_NE(Decimal("Infinity"), Decimal("1"));
  // NaN equals NaN, as in PostgreSQL's NUMERIC (keeps Decimal a regular type).
  EXPECT_EQ(Decimal("NaN"), Decimal("nan"));
  EXPECT_NE(Decimal("NaN"), Decimal("0"));
}

TEST(decimal, to_double) {
  EXPECT_DOUBLE_EQ(Decimal("1.5").to_double(), 1.5);
  EXPECT_DOUBLE_EQ(Decimal("-0.0015").to_double(), -0.0015);
  EXPECT_EQ(Decimal("0.1").to_double(), 0.1);
  EXPECT_EQ(Decimal("123456789012345678").to_double(), 123456789012345678.0);
  EXPECT_TRUE(std::isnan(Decimal("NaN").to_double()));
  EXPECT_EQ(Decimal("Infinity").to_double(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Decimal("-Infinity").to_double(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Decimal("1e400").to_double(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Decimal("-1e400").to_double(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Decimal("1e-400").to_double(), 0.0);
}

TEST(decimal, round_trips_through_str) {
  for (const char* t : {"0", "1", "-1", "0.001", "123456789012345678901234567890.123456789",
                        "-99.9900", "NaN", "Infinity", "-Infinity", "1e-5", "4.2e10"}) {
    const Decimal d(t);
    EXPECT_EQ(Decimal(d.str()).str(), d.str()) << t;
    EXPECT_EQ(Decimal(d.str()), d) << t;
  }
}

// ---------------------------------------------------------------------------
// Date

TEST(date, parse_and_isoformat) {
  const Date d = Date::parse("2024-02-29");
  EXPECT_EQ(d.year, 2024);
  EXPECT_EQ(d.month, 2);
  EXPECT_EQ(d.day, 29);
  EXPECT_EQ(d.isoformat(), "2024-02-29");
  EXPECT_EQ(Date::parse("0001-01-01").isoformat(), "0001-01-01");
  EXPECT_EQ(Date::parse("9999-12-31").isoformat(), "9999-12-31");
  EXPECT_EQ(Date::parse("0099-07-04").isoformat(), "0099-07-04");
  EXPECT_EQ((Date{1970, 1, 1}), Date());
}

TEST(date, leap_years) {
  EXPECT_NO_THROW(Date::parse("2000-02-29"));
  EXPECT_NO_THROW(Date::parse("1600-02-29"));
  EXPECT_THROW(Date::parse("1900-02-29"), ArgumentError);
  EXPECT_THROW(Date::parse("2023-02-29"), ArgumentError);
  EXPECT_THAT(error_of<ArgumentError>([] { Date::parse("2023-02-29"); }),
              HasSubstr("February has only 28 days in 2023"));
  EXPECT_THROW(Date::parse("2024-04-31"), ArgumentError);
  EXPECT_NO_THROW(Date::parse("2024-01-31"));
}

TEST(date, bc_years_are_astronomical) {
  const Date d = Date::parse("0044-03-15 BC");
  EXPECT_EQ(d.year, -43);
  EXPECT_EQ(d.isoformat(), "0044-03-15 BC");
  EXPECT_EQ(Date::parse("0001-01-01 BC").year, 0);
  EXPECT_EQ(Date::parse("0001-12-31 bc").year, 0);
  EXPECT_EQ((Date{0, 6, 1}).isoformat(), "0001-06-01 BC");
  // 1 BC (year 0) is a leap year in the proleptic Gregorian calendar; 2 BC is not.
  EXPECT_NO_THROW(Date::parse("0001-02-29 BC"));
  EXPECT_THROW(Date::parse("0002-02-29 BC"), ArgumentError);
  EXPECT_NO_THROW(Date::parse("0005-02-29 BC"));
  EXPECT_LT(Date::parse("0001-12-31 BC"), Date::parse("0001-01-01"));
}

TEST(date, rejects_malformed_text) {
  for (const char* bad :
       {"", "2024", "2024-1-05", "24-01-05", "2024/01/05", "2024-01-05x", "2024-01-05 12:00:00",
        "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "0000-01-01", "10000-01-01",
        "2024-01-05 AD", "2024-01-05 BCE", " 2024-01-05"}) {
    const std::string msg = error_of<ArgumentError>([&] { Date::parse(bad); });
    EXPECT_THAT(msg, HasSubstr("invalid Date")) << bad;
    EXPECT_THAT(msg, HasSubstr("expected YYYY-MM-DD")) << bad;
  }
  EXPECT_THAT(error_of<ArgumentError>([] { Date::parse("2024-13-01"); }),
              AllOf(HasSubstr("'2024-13-01'"), HasSubstr("month 13 is not in 01..12")));
  EXPECT_THAT(error_of<ArgumentError>([] { Date::parse("0000-01-01"); }),
              HasSubstr("year 0000 does not exist"));
  EXPECT_THAT(error_of<ArgumentError>([] { Date::parse("2024-01-05 12:00:00"); }),
              HasSubstr("parse it as a DateTime"));
}

TEST(date, chrono_conversions) {
  using namespace std::chrono;
  const year_month_day ymd = 2024y / February / 29d;
  const Date d = Date::from_chrono(ymd);
  EXPECT_EQ(d, (Date{2024, 2, 29}));
  EXPECT_EQ(d.to_chrono(), ymd);
  EXPECT_EQ(Date::from_chrono(1969y / July / 20d).to_chrono(), 1969y / July / 20d);
  EXPECT_EQ(Date::from_chrono(9999y / December / 31d), (Date{9999, 12, 31}));
  EXPECT_EQ(Date::from_chrono(year{-43} / March / 15d).isoformat(), "0044-03-15 BC");
  EXPECT_THROW(Date::from_chrono(2023y / February / 29d), ArgumentError);
  EXPECT_THROW(Date::from_chrono(10000y / January / 1d), ArgumentError);
}

TEST(date, round_trips) {
  for (const char* t : {"2024-02-29", "0001-01-01", "9999-12-31", "1969-12-31", "1970-01-01",
                        "0044-03-15 BC", "0001-01-01 BC", "4713-11-24 BC"}) {
    const Date d = Date::parse(t);
    EXPECT_EQ(d.isoformat(), t);
    EXPECT_EQ(Date::parse(d.isoformat()), d);
    EXPECT_EQ(Date::from_chrono(d.to_chrono()), d);
  }
}

// ---------------------------------------------------------------------------
// Time

TEST(time, parse_forms) {
  EXPECT_EQ(Time::parse("13:45"), (Time{13, 45, 0, 0}));
  EXPECT_EQ(Time::parse("13:45:30"), (Time{13, 45, 30, 0}));
  EXPECT_EQ(Time::parse("13:45:30.5"), (Time{13, 45, 30, 500000}));
  EXPECT_EQ(Time::parse("13:45:30.000001"), (Time{13, 45, 30, 1}));
  EXPECT_EQ(Time::parse("00:00:00"), Time());
  EXPECT_EQ(Time::parse("23:59:59.999999"), (Time{23, 59, 59, 999999}));
}

TEST(time, extra_fraction_digits_are_truncated) {
  EXPECT_EQ(Time::parse("12:00:00.1234567").microsecond, 123456u);
  EXPECT_EQ(Time::parse("23:59:59.9999999"), (Time{23, 59, 59, 999999}));
}

TEST(time, isoformat) {
  EXPECT_EQ((Time{9, 5, 3, 0}).isoformat(), "09:05:03");
  EXPECT_EQ((Time{9, 5, 3, 1}).isoformat(), "09:05:03.000001");
  EXPECT_EQ((Time{9, 5, 3, 500000}).isoformat(), "09:05:03.500000");
}

TEST(time, rejects_malformed_text) {
  for (const char* bad :
       {"", "13", "1:45", "13:4", "13:45:3", "13:45:30.", "13-45-30", "24:00:01", "25:00:00",
        "12:60:00", "12:00:60", "12:00:00+05", "12:00:00Z", "12:00:00 ", "noon"}) {
    const std::string msg = error_of<ArgumentError>([&] { Time::parse(bad); });
    EXPECT_THAT(msg, HasSubstr("invalid Time")) << bad;
    EXPECT_THAT(msg, HasSubstr("expected HH:MM")) << bad;
  }
  EXPECT_THAT(error_of<ArgumentError>([] { Time::parse("24:00:00"); }),
              HasSubstr("00:00:00 of the next day"));
  EXPECT_THAT(error_of<ArgumentError>([] { Time::parse("25:00"); }),
              HasSubstr("hour 25 is not in 00..23"));
  EXPECT_THAT(error_of<ArgumentError>([] { Time::parse("12:00:00+05"); }),
              HasSubstr("no UTC offset"));
}

TEST(time, since_midnight_and_round_trip) {
  EXPECT_EQ((Time{1, 2, 3, 4}).since_midnight(), 1h + 2min + 3s + 4us);
  EXPECT_EQ(Time().since_midnight(), 0us);
  for (const char* t : {"00:00:00", "23:59:59.999999", "12:30:00.250000", "07:08:09"}) {
    EXPECT_EQ(Time::parse(t).isoformat(), t);
  }
}

// ---------------------------------------------------------------------------
// DateTime

TEST(datetime, parse_naive) {
  const DateTime dt = DateTime::parse("2024-02-29 13:45:30.25");
  EXPECT_EQ(dt.date, (Date{2024, 2, 29}));
  EXPECT_EQ(dt.time, (Time{13, 45, 30, 250000}));
  EXPECT_FALSE(dt.utc_offset.has_value());
  EXPECT_EQ(DateTime::parse("2024-02-29T13:45:30.25"), dt);
  EXPECT_EQ(DateTime::parse("2024-02-29 13:45").time, (Time{13, 45, 0, 0}));
}

TEST(datetime, date_alone_is_midnight) {
  const DateTime dt = DateTime::parse("2024-02-29");
  EXPECT_EQ(dt.date, (Date{2024, 2, 29}));
  EXPECT_EQ(dt.time, Time());
  EXPECT_FALSE(dt.utc_offset);
}

TEST(datetime, parse_offsets) {
  EXPECT_EQ(DateTime::parse("2024-01-01 12:00:00Z").utc_offset, 0);
  EXPECT_EQ(DateTime::parse("2024-01-01 12:00:00+00").utc_offset, 0);
  EXPECT_EQ(DateTime::parse("2024-01-01 12:00:00-08").utc_offset, -8 * 3600);
  EXPECT_EQ(DateTime::parse("2024-01-01 12:00:00+05:30").utc_offset, 5 * 3600 + 30 * 60);
  EXPECT_EQ(DateTime::parse("2024-01-01 12:00:00+0530").utc_offset, 5 * 3600 + 30 * 60);
  EXPECT_EQ(DateTime::parse("2024-01-01 12:00:00-03:30").utc_offset, -(3 * 3600 + 30 * 60));
  EXPECT_EQ(DateTime::parse("1900-01-01 12:00:00+00:53:28").utc_offset, 53 * 60 + 28);
  EXPECT_EQ(DateTime::parse("2024-01-01T12:00:00.5+01:00").time.microsecond, 500000u);
  EXPECT_EQ(DateTime::parse("2024-01-01 12:00+01").utc_offset, 3600);
}

TEST(datetime, parse_bc) {
  const DateTime dt = DateTime::parse("0044-03-15 12:00:00+00 BC");
  EXPECT_EQ(dt.date.year, -43);
  EXPECT_EQ(dt.utc_offset, 0);
  EXPECT_EQ(dt.isoformat(), "0044-03-15 12:00:00+00:00 BC");
  EXPECT_EQ(DateTime::parse("0044-03-15 BC").date.year, -43);
  EXPECT_EQ(DateTime::parse("0001-02-29 10:00:00 BC").date, (Date{0, 2, 29}));
  EXPECT_THROW(DateTime::parse("0002-02-29 10:00:00 BC"), ArgumentError);
}

TEST(datetime, isoformat) {
  DateTime dt{Date{2024, 2, 29}, Time{13, 5, 0, 0}, std::nullopt};
  EXPECT_EQ(dt.isoformat(), "2024-02-29 13:05:00");
  EXPECT_EQ(dt.isoformat('T'), "2024-02-29T13:05:00");
  dt.time.microsecond = 42;
  dt.utc_offset = -(5 * 3600 + 30 * 60);
  EXPECT_EQ(dt.isoformat(), "2024-02-29 13:05:00.000042-05:30");
  dt.utc_offset = 0;
  EXPECT_EQ(dt.isoformat('T'), "2024-02-29T13:05:00.000042+00:00");
  dt.utc_offset = 53 * 60 + 28;
  EXPECT_EQ(dt.isoformat(), "2024-02-29 13:05:00.000042+00:53:28");
}

TEST(datetime, rejects_malformed_text) {
  for (const char* bad :
       {"", "2024-01-01 ", "2024-01-01X12:00", "2024-01-01 12", "2024-01-01 25:00:00",
        "2024-01-01 12:00:00+5", "2024-01-01 12:00:00+24:00", "2024-01-01 12:00:00+05:60",
        "2024-01-01 12:00:00 UTC", "2024-02-30 12:00:00", "2024-01-01 12:00:00+05:30x",
        "2024-01-01 24:00:00"}) {
    const std::string msg = error_of<ArgumentError>([&] { DateTime::parse(bad); });
    EXPECT_THAT(msg, HasSubstr("invalid DateTime")) << bad;
    EXPECT_THAT(msg, HasSubstr("expected YYYY-MM-DD")) << bad;
  }
}

TEST(datetime, sys_time_conversions) {
  using namespace std::chrono;
  const sys_time<microseconds> epoch{};
  EXPECT_EQ(DateTime::from_sys_time(epoch).isoformat(), "1970-01-01 00:00:00");
  EXPECT_FALSE(DateTime::from_sys_time(epoch).utc_offset);
  EXPECT_EQ(DateTime::utc(epoch).isoformat(), "1970-01-01 00:00:00+00:00");

  // Before 1970: floor, not truncation, towards the previous day.
  const sys_time<microseconds> before = epoch - 1us;
  EXPECT_EQ(DateTime::from_sys_time(before).isoformat(), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(DateTime::from_sys_time(before).to_sys_time(), before);

  const sys_time<microseconds> moon = sys_days{1969y / July / 20d} + 20h + 17min + 40s;
  EXPECT_EQ(DateTime::from_sys_time(moon).isoformat(), "1969-07-20 20:17:40");
  EXPECT_EQ(DateTime::from_sys_time(moon).to_sys_time(), moon);

  const sys_time<microseconds> last =
      sys_days{9999y / December / 31d} + 23h + 59min + 59s + 999999us;
  EXPECT_EQ(DateTime::from_sys_time(last).isoformat(), "9999-12-31 23:59:59.999999");
  EXPECT_EQ(DateTime::utc(last).to_sys_time(), last);

  const sys_time<microseconds> first = sys_days{1y / January / 1d};
  EXPECT_EQ(DateTime::from_sys_time(first).isoformat(), "0001-01-01 00:00:00");
  const sys_time<microseconds> bc = sys_days{year{-43} / March / 15d} + 12h;
  EXPECT_EQ(DateTime::from_sys_time(bc).isoformat(), "0044-03-15 12:00:00 BC");
  EXPECT_EQ(DateTime::from_sys_time(bc).to_sys_time(), bc);

  EXPECT_THROW(DateTime::from_sys_time(sys_days{10000y / January / 1d}), ArgumentError);
}

TEST(datetime, to_sys_time_applies_offset) {
  using namespace std::chrono;
  const DateTime aware = DateTime::parse("2024-01-01 05:30:00+05:30");
  EXPECT_EQ(aware.to_sys_time(), sys_time<microseconds>{sys_days{2024y / January / 1d}});
  const DateTime west = DateTime::parse("2023-12-31 16:00:00-08");
  EXPECT_EQ(west.to_sys_time(), aware.to_sys_time());
  EXPECT_NE(west, aware);  // equality is wall time + offset, not the instant
  const DateTime naive = DateTime::parse("2024-01-01 00:00:00");
  EXPECT_EQ(naive.to_sys_time(), aware.to_sys_time());
}

TEST(datetime, round_trips) {
  for (const char* t :
       {"2024-02-29 13:45:30", "2024-02-29 13:45:30.250000", "1969-12-31 23:59:59.999999",
        "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "2024-06-01 08:00:00+05:30",
        "2024-06-01 08:00:00-08:00", "1900-01-01 00:00:00+00:53:28", "0044-03-15 12:00:00 BC",
        "0044-03-15 12:00:00+01:00 BC"}) {
    const DateTime dt = DateTime::parse(t);
    EXPECT_EQ(dt.isoformat(), t);
    EXPECT_EQ(DateTime::parse(dt.isoformat('T')), dt) << t;
    DateTime back = DateTime::from_sys_time(dt.to_sys_time());
    if (!dt.utc_offset) {
      EXPECT_EQ(back, dt) << t;
    }
  }
}

// ---------------------------------------------------------------------------
// Interval

Interval iv(std::int32_t months, std::int32_t days, std::int64_t us) {
  Interval i;
  i.months = months;
  i.days = days;
  i.microseconds = us;
  return i;
}

constexpr std::int64_t kSec = 1'000'000;
constexpr std::int64_t kHour = 3600 * kSec;

TEST(interval, parse_postgres_output) {
  EXPECT_EQ(Interval::parse("00:00:00"), iv(0, 0, 0));
  EXPECT_EQ(Interval::parse("1 day"), iv(0, 1, 0));
  EXPECT_EQ(Interval::parse("3 days 04:05:06.789"),
            iv(0, 3, 4 * kHour + 5 * 60 * kSec + 6 * kSec + 789000));
  EXPECT_EQ(Interval::parse("1 year 2 mons"), iv(14, 0, 0));
  EXPECT_EQ(Interval::parse("-1 years -2 mons +3 days -04:05:06"),
            iv(-14, 3, -(4 * kHour + 5 * 60 * kSec + 6 * kSec)));
  EXPECT_EQ(Interval::parse("-00:00:01.5"), iv(0, 0, -1'500'000));
  EXPECT_EQ(Interval::parse("100:00:00"), iv(0, 0, 100 * kHour));
  EXPECT_EQ(Interval::parse("1 mon 00:00:00.000001"), iv(1, 0, 1));
  EXPECT_EQ(Interval::parse("-1 days +02:00:00"), iv(0, -1, 2 * kHour));
  EXPECT_EQ(Interval::parse("2562047788:00:54.775807"),
            iv(0, 0, std::numeric_limits<std::int64_t>::max()));
}

TEST(interval, parse_hand_written_units) {
  EXPECT_EQ(Interval::parse("2 months"), iv(2, 0, 0));
  EXPECT_EQ(Interval::parse("1 month"), iv(1, 0, 0));
  EXPECT_EQ(Interval::parse("2 weeks"), iv(0, 14, 0));
  EXPECT_EQ(Interval::parse("1 week 1 day"), iv(0, 8, 0));
  EXPECT_EQ(Interval::parse("3 hours"), iv(0, 0, 3 * kHour));
  EXPECT_EQ(Interval::parse("1 hour 30 minutes"), iv(0, 0, 90 * 60 * kSec));
  EXPECT_EQ(Interval::parse("10 seconds"), iv(0, 0, 10 * kSec));
  EXPECT_EQ(Interval::parse("1 second"), iv(0, 0, kSec));
  EXPECT_EQ(Interval::parse("250 milliseconds"), iv(0, 0, 250'000));
  EXPECT_EQ(Interval::parse("7 microseconds"), iv(0, 0, 7));
  EXPECT_EQ(Interval::parse("1 microsecond"), iv(0, 0, 1));
  EXPECT_EQ(Interval::parse("1 YEAR"), iv(12, 0, 0));
  EXPECT_EQ(Interval::parse("1.5 seconds"), iv(0, 0, 1'500'000));
  EXPECT_EQ(Interval::parse("1.5 days"), iv(0, 1, 12 * kHour));
  EXPECT_EQ(Interval::parse("1.5 years"), iv(18, 0, 0));
  EXPECT_EQ(Interval::parse("1.5 mons"), iv(1, 15, 0));
  EXPECT_EQ(Interval::parse("1.5 weeks"), iv(0, 10, 12 * kHour));
  EXPECT_EQ(Interval::parse("-1.5 hours"), iv(0, 0, -90 * 60 * kSec));
  EXPECT_EQ(Interval::parse("1day"), iv(0, 1, 0));
  EXPECT_EQ(Interval::parse("  2 days  "), iv(0, 2, 0));
  EXPECT_EQ(Interval::parse("5"), iv(0, 0, 5 * kSec));
  EXPECT_EQ(Interval::parse("1:30"), iv(0, 0, 90 * 60 * kSec));
  EXPECT_EQ(Interval::parse("05:06.5"), iv(0, 0, 5 * 60 * kSec + 6'500'000));
  EXPECT_EQ(Interval::parse("@ 1 day 2 hours ago"), iv(0, -1, -2 * kHour));
  EXPECT_EQ(Interval::parse("1 day 2"), iv(0, 1, 2 * kSec));  // trailing bare number: seconds
}

TEST(interval, parse_iso_8601) {
  EXPECT_EQ(Interval::parse("P1Y2M3DT4H5M6.5S"), iv(14, 3, 4 * kHour + 5 * 60 * kSec + 6'500'000));
  EXPECT_EQ(Interval::parse("PT0S"), iv(0, 0, 0));
  EXPECT_EQ(Interval::parse("-P1D"), iv(0, -1, 0));
  EXPECT_EQ(Interval::parse("P-1D"), iv(0, -1, 0));
  EXPECT_EQ(Interval::parse("P2W"), iv(0, 14, 0));
  EXPECT_EQ(Interval::parse("PT1M"), iv(0, 0, 60 * kSec));
  EXPECT_EQ(Interval::parse("P1M"), iv(1, 0, 0));
  EXPECT_EQ(Interval::parse("P-1Y-2M3DT-4H-5M-6S"),
            iv(-14, 3, -(4 * kHour + 5 * 60 * kSec + 6 * kSec)));
  EXPECT_EQ(Interval::parse("-P1Y2M"), iv(-14, 0, 0));
  EXPECT_EQ(Interval::parse("pt1h"), iv(0, 0, kHour));
}

TEST(interval, rejects_malformed_text) {
  for (const char* bad : {"",
                          "   ",
                          "abc",
                          "1",
                          "1 fortnight",
                          "1 day 2 x",
                          "day",
                          "1 day ago ago",
                          "00:60:00",
                          "00:00:60",
                          "1:2:3:4",
                          "12:00 12:00",
                          "P",
                          "PT",
                          "P1",
                          "P1H",
                          "PT1D",
                          "P1Y2",
                          "PTT1H",
                          "1 days,",
                          "ago",
                          "P1YT",
                          "99999999999 years",
                          "3000000000 days"}) {
    if (std::string_view(bad) == "1") continue;  // a bare number is seconds (PostgreSQL)
    const std::string msg = error_of<ArgumentError>([&] { Interval::parse(bad); });
    EXPECT_THAT(msg, HasSubstr("invalid Interval")) << bad;
    EXPECT_THAT(msg, HasSubstr("ISO 8601 duration")) << bad;
  }
  EXPECT_THAT(error_of<ArgumentError>([] { Interval::parse("1 fortnight"); }),
              HasSubstr("unknown unit 'fortnight'"));
  EXPECT_THAT(error_of<ArgumentError>([] { Interval::parse("3000000000 days"); }),
              HasSubstr("out of range"));
}

TEST(interval, str) {
  EXPECT_EQ(iv(0, 0, 0).str(), "0 mons 0 days 00:00:00");
  EXPECT_EQ(Interval::parse("1 year 2 mons 3 days 04:05:06.789").str(),
            "14 mons 3 days 04:05:06.789000");
  EXPECT_EQ(Interval::parse("-00:00:01.5").str(), "0 mons 0 days -00:00:01.500000");
  EXPECT_EQ(Interval::parse("-1 years -2 mons +3 days -04:05:06").str(),
            "-14 mons 3 days -04:05:06");
  EXPECT_EQ(iv(0, 0, 100 * kHour).str(), "0 mons 0 days 100:00:00");
  EXPECT_EQ(iv(0, 0, std::numeric_limits<std::int64_t>::min()).str(),
            "0 mons 0 days -2562047788:00:54.775808");
}

TEST(interval, from_chrono) {
  EXPECT_EQ(Interval::from_chrono(90min), iv(0, 0, 90 * 60 * kSec));
  EXPECT_EQ(Interval::from_chrono(std::chrono::microseconds{-1}), iv(0, 0, -1));
  EXPECT_EQ(Interval::from_chrono(
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::days{2})),
            iv(0, 0, 48 * kHour));
}

TEST(interval, round_trips) {
  const std::vector<Interval> values = {
      iv(0, 0, 0),
      iv(14, 3, 4 * kHour + 5 * 60 * kSec + 6 * kSec + 789000),
      iv(-14, -3, -(4 * kHour + 1)),
      iv(-14, 3, -1),
      iv(0, 0, -1'500'000),
      iv(1, 0, 1),
      iv(0, -1, 2 * kHour),
      iv(0, 0, 1000 * kHour + 59 * 60 * kSec + 59 * kSec + 999999),
      iv(std::numeric_limits<std::int32_t>::max(), std::numeric_limits<std::int32_t>::min(),
         std::numeric_limits<std::int64_t>::max()),
      iv(std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max(),
         std::numeric_limits<std::int64_t>::min()),
  };
  for (const Interval& v : values) EXPECT_EQ(Interval::parse(v.str()), v) << v.str();
  for (const char* t : {"1 year 2 mons", "-1 years -2 mons +3 days -04:05:06", "-00:00:01.5",
                        "P1Y2M3DT4H5M6.5S", "-P1D", "1 mon 00:00:00.000001"}) {
    const Interval v = Interval::parse(t);
    EXPECT_EQ(Interval::parse(v.str()), v) << t;
  }
}

// ---------------------------------------------------------------------------
// Uuid

TEST(uuid, parse_forms) {
  const Uuid u = Uuid::parse("123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(u.bytes[0], 0x12);
  EXPECT_EQ(u.bytes[15], 0x00);
  EXPECT_EQ(u.str(), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(u.hex(), "123e4567e89b12d3a456426614174000");
  EXPECT_EQ(Uuid::parse("123E4567-E89B-12D3-A456-426614174000"), u);
  EXPECT_EQ(Uuid::parse("123e4567e89b12d3a456426614174000"), u);
  EXPECT_EQ(Uuid::parse("{123e4567-e89b-12d3-a456-426614174000}"), u);
  EXPECT_EQ(Uuid::parse("{123E4567E89B12D3A456426614174000}"), u);
  EXPECT_EQ(Uuid::parse("urn:uuid:123e4567-e89b-12d3-a456-426614174000"), u);
  EXPECT_EQ(Uuid().str(), "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(Uuid::parse("ffffffff-ffff-ffff-ffff-ffffffffffff").hex(),
            "ffffffffffffffffffffffffffffffff");
}

TEST(uuid, rejects_malformed_text) {
  for (const char* bad :
       {"", "123", "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000",
        "123e4567e89b-12d3-a456-4266141740000", "g23e4567-e89b-12d3-a456-426614174000",
        "{123e4567-e89b-12d3-a456-426614174000", "123e4567_e89b_12d3_a456_426614174000",
        " 123e4567e89b12d3a456426614174000"}) {
    const std::string msg = error_of<ArgumentError>([&] { Uuid::parse(bad); });
    EXPECT_THAT(msg, HasSubstr("invalid Uuid")) << bad;
    EXPECT_THAT(msg, HasSubstr("32 hex digits")) << bad;
  }
  EXPECT_THAT(error_of<ArgumentError>([] { Uuid::parse("g23e4567-e89b-12d3-a456-426614174000"); }),
              HasSubstr("'g' is not a hex digit"));
}

TEST(uuid, uuid4_sets_version_and_variant_and_is_unique) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const Uuid u = Uuid::uuid4();
    EXPECT_EQ(u.bytes[6] >> 4, 4);
    EXPECT_EQ(u.bytes[8] & 0xc0, 0x80);
    const std::string s = u.str();
    EXPECT_EQ(s[14], '4');
    EXPECT_THAT(std::string("89ab"), HasSubstr(std::string(1, s[19])));
    EXPECT_EQ(Uuid::parse(s), u);
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(uuid, uuid4_differs_across_threads) {
  Uuid a;
  Uuid b;
  std::thread t1([&] { a = Uuid::uuid4(); });
  std::thread t2([&] { b = Uuid::uuid4(); });
  t1.join();
  t2.join();
  EXPECT_NE(a, b);
}

// ---------------------------------------------------------------------------
// ValueKind, construction, get

TEST(value, kinds) {
  EXPECT_EQ(Value().kind(), ValueKind::null);
  EXPECT_EQ(Value(nullptr).kind(), ValueKind::null);
  EXPECT_EQ(Value(std::nullopt).kind(), ValueKind::null);
  EXPECT_EQ(Value(true).kind(), ValueKind::boolean);
  EXPECT_EQ(Value(42).kind(), ValueKind::integer);
  EXPECT_EQ(Value(std::uint8_t{7}).kind(), ValueKind::integer);
  EXPECT_EQ(Value(1.5).kind(), ValueKind::floating);
  EXPECT_EQ(Value(1.5f).kind(), ValueKind::floating);
  EXPECT_EQ(Value("x").kind(), ValueKind::text);
  EXPECT_EQ(Value(std::string_view("x")).kind(), ValueKind::text);
  EXPECT_EQ(Value(Bytes{1, 2}).kind(), ValueKind::bytes);
  EXPECT_EQ(Value(Decimal("1")).kind(), ValueKind::decimal);
  EXPECT_EQ(Value(Date{}).kind(), ValueKind::date);
  EXPECT_EQ(Value(Time{}).kind(), ValueKind::time);
  EXPECT_EQ(Value(DateTime{}).kind(), ValueKind::datetime);
  EXPECT_EQ(Value(Interval{}).kind(), ValueKind::interval);
  EXPECT_EQ(Value(Uuid{}).kind(), ValueKind::uuid);
  EXPECT_EQ(Value(Json{"{}"}).kind(), ValueKind::json);
  EXPECT_EQ(Value(std::chrono::year{2024} / 2 / 29).kind(), ValueKind::date);
  EXPECT_THROW(Value(std::chrono::year_month_day{}), ArgumentError);  // 0000-00-00
  EXPECT_EQ(Value(std::chrono::system_clock::now()).kind(), ValueKind::datetime);
  EXPECT_EQ(Value(5s).kind(), ValueKind::interval);
  EXPECT_EQ(Value(5s).get<Interval>(), iv(0, 0, 5 * kSec));
  EXPECT_EQ(Value(std::optional<int>()).kind(), ValueKind::null);
  EXPECT_EQ(Value(std::optional<int>(3)).get<std::int64_t>(), 3);
}

TEST(value, kind_names) {
  EXPECT_EQ(to_string(ValueKind::null), "null");
  EXPECT_EQ(to_string(ValueKind::boolean), "boolean");
  EXPECT_EQ(to_string(ValueKind::integer), "integer");
  EXPECT_EQ(to_string(ValueKind::floating), "floating");
  EXPECT_EQ(to_string(ValueKind::text), "text");
  EXPECT_EQ(to_string(ValueKind::bytes), "bytes");
  EXPECT_EQ(to_string(ValueKind::decimal), "decimal");
  EXPECT_EQ(to_string(ValueKind::date), "date");
  EXPECT_EQ(to_string(ValueKind::time), "time");
  EXPECT_EQ(to_string(ValueKind::datetime), "datetime");
  EXPECT_EQ(to_string(ValueKind::interval), "interval");
  EXPECT_EQ(to_string(ValueKind::uuid), "uuid");
  EXPECT_EQ(to_string(ValueKind::json), "json");
}

TEST(value, unsigned_overflow_in_constructor_throws) {
  constexpr std::uint64_t max_ok = static_cast<std::uint64_t>(INT64_MAX);
  EXPECT_EQ(Value(max_ok).get<std::int64_t>(), INT64_MAX);
  EXPECT_EQ(Value(std::uint32_t{4'000'000'000u}).get<std::int64_t>(), 4'000'000'000);
  const std::string msg = error_of<ArgumentError>([&] { Value v(max_ok + 1); });
  EXPECT_THAT(msg, HasSubstr("9223372036854775808"));
  EXPECT_THAT(msg, HasSubstr("Decimal"));
  EXPECT_THROW(Value(std::numeric_limits<unsigned long long>::max()), ArgumentError);
  EXPECT_THROW(Value(std::numeric_limits<std::size_t>::max()), ArgumentError);
  EXPECT_EQ(Value(std::numeric_limits<std::int64_t>::min()).get<std::int64_t>(), INT64_MIN);
}

TEST(value, get_mismatch) {
  EXPECT_EQ(Value("abc").get<std::string>(), "abc");
  EXPECT_THAT(error_of<InvalidRequestError>([] { Value("42").get<std::int64_t>(); }),
              AllOf(HasSubstr("holds text, not integer"), HasSubstr("as<T>()")));
  EXPECT_THAT(error_of<InvalidRequestError>([] { Value().get<std::string>(); }),
              HasSubstr("NULL, not text"));
}

// ---------------------------------------------------------------------------
// as<T>

TEST(value_as, null_into_non_optional) {
  const Value n;
  EXPECT_THAT(error_of<InvalidRequestError>([&] { n.as<std::int64_t>(); }),
              AllOf(HasSubstr("is NULL"), HasSubstr("std::optional<std::int64_t>")));
  EXPECT_THAT(error_of<InvalidRequestError>([&] { n.as<std::string>(); }),
              HasSubstr("std::optional<std::string>"));
  EXPECT_THROW(n.as<bool>(), InvalidRequestError);
  EXPECT_THROW(n.as<int>(), InvalidRequestError);
  EXPECT_THROW(n.as<double>(), InvalidRequestError);
  EXPECT_THROW(n.as<Bytes>(), InvalidRequestError);
  EXPECT_THROW(n.as<Decimal>(), InvalidRequestError);
  EXPECT_THROW(n.as<Date>(), InvalidRequestError);
  EXPECT_THROW(n.as<Time>(), InvalidRequestError);
  EXPECT_THROW(n.as<DateTime>(), InvalidRequestError);
  EXPECT_THROW(n.as<Interval>(), InvalidRequestError);
  EXPECT_THROW(n.as<Uuid>(), InvalidRequestError);
  EXPECT_THROW(n.as<Json>(), InvalidRequestError);
  EXPECT_TRUE(n.as<Value>().is_null());
  EXPECT_EQ(n.as<std::optional<std::int64_t>>(), std::nullopt);
  EXPECT_EQ(n.as<std::optional<std::string>>(), std::nullopt);
  EXPECT_EQ(Value(5).as<std::optional<std::int64_t>>(), 5);
  EXPECT_EQ(Value("5").as<std::optional<int>>(), 5);
}

TEST(value_as, bool) {
  EXPECT_TRUE(Value(true).as<bool>());
  EXPECT_FALSE(Value(false).as<bool>());
  EXPECT_FALSE(Value(0).as<bool>());
  EXPECT_TRUE(Value(1).as<bool>());
  EXPECT_TRUE(Value(-7).as<bool>());
  for (const char* t : {"t", "true", "TRUE", "True", "1", "yes", "YES", "on", "On", "y", "Y"})
    EXPECT_TRUE(Value(t).as<bool>()) << t;
  for (const char* f : {"f", "false", "FALSE", "0", "no", "No", "off", "OFF", "n", "N"})
    EXPECT_FALSE(Value(f).as<bool>()) << f;
  EXPECT_FALSE(Value(0.0).as<bool>());
  EXPECT_TRUE(Value(1.0).as<bool>());
  EXPECT_FALSE(Value(Decimal("0.00")).as<bool>());
  EXPECT_TRUE(Value(Decimal("1.0")).as<bool>());
  EXPECT_THAT(
      error_of<InvalidRequestError>([] { Value("maybe").as<bool>(); }),
      AllOf(HasSubstr("cannot convert text value 'maybe' to bool"), HasSubstr("true/false")));
  EXPECT_THAT(error_of<InvalidRequestError>([] { Value(0.5).as<bool>(); }),
              HasSubstr("only 0 and 1"));
  EXPECT_THROW(Value(Decimal("2")).as<bool>(), InvalidRequestError);
  EXPECT_THROW(Value("").as<bool>(), InvalidRequestError);
  EXPECT_THROW(Value(Date{}).as<bool>(), InvalidRequestError);
  EXPECT_THROW(Value(Bytes{1}).as<bool>(), InvalidRequestError);
}

TEST(value_as, int64) {
  EXPECT_EQ(Value(42).as<std::int64_t>(), 42);
  EXPECT_EQ(Value(true).as<std::int64_t>(), 1);
  EXPECT_EQ(Value(false).as<std::int64_t>(), 0);
  EXPECT_EQ(Value(42.0).as<std::int64_t>(), 42);
  EXPECT_EQ(Value(-1e18).as<std::int64_t>(), -1'000'000'000'000'000'000);
  EXPECT_EQ(Value(-9223372036854775808.0).as<std::int64_t>(), INT64_MIN);
  EXPECT_EQ(Value(Decimal("42.00")).as<std::int64_t>(), 42);
  EXPECT_EQ(Value(Decimal("-9223372036854775808")).as<std::int64_t>(), INT64_MIN);
  EXPECT_EQ(Value("42").as<std::int64_t>(), 42);
  EXPECT_EQ(Value("+42").as<std::int64_t>(), 42);
  EXPECT_EQ(Value("-42").as<std::int64_t>(), -42);
  EXPECT_EQ(Value("9223372036854775807").as<std::int64_t>(), INT64_MAX);

  EXPECT_EQ(error_of<InvalidRequestError>([] { Value("abc").as<std::int64_t>(); }),
            "cannot convert text value 'abc' to integer");
  for (const char* bad : {"", "42.0", "4e2", " 42", "42 ", "+-4", "-", "+", "0x10", "1_000"})
    EXPECT_THROW(Value(bad).as<std::int64_t>(), InvalidRequestError) << bad;
  EXPECT_THAT(
      error_of<InvalidRequestError>([] { Value("9223372036854775808").as<std::int64_t>(); }),
      HasSubstr("out of range"));
  EXPECT_THAT(error_of<InvalidRequestError>([] { Value(1.5).as<std::int64_t>(); }),
              AllOf(HasSubstr("floating value 1.5"), HasSubstr("not a whole number")));
  EXPECT_THROW(Value(std::nan("")).as<std::int64_t>(), InvalidRequestError);
  EXPECT_THROW(Value(9223372036854775808.0).as<std::int64_t>(), InvalidRequestError);
  EXPECT_THROW(Value(1e300).as<std::int64_t>(), InvalidRequestError);
  EXPECT_THROW(Value(Decimal("1.5")).as<std::int64_t>(), InvalidRequestError);
  EXPECT_THROW(Value(Decimal("NaN")).as<std::int64_t>(), InvalidRequestError);
  EXPECT_THAT(error_of<InvalidRequestError>(
                  [] { Value(Decimal("9223372036854775808")).as<std::int64_t>(); }),
              HasSubstr("out of range"));
  EXPECT_THROW(Value(Date{}).as<std::int64_t>(), InvalidRequestError);
  EXPECT_THROW(Value(Json{"1"}).as<std::int64_t>(), InvalidRequestError);
}

TEST(value_as, narrower_integers_are_range_checked) {
  EXPECT_EQ(Value(42).as<int>(), 42);
  EXPECT_EQ(Value("-7").as<short>(), -7);
  EXPECT_EQ(Value(255).as<std::uint8_t>(), 255);
  EXPECT_EQ(Value(INT64_MAX).as<std::uint64_t>(), static_cast<std::uint64_t>(INT64_MAX));
  EXPECT_THAT(error_of<InvalidRequestError>([] { Value(5'000'000'000).as<int>(); }),
              HasSubstr("5000000000 is out of range for a 32-bit signed integer"));
  EXPECT_THAT(error_of<InvalidRequestError>([] { Value(-1).as<std::uint64_t>(); }),
              HasSubstr("64-bit unsigned"));
  EXPECT_THROW(Value(256).as<std::uint8_t>(), InvalidRequestError);
  EXPECT_THROW(Value(-129).as<std::int8_t>(), InvalidRequestError);
  EXPECT_EQ(Value(-128).as<std::int8_t>(), -128);
}

TEST(value_as, double) {
  EXPECT_EQ(Value(1.5).as<double>(), 1.5);
  EXPECT_EQ(Value(42).as<double>(), 42.0);
  EXPECT_EQ(Value(Decimal("0.1")).as<double>(), 0.1);
  EXPECT_EQ(Value("0.1").as<double>(), 0.1);
  EXPECT_EQ(Value("-2.5e3").as<double>(), -2500.0);
  EXPECT_EQ(Value("+3").as<double>(), 3.0);
  EXPECT_EQ(Value("42").as<double>(), 42.0);
  EXPECT_TRUE(std::isnan(Value("NaN").as<double>()));
  EXPECT_EQ(Value("Infinity").as<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Value("-Infinity").as<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Value("inf").as<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Value("1e400").as<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Value("1e-400").as<double>(), 0.0);
  EXPECT_FLOAT_EQ(Value("2.5").as<float>(), 2.5f);
  EXPECT_EQ(error_of<InvalidRequestError>([] { Value("abc").as<double>(); }),
            "cannot convert text value 'abc' to double");
  for (const char* bad : {"", "1.5x", " 1", "0x1p3", "++1", "1,5"})
    EXPECT_THROW(Value(bad).as<double>(), InvalidRequestError) << bad;
  EXPECT_THROW(Value(true).as<double>(), InvalidRequestError);
  EXPECT_THROW(Value(Date{}).as<double>(), InvalidRequestError);
}

TEST(value_as, string) {
  EXPECT_EQ(Value("hello").as<std::string>(), "hello");
  EXPECT_EQ(Value(Json{R"({"a": 1})"}).as<std::string>(), R"({"a": 1})");
  EXPECT_EQ(Value(Decimal("1.50")).as<std::string>(), "1.50");
  EXPECT_EQ(Value(42).as<std::string>(), "42");
  EXPECT_EQ(Value(-42).as<std::string>(), "-42");
  EXPECT_EQ(Value(0.1).as<std::string>(), "0.1");
  EXPECT_EQ(Value(1.0 / 3).as<std::string>(), "0.3333333333333333");
  EXPECT_EQ(Value(2.0).as<std::string>(), "2");
  EXPECT_EQ(Value(std::nan("")).as<std::string>(), "NaN");
  EXPECT_EQ(Value(true).as<std::string>(), "true");
  EXPECT_EQ(Value(false).as<std::string>(), "false");
  EXPECT_EQ(Value(Date{2024, 2, 29}).as<std::string>(), "2024-02-29");
  EXPECT_EQ(Value(Time{1, 2, 3, 4}).as<std::string>(), "01:02:03.000004");
  EXPECT_EQ(Value(DateTime::parse("2024-02-29T01:02:03+01")).as<std::string>(),
            "2024-02-29 01:02:03+01:00");
  EXPECT_EQ(Value(Interval::parse("1 day")).as<std::string>(), "0 mons 1 days 00:00:00");
  EXPECT_EQ(Value(Uuid::parse("123E4567E89B12D3A456426614174000")).as<std::string>(),
            "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(Value(Bytes{'a', 0, 'b'}).as<std::string>(), std::string("a\0b", 3));
}

TEST(value_as, unicode_text_survives) {
  const std::string persian = "سلام دنیا، احمد";
  const std::string emoji = "👩‍👩‍👧‍👦 🎉 café";
  EXPECT_EQ(Value(persian).as<std::string>(), persian);
  EXPECT_EQ(Value(emoji).as<std::string>(), emoji);
  EXPECT_EQ(Value(persian).repr(), "'" + persian + "'");
  const Bytes raw = Value(emoji).as<Bytes>();
  EXPECT_EQ(std::string(raw.begin(), raw.end()), emoji);
  EXPECT_EQ(Value(Json{R"({"name": "احمد 🎉"})"}).as<std::string>(), R"({"name": "احمد 🎉"})");
  // Error messages quote long text without splitting a UTF-8 sequence.
  std::string long_text;
  for (int i = 0; i < 60; ++i) long_text += "ب";
  const std::string msg =
      error_of<InvalidRequestError>([&] { Value(long_text).as<std::int64_t>(); });
  EXPECT_THAT(msg, HasSubstr("ببب..."));
  EXPECT_LT(msg.size(), 200u);
}

TEST(value_as, bytes) {
  EXPECT_EQ(Value(Bytes{0, 255}).as<Bytes>(), (Bytes{0, 255}));
  EXPECT_EQ(Value("ab").as<Bytes>(), (Bytes{'a', 'b'}));
  EXPECT_THAT(error_of<InvalidRequestError>([] { Value(42).as<Bytes>(); }),
              HasSubstr("cannot convert integer value 42 to Bytes"));
}

TEST(value_as, decimal) {
  EXPECT_EQ(Value(Decimal("1.50")).as<Decimal>().str(), "1.50");
  EXPECT_EQ(Value(42).as<Decimal>().str(), "42");
  EXPECT_EQ(Value(0.1).as<Decimal>().str(), "0.1");
  EXPECT_EQ(Value(1e20).as<Decimal>().str(), "100000000000000000000");
  EXPECT_EQ(Value(1.5e-7).as<Decimal>().str(), "0.00000015");
  EXPECT_EQ(Value(std::nan("")).as<Decimal>().str(), "NaN");
  EXPECT_EQ(Value(-std::numeric_limits<double>::infinity()).as<Decimal>().str(), "-Infinity");
  EXPECT_EQ(Value("12.3400").as<Decimal>().str(), "12.3400");
  EXPECT_EQ(Value("1.25e3").as<Decimal>().str(), "1250");
  const std::string msg = error_of<InvalidRequestError>([] { Value("abc").as<Decimal>(); });
  EXPECT_THAT(msg, HasSubstr("cannot convert text value 'abc' to Decimal"));
  EXPECT_THROW(Value(true).as<Decimal>(), InvalidRequestError);
}

TEST(value_as, date) {
  EXPECT_EQ(Value(Date{2024, 2, 29}).as<Date>(), (Date{2024, 2, 29}));
  EXPECT_EQ(Value("2024-02-29").as<Date>(), (Date{2024, 2, 29}));
  EXPECT_EQ(Value("0044-03-15 BC").as<Date>().year, -43);
  EXPECT_EQ(Value(Date{2024, 2, 29}).as<std::chrono::year_month_day>(),
            std::chrono::year_month_day{std::chrono::year{2024} / 2 / 29});
  EXPECT_THAT(error_of<InvalidRequestError>([] { Value(DateTime{}).as<Date>(); }),
              HasSubstr("cannot convert datetime value '1970-01-01 00:00:00' to Date"));
  EXPECT_THAT(error_of<InvalidRequestError>([] { Value("2024-02-30").as<Date>(); }),
              AllOf(HasSubstr("cannot convert text value '2024-02-30' to Date"),
                    HasSubstr("February has only 29 days")));
  EXPECT_THROW(Value(20240229).as<Date>(), InvalidRequestError);
}

TEST(value_as, time) {
  EXPECT_EQ(Value(Time{1, 2, 3, 0}).as<Time>(), (Time{1, 2, 3, 0}));
  EXPECT_EQ(Value("01:02:03").as<Time>(), (Time{1, 2, 3, 0}));
  EXPECT_THROW(Value("1 o'clock").as<Time>(), InvalidRequestError);
  EXPECT_THROW(Value(DateTime{}).as<Time>(), InvalidRequestError);
}

TEST(value_as, datetime) {
  const DateTime dt = DateTime::parse("2024-02-29 13:45:30+01:00");
  EXPECT_EQ(Value(dt).as<DateTime>(), dt);
  EXPECT_EQ(Value("2024-02-29 13:45:30+01:00").as<DateTime>(), dt);
  const DateTime midnight = Value(Date{2024, 2, 29}).as<DateTime>();
  EXPECT_EQ(midnight.isoformat(), "2024-02-29 00:00:00");
  EXPECT_FALSE(midnight.utc_offset);
  EXPECT_EQ(Value(dt).as<std::chrono::sys_time<std::chrono::microseconds>>(), dt.to_sys_time());
  EXPECT_THROW(Value("yesterday").as<DateTime>(), InvalidRequestError);
  EXPECT_THROW(Value(Time{}).as<DateTime>(), InvalidRequestError);
  // A sys_time Value is a naive UTC datetime.
  const auto tp = std::chrono::sys_days{std::chrono::year{1960} / 1 / 1} + 1h;
  EXPECT_EQ(Value(tp).as<std::string>(), "1960-01-01 01:00:00");
}

TEST(value_as, interval) {
  EXPECT_EQ(Value(iv(1, 2, 3)).as<Interval>(), iv(1, 2, 3));
  EXPECT_EQ(Value("1 day").as<Interval>(), iv(0, 1, 0));
  EXPECT_EQ(Value("P1D").as<Interval>(), iv(0, 1, 0));
  EXPECT_THAT(error_of<InvalidRequestError>([] { Value("forever").as<Interval>(); }),
              HasSubstr("cannot convert text value 'forever' to Interval"));
  EXPECT_THROW(Value(5).as<Interval>(), InvalidRequestError);
}

TEST(value_as, uuid) {
  const Uuid u = Uuid::parse("123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(Value(u).as<Uuid>(), u);
  EXPECT_EQ(Value("123e4567e89b12d3a456426614174000").as<Uuid>(), u);
  EXPECT_EQ(Value(Bytes(u.bytes.begin(), u.bytes.end())).as<Uuid>(), u);
  EXPECT_THAT(error_of<InvalidRequestError>([] {
                Value(Bytes{1, 2, 3}).as<Uuid>();
              }),
              HasSubstr("3 bytes; a UUID has exactly 16"));
  EXPECT_THROW(Value("not-a-uuid").as<Uuid>(), InvalidRequestError);
  EXPECT_THROW(Value(42).as<Uuid>(), InvalidRequestError);
}

TEST(value_as, json) {
  EXPECT_EQ(Value(Json{"[1,2]"}).as<Json>(), Json{"[1,2]"});
  EXPECT_EQ(Value("[1,2]").as<Json>(), Json{"[1,2]"});
  EXPECT_THROW(Value(1).as<Json>(), InvalidRequestError);
}

TEST(value_as, value_copies) {
  const Value v("abc");
  EXPECT_EQ(v.as<Value>(), v);
  EXPECT_EQ(Value(Decimal("1.5")).as<Value>(), Value(Decimal("1.50")));
}

// ---------------------------------------------------------------------------
// repr, equality, Params

TEST(value, repr) {
  EXPECT_EQ(Value().repr(), "NULL");
  EXPECT_EQ(Value(true).repr(), "true");
  EXPECT_EQ(Value(false).repr(), "false");
  EXPECT_EQ(Value(42).repr(), "42");
  EXPECT_EQ(Value(INT64_MIN).repr(), "-9223372036854775808");
  EXPECT_EQ(Value(0.1).repr(), "0.1");
  EXPECT_EQ(Value(1e100).repr(), "1e+100");
  EXPECT_EQ(Value("it's").repr(), "'it''s'");
  EXPECT_EQ(Value("").repr(), "''");
  EXPECT_EQ(Value(Bytes{0x00, 0xff, 0x10}).repr(), "X'00ff10'");
  EXPECT_EQ(Value(Bytes{}).repr(), "X''");
  EXPECT_EQ(Value(Decimal("-1.50")).repr(), "-1.50");
  EXPECT_EQ(Value(Date{2024, 2, 29}).repr(), "'2024-02-29'");
  EXPECT_EQ(Value(Date{-43, 3, 15}).repr(), "'0044-03-15 BC'");
  EXPECT_EQ(Value(Time{13, 0, 0, 0}).repr(), "'13:00:00'");
  EXPECT_EQ(Value(DateTime::parse("2024-02-29T13:00:00Z")).repr(), "'2024-02-29 13:00:00+00:00'");
  EXPECT_EQ(Value(iv(0, 1, 0)).repr(), "'0 mons 1 days 00:00:00'");
  EXPECT_EQ(Value(Uuid{}).repr(), "'00000000-0000-0000-0000-000000000000'");
  EXPECT_EQ(Value(Json{R"({"a": "b'c"})"}).repr(), R"('{"a": "b''c"}')");
  const std::string long_text(10000, 'x');
  EXPECT_EQ(Value(long_text).repr().size(), 10002u);  // no truncation here
}

TEST(value, equality) {
  EXPECT_EQ(Value(), Value());
  EXPECT_EQ(Value(), Value(nullptr));
  EXPECT_NE(Value(), Value(0));
  EXPECT_EQ(Value(1), Value(1));
  EXPECT_NE(Value(1), Value(1.0));  // different kinds
  EXPECT_NE(Value(1), Value(true));
  EXPECT_NE(Value("1"), Value(1));
  EXPECT_EQ(Value(Decimal("1.50")), Value(Decimal("1.5")));
  EXPECT_NE(Value(Decimal("1.5")), Value(1.5));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(Value(nan), Value(nan));
  EXPECT_EQ(Value(Bytes{1, 2}), Value(Bytes{1, 2}));
  EXPECT_NE(Value(Bytes{1, 2}), Value(Bytes{2, 1}));
  EXPECT_EQ(Value(Json{"{}"}), Value(Json{"{}"}));
  EXPECT_NE(Value(Json{"{}"}), Value("{}"));
  EXPECT_EQ(Value(DateTime::parse("2024-01-01 00:00:00+00")),
            Value(DateTime::parse("2024-01-01T00:00:00Z")));
  EXPECT_NE(Value(DateTime::parse("2024-01-01 00:00:00+00")),
            Value(DateTime::parse("2024-01-01 00:00:00")));
}

TEST(params, set_replaces_or_appends) {
  Params p{{"name", "Ahmad"}, {"age", 30}};
  EXPECT_EQ(p.size(), 2u);
  p.set("age", 31).set("city", "Tehran");
  EXPECT_EQ(p.size(), 3u);
  ASSERT_NE(p.find("age"), nullptr);
  EXPECT_EQ(*p.find("age"), Value(31));
  EXPECT_EQ(p.find("missing"), nullptr);
  EXPECT_TRUE(p.contains("city"));
  std::vector<std::string> names;
  for (const auto& [n, v] : p) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"name", "age", "city"}));
}

TEST(params, repr) {
  EXPECT_EQ((Params{{"name", "Ahmad"}, {"age", 30}}).repr(), "{'name': 'Ahmad', 'age': 30}");
  EXPECT_EQ(Params().repr(), "{}");
  EXPECT_EQ((Params{{"x", nullptr}, {"o'k", Bytes{1}}}).repr(), "{'x': NULL, 'o''k': X'01'}");
}

}  // namespace
}  // namespace alchemy

namespace {

TEST(params, inline_and_spilled_storage) {
  alchemy::Params p{{"a", 1}};
  EXPECT_EQ(p.size(), 1u);
  p.set("b", "two");
  EXPECT_EQ(p.size(), 2u);
  p.set("a", 10);  // replace in place
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p.find("a")->as<int>(), 10);
  p.set("c", 3.5);  // spills to the heap
  p.set("d", nullptr);
  EXPECT_EQ(p.size(), 4u);
  EXPECT_EQ(p.find("a")->as<int>(), 10);
  EXPECT_EQ(p.find("b")->as<std::string>(), "two");
  EXPECT_TRUE(p.find("d")->is_null());
  EXPECT_EQ(p.find("zz"), nullptr);
  EXPECT_EQ(p.repr(), "{'a': 10, 'b': 'two', 'c': 3.5, 'd': NULL}");
  alchemy::Params big{{"x", 1}, {"y", 2}, {"z", 3}};
  EXPECT_EQ(big.size(), 3u);
  alchemy::Params copy = big;
  EXPECT_EQ(copy.find("z")->as<int>(), 3);
  std::vector<std::string> names;
  for (const auto& [n, v] : copy) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_TRUE(alchemy::Params{}.empty());
  alchemy::Params dup{{"a", 1}, {"a", 2}};  // as a Python dict literal: the last wins
  EXPECT_EQ(dup.size(), 1u);
  EXPECT_EQ(dup.find("a")->as<int>(), 2);
}

TEST(params, set_text_reuses_the_buffer) {
  alchemy::Params p;
  p.set_text("name", "a fairly long first value, longer than SSO");
  const char* before = p.find("name")->get<std::string>().data();
  p.set_text("name", "second, shorter");
  EXPECT_EQ(p.find("name")->as<std::string>(), "second, shorter");
  EXPECT_EQ(p.find("name")->get<std::string>().data(), before) << "no reallocation";
  p.set("n", 5);
  p.set_text("n", "five");  // replaces a non-text value
  EXPECT_EQ(p.find("n")->as<std::string>(), "five");
  p.set_text("third", "3");
  EXPECT_EQ(p.size(), 3u);
}

}  // namespace
