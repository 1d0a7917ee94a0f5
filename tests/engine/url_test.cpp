// make_url() and URL: every form in the guides, and malformed input.
#include <alchemy/alchemy.hpp>
#include <gtest/gtest.h>

namespace alchemy {
namespace {

TEST(url, sqlite_forms) {
  auto rel = make_url("sqlite:///relative.db");
  EXPECT_EQ(rel.get_backend_name(), "sqlite");
  EXPECT_EQ(rel.get_driver_name(), "");
  EXPECT_EQ(rel.database(), "relative.db");
  EXPECT_FALSE(rel.host());
  EXPECT_EQ(make_url("sqlite:///./app.db").database(), "./app.db");
  EXPECT_EQ(make_url("sqlite:////abs/path/app.db").database(), "/abs/path/app.db");
  EXPECT_EQ(make_url("sqlite:///:memory:").database(), ":memory:");
  EXPECT_FALSE(make_url("sqlite://").database());
  EXPECT_EQ(make_url("sqlite:///C:/path/to/database.db").database(), "C:/path/to/database.db");
  EXPECT_EQ(make_url("sqlite+pysqlite:///x.db").get_driver_name(), "pysqlite");
}

TEST(url, postgresql_forms) {
  auto u = make_url("postgresql://user:pass@localhost:5432/mydb");
  EXPECT_EQ(u.drivername(), "postgresql");
  EXPECT_EQ(u.username(), "user");
  EXPECT_EQ(u.password(), "pass");
  EXPECT_EQ(u.host(), "localhost");
  EXPECT_EQ(u.port(), 5432);
  EXPECT_EQ(u.database(), "mydb");
  auto d = make_url("postgresql+libpq://scott@db.example.com/test");
  EXPECT_EQ(d.get_driver_name(), "libpq");
  EXPECT_FALSE(d.password());
  EXPECT_FALSE(d.port());
  EXPECT_EQ(make_url("postgresql+psycopg2://user:pass@localhost/dbname").get_driver_name(),
            "psycopg2");
  auto v6 = make_url("postgresql://u@[::1]:5433/db");
  EXPECT_EQ(v6.host(), "::1");
  EXPECT_EQ(v6.port(), 5433);
  EXPECT_EQ(v6.render_as_string(), "postgresql://u@[::1]:5433/db");
}

TEST(url, percent_encoded_password) {
  auto u = make_url("postgresql://user:p%40ssword@localhost/db");
  EXPECT_EQ(u.password(), "p@ssword");
  EXPECT_EQ(u.render_as_string(false), "postgresql://user:p%40ssword@localhost/db");
  EXPECT_EQ(make_url("postgresql://us%3Aer:a%2Fb%3Fc@h/db").username(), "us:er");
  EXPECT_EQ(make_url("postgresql://us%3Aer:a%2Fb%3Fc@h/db").password(), "a/b?c");
}

TEST(url, password_is_masked) {
  auto u = make_url("postgresql://scott:tiger@localhost/test");
  EXPECT_EQ(u.str(), "postgresql://scott:***@localhost/test");
  EXPECT_EQ(u.render_as_string(), "postgresql://scott:***@localhost/test");
  EXPECT_EQ(u.render_as_string(false), "postgresql://scott:tiger@localhost/test");
}

TEST(url, query_parameters) {
  auto u = make_url("postgresql://u@h/db?sslmode=disable&application_name=my+app&x=a%26b");
  ASSERT_EQ(u.query().size(), 3u);
  EXPECT_EQ(u.query_value("sslmode"), "disable");
  EXPECT_EQ(u.query_value("application_name"), "my app");
  EXPECT_EQ(u.query_value("x"), "a&b");
  EXPECT_FALSE(u.query_value("nope"));
  auto v = u.update_query("sslmode", "require").difference_update_query({"x"});
  EXPECT_EQ(v.query_value("sslmode"), "require");
  EXPECT_FALSE(v.query_value("x"));
  auto odbc = make_url("mssql+pyodbc://user:pass@server/dbname?driver=ODBC+Driver+17+for+SQL+Server");
  EXPECT_EQ(odbc.query_value("driver"), "ODBC Driver 17 for SQL Server");
}

TEST(url, create_and_set) {
  auto u = URL::create("postgresql", "me", "s3cret", "localhost", 5432, "app");
  EXPECT_EQ(u.render_as_string(false), "postgresql://me:s3cret@localhost:5432/app");
  EXPECT_EQ(u.set_database("other").database(), "other");
  EXPECT_EQ(u.set_port(std::nullopt).render_as_string(), "postgresql://me:***@localhost/app");
  EXPECT_EQ(make_url(u.render_as_string(false)), u);
}

TEST(url, malformed_urls_raise_argument_error) {
  for (const char* bad : {"", "sqlite", "://x", "not a url", "post gres://h/db",
                          "postgresql://u@h:notaport/db", "postgresql://u@h:99999/db",
                          "postgresql://u@[::1/db", "postgresql://u:p%zz@h/db",
                          "postgresql://h/db?novalue", "postgresql+://h/db",
                          "postgresql://user:p@ss@host/db"}) {
    EXPECT_THROW(make_url(bad), ArgumentError) << bad;
  }
  try {
    make_url("postgresql://scott:tiger@h:abc/db");
    FAIL();
  } catch (const ArgumentError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("port 'abc'"), std::string::npos) << what;
    EXPECT_EQ(what.find("tiger"), std::string::npos) << "the password must not leak: " << what;
  }
}

}  // namespace
}  // namespace alchemy
