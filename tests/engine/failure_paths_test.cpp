// The engine's failure paths, driven by the fault-injecting dialect
// (tests/support/faulty_dialect.hpp) over real SQLite.
#include <alchemy/alchemy.hpp>
#include <gtest/gtest.h>

#include "support/backends.hpp"
#include "support/faulty_dialect.hpp"

namespace alchemy::testing {
namespace {

class FailurePaths : public ::testing::Test {
 protected:
  void SetUp() override { faults().reset(); }
  void TearDown() override { faults().reset(); }
  Engine make_engine(EngineOptions o = {}) {
    return create_engine("faulty+sqlite:///" + temp_db_path("faulty"), o);
  }
};

TEST_F(FailurePaths, disconnect_outside_a_transaction_reconnects_on_next_use) {
  auto engine = make_engine({.isolation_level = "AUTOCOMMIT"});
  auto conn = engine.connect();
  EXPECT_EQ(faults().connects, 1);
  faults().disconnect_on_execute = true;
  try {
    conn.execute(text("SELECT 1"));
    FAIL();
  } catch (const OperationalError& e) {
    EXPECT_TRUE(e.is_disconnect());
    EXPECT_TRUE(e.connection_invalidated());
    EXPECT_NE(std::string(e.what()).find("[SQL: SELECT 1]"), std::string::npos);
  }
  EXPECT_TRUE(conn.invalidated());
  EXPECT_EQ(conn.execute(text("SELECT 2")).scalar<int>(), 2);
  EXPECT_EQ(faults().connects, 2) << "a fresh DBAPI connection replaced the lost one";
}

TEST_F(FailurePaths, disconnect_inside_a_transaction_requires_rollback) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute(text("CREATE TABLE t (x INTEGER)"));
  faults().disconnect_on_execute = true;
  EXPECT_THROW(conn.execute(text("INSERT INTO t VALUES (1)")), OperationalError);
  EXPECT_THROW(conn.execute(text("SELECT 1")), PendingRollbackError);
  conn.rollback();
  EXPECT_EQ(conn.execute(text("SELECT 3")).scalar<int>(), 3);
}

TEST_F(FailurePaths, disconnect_marks_older_pooled_connections_stale) {
  auto engine = make_engine({.pool_size = 3});
  {
    auto a = engine.connect();
    auto b = engine.connect();
    a.execute(text("SELECT 1"));
    b.execute(text("SELECT 1"));
  }
  EXPECT_EQ(engine.pool().checked_in(), 2u);
  EXPECT_EQ(faults().connects, 2);
  {
    auto c = engine.connect();
    faults().disconnect_on_execute = true;
    EXPECT_THROW(c.execute(text("SELECT 1")), OperationalError);
  }
  // The other idle connection predates the disconnect: it is replaced at checkout.
  auto d = engine.connect();
  EXPECT_EQ(d.execute(text("SELECT 4")).scalar<int>(), 4);
  EXPECT_EQ(faults().connects, 3);
}

TEST_F(FailurePaths, failed_commit_keeps_the_transaction_for_a_retry) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute(text("CREATE TABLE t (x INTEGER)"));
  conn.commit();
  conn.execute(text("INSERT INTO t VALUES (1)"));
  faults().busy_on_commit = true;
  EXPECT_THROW(conn.commit(), OperationalError);
  EXPECT_TRUE(conn.in_transaction()) << "SQLite keeps the transaction after SQLITE_BUSY";
  conn.commit();  // retry succeeds
  EXPECT_EQ(conn.execute(text("SELECT count(*) FROM t")).scalar<int>(), 1);
}

TEST_F(FailurePaths, failed_reset_on_checkin_discards_the_connection) {
  auto engine = make_engine({.pool_size = 1});
  {
    auto conn = engine.connect();
    conn.execute(text("SELECT 1"));  // a transaction is open
    faults().fail_rollback = true;
  }  // close(): the rollback fails, the connection must not go back to the pool
  EXPECT_EQ(engine.pool().checked_in(), 0u);
  EXPECT_EQ(engine.pool().checked_out(), 0u);
  auto conn = engine.connect();
  EXPECT_EQ(conn.execute(text("SELECT 5")).scalar<int>(), 5);
  EXPECT_EQ(faults().connects, 2);
}

TEST_F(FailurePaths, pre_ping_replaces_a_dead_connection_transparently) {
  auto engine = make_engine({.pool_pre_ping = true});
  engine.connect().close();
  faults().fail_ping = true;
  auto conn = engine.connect();
  EXPECT_EQ(conn.execute(text("SELECT 6")).scalar<int>(), 6);
  EXPECT_EQ(faults().connects, 2);
}

TEST_F(FailurePaths, failed_connect_releases_the_pool_slot) {
  auto engine = make_engine({.pool_size = 1, .max_overflow = 0, .pool_timeout = 1});
  faults().fail_connect = true;
  EXPECT_THROW(engine.connect(), OperationalError);
  EXPECT_EQ(engine.pool().checked_out(), 0u);
  EXPECT_NO_THROW(engine.connect()) << "the slot was given back; no TimeoutError";
}

TEST_F(FailurePaths, busy_error_is_not_a_disconnect) {
  auto engine = make_engine();
  auto conn = engine.connect();
  faults().busy_on_execute = true;
  try {
    conn.execute(text("SELECT 1"));
    FAIL();
  } catch (const OperationalError& e) {
    EXPECT_FALSE(e.connection_invalidated());
    EXPECT_EQ(e.native_code(), 5);
  }
  EXPECT_FALSE(conn.invalidated());
  EXPECT_EQ(conn.execute(text("SELECT 7")).scalar<int>(), 7);
  EXPECT_EQ(faults().connects, 1);
}

TEST_F(FailurePaths, handle_error_can_declare_a_disconnect) {
  auto engine = make_engine();
  event::listen(engine, event::handle_error, [](ExceptionContext& ctx) {
    ctx.is_disconnect = true;  // e.g. an error code the application knows is fatal
  });
  auto conn = engine.connect();
  faults().busy_on_execute = true;
  try {
    conn.execute(text("SELECT 1"));
    FAIL();
  } catch (const OperationalError& e) {
    EXPECT_TRUE(e.connection_invalidated());
  }
  EXPECT_TRUE(conn.invalidated());
}

}  // namespace
}  // namespace alchemy::testing
