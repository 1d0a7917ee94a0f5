// Errors: the right exception class, with the SQL and parameters in the message.
#include <alchemy/alchemy.hpp>
#include <gtest/gtest.h>

#include "engine/engine_fixture.hpp"

namespace alchemy::testing {
namespace {

using ErrorsTest = EngineTest;

TEST_P(ErrorsTest, unique_violation_is_integrity_error_with_context) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  conn.execute(text("INSERT INTO users (name) VALUES (:name)"), {{"name", "dup"}});
  try {
    conn.execute(text("INSERT INTO users (name) VALUES (:name)"), {{"name", "dup"}});
    FAIL() << "expected IntegrityError";
  } catch (const IntegrityError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("[SQL: INSERT INTO users (name) VALUES"), std::string::npos) << what;
    EXPECT_NE(what.find("[parameters: ('dup',)]"), std::string::npos) << what;
    EXPECT_NE(what.find("IntegrityError"), std::string::npos) << what;
    if (pg()) {
      EXPECT_EQ(e.sqlstate(), "23505");
    } else {
      EXPECT_EQ(e.native_code(), 2067);  // SQLITE_CONSTRAINT_UNIQUE
    }
    EXPECT_FALSE(e.connection_invalidated());
  }
}

TEST_P(ErrorsTest, bad_sql) {
  auto engine = make_engine();
  auto conn = engine.connect();
  if (pg()) {
    EXPECT_THROW(conn.execute(text("SELEC 1")), ProgrammingError);
    conn.rollback();
    EXPECT_THROW(conn.execute(text("SELECT * FROM no_such_table")), ProgrammingError);
  } else {
    // pysqlite reports SQLITE_ERROR as OperationalError; so do we.
    EXPECT_THROW(conn.execute(text("SELEC 1")), OperationalError);
    EXPECT_THROW(conn.execute(text("SELECT * FROM no_such_table")), OperationalError);
  }
  conn.rollback();
  EXPECT_EQ(conn.execute(text("SELECT 1")).scalar<int>(), 1);
}

TEST_P(ErrorsTest, every_dbapi_error_is_catchable_as_the_base_classes) {
  auto engine = make_engine();
  auto conn = engine.connect();
  try {
    conn.execute(text("SELECT * FROM no_such_table"));
    FAIL();
  } catch (const DBAPIError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos);
    const StatementError& se = e;
    EXPECT_EQ(se.statement(), "SELECT * FROM no_such_table");
    const SQLAlchemyError& base = e;
    EXPECT_FALSE(base.message().empty());
  }
}

TEST_P(ErrorsTest, huge_executemany_parameters_are_truncated_in_messages) {
  auto engine = make_engine();
  create_users(engine);
  auto conn = engine.connect();
  std::vector<Params> rows;
  for (int i = 0; i < 1000; ++i) rows.push_back({{"name", i == 999 ? std::string("u0") : "u" + std::to_string(i)}});
  try {
    conn.execute(text("INSERT INTO users (name) VALUES (:name)"), rows);
    FAIL();
  } catch (const IntegrityError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("displaying 10 of 1000 total bound parameter sets"), std::string::npos)
        << what;
    EXPECT_LT(what.size(), 2000u);
  }
}

TEST_P(ErrorsTest, long_values_are_truncated_in_messages) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute(text("CREATE TABLE notes (body TEXT UNIQUE)"));
  conn.execute(text("INSERT INTO notes (body) VALUES (:b)"), {{"b", std::string(5000, 'x')}});
  try {
    conn.execute(text("INSERT INTO notes (body) VALUES (:b)"), {{"b", std::string(5000, 'x')}});
    FAIL();
  } catch (const DBAPIError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("characters truncated"), std::string::npos) << what.substr(0, 500);
  }
}

TEST_P(ErrorsTest, handle_error_listener_sees_the_failure) {
  auto engine = make_engine();
  int calls = 0;
  std::string seen;
  event::listen(engine, event::handle_error, [&](ExceptionContext& ctx) {
    ++calls;
    seen = std::string(ctx.statement);
    EXPECT_NE(ctx.sqlalchemy_exception, nullptr);
    EXPECT_FALSE(ctx.is_disconnect);
  });
  auto conn = engine.connect();
  EXPECT_THROW(conn.execute(text("SELECT * FROM missing_table_x")), DBAPIError);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, "SELECT * FROM missing_table_x");
}

TEST_P(ErrorsTest, handle_error_listener_can_replace_the_exception) {
  struct MyError : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  auto engine = make_engine();
  event::listen(engine, event::handle_error,
                [](ExceptionContext&) { throw MyError("translated by the application"); });
  auto conn = engine.connect();
  EXPECT_THROW(conn.execute(text("SELECT * FROM missing_table_y")), MyError);
}

ALCHEMY_INSTANTIATE_ON_ALL_BACKENDS(ErrorsTest);

TEST(errors, postgresql_text_with_nul_is_rejected_not_truncated) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto engine = create_engine(url);
  auto conn = engine.connect();
  try {
    conn.execute(text("SELECT :t"), {{"t", std::string("ab\0cd", 5)}});
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("NUL"), std::string::npos) << e.what();
  }
  // Bytes with NULs are fine.
  conn.rollback();
  EXPECT_EQ(conn.execute(text("SELECT :b"), {{"b", Bytes{'a', 0, 'b'}}}).scalar<Bytes>(),
            (Bytes{'a', 0, 'b'}));
}

TEST(errors, postgresql_commit_of_a_failed_transaction_raises) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto engine = create_engine(url);
  auto conn = engine.connect();
  conn.execute(text("CREATE TEMP TABLE fail_commit (x INTEGER PRIMARY KEY)"));
  conn.execute(text("INSERT INTO fail_commit VALUES (1)"));
  EXPECT_THROW(conn.execute(text("INSERT INTO fail_commit VALUES (1)")), IntegrityError);
  // The transaction is aborted; PostgreSQL answers COMMIT with ROLLBACK.
  try {
    conn.commit();
    FAIL() << "COMMIT of a failed transaction must not look like success";
  } catch (const InternalError& e) {
    EXPECT_EQ(e.sqlstate(), "25P02");
  }
  EXPECT_FALSE(conn.in_transaction());
  EXPECT_EQ(conn.execute(text("SELECT 1")).scalar<int>(), 1);
}

TEST(errors, unknown_and_planned_dialects) {
  try {
    create_engine("mysql+pymysql://user:pass@localhost/db");
    FAIL();
  } catch (const NoSuchModuleError& e) {
    EXPECT_NE(std::string(e.what()).find("not available yet"), std::string::npos) << e.what();
  }
  EXPECT_THROW(create_engine("mariadb://u@h/db"), NoSuchModuleError);
  try {
    create_engine("mssql+pyodbc://user:pass@server/dbname");
    FAIL();
  } catch (const NoSuchModuleError& e) {
    EXPECT_NE(std::string(e.what()).find("postgresql"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sqlite"), std::string::npos) << e.what();
  }
  EXPECT_THROW(create_engine("postgres://u@h/db"), NoSuchModuleError);
  EXPECT_THROW(create_engine("sqlite+nosuchdriver:///x.db"), NoSuchModuleError);
  EXPECT_THROW(create_engine("postgresql+asyncpg://u@h/db"), NoSuchModuleError);
}

TEST(errors, bad_options_are_argument_errors) {
  EXPECT_THROW(create_engine("sqlite://", {.pool_size = -1}), ArgumentError);
  EXPECT_THROW(create_engine("sqlite://", {.max_overflow = -2}), ArgumentError);
  EXPECT_THROW(create_engine("sqlite:///x.db?nonsense=1"), ArgumentError);
  EXPECT_THROW(create_engine("sqlite:///x.db", {.connect_args = {{"bogus", "1"}}}), ArgumentError);
  EXPECT_THROW(create_engine("postgresql://u@127.0.0.1/db?not_a_libpq_option=1"), ArgumentError);
}

TEST(errors, connection_refused_is_operational_error_without_password) {
  auto engine = create_engine("postgresql://scott:tiger-secret@127.0.0.1:1/db",
                              {.connect_args = {{"connect_timeout", "2"}}});
  try {
    engine.connect();
    FAIL();
  } catch (const OperationalError& e) {
    EXPECT_EQ(std::string(e.what()).find("tiger-secret"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace alchemy::testing
