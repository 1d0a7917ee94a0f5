// Result and Row on every backend.
#include <alchemy/alchemy.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

#include "engine/engine_fixture.hpp"

namespace alchemy::testing {
namespace {

class ResultTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    engine_ = make_engine();
    create_users(*engine_);
    auto conn = engine_->connect();
    conn.execute(text("INSERT INTO users (name, age, email) VALUES (:n, :a, :e)"),
                 std::vector<Params>{{{"n", "Ahmad"}, {"a", 30}, {"e", "ahmad@example.com"}},
                                     {{"n", "Ali"}, {"a", 25}, {"e", nullptr}},
                                     {{"n", "Sara"}, {"a", 41}, {"e", "sara@example.com"}}});
    conn.commit();
  }
  std::optional<Engine> engine_;
};

TEST_P(ResultTest, fetch_methods) {
  auto conn = engine_->connect();
  auto r = conn.execute(text("SELECT id, name, age FROM users ORDER BY id"));
  EXPECT_EQ(r.keys(), (std::vector<std::string>{"id", "name", "age"}));
  auto first = r.fetchone();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->get<std::string>("name"), "Ahmad");
  auto some = r.fetchmany(1);
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].get<std::string>(1), "Ali");
  auto rest = r.fetchall();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0]["name"].as<std::string>(), "Sara");
  EXPECT_FALSE(r.fetchone());
  EXPECT_TRUE(r.fetchall().empty());
}

TEST_P(ResultTest, first_one_scalar) {
  auto conn = engine_->connect();
  EXPECT_EQ(conn.execute(text("SELECT name FROM users ORDER BY age")).first()->get<std::string>(0),
            "Ali");
  EXPECT_FALSE(conn.execute(text("SELECT name FROM users WHERE age > 100")).first());
  EXPECT_EQ(conn.execute(text("SELECT name FROM users WHERE age = 41")).one().get<std::string>(0),
            "Sara");
  EXPECT_THROW(conn.execute(text("SELECT name FROM users WHERE age > 100")).one(), NoResultFound);
  EXPECT_THROW(conn.execute(text("SELECT name FROM users")).one(), MultipleResultsFound);
  EXPECT_FALSE(conn.execute(text("SELECT name FROM users WHERE age > 100")).one_or_none());
  EXPECT_THROW(conn.execute(text("SELECT name FROM users")).one_or_none(), MultipleResultsFound);
  EXPECT_EQ(conn.execute(text("SELECT count(*) FROM users")).scalar().as<std::int64_t>(), 3);
  EXPECT_TRUE(conn.execute(text("SELECT name FROM users WHERE age > 100")).scalar().is_null());
  EXPECT_EQ(conn.execute(text("SELECT max(age) FROM users")).scalar_one().as<int>(), 41);
  EXPECT_FALSE(conn.execute(text("SELECT age FROM users WHERE age > 100")).scalar_one_or_none());
  EXPECT_THROW(conn.execute(text("SELECT age FROM users WHERE age > 100")).scalar<int>(),
               NoResultFound);
  EXPECT_FALSE(
      conn.execute(text("SELECT age FROM users WHERE age > 100")).scalar<std::optional<int>>());
}

TEST_P(ResultTest, scalars_and_mappings) {
  auto conn = engine_->connect();
  auto names = conn.execute(text("SELECT name FROM users ORDER BY name")).scalars().all();
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[2].as<std::string>(), "Sara");
  auto ages = conn.execute(text("SELECT name, age FROM users ORDER BY age")).scalars<int>(1).all();
  EXPECT_EQ(ages, (std::vector<int>{25, 30, 41}));
  std::vector<std::string> seen;
  for (auto m : conn.execute(text("SELECT name, email FROM users ORDER BY id")).mappings()) {
    seen.push_back(m["name"].as<std::string>() + "=" +
                   m.get<std::optional<std::string>>("email").value_or("NULL"));
    EXPECT_EQ(m.keys(), (std::vector<std::string>{"name", "email"}));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"Ahmad=ahmad@example.com", "Ali=NULL",
                                            "Sara=sara@example.com"}));
  auto m = conn.execute(text("SELECT id, name FROM users WHERE name = 'Ali'")).mappings().one();
  EXPECT_EQ(m.repr(), "{'id': 2, 'name': 'Ali'}");
}

TEST_P(ResultTest, typed_access_and_nulls) {
  auto conn = engine_->connect();
  auto row = conn.execute(text("SELECT id, name, email FROM users WHERE name = 'Ali'")).one();
  EXPECT_EQ(row.get<std::int64_t>("id"), 2);
  EXPECT_EQ(row.get<int>(0), 2);
  EXPECT_FALSE(row.get<std::optional<std::string>>("email"));
  EXPECT_TRUE(row.is_null(2));
  try {
    row.get<std::string>("email");
    FAIL() << "NULL into std::string must throw";
  } catch (const InvalidRequestError& e) {
    EXPECT_NE(std::string(e.what()).find("email"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("optional"), std::string::npos) << e.what();
  }
  EXPECT_THROW(row.get<int>("nope"), NoSuchColumnError);
  EXPECT_THROW(row[7], NoSuchColumnError);
  try {
    row.get<std::int64_t>("name");
    FAIL() << "text into integer must throw";
  } catch (const InvalidRequestError& e) {
    EXPECT_NE(std::string(e.what()).find("name"), std::string::npos) << e.what();
  }
  EXPECT_EQ(row.repr(), "(2, 'Ali', NULL)");
  auto big = conn.execute(text("SELECT 5000000000 AS n, -1 AS m")).one();
  EXPECT_EQ(big.get<std::int64_t>("n"), 5000000000);
  EXPECT_THROW(big.get<int>("n"), InvalidRequestError) << "no silent wrap to 32 bits";
  EXPECT_THROW(big.get<unsigned>("m"), InvalidRequestError);
  EXPECT_EQ(big.get<short>("m"), -1);
  EXPECT_EQ(row.mapping()["name"].as<std::string>(), "Ali");
  EXPECT_TRUE(row.mapping().contains("email"));
}

TEST_P(ResultTest, rows_copied_out_of_the_loop_stay_valid) {
  auto conn = engine_->connect();
  std::vector<Row> kept;
  for (const Row& row : conn.execute(text("SELECT id, name FROM users ORDER BY id"))) {
    EXPECT_TRUE(row.is_view());
    kept.push_back(row);
  }
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_FALSE(kept[0].is_view());
  EXPECT_EQ(kept[0].get<std::string>("name"), "Ahmad");
  EXPECT_EQ(kept[2].get<std::string>(1), "Sara");
}

TEST_P(ResultTest, tuples) {
  auto conn = engine_->connect();
  std::vector<std::string> out;
  for (auto [id, name, email] : conn.execute(text("SELECT id, name, email FROM users ORDER BY id"))
                                    .tuples<std::int64_t, std::string, std::optional<std::string>>())
    out.push_back(std::to_string(id) + name + (email ? "+" : "-"));
  EXPECT_EQ(out, (std::vector<std::string>{"1Ahmad+", "2Ali-", "3Sara+"}));
}

TEST_P(ResultTest, partitions) {
  auto conn = engine_->connect();
  std::vector<std::size_t> sizes;
  std::vector<std::string> names;
  for (const std::vector<Row>& chunk :
       conn.execute(text("SELECT name FROM users ORDER BY id")).partitions(2)) {
    sizes.push_back(chunk.size());
    for (const Row& r : chunk) names.push_back(r.get<std::string>(0));
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 1}));
  EXPECT_EQ(names, (std::vector<std::string>{"Ahmad", "Ali", "Sara"}));
  // yield_per sets the default partition size (and streams from the server).
  conn.execution_options({.yield_per = 1});
  std::size_t chunks = 0;
  for (const auto& chunk : conn.execute(text("SELECT id FROM users")).partitions()) {
    EXPECT_EQ(chunk.size(), 1u);
    ++chunks;
  }
  EXPECT_EQ(chunks, 3u);
  auto r = conn.execute(text("SELECT id FROM users"));
  r.yield_per(3);
  EXPECT_EQ(r.partitions().size(), 3u);
  std::size_t none = 0;
  for (const auto& chunk : conn.execute(text("SELECT id FROM users WHERE id > 99")).partitions())
    none += chunk.size() + 1;
  EXPECT_EQ(none, 0u);
}

TEST_P(ResultTest, non_row_results) {
  auto conn = engine_->connect();
  auto r = conn.execute(text("UPDATE users SET age = age + 1"));
  EXPECT_FALSE(r.returns_rows());
  EXPECT_EQ(r.rowcount(), 3);
  EXPECT_TRUE(r.keys().empty());
  EXPECT_THROW(r.fetchone(), ResourceClosedError);
  EXPECT_THROW(r.all(), ResourceClosedError);
}

TEST_P(ResultTest, returning_rows) {
  auto conn = engine_->connect();
  auto r = conn.execute(text("INSERT INTO users (name, age) VALUES (:n, :a) RETURNING id, name"),
                        {{"n", "Reza"}, {"a", 50}});
  auto row = r.one();
  EXPECT_EQ(row.get<std::int64_t>("id"), 4);
  EXPECT_EQ(row.get<std::string>("name"), "Reza");
  auto d = conn.execute(text("DELETE FROM users WHERE age > :a RETURNING name"), {{"a", 29}});
  auto names = d.scalars<std::string>().all();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"Ahmad", "Reza", "Sara"}));
}

TEST_P(ResultTest, lastrowid_and_inserted_primary_key) {
  auto conn = engine_->connect();
  auto r = conn.execute(text("INSERT INTO users (name) VALUES ('Nima')"));
  if (pg()) {
    EXPECT_FALSE(r.lastrowid());
  } else {
    EXPECT_EQ(r.lastrowid(), 4);
  }
  EXPECT_THROW(r.inserted_primary_key(), InvalidRequestError);
}

TEST_P(ResultTest, result_closes_with_its_connection) {
  auto conn = engine_->connect();
  auto r = conn.execute(text("SELECT name FROM users ORDER BY id"));
  EXPECT_TRUE(r.fetchone());
  conn.close();
  EXPECT_TRUE(r.closed());
  EXPECT_THROW(r.fetchone(), ResourceClosedError);
}

TEST_P(ResultTest, closing_a_result_early_frees_the_connection) {
  auto conn = engine_->connect();
  for (int i = 0; i < 200; ++i) {
    auto r = conn.execute(text("SELECT name FROM users ORDER BY id"));
    EXPECT_TRUE(r.first());
  }
  auto r1 = conn.execute(text("SELECT name FROM users ORDER BY id"));
  auto r2 = conn.execute(text("SELECT name FROM users ORDER BY id"));  // two open at once
  EXPECT_EQ(r1.fetchall().size(), 3u);
  EXPECT_EQ(r2.fetchall().size(), 3u);
}

std::size_t rss_kb() {
  std::ifstream f("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) / 1024;
}

TEST_P(ResultTest, million_row_result_streams_in_bounded_memory) {
  auto conn = engine_->connect();
  conn.execution_options({.stream_results = true});
  const std::string sql =
      pg() ? "SELECT g AS n, repeat('x', 100) AS pad FROM generate_series(1, 1000000) AS g"
           : "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000) "
             "SELECT n, printf('%.100c', 'x') AS pad FROM c";
  auto before = rss_kb();
  std::int64_t sum = 0, rows = 0;
  std::size_t peak = before;
  for (const Row& row : conn.execute(text(sql))) {
    sum += row.get<std::int64_t>(0);
    if (++rows % 100000 == 0) peak = std::max(peak, rss_kb());
  }
  EXPECT_EQ(rows, 1000000);
  EXPECT_EQ(sum, 500000500000);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer quarantines freed memory, so RSS says nothing here.
  (void)peak;
#else
  // Buffering 1M rows of ~110 bytes would take >100 MB.
  EXPECT_LT(peak - before, 30u * 1024) << "RSS grew by " << (peak - before) << " kB";
#endif
}

TEST_P(ResultTest, streaming_result_then_another_statement) {
  auto conn = engine_->connect();
  conn.execution_options({.stream_results = true});
  auto r = conn.execute(text("SELECT id FROM users ORDER BY id"));
  ASSERT_TRUE(r.fetchone());
  // A second statement while rows are pending.
  EXPECT_EQ(conn.execute(text("SELECT count(*) FROM users")).scalar<int>(), 3);
  EXPECT_EQ(r.fetchall().size(), 2u);
}

ALCHEMY_INSTANTIATE_ON_ALL_BACKENDS(ResultTest);

}  // namespace
}  // namespace alchemy::testing
