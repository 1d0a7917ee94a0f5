// pool_pre_ping after a full server restart. Restarting the shared test server
// would disturb other tests, so this executable runs alone (RUN_SERIAL).
#include <alchemy/alchemy.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "support/backends.hpp"

namespace alchemy::testing {
namespace {

TEST(pg_restart, pre_ping_survives_a_server_restart) {
  ALCHEMY_PG_URL_OR_SKIP(url);
  const char* datadir = std::getenv("ALCHEMY_TEST_POSTGRESQL_DATADIR");
  const char* pgbin = std::getenv("PGBIN");
  if (datadir == nullptr || pgbin == nullptr) {
    if (under_ci()) FAIL() << "ALCHEMY_TEST_POSTGRESQL_DATADIR/PGBIN unset under CI";
    GTEST_SKIP() << "needs the server started by scripts/with-postgres.sh";
  }
  const char* runas = std::getenv("ALCHEMY_TEST_POSTGRESQL_RUNAS");
  const char* logfile = std::getenv("ALCHEMY_TEST_POSTGRESQL_LOG");
  auto engine = create_engine(url, {.pool_size = 3, .pool_pre_ping = true});
  {
    auto a = engine.connect();
    auto b = engine.connect();
    a.execute(text("SELECT 1"));
    b.execute(text("SELECT 1"));
  }
  EXPECT_EQ(engine.pool().checked_in(), 2u);
  std::string cmd = std::string(runas ? runas : "") + " " + pgbin + "/pg_ctl -D " + datadir +
                    " -m fast -w restart -l " +
                    (logfile ? std::string(logfile) : std::string(datadir) + "/restart.log") +
                    " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  // Both pooled connections are dead; pre-ping replaces them without an error.
  for (int i = 0; i < 3; ++i) {
    auto conn = engine.connect();
    EXPECT_EQ(conn.execute(text("SELECT 41 + 1")).scalar<int>(), 42);
  }
}

}  // namespace
}  // namespace alchemy::testing
