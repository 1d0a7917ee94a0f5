// Tests for src/dialects/sqlite/base.cpp: registration, names, URL and
// connect-argument validation, pools, isolation levels.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "dialects/sqlite/sqlite_test_util.hpp"
#include "support/backends.hpp"

namespace alchemy {
namespace {

using ::testing::HasSubstr;
using testing::sqlite::dialect;
using testing::sqlite::open;
using testing::sqlite::run;
using testing::sqlite::scalar;

// Runs `fn`, expecting it to throw E; returns the message.
template <class E, class Fn>
std::string message_of(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return {};
}

TEST(sqlite_base, registered_under_every_driver_name) {
  for (const char* drv : {"", "pysqlite", "sqlite3"}) {
    auto d = load_dialect("sqlite", drv);
    ASSERT_NE(d, nullptr) << drv;
    EXPECT_EQ(d->name(), "sqlite");
    EXPECT_EQ(d->driver(), "sqlite3");
  }
  auto names = registered_dialects();
  EXPECT_NE(std::find(names.begin(), names.end(), "sqlite"), names.end());
  EXPECT_THROW(load_dialect("sqlite", "nosuchdriver"), NoSuchModuleError);
}

TEST(sqlite_base, compiler_uses_numbered_placeholders) {
  auto d = dialect();  // the compiler lives as long as its dialect
  const SQLCompiler& c = d->statement_compiler();
  EXPECT_EQ(c.dialect_name(), "sqlite");
  EXPECT_EQ(c.paramstyle(), ParamStyle::numeric);
  std::string out;
  c.render_bind(out, 1);
  out += ',';
  c.render_bind(out, 12);
  EXPECT_EQ(out, "?1,?12");
}

TEST(sqlite_base, capabilities_and_isolation_levels) {
  auto d = dialect();
  EXPECT_TRUE(d->supports_savepoints());
  EXPECT_TRUE(d->supports_returning());
  EXPECT_EQ(d->default_isolation_level(), "SERIALIZABLE");
  EXPECT_THAT(d->isolation_levels(),
              ::testing::UnorderedElementsAre("AUTOCOMMIT", "READ UNCOMMITTED", "SERIALIZABLE"));
}

TEST(sqlite_base, default_pool_is_static_for_memory_databases) {
  auto d = dialect();
  EXPECT_EQ(d->default_pool(make_url("sqlite://")), PoolKind::static_);
  EXPECT_EQ(d->default_pool(make_url("sqlite:///:memory:")), PoolKind::static_);
  EXPECT_EQ(d->default_pool(make_url("sqlite:///file:mem1?mode=memory&cache=shared&uri=true")),
            PoolKind::static_);
  EXPECT_EQ(d->default_pool(make_url("sqlite:///some.db")), PoolKind::queue);
  EXPECT_EQ(d->default_pool(make_url("sqlite:////tmp/abs.db")), PoolKind::queue);
}

TEST(sqlite_base, memory_url_forms_open) {
  for (const char* url : {"sqlite://", "sqlite:///:memory:", "sqlite+pysqlite:///:memory:"}) {
    auto conn = open(url);
    EXPECT_FALSE(conn->is_closed()) << url;
    EXPECT_EQ(scalar(*conn, "SELECT 40 + 2").as<std::int64_t>(), 42) << url;
  }
}

TEST(sqlite_base, memory_databases_are_private_per_connection) {
  auto a = open();
  auto b = open();
  a->exec("CREATE TABLE t (x)");
  EXPECT_THROW(b->exec("SELECT * FROM t"), OperationalError);
}

TEST(sqlite_base, file_database_is_shared_between_connections) {
  const std::string path = testing::temp_db_path("base_file");
  const std::string url = "sqlite:///" + path;  // absolute path: sqlite:////tmp/...
  ASSERT_EQ(make_url(url).database().value_or(""), path);
  {
    auto a = open(url);
    a->exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)");
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  auto b = open(url);
  EXPECT_EQ(scalar(*b, "SELECT x FROM t").as<std::int64_t>(), 7);
}

TEST(sqlite_base, url_with_host_is_rejected_with_the_valid_forms) {
  auto d = dialect();
  for (const char* url :
       {"sqlite://localhost/x.db", "sqlite://user:secret@host/x.db", "sqlite://relative.db"}) {
    const std::string msg =
        message_of<ArgumentError>([&] { (void)d->connector(make_url(url), {}); });
    EXPECT_THAT(msg, HasSubstr("no host")) << url;
    EXPECT_THAT(msg, HasSubstr("sqlite:///relative.db"));
    EXPECT_THAT(msg, HasSubstr("sqlite:////abs/path.db"));
    EXPECT_THAT(msg, HasSubstr("sqlite:///:memory:"));
    EXPECT_THAT(msg, ::testing::Not(HasSubstr("secret")));
  }
  EXPECT_THROW((void)d->connector(URL::create("sqlite", {}, {}, {}, 5432, "x.db"), {}),
               ArgumentError);
}

TEST(sqlite_base, unknown_argument_is_rejected_naming_it_and_the_known_ones) {
  auto d = dialect();
  std::string msg = message_of<ArgumentError>(
      [&] { (void)d->connector(make_url("sqlite:///:memory:?bogus=1"), {}); });
  EXPECT_THAT(msg, HasSubstr("'bogus'"));
  for (const char* known : {"timeout", "uri", "check_same_thread", "cached_statements"})
    EXPECT_THAT(msg, HasSubstr(known));

  msg = message_of<ArgumentError>([&] {
    (void)d->connector(make_url("sqlite://"), {{"isolation", "x"}});
  });
  EXPECT_THAT(msg, HasSubstr("'isolation'"));
  // With uri=true, unknown URL query parameters go to SQLite; connect_args never do.
  EXPECT_THROW((void)d->connector(make_url("sqlite:///file:x.db?uri=true"), {{"mode", "ro"}}),
               ArgumentError);
}

TEST(sqlite_base, malformed_argument_values_are_rejected_in_connector) {
  auto d = dialect();
  const URL url = make_url("sqlite://");
  for (const char* bad : {"abc", "-1", "", "1s", "inf"}) {
    const std::string msg = message_of<ArgumentError>([&] {
      (void)d->connector(url, {{"timeout", bad}});
    });
    EXPECT_THAT(msg, HasSubstr("timeout")) << bad;
  }
  EXPECT_THROW((void)d->connector(url, {{"uri", "maybe"}}), ArgumentError);
  EXPECT_THROW((void)d->connector(url, {{"cached_statements", "-3"}}), ArgumentError);
  EXPECT_THROW((void)d->connector(url, {{"cached_statements", "many"}}), ArgumentError);
  EXPECT_THROW((void)d->connector(url, {{"check_same_thread", "perhaps"}}), ArgumentError);
}

TEST(sqlite_base, known_arguments_are_accepted) {
  auto conn = open("sqlite:///:memory:?timeout=0.25&check_same_thread=False",
                   {{"cached_statements", "4"}, {"uri", "false"}});
  EXPECT_EQ(scalar(*conn, "SELECT 1").as<std::int64_t>(), 1);
}

TEST(sqlite_base, connect_args_win_over_the_url_query) {
  // The URL's malformed timeout is overridden, so it is never parsed.
  auto conn = open("sqlite:///:memory:?timeout=abc", {{"timeout", "1"}});
  EXPECT_FALSE(conn->is_closed());
}

TEST(sqlite_base, uri_mode_passes_query_parameters_to_sqlite) {
  // Two connections to one named shared-cache in-memory database.
  const std::string url = "sqlite:///file:alchemy_base_shared?mode=memory&cache=shared&uri=true";
  auto a = open(url);
  auto b = open(url);
  a->exec("CREATE TABLE shared_t (x); INSERT INTO shared_t VALUES (5)");
  EXPECT_EQ(scalar(*b, "SELECT x FROM shared_t").as<std::int64_t>(), 5);
}

TEST(sqlite_base, uri_read_only_database_refuses_writes) {
  const std::string path = testing::temp_db_path("base_ro");
  open("sqlite:///" + path)->exec("CREATE TABLE t (x)");
  auto ro = open("sqlite:///file:" + path + "?mode=ro&uri=true");
  EXPECT_EQ(scalar(*ro, "SELECT count(*) FROM t").as<std::int64_t>(), 0);
  try {
    ro->exec("INSERT INTO t VALUES (1)");
    FAIL() << "expected OperationalError";
  } catch (const OperationalError& e) {
    EXPECT_EQ(e.native_code() & 0xff, 8);  // SQLITE_READONLY
    EXPECT_THAT(e.message(), HasSubstr("readonly"));
  }
}

TEST(sqlite_base, open_failure_is_operational_error_with_the_path) {
  const std::string path = testing::temp_db_path("missing_dir") + "/nested/x.db";
  auto connector = dialect()->connector(make_url("sqlite:///" + path), {});  // validation only
  try {
    (void)connector();
    FAIL() << "expected OperationalError";
  } catch (const OperationalError& e) {
    EXPECT_THAT(e.message(), HasSubstr("unable to open database file '" + path + "'"));
    EXPECT_EQ(e.native_code() & 0xff, 14);  // SQLITE_CANTOPEN
  }
}

}  // namespace
}  // namespace alchemy
