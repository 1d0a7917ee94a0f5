// The fixture the ORM suites share: a fresh database per backend with the
// suite's registry's tables created before each test and dropped after it.
#pragma once

#include <gtest/gtest.h>

#include <alchemy/orm.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "support/backends.hpp"

namespace alchemy::testing {

class OrmBackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  /// The suite's registry (mapped once per process).
  virtual orm::registry& registry() = 0;
  void SetUp() override {
    ALCHEMY_REQUIRE_BACKEND(GetParam());
    engine_ = create_engine(url_for(GetParam()));
    registry().metadata.drop_all(engine_);
    registry().metadata.create_all(engine_);
  }
  void TearDown() override {
    if (!GetParam().url.empty()) registry().metadata.drop_all(engine_);
  }
  /// Records every statement the engine sends into log_ (engine events).
  void record_statements() {
    event::listen(engine_, event::before_cursor_execute,
                  [this](Connection&, const CursorExecuteContext& ctx) {
                    log_.emplace_back(ctx.statement);
                  });
  }
  /// The statements in log_ that start with `prefix` ("SELECT", "UPDATE" ...).
  std::vector<std::string> statements_like(std::string_view prefix) const {
    std::vector<std::string> out;
    for (const auto& s : log_)
      if (s.rfind(prefix, 0) == 0) out.push_back(s);
    return out;
  }
  /// How many SELECTs log_ holds.
  std::size_t selects() const { return statements_like("SELECT").size(); }
  /// The integer a SQL query returns, on a connection of its own (outside any session).
  std::int64_t scalar(const std::string& sql) {
    auto conn = engine_.connect();
    return conn.execute(text(sql)).scalar<std::int64_t>();
  }
  /// Whether SetUp skipped or failed (derived SetUps stop then).
  bool not_ready() const { return IsSkipped() || HasFatalFailure(); }
  Engine engine_{nullptr};
  std::vector<std::string> log_;
};

/// An OrmBackendTest whose statements are recorded into log_ from the start.
class RecordingOrmTest : public OrmBackendTest {
 protected:
  void SetUp() override {
    OrmBackendTest::SetUp();
    if (!not_ready()) record_statements();
  }
};

}  // namespace alchemy::testing
