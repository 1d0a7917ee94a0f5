// SQLSTATE -> exception class mapping and disconnect detection: the table on
// its own, then real server errors raised through the driver.
#include "dialects/postgresql/error_map.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "alchemy/engine/interfaces.hpp"
#include "alchemy/engine/url.hpp"
#include "alchemy/exc.hpp"
#include "support/backends.hpp"

namespace alchemy {
namespace {

using dialects::postgresql::error_kind_for_sqlstate;
using dialects::postgresql::is_disconnect_sqlstate;
using ::testing::HasSubstr;

std::unique_ptr<DriverConnection> connect(const std::string& url) {
  return load_dialect("postgresql", "")->connector(make_url(url), {})();
}

// Executes `sql` on a fresh cursor, expecting exception E; returns it.
template <class E>
E error_of(DriverConnection& conn, std::string_view sql, std::vector<Value> params = {}) {
  std::vector<const Value*> ptrs;
  for (const auto& v : params) ptrs.push_back(&v);
  auto cur = conn.cursor();
  try {
    cur->execute(sql, ptrs, {});
    while (cur->fetch_next()) {
    }
  } catch (const E& e) {
    return e;
  }
  ADD_FAILURE() << "expected an exception from: " << sql;
  return E("no exception");
}

TEST(postgresql_error_map, sqlstate_classes_follow_psycopg2) {
  using K = DBAPIErrorKind;
  const std::vector<std::pair<const char*, K>> cases = {
      {"0A000", K::not_supported_error}, {"08006", K::operational_error},
      {"20000", K::programming_error},   {"21000", K::programming_error},
      {"22012", K::data_error},          {"22P02", K::data_error},
      {"23505", K::integrity_error},     {"23503", K::integrity_error},
      {"24000", K::internal_error},      {"25P02", K::internal_error},
      {"26000", K::operational_error},   {"27000", K::operational_error},
      {"28P01", K::operational_error},   {"2BP01", K::internal_error},
      {"2D000", K::internal_error},      {"2F005", K::internal_error},
      {"34000", K::operational_error},   {"38001", K::internal_error},
      {"39P01", K::internal_error},      {"3B001", K::internal_error},
      {"3D000", K::programming_error},   {"3F000", K::programming_error},
      {"40001", K::operational_error},   {"40P01", K::operational_error},
      {"42601", K::programming_error},   {"42P01", K::programming_error},
      {"44000", K::programming_error},   {"53100", K::operational_error},
      {"54001", K::operational_error},   {"55P03", K::operational_error},
      {"57014", K::operational_error},   {"57P01", K::operational_error},
      {"58030", K::operational_error},   {"F0000", K::internal_error},
      {"HV000", K::operational_error},   {"P0001", K::internal_error},
      {"XX000", K::internal_error},      {"XX001", K::internal_error},
      {"99999", K::database_error},      {"", K::database_error},
  };
  for (const auto& [state, kind] : cases)
    EXPECT_EQ(error_kind_for_sqlstate(state), kind) << "SQLSTATE " << state;
}

TEST(postgresql_error_map, disconnect_sqlstates) {
  for (const char* s : {"08000", "08003", "08006", "57P01", "57P02", "57P03"})
    EXPECT_TRUE(is_disconnect_sqlstate(s)) << s;
  for (const char* s : {"57014", "23505", "40001", "", "25P02"})
    EXPECT_FALSE(is_disconnect_sqlstate(s)) << s;
}

TEST(postgresql_error_map, unique_violation_is_integrity_error_with_detail) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE em_unique (id int PRIMARY KEY)");
  conn->exec("INSERT INTO em_unique VALUES (1)");
  auto e = error_of<IntegrityError>(*conn, "INSERT INTO em_unique VALUES ($1)", {1});
  EXPECT_EQ(e.sqlstate(), "23505");
  EXPECT_EQ(e.native_code(), 0);
  EXPECT_FALSE(e.is_disconnect());
  EXPECT_THAT(e.what(), HasSubstr("duplicate key value violates unique constraint"));
  EXPECT_THAT(e.what(), HasSubstr("\nDETAIL:  Key (id)=(1) already exists."));
  // The same through the simple protocol (no parameters) and exec().
  EXPECT_EQ(error_of<IntegrityError>(*conn, "INSERT INTO em_unique VALUES (1)").sqlstate(),
            "23505");
  EXPECT_THROW(conn->exec("INSERT INTO em_unique VALUES (1)"), IntegrityError);
}

TEST(postgresql_error_map, syntax_error_and_undefined_table_are_programming_errors) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  EXPECT_EQ(error_of<ProgrammingError>(*conn, "SELEC 1").sqlstate(), "42601");
  EXPECT_EQ(error_of<ProgrammingError>(*conn, "SELECT $1 FROM", {1}).sqlstate(), "42601");
  auto e = error_of<ProgrammingError>(*conn, "SELECT * FROM em_no_such_table");
  EXPECT_EQ(e.sqlstate(), "42P01");
  EXPECT_THAT(e.what(), HasSubstr("relation \"em_no_such_table\" does not exist"));
  EXPECT_THAT(e.what(), HasSubstr("(ProgrammingError 42P01)"));
}

TEST(postgresql_error_map, hint_is_part_of_the_message) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  auto e = error_of<ProgrammingError>(*conn, "SELECT 'a'::text + 1");
  EXPECT_EQ(e.sqlstate(), "42883");
  EXPECT_THAT(e.what(), HasSubstr("\nHINT:  "));
}

TEST(postgresql_error_map, division_by_zero_is_data_error) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  EXPECT_EQ(error_of<DataError>(*conn, "SELECT 1/0").sqlstate(), "22012");
  EXPECT_EQ(error_of<DataError>(*conn, "SELECT $1::int / 0", {7}).sqlstate(), "22012");
  EXPECT_EQ(error_of<DataError>(*conn, "SELECT $1::int", {"x"}).sqlstate(), "22P02");
}

TEST(postgresql_error_map, commit_after_failed_statement_raises_25P02) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto conn = connect(url);
  conn->exec("CREATE TEMP TABLE em_commit (id int)");
  conn->begin();
  conn->exec("INSERT INTO em_commit VALUES (1)");
  EXPECT_THROW(conn->exec("SELECT 1/0"), DataError);
  EXPECT_TRUE(conn->in_transaction());
  // Later statements fail until the rollback.
  auto aborted = error_of<InternalError>(*conn, "SELECT 1");
  EXPECT_EQ(aborted.sqlstate(), "25P02");
  try {
    conn->commit();
    FAIL() << "COMMIT of a failed transaction looked successful";
  } catch (const InternalError& e) {
    EXPECT_EQ(e.sqlstate(), "25P02");
    EXPECT_THAT(e.what(), HasSubstr("rolled back instead of committing"));
    EXPECT_THAT(e.what(), HasSubstr("rollback()"));
  }
  // The server already ended the transaction; rollback() is harmless.
  EXPECT_FALSE(conn->in_transaction());
  conn->rollback();
  auto cur = conn->cursor();
  cur->execute("SELECT count(*) FROM em_commit", {}, {});
  ASSERT_TRUE(cur->fetch_next());
  EXPECT_EQ(cur->get_int64(0), 0);
}

TEST(postgresql_error_map, terminated_backend_is_a_disconnect) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  auto victim = connect(url);
  auto killer = connect(url);
  auto cur = victim->cursor();
  cur->execute("SELECT pg_backend_pid()", {}, {});
  ASSERT_TRUE(cur->fetch_next());
  const Value pid = cur->get_int64(0);
  cur->close();

  auto k = killer->cursor();
  const Value* params[] = {&pid};
  k->execute("SELECT pg_terminate_backend($1::int)", params, {});
  ASSERT_TRUE(k->fetch_next());
  ASSERT_TRUE(k->get_bool(0));
  // pg_terminate_backend only signals; wait until the backend is gone.
  for (int i = 0; i < 500; ++i) {
    k->execute("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int", params, {});
    ASSERT_TRUE(k->fetch_next());
    if (k->get_int64(0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  try {
    cur->execute("SELECT 1", {}, {});
    FAIL() << "a terminated backend answered";
  } catch (const DBAPIError& e) {
    EXPECT_TRUE(e.is_disconnect()) << e.what();
    EXPECT_TRUE(dynamic_cast<const OperationalError*>(&e) != nullptr) << e.what();
  }
  EXPECT_FALSE(victim->ping());
  EXPECT_TRUE(victim->is_closed());
  EXPECT_TRUE(killer->ping());
  victim->close();
  victim->close();
}

}  // namespace
}  // namespace alchemy
