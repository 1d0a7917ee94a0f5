// Connection, transactions and savepoints on every backend.
#include <alchemy/alchemy.hpp>
#include <gtest/gtest.h>

#include "engine/engine_fixture.hpp"

namespace alchemy::testing {
namespace {

using ConnectionTest = EngineTest;

TEST_P(ConnectionTest, executes_text_with_named_parameters) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  conn.execute(text("INSERT INTO users (name, age) VALUES (:name, :age)"),
               {{"name", "Ahmad"}, {"age", 30}});
  conn.execute(text("INSERT INTO users (name, age) VALUES (:name, :age)"),
               {{"age", 17}, {"name", "Ali"}});
  auto rows = conn.execute(text("SELECT name FROM users WHERE age BETWEEN :min_age AND :max_age "
                                "ORDER BY name"),
                           {{"min_age", 18}, {"max_age", 65}})
                  .fetchall();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].get<std::string>("name"), "Ahmad");
  // A name used twice binds once.
  EXPECT_EQ(conn.execute(text("SELECT count(*) FROM users WHERE age > :a OR age = :a"), {{"a", 17}})
                .scalar<std::int64_t>(),
            2);
}

TEST_P(ConnectionTest, missing_parameter_is_a_clear_error) {
  auto engine = make_engine();
  auto conn = engine.connect();
  try {
    conn.execute(text("SELECT :x + :y"), {{"x", 1}});
    FAIL() << "expected InvalidRequestError";
  } catch (const InvalidRequestError& e) {
    EXPECT_NE(std::string(e.what()).find("bind parameter 'y'"), std::string::npos) << e.what();
  }
}

TEST_P(ConnectionTest, connect_scope_without_commit_rolls_back) {
  auto engine = make_engine();
  create_users(engine);
  {
    auto conn = engine.connect();
    conn.execute(text("INSERT INTO users (name) VALUES ('ghost')"));
    EXPECT_TRUE(conn.in_transaction());
  }  // SQLAlchemy 2.0: no commit -> rollback
  auto conn = engine.connect();
  EXPECT_EQ(count(conn), 0);
}

TEST_P(ConnectionTest, commit_as_you_go) {
  auto engine = make_engine();
  create_users(engine);
  {
    auto conn = engine.connect();
    conn.execute(text("INSERT INTO users (name) VALUES ('a')"));
    conn.commit();
    EXPECT_FALSE(conn.in_transaction());
    conn.execute(text("INSERT INTO users (name) VALUES ('b')"));
    conn.rollback();
    conn.execute(text("INSERT INTO users (name) VALUES ('c')"));
    conn.commit();
  }
  auto conn = engine.connect();
  auto names = conn.execute(text("SELECT name FROM users ORDER BY name")).scalars<std::string>().all();
  EXPECT_EQ(names, (std::vector<std::string>{"a", "c"}));
}

TEST_P(ConnectionTest, engine_begin_commits_or_rolls_back) {
  auto engine = make_engine();
  create_users(engine);
  engine.begin([](Connection& conn) {
    conn.execute(text("INSERT INTO users (name) VALUES ('kept')"));
  });
  EXPECT_THROW(engine.begin([](Connection& conn) {
    conn.execute(text("INSERT INTO users (name) VALUES ('lost')"));
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  auto n = engine.begin([&](Connection& conn) { return count(conn); });
  EXPECT_EQ(n, 1);
  // Ending the transaction inside the block is allowed, as in SQLAlchemy.
  engine.begin([](Connection& conn) {
    conn.execute(text("INSERT INTO users (name) VALUES ('rolled back inside')"));
    conn.rollback();
  });
  EXPECT_EQ(engine.begin([&](Connection& conn) { return count(conn); }), 1);
  // ... but statements after that would run in a transaction nobody commits.
  EXPECT_THROW(engine.begin([](Connection& conn) {
    conn.commit();
    conn.execute(text("INSERT INTO users (name) VALUES ('would be lost')"));
  }),
               InvalidRequestError);
  EXPECT_EQ(engine.begin([&](Connection& conn) { return count(conn); }), 1);
}

TEST_P(ConnectionTest, explicit_transaction_rolls_back_unless_committed) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  {
    auto tx = conn.begin();
    conn.execute(text("INSERT INTO users (name) VALUES ('x')"));
    EXPECT_TRUE(tx.is_active());
  }
  EXPECT_FALSE(conn.in_transaction());
  EXPECT_EQ(count(conn), 0);
  conn.rollback();
  {
    auto tx = conn.begin();
    conn.execute(text("INSERT INTO users (name) VALUES ('y')"));
    tx.commit();
    EXPECT_FALSE(tx.is_active());
    EXPECT_THROW(tx.commit(), InvalidRequestError);
  }
  EXPECT_EQ(count(conn), 1);
}

TEST_P(ConnectionTest, begin_twice_raises) {
  auto engine = make_engine();
  auto conn = engine.connect();
  auto tx = conn.begin();
  EXPECT_THROW(conn.begin(), InvalidRequestError);
  tx.rollback();
  conn.execute(text("SELECT 1"));  // autobegin
  EXPECT_THROW(conn.begin(), InvalidRequestError);
}

TEST_P(ConnectionTest, connection_commit_ends_explicit_transaction) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  auto tx = conn.begin();
  conn.execute(text("INSERT INTO users (name) VALUES ('z')"));
  conn.commit();
  EXPECT_FALSE(tx.is_active());
  conn.rollback();
  EXPECT_EQ(count(conn), 1);
}

TEST_P(ConnectionTest, savepoints) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  auto tx = conn.begin();
  conn.execute(text("INSERT INTO users (name) VALUES ('outer')"));
  {
    auto sp = conn.begin_nested();
    EXPECT_EQ(sp.name(), "sa_savepoint_1");
    EXPECT_TRUE(conn.in_nested_transaction());
    conn.execute(text("INSERT INTO users (name) VALUES ('inner-rolled-back')"));
    sp.rollback();
    EXPECT_FALSE(sp.is_active());
  }
  {
    auto sp = conn.begin_nested();
    conn.execute(text("INSERT INTO users (name) VALUES ('inner-released')"));
    {
      auto sp2 = conn.begin_nested();
      conn.execute(text("INSERT INTO users (name) VALUES ('innermost-dropped')"));
    }  // destructor rolls back to sp2
    sp.commit();
  }
  tx.commit();
  auto names = conn.execute(text("SELECT name FROM users ORDER BY name")).scalars<std::string>().all();
  EXPECT_EQ(names, (std::vector<std::string>{"inner-released", "outer"}));
}

TEST_P(ConnectionTest, savepoint_recovers_from_an_error) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  conn.execute(text("INSERT INTO users (name) VALUES ('dup')"));
  {
    auto sp = conn.begin_nested();
    EXPECT_THROW(conn.execute(text("INSERT INTO users (name) VALUES ('dup')")), IntegrityError);
    sp.rollback();
  }
  conn.execute(text("INSERT INTO users (name) VALUES ('after')"));
  conn.commit();
  EXPECT_EQ(count(conn), 2);
}

TEST_P(ConnectionTest, begin_nested_autobegins) {
  auto engine = make_engine();
  auto conn = engine.connect();
  auto sp = conn.begin_nested();
  EXPECT_TRUE(conn.in_transaction());
  sp.commit();
  EXPECT_TRUE(conn.in_transaction());
  conn.commit();
  EXPECT_FALSE(conn.in_transaction());
}

TEST_P(ConnectionTest, autocommit_isolation_level) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  conn.execution_options({.isolation_level = "AUTOCOMMIT"});
  EXPECT_EQ(conn.get_isolation_level(), "AUTOCOMMIT");
  conn.execute(text("INSERT INTO users (name) VALUES ('auto')"));
  EXPECT_FALSE(conn.connection().in_transaction());
  conn.rollback();  // nothing to roll back
  EXPECT_EQ(count(conn), 1);
  EXPECT_THROW(conn.begin_nested(), InvalidRequestError);
}

TEST_P(ConnectionTest, isolation_level_changes_only_outside_a_transaction) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute(text("SELECT 1"));
  EXPECT_THROW(conn.execution_options({.isolation_level = "SERIALIZABLE"}), InvalidRequestError);
  conn.rollback();
  EXPECT_THROW(conn.execution_options({.isolation_level = "SOMETIMES"}), ArgumentError);
  conn.execution_options({.isolation_level = "serializable"});
  EXPECT_EQ(conn.get_isolation_level(), "SERIALIZABLE");
}

TEST_P(ConnectionTest, isolation_level_is_reset_when_returned_to_the_pool) {
  if (!pg()) GTEST_SKIP() << "PostgreSQL has several isolation levels to switch between";
  auto engine = make_engine({.pool_size = 1, .max_overflow = 0});
  {
    auto conn = engine.connect();
    conn.execution_options({.isolation_level = "REPEATABLE READ"});
    EXPECT_EQ(conn.get_isolation_level(), "REPEATABLE READ");
  }
  auto conn = engine.connect();
  EXPECT_EQ(conn.get_isolation_level(), "READ COMMITTED");
}

TEST_P(ConnectionTest, engine_isolation_level_option) {
  auto engine = make_engine({.isolation_level = pg() ? "REPEATABLE READ" : "READ UNCOMMITTED"});
  auto conn = engine.connect();
  EXPECT_EQ(conn.get_isolation_level(), pg() ? "REPEATABLE READ" : "READ UNCOMMITTED");
  EXPECT_THROW(make_engine({.isolation_level = "BOGUS"}), ArgumentError);
}

TEST_P(ConnectionTest, invalidate_outside_transaction_reconnects) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.invalidate();
  EXPECT_TRUE(conn.invalidated());
  EXPECT_EQ(conn.execute(text("SELECT 42")).scalar<std::int64_t>(), 42);
  EXPECT_FALSE(conn.invalidated());
}

TEST_P(ConnectionTest, invalidate_inside_transaction_needs_rollback) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute(text("SELECT 1"));
  conn.invalidate();
  EXPECT_THROW(conn.execute(text("SELECT 1")), PendingRollbackError);
  EXPECT_THROW(conn.commit(), PendingRollbackError);
  conn.rollback();
  EXPECT_EQ(conn.execute(text("SELECT 7")).scalar<std::int64_t>(), 7);
}

TEST_P(ConnectionTest, closed_connection_raises) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.close();
  EXPECT_TRUE(conn.closed());
  EXPECT_THROW(conn.execute(text("SELECT 1")), ResourceClosedError);
  conn.close();  // idempotent
}

TEST_P(ConnectionTest, executemany_and_rowcount) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  std::vector<Params> rows;
  for (int i = 0; i < 250; ++i) rows.push_back({{"name", "user" + std::to_string(i)}, {"age", i}});
  auto r = conn.execute(text("INSERT INTO users (name, age) VALUES (:name, :age)"), rows);
  EXPECT_EQ(r.rowcount(), 250);
  EXPECT_FALSE(r.returns_rows());
  auto u = conn.execute(text("UPDATE users SET age = age + 1 WHERE age < :n"), {{"n", 100}});
  EXPECT_EQ(u.rowcount(), 100);
  auto d = conn.execute(text("DELETE FROM users WHERE age > :n"), {{"n", 200}});
  EXPECT_EQ(d.rowcount(), 49);
  conn.commit();
  EXPECT_EQ(count(conn), 201);
}

TEST_P(ConnectionTest, autocommit_executemany_stops_at_the_first_failing_row) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  conn.execution_options({.isolation_level = "AUTOCOMMIT"});
  std::vector<Params> rows;
  for (const char* n : {"a", "b", "a", "c", "d"}) rows.push_back({{"name", n}});
  EXPECT_THROW(conn.execute(text("INSERT INTO users (name) VALUES (:name)"), rows), IntegrityError);
  // Each row commits by itself; the rows after the failure never ran.
  auto names = conn.execute(text("SELECT name FROM users ORDER BY name")).scalars<std::string>().all();
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
}

TEST_P(ConnectionTest, executemany_in_a_transaction_fails_whole) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  std::vector<Params> rows;
  for (int i = 0; i < 2500; ++i) rows.push_back({{"name", i == 1700 ? std::string("u1") : "u" + std::to_string(i)}});
  EXPECT_THROW(conn.execute(text("INSERT INTO users (name) VALUES (:name)"), rows), IntegrityError);
  conn.rollback();
  EXPECT_EQ(count(conn), 0);
  // The connection is usable afterwards.
  rows.resize(1000);
  EXPECT_EQ(conn.execute(text("INSERT INTO users (name) VALUES (:name)"), rows).rowcount(), 1000);
}

TEST_P(ConnectionTest, executemany_from_a_generator) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  auto insert = text("INSERT INTO users (name, age) VALUES (:name, :age)");
  auto r = conn.execute(insert, 300, [](std::size_t i, Params& p) {
    p.set("name", "gen" + std::to_string(i)).set("age", static_cast<int>(i));
  });
  EXPECT_EQ(r.rowcount(), 300);
  EXPECT_EQ(conn.execute(insert, 0, [](std::size_t, Params&) {}).rowcount(), 0);
  EXPECT_EQ(conn.execute(text("SELECT sum(age) FROM users")).scalar<std::int64_t>(), 299 * 300 / 2);
  EXPECT_THROW(conn.execute(insert, 2, [](std::size_t, Params& p) { p.set("name", "x"); }),
               InvalidRequestError);
}

TEST_P(ConnectionTest, executemany_missing_value_names_the_group) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  std::vector<Params> rows{{{"name", "a"}, {"age", 1}}, {{"name", "b"}}};
  try {
    conn.execute(text("INSERT INTO users (name, age) VALUES (:name, :age)"), rows);
    FAIL();
  } catch (const InvalidRequestError& e) {
    EXPECT_NE(std::string(e.what()).find("'age', in parameter group 1"), std::string::npos)
        << e.what();
  }
}

TEST_P(ConnectionTest, exec_driver_sql_uses_the_driver_paramstyle) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  const std::string ins = pg() ? "INSERT INTO users (name, age) VALUES ($1, $2)"
                               : "INSERT INTO users (name, age) VALUES (?, ?)";
  conn.exec_driver_sql(ins, {Value("one"), Value(1)});
  auto r = conn.exec_driver_sql(ins, std::vector<std::vector<Value>>{{"two", 2}, {"three", 3}});
  EXPECT_EQ(r.rowcount(), 2);
  EXPECT_EQ(count(conn), 3);
  // Several statements without parameters in one call.
  conn.exec_driver_sql("CREATE TABLE t1 (x INTEGER); CREATE TABLE t2 (y INTEGER)");
  EXPECT_EQ(count(conn, "t1") + count(conn, "t2"), 0);
}

TEST_P(ConnectionTest, moved_connection_keeps_working) {
  auto engine = make_engine();
  auto a = engine.connect();
  Connection b = std::move(a);
  EXPECT_EQ(b.execute(text("SELECT 3")).scalar<std::int64_t>(), 3);
  EXPECT_THROW(a.execute(text("SELECT 1")), ResourceClosedError);  // NOLINT(bugprone-use-after-move)
}

TEST_P(ConnectionTest, text_colons_that_are_not_parameters) {
  auto engine = make_engine();
  auto conn = engine.connect();
  EXPECT_EQ(conn.execute(text("SELECT ':not_a_param' AS s")).scalar<std::string>(), ":not_a_param");
  if (pg()) {
    // As in SQLAlchemy, ":v::int" is not a bind (a name followed by ':'); casts
    // on literals pass through, and CAST() works on parameters.
    EXPECT_EQ(conn.execute(text("SELECT '41'::int + CAST(:v AS int)"), {{"v", "1"}})
                  .scalar<std::int64_t>(),
              42);
  }
}

ALCHEMY_INSTANTIATE_ON_ALL_BACKENDS(ConnectionTest);

}  // namespace
}  // namespace alchemy::testing
