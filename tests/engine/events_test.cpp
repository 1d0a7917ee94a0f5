// Engine and pool events, and echo logging.
#include <alchemy/alchemy.hpp>
#include <gtest/gtest.h>

#include <mutex>

#include "engine/engine_fixture.hpp"

namespace alchemy::testing {
namespace {

using EventsTest = EngineTest;

TEST_P(EventsTest, connect_checkout_checkin) {
  auto engine = make_engine();
  int connects = 0, checkouts = 0, checkins = 0;
  event::listen(engine, event::connect, [&](DBAPIConnection& dbapi, ConnectionRecord& rec) {
    ++connects;
    EXPECT_NE(dbapi.native_handle(), nullptr);
    rec.info()["tag"] = std::string("first");
  });
  event::listen(engine, event::checkout, [&](DBAPIConnection&, ConnectionRecord& rec) {
    ++checkouts;
    EXPECT_EQ(std::any_cast<std::string>(rec.info()["tag"]), "first");
  });
  auto id = event::listen(engine, event::checkin,
                          [&](DBAPIConnection* dbapi, ConnectionRecord&) {
                            ++checkins;
                            EXPECT_NE(dbapi, nullptr);
                          });
  engine.connect().close();
  {
    auto conn = engine.connect();
    EXPECT_EQ(std::any_cast<std::string>(conn.info()["tag"]), "first")
        << "Connection::info() is the record's info";
  }
  EXPECT_EQ(connects, 1);
  EXPECT_EQ(checkouts, 2);
  EXPECT_EQ(checkins, 2);
  EXPECT_TRUE(event::remove(engine, event::checkin, id));
  EXPECT_FALSE(event::remove(engine, event::checkin, id));
  engine.connect().close();
  EXPECT_EQ(checkins, 2);
}

TEST_P(EventsTest, cursor_execute_events_see_every_statement) {
  auto engine = make_engine();
  std::vector<std::string> before, after;
  event::listen(engine, event::before_cursor_execute,
                [&](Connection&, const CursorExecuteContext& ctx) {
                  before.push_back(std::string(ctx.statement) + " " + ctx.parameters_repr());
                });
  event::listen(engine, event::after_cursor_execute,
                [&](Connection&, const CursorExecuteContext& ctx) {
                  after.emplace_back(ctx.statement);
                  EXPECT_GE(ctx.elapsed.count(), 0);
                });
  auto conn = engine.connect();
  conn.execute(text("CREATE TABLE e (x INTEGER)"));
  conn.execute(text("INSERT INTO e VALUES (:x)"), std::vector<Params>{{{"x", 1}}, {{"x", 2}}});
  conn.execute(text("SELECT x FROM e WHERE x > :m"), {{"m", 0}}).all();
  ASSERT_EQ(before.size(), 3u);
  const char* p = pg() ? "$1" : "?1";
  EXPECT_EQ(before[1], std::string("INSERT INTO e VALUES (") + p + ") [(1,), (2,)]");
  EXPECT_EQ(before[2], std::string("SELECT x FROM e WHERE x > ") + p + " (0,)");
  EXPECT_EQ(after.size(), 3u);
}

TEST_P(EventsTest, transaction_events) {
  auto engine = make_engine();
  std::vector<std::string> seen;
  event::listen(engine, event::begin, [&](Connection&) { seen.push_back("begin"); });
  event::listen(engine, event::commit, [&](Connection&) { seen.push_back("commit"); });
  event::listen(engine, event::rollback, [&](Connection&) { seen.push_back("rollback"); });
  auto conn = engine.connect();
  conn.execute(text("SELECT 1"));
  conn.commit();
  auto tx = conn.begin();
  tx.rollback();
  EXPECT_EQ(seen, (std::vector<std::string>{"begin", "commit", "begin", "rollback"}));
}

TEST_P(EventsTest, checkout_listener_can_reject_a_connection) {
  auto engine = make_engine();
  int calls = 0;
  event::listen(engine, event::checkout, [&](DBAPIConnection&, ConnectionRecord&) {
    if (++calls == 1) throw DisconnectionError("stale, try another");
  });
  auto conn = engine.connect();
  EXPECT_EQ(conn.execute(text("SELECT 1")).scalar<int>(), 1);
  EXPECT_EQ(calls, 2);
}

TEST_P(EventsTest, echo_logs_statements_parameters_and_transactions) {
  std::vector<std::string> lines;
  std::mutex mu;
  auto engine = make_engine({.echo = true, .logger = [&](const LogRecord& r) {
                               std::lock_guard lock(mu);
                               lines.push_back(std::string(r.logger) + "|" + std::string(r.message));
                             }});
  auto conn = engine.connect();
  conn.execute(text("SELECT :greeting"), {{"greeting", "salam"}});
  conn.commit();
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "alchemy.engine.Engine|BEGIN (implicit)");
  EXPECT_NE(lines[1].find("SELECT "), std::string::npos);
  EXPECT_NE(lines[1].find("('salam',)"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("s]"), std::string::npos) << "duration: " << lines[1];
  EXPECT_EQ(lines[2], "alchemy.engine.Engine|COMMIT");
  engine.set_echo(false);
  auto n = lines.size();
  conn.execute(text("SELECT 1"));
  EXPECT_EQ(lines.size(), n);
}

TEST_P(EventsTest, echo_pool_logs_pool_activity) {
  std::vector<std::string> lines;
  auto engine = make_engine({.echo_pool = true, .logger = [&](const LogRecord& r) {
                               lines.push_back(std::string(r.logger) + "|" + std::string(r.message));
                             }});
  engine.connect().close();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "alchemy.pool|Created new connection");
  bool returned = false;
  for (const auto& l : lines) returned |= l.find("rollback") != std::string::npos ||
                                          l.find("returned to pool") != std::string::npos;
  if (!memory()) {
    EXPECT_TRUE(returned) << "checkin is logged";  // StaticPool logs no checkin
  }
}

ALCHEMY_INSTANTIATE_ON_ALL_BACKENDS(EventsTest);

TEST(events, guide_example_sqlite_foreign_keys_pragma) {
  auto engine = create_engine("sqlite:///:memory:");
  event::listen(engine, event::connect, [&](DBAPIConnection& dbapi, ConnectionRecord&) {
    if (engine.url().get_backend_name() == "sqlite") dbapi.exec("PRAGMA foreign_keys=ON");
  });
  auto conn = engine.connect();
  conn.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"));
  conn.execute(text("CREATE TABLE child (id INTEGER PRIMARY KEY, "
                    "parent_id INTEGER REFERENCES parent(id))"));
  EXPECT_THROW(conn.execute(text("INSERT INTO child (parent_id) VALUES (42)")), IntegrityError);
}

TEST(events, process_wide_log_handler) {
  std::vector<std::string> got;
  set_log_handler([&](const LogRecord& r) { got.emplace_back(r.message); });
  auto engine = create_engine("sqlite://", {.echo = true});
  engine.connect().execute(text("SELECT 1"));
  set_log_handler({});
  EXPECT_FALSE(got.empty());
}

}  // namespace
}  // namespace alchemy::testing
