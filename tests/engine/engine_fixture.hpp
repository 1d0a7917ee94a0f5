// Shared fixture for engine tests: one test body, run on every backend.
#pragma once

#include <alchemy/alchemy.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/backends.hpp"

namespace alchemy::testing {

class EngineTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ALCHEMY_REQUIRE_BACKEND(GetParam());
    url_ = url_for(GetParam());
  }
  Engine make_engine(EngineOptions o = {}) const { return create_engine(url_, o); }
  bool pg() const { return is_postgresql(GetParam()); }
  bool memory() const { return GetParam().name == "sqlite_memory"; }
  /// INTEGER PRIMARY KEY that autoincrements on both backends.
  std::string serial_pk() const {
    return pg() ? "id SERIAL PRIMARY KEY" : "id INTEGER PRIMARY KEY";
  }
  /// Creates users(id, name, age) and commits.
  void create_users(Engine& e) const {
    auto conn = e.connect();
    conn.execute(text("CREATE TABLE users (" + serial_pk() +
                      ", name VARCHAR(50) NOT NULL UNIQUE, age INTEGER, email VARCHAR(100))"));
    conn.commit();
  }
  std::int64_t count(Connection& conn, const std::string& table = "users") const {
    return conn.execute(text("SELECT count(*) FROM " + table)).scalar<std::int64_t>();
  }
  std::string url_;
};

#define ALCHEMY_INSTANTIATE_ON_ALL_BACKENDS(Suite)                                     \
  INSTANTIATE_TEST_SUITE_P(backends, Suite,                                            \
                           ::testing::ValuesIn(::alchemy::testing::all_backends()),    \
                           ::alchemy::testing::BackendName())

}  // namespace alchemy::testing
