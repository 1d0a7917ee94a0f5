// The PostgreSQL Dialect: registration, connection arguments, session setup,
// isolation levels. Tests that need a server skip without ALCHEMY_TEST_POSTGRESQL_URL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "alchemy/core/compiler/compiled.hpp"
#include "alchemy/engine/interfaces.hpp"
#include "alchemy/engine/url.hpp"
#include "alchemy/exc.hpp"
#include "support/backends.hpp"

namespace alchemy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::shared_ptr<const Dialect> pg_dialect() { return load_dialect("postgresql", ""); }

std::unique_ptr<DriverConnection> connect(const std::string& url, const ConnectArgs& args = {}) {
  return pg_dialect()->connector(make_url(url), args)();
}

// The single text value a row-returning statement produces.
std::string scalar_text(DriverConnection& conn, std::string_view sql) {
  auto cur = conn.cursor();
  cur->execute(sql, {}, {});
  EXPECT_TRUE(cur->fetch_next()) << sql;
  return std::string(cur->get_text(0));
}

TEST(postgresql_dialect, registered_under_libpq_and_sqlalchemy_driver_names) {
  for (const char* driver : {"", "libpq", "psycopg2", "psycopg"}) {
    auto d = load_dialect("postgresql", driver);
    ASSERT_NE(d, nullptr) << driver;
    EXPECT_EQ(d->name(), "postgresql");
    EXPECT_EQ(d->driver(), "libpq");
  }
  EXPECT_THROW(load_dialect("postgresql", "asyncpg"), NoSuchModuleError);
}

TEST(postgresql_dialect, compiler_uses_dollar_placeholders) {
  auto d = pg_dialect();
  const SQLCompiler& c = d->statement_compiler();
  EXPECT_EQ(c.dialect_name(), "postgresql");
  EXPECT_EQ(c.paramstyle(), ParamStyle::numeric_dollar);
  std::string sql = "SELECT ";
  c.render_bind(sql, 3);
  EXPECT_EQ(sql, "SELECT $3");
}

TEST(postgresql_dialect, capabilities_and_isolation_levels) {
  auto d = pg_dialect();
  EXPECT_EQ(d->default_pool(make_url("postgresql://u@h/db")), PoolKind::queue);
  EXPECT_EQ(d->default_isolation_level(), "READ COMMITTED");
  EXPECT_THAT(d->isolation_levels(),
              ::testing::UnorderedElementsAre("AUTOCOMMIT", "READ COMMITTED", "READ UNCOMMITTED",
                                              "REPEATABLE READ", "SERIALIZABLE"));
  EXPECT_TRUE(d->supports_savepoints());
  EXPECT_TRUE(d->supports_returning());
}

TEST(postgresql_dialect, unknown_connect_arg_is_argument_error_with_hint) {
  auto d = pg_dialect();
  try {
    d->connector(make_url("postgresql://u@127.0.0.1/db"), {{"sslmod", "disable"}});
    FAIL() << "no exception";
  } catch (const ArgumentError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown PostgreSQL connection parameter 'sslmod'"));
    EXPECT_THAT(e.what(), HasSubstr("did you mean 'sslmode'?"));
    EXPECT_THAT(e.what(), HasSubstr("libpq-connect"));
  }
}

TEST(postgresql_dialect, unknown_url_query_parameter_is_argument_error) {
  auto d = pg_dialect();
  EXPECT_THROW(d->connector(make_url("postgresql://u@127.0.0.1/db?bogus_option=1"), {}),
               ArgumentError);
  // Known libpq keywords pass validation without connecting.
  EXPECT_NO_THROW(
      d->connector(make_url("postgresql://u@127.0.0.1/db?sslmode=disable&connect_timeout=5"),
                   {{"application_name", "x"}}));
}

TEST(postgresql_dialect, refused_connection_is_operational_error_without_password) {
  // Port 1 on loopback: nothing listens there, libpq fails at once.
  auto connector = pg_dialect()->connector(
      make_url("postgresql://alice:Very-Secret-Passw0rd@127.0.0.1:1/db"), {});
  try {
    connector();
    FAIL() << "connected to port 1";
  } catch (const OperationalError& e) {
    EXPECT_THAT(e.what(), HasSubstr("127.0.0.1"));
    EXPECT_THAT(e.what(), Not(HasSubstr("Very-Secret-Passw0rd")));
    EXPECT_TRUE(e.is_disconnect());
  }
}

TEST(postgresql_dialect, session_defaults_utf8_iso_dates_postgres_intervals) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  // A role or database could default to other styles; the driver overrides them.
  auto conn = connect(url, {{"options", "-c DateStyle=German -c IntervalStyle=sql_standard"}});
  EXPECT_EQ(scalar_text(*conn, "SHOW client_encoding"), "UTF8");
  EXPECT_THAT(scalar_text(*conn, "SHOW DateStyle"), StartsWith("ISO"));
  EXPECT_EQ(scalar_text(*conn, "SHOW IntervalStyle"), "postgres");
  auto cur = conn->cursor();
  cur->execute("SELECT DATE '2024-02-29', INTERVAL '1 day 02:00:00'", {}, {});
  ASSERT_TRUE(cur->fetch_next());
  EXPECT_EQ(cur->get_value(0), Value(Date{2024, 2, 29}));
  EXPECT_EQ(cur->get_value(1), Value(Interval{0, 1, 2LL * 3600 * 1000000}));
}

TEST(postgresql_dialect, connect_args_override_url_query) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  URL u = make_url(url).update_query("application_name", "from_url");
  auto conn = pg_dialect()->connector(u, {{"application_name", "from_connect_args"}})();
  EXPECT_EQ(scalar_text(*conn, "SHOW application_name"), "from_connect_args");
  auto conn2 = pg_dialect()->connector(u, {})();
  EXPECT_EQ(scalar_text(*conn2, "SHOW application_name"), "from_url");
}

TEST(postgresql_dialect, client_encoding_can_be_chosen) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url, {{"client_encoding", "LATIN1"}});
  EXPECT_EQ(scalar_text(*conn, "SHOW client_encoding"), "LATIN1");
}

TEST(postgresql_dialect, unknown_database_is_operational_error) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  URL u = make_url(url).set_database("alchemy_no_such_database_x");
  try {
    pg_dialect()->connector(u, {})();
    FAIL() << "connected to a missing database";
  } catch (const OperationalError& e) {
    EXPECT_THAT(e.what(), HasSubstr("alchemy_no_such_database_x"));
  }
}

TEST(postgresql_dialect, isolation_level_set_and_get) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  EXPECT_EQ(conn->get_isolation_level(), "READ COMMITTED");
  for (const char* level :
       {"SERIALIZABLE", "REPEATABLE READ", "READ UNCOMMITTED", "READ COMMITTED"}) {
    conn->set_isolation_level(level);
    EXPECT_EQ(conn->get_isolation_level(), level);
  }
  // The level holds for the transactions that follow.
  conn->set_isolation_level("REPEATABLE READ");
  conn->begin();
  EXPECT_EQ(scalar_text(*conn, "SHOW transaction_isolation"), "repeatable read");
  conn->rollback();
  EXPECT_THROW(conn->set_isolation_level("READ COMMITTED; DROP TABLE x"), ArgumentError);
  EXPECT_EQ(conn->get_isolation_level(), "REPEATABLE READ");
}

}  // namespace
}  // namespace alchemy
