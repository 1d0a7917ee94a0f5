// Pools: status, exhaustion, threads, recycling, pre-ping, dispose.
#include <alchemy/alchemy.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/engine_fixture.hpp"

namespace alchemy::testing {
namespace {

using PoolTest = EngineTest;
using namespace std::chrono_literals;

TEST_P(PoolTest, status_counts) {
  if (memory()) GTEST_SKIP() << "sqlite :memory: uses StaticPool (tested separately)";
  auto engine = make_engine({.pool_size = 2, .max_overflow = 1});
  auto& pool = engine.pool();
  EXPECT_EQ(pool.name(), "QueuePool");
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool.checked_in(), 0u);
  EXPECT_EQ(pool.checked_out(), 0u);
  EXPECT_EQ(pool.overflow(), -2);
  {
    auto a = engine.connect();
    auto b = engine.connect();
    auto c = engine.connect();
    EXPECT_EQ(pool.checked_out(), 3u);
    EXPECT_EQ(pool.overflow(), 1);
    EXPECT_NE(pool.status().find("Current Checked out connections: 3"), std::string::npos);
  }
  // Only pool_size connections are kept; the overflow one was closed.
  EXPECT_EQ(pool.checked_in(), 2u);
  EXPECT_EQ(pool.checked_out(), 0u);
  EXPECT_EQ(pool.overflow(), 0);
}

TEST_P(PoolTest, exhaustion_raises_timeout_error) {
  if (memory()) GTEST_SKIP() << "StaticPool";
  auto engine = make_engine({.pool_size = 1, .max_overflow = 0, .pool_timeout = 0.2});
  auto held = engine.connect();
  auto t0 = std::chrono::steady_clock::now();
  try {
    engine.connect();
    FAIL() << "expected TimeoutError";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("QueuePool limit of size 1 overflow 0"), std::string::npos);
  }
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 5s);
  held.close();
  EXPECT_NO_THROW(engine.connect());
}

TEST_P(PoolTest, unlimited_pool_and_overflow) {
  if (memory()) GTEST_SKIP() << "StaticPool";
  {
    auto engine = make_engine({.pool_size = 0, .pool_timeout = 0.1});  // 0: no limit
    std::vector<Connection> held;
    for (int i = 0; i < 20; ++i) held.push_back(engine.connect());
    EXPECT_EQ(engine.pool().checked_out(), 20u);
    held.clear();
    EXPECT_EQ(engine.pool().checked_in(), 20u) << "pool_size 0 keeps every connection";
  }
  {
    auto engine = make_engine({.pool_size = 1, .max_overflow = -1, .pool_timeout = 0.1});
    std::vector<Connection> held;
    for (int i = 0; i < 12; ++i) held.push_back(engine.connect());
    EXPECT_EQ(engine.pool().overflow(), 11);
    held.clear();
    EXPECT_EQ(engine.pool().checked_in(), 1u) << "overflow connections close on return";
  }
}

TEST_P(PoolTest, waiting_checkout_gets_a_returned_connection) {
  if (memory()) GTEST_SKIP() << "StaticPool";
  auto engine = make_engine({.pool_size = 1, .max_overflow = 0, .pool_timeout = 10});
  auto held = std::make_unique<Connection>(engine.connect());
  std::thread releaser([&] {
    std::this_thread::sleep_for(100ms);
    held.reset();
  });
  auto conn = engine.connect();  // waits for the release
  EXPECT_EQ(conn.execute(text("SELECT 1")).scalar<int>(), 1);
  releaser.join();
}

TEST_P(PoolTest, returned_connection_is_reset) {
  auto engine = make_engine({.pool_size = 1, .max_overflow = 0});
  {
    auto conn = engine.connect();
    conn.execute(text("SELECT 1"));
    EXPECT_TRUE(conn.connection().in_transaction());
  }
  auto conn = engine.connect();
  EXPECT_FALSE(conn.connection().in_transaction());
}

TEST_P(PoolTest, eight_threads_thousands_of_checkouts_leak_nothing) {
  if (memory()) GTEST_SKIP() << "StaticPool serializes threads (tested separately)";
  const std::string app = "alchemy_pool_test_" + std::to_string(::getpid());
  EngineOptions opts{.pool_size = 4, .max_overflow = 4, .pool_timeout = 60};
  if (pg()) opts.connect_args = {{"application_name", app}};
  auto engine = make_engine(opts);
  {
    auto conn = engine.connect();
    conn.execute(text("CREATE TABLE hits (n INTEGER)"));
    conn.commit();
  }
  constexpr int kThreads = 8, kPerThread = 1500;
  std::atomic<int> done{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        try {
          auto conn = engine.connect();
          if (i % 100 == 0) {
            conn.execute(text("INSERT INTO hits VALUES (:n)"), {{"n", t}});
            conn.commit();
          } else if (i % 3 == 0) {
            EXPECT_EQ(conn.execute(text("SELECT :x"), {{"x", i}}).scalar<int>(), i);
          }
          ++done;
        } catch (const std::exception& e) {
          ++errors;
          ADD_FAILURE() << e.what();
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(done.load(), kThreads * kPerThread);
  EXPECT_EQ(engine.pool().checked_out(), 0u);
  EXPECT_LE(engine.pool().checked_in(), 4u);
  auto conn = engine.connect();
  EXPECT_EQ(conn.execute(text("SELECT count(*) FROM hits")).scalar<int>(), kThreads * 15);
  if (pg()) {
    auto sessions = [&] {
      auto admin = create_engine(url_, {.poolclass = PoolClass::null});
      auto c = admin.connect();
      return c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a"),
                       {{"a", app}})
          .scalar<int>();
    };
    // At most pool_size are kept; overflow connections were closed on return.
    EXPECT_LE(sessions(), 4);
    conn.close();
    engine.dispose();
    for (int i = 0; i < 50 && sessions() > 0; ++i) std::this_thread::sleep_for(20ms);
    EXPECT_EQ(sessions(), 0) << "dispose() closes every pooled connection";
  }
}

TEST_P(PoolTest, recycle_replaces_old_connections) {
  if (memory()) GTEST_SKIP() << "StaticPool never recycles the memory database away";
  auto engine = make_engine({.pool_size = 1, .pool_recycle = 0.05});
  int connects = 0;
  event::listen(engine, event::connect, [&](DBAPIConnection&, ConnectionRecord&) { ++connects; });
  engine.connect().close();
  engine.connect().close();
  EXPECT_EQ(connects, 1);
  std::this_thread::sleep_for(100ms);
  engine.connect().close();
  EXPECT_EQ(connects, 2);
}

TEST_P(PoolTest, dispose_closes_idle_and_later_returned_connections) {
  if (memory()) GTEST_SKIP() << "StaticPool";
  auto engine = make_engine({.pool_size = 2});
  int connects = 0;
  event::listen(engine, event::connect, [&](DBAPIConnection&, ConnectionRecord&) { ++connects; });
  engine.connect().close();
  auto held = engine.connect();
  engine.dispose();
  EXPECT_EQ(engine.pool().checked_in(), 0u);
  EXPECT_EQ(held.execute(text("SELECT 5")).scalar<int>(), 5) << "checked-out connection still works";
  held.close();
  engine.connect().close();
  EXPECT_EQ(connects, 2);
}

TEST_P(PoolTest, null_pool_opens_per_checkout) {
  if (memory()) GTEST_SKIP() << "a memory database would vanish with each connection";
  auto engine = make_engine({.poolclass = PoolClass::null});
  int connects = 0;
  event::listen(engine, event::connect, [&](DBAPIConnection&, ConnectionRecord&) { ++connects; });
  engine.connect().close();
  engine.connect().close();
  EXPECT_EQ(connects, 2);
  EXPECT_EQ(engine.pool().name(), "NullPool");
}

ALCHEMY_INSTANTIATE_ON_ALL_BACKENDS(PoolTest);

TEST(pool, memory_database_lives_as_long_as_the_engine) {
  auto engine = create_engine("sqlite:///:memory:");
  EXPECT_EQ(engine.pool().name(), "StaticPool");
  {
    auto conn = engine.connect();
    conn.execute(text("CREATE TABLE kept (x INTEGER)"));
    conn.execute(text("INSERT INTO kept VALUES (1)"));
    conn.commit();
  }
  auto conn = engine.connect();
  EXPECT_EQ(conn.execute(text("SELECT count(*) FROM kept")).scalar<int>(), 1);
  // A second Connection in the same thread shares the one DBAPI connection.
  auto other = engine.connect();
  EXPECT_EQ(other.execute(text("SELECT count(*) FROM kept")).scalar<int>(), 1);
}

TEST(pool, memory_database_makes_other_threads_wait) {
  auto engine = create_engine("sqlite:///:memory:", {.pool_timeout = 0.2});
  auto conn = engine.connect();
  std::atomic<bool> timed_out{false};
  std::thread other([&] {
    try {
      engine.connect();
    } catch (const TimeoutError&) {
      timed_out = true;
    }
  });
  other.join();
  EXPECT_TRUE(timed_out.load());
  conn.close();
  std::thread again([&] { EXPECT_NO_THROW(engine.connect().execute(text("SELECT 1"))); });
  again.join();
}

// --- lost connections (PostgreSQL) -----------------------------------------------

std::int64_t backend_pid(Connection& conn) {
  return conn.execute(text("SELECT pg_backend_pid()")).scalar<std::int64_t>();
}

void terminate_backend(const std::string& url, std::int64_t pid) {
  auto admin = create_engine(url, {.poolclass = PoolClass::null});
  auto c = admin.connect();
  c.execute(text("SELECT pg_terminate_backend(:p)"), {{"p", pid}});
  c.commit();
  // Wait until the server has really removed it.
  for (int i = 0; i < 100; ++i) {
    if (c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {{"p", pid}})
            .scalar<int>() == 0)
      break;
    std::this_thread::sleep_for(10ms);
  }
}

TEST(pool, pre_ping_recovers_after_backend_was_killed) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto engine = create_engine(url, {.pool_size = 2, .pool_pre_ping = true});
  std::int64_t pid;
  {
    auto conn = engine.connect();
    pid = backend_pid(conn);
  }
  terminate_backend(url, pid);
  auto conn = engine.connect();  // pre-ping notices, reconnects transparently
  auto new_pid = backend_pid(conn);
  EXPECT_NE(new_pid, pid);
}

TEST(pool, killed_backend_without_pre_ping_invalidates_then_recovers) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto engine = create_engine(url, {.pool_size = 1});
  auto conn = engine.connect();
  auto pid = backend_pid(conn);
  conn.commit();
  terminate_backend(url, pid);
  try {
    conn.execute(text("SELECT 1"));
    FAIL() << "expected a disconnect error";
  } catch (const DBAPIError& e) {
    EXPECT_TRUE(e.connection_invalidated()) << e.what();
    EXPECT_TRUE(e.is_disconnect());
  }
  EXPECT_TRUE(conn.invalidated());
  conn.rollback();  // the autobegun transaction is gone with the connection
  EXPECT_NE(backend_pid(conn), pid);
}

}  // namespace
}  // namespace alchemy::testing
