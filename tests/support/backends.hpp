// Test support: which real databases the suite runs against.
//
// SQLite (":memory:" and a temporary file) always runs. PostgreSQL runs when
// ALCHEMY_TEST_POSTGRESQL_URL is set (the test command starts a throwaway
// cluster and sets it). When it is missing, PostgreSQL tests skip with a reason
// -- except under CI (CI=true), where they fail: CI must never skip silently.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace alchemy::testing {

/// A database the parametrised suites run against.
struct Backend {
  std::string name;  ///< "sqlite_memory", "sqlite_file", "postgresql" (used in test names)
  std::string url;   ///< empty when the backend is not configured
};

/// gtest prints the backend by name.
inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

/// The PostgreSQL URL from the environment, if any.
std::optional<std::string> postgresql_url();

/// Whether we run under CI (CI=true/1).
bool under_ci();

/// A fresh path in a per-process temporary directory (the file does not exist).
std::string temp_db_path(const std::string& stem);

/// sqlite memory, sqlite file, postgresql (url empty when not configured).
std::vector<Backend> all_backends();

/// A URL for a fresh, isolated database on `b`: a new temporary file for
/// sqlite_file, ":memory:" for sqlite_memory, and for PostgreSQL the server URL
/// with search_path set to a schema private to this test process (created on
/// first use, dropped at exit), so tests running in parallel never collide.
std::string url_for(const Backend& b);

/// Whether `b` is the PostgreSQL backend.
inline bool is_postgresql(const Backend& b) { return b.name == "postgresql"; }

/// Call at the start of a test that needs `b`: skips (or fails under CI) when
/// its URL is missing. Use as: ALCHEMY_REQUIRE_BACKEND(GetParam());
#define ALCHEMY_REQUIRE_BACKEND(b)                                                        \
  do {                                                                                     \
    if ((b).url.empty()) {                                                                 \
      if (::alchemy::testing::under_ci())                                                  \
        FAIL() << "backend " << (b).name                                                   \
               << " is not configured (ALCHEMY_TEST_POSTGRESQL_URL unset) but CI=true";    \
      GTEST_SKIP() << "no URL for backend " << (b).name                                    \
                   << " (set ALCHEMY_TEST_POSTGRESQL_URL or run scripts/test.sh)";         \
    }                                                                                      \
  } while (0)

/// In a TEST body: declares `std::string var` holding the PostgreSQL URL, or
/// skips the test (fails it under CI) when none is configured.
#define ALCHEMY_PG_URL_OR_SKIP(var)                                                        \
  std::string var;                                                                         \
  do {                                                                                     \
    auto alchemy_pg_url_ = ::alchemy::testing::postgresql_url();                           \
    if (!alchemy_pg_url_) {                                                                \
      if (::alchemy::testing::under_ci())                                                  \
        FAIL() << "ALCHEMY_TEST_POSTGRESQL_URL is unset but CI=true: PostgreSQL tests "    \
                  "must run under CI";                                                     \
      GTEST_SKIP() << "no PostgreSQL (set ALCHEMY_TEST_POSTGRESQL_URL or run scripts/test.sh)"; \
    }                                                                                      \
    var = *alchemy_pg_url_;                                                                \
  } while (0)

/// Name generator for INSTANTIATE_TEST_SUITE_P over Backend.
struct BackendName {
  std::string operator()(const ::testing::TestParamInfo<Backend>& info) const {
    return info.param.name;
  }
};

}  // namespace alchemy::testing
