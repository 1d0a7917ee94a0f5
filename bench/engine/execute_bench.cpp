// Engine micro-benchmarks on an in-memory SQLite database: the per-statement
// cost of the execution path, and the per-row cost of reading results.
#include <benchmark/benchmark.h>

#include <alchemy/alchemy.hpp>

namespace {

alchemy::Engine seeded_engine(int rows) {
  auto engine = alchemy::create_engine("sqlite:///:memory:");
  auto conn = engine.connect();
  conn.execute(
      alchemy::text("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT, description TEXT)"));
  std::vector<alchemy::Params> params;
  for (int i = 0; i < rows; ++i)
    params.push_back({{"name", "customer name " + std::to_string(i)},
                      {"description", "customer description " + std::to_string(i)}});
  if (!params.empty())
    conn.execute(
        alchemy::text("INSERT INTO customer (name, description) VALUES (:name, :description)"),
        params);
  conn.commit();
  return engine;
}

// One primary-key lookup through a reused text() statement.
void BM_execute_select_by_pk(benchmark::State& state) {
  auto engine = seeded_engine(1000);
  auto conn = engine.connect();
  auto stmt = alchemy::text("SELECT id, name, description FROM customer WHERE id = :id");
  std::int64_t k = 0;
  for (auto _ : state) {
    auto row = conn.execute(stmt, {{"id", k % 1000 + 1}})
                   .tuples<std::int64_t, std::string, std::string>()
                   .first();
    benchmark::DoNotOptimize(row);
    ++k;
  }
}
BENCHMARK(BM_execute_select_by_pk);

// The same lookup as a Core statement: select(customer).where(id == bindparam("id"))
// built once and executed again (memo hit, bind slots resolved and typed).
void BM_execute_core_select_by_pk(benchmark::State& state) {
  auto engine = seeded_engine(1000);
  auto conn = engine.connect();
  alchemy::MetaData metadata;
  alchemy::Table customer("customer", metadata,
                          alchemy::Column("id", alchemy::Integer, alchemy::primary_key()),
                          alchemy::Column("name", alchemy::String(255)),
                          alchemy::Column("description", alchemy::String(255)));
  auto stmt = alchemy::select(customer).where(customer.c["id"] == alchemy::bindparam("id"));
  std::int64_t k = 0;
  for (auto _ : state) {
    auto row = conn.execute(stmt, {{"id", k % 1000 + 1}})
                   .tuples<std::int64_t, std::string, std::string>()
                   .first();
    benchmark::DoNotOptimize(row);
    ++k;
  }
}
BENCHMARK(BM_execute_core_select_by_pk);

// The same lookup on the raw sqlite3 API would be the floor; this measures the
// statement with no result rows (UPDATE) for the non-row path.
void BM_execute_update(benchmark::State& state) {
  auto engine = seeded_engine(1000);
  auto conn = engine.connect();
  auto stmt = alchemy::text("UPDATE customer SET name = :name WHERE id = :id");
  std::int64_t k = 0;
  for (auto _ : state) {
    auto r = conn.execute(stmt, {{"name", "x"}, {"id", k % 1000 + 1}});
    benchmark::DoNotOptimize(r.rowcount());
    ++k;
  }
}
BENCHMARK(BM_execute_update);

// Reading rows into structs: the per-row cost (reported per row).
void BM_iterate_rows(benchmark::State& state) {
  auto engine = seeded_engine(10000);
  auto conn = engine.connect();
  auto stmt = alchemy::text("SELECT id, name, description FROM customer");
  struct Customer {
    std::int64_t id;
    std::string name, description;
  };
  for (auto _ : state) {
    std::vector<Customer> out;
    out.reserve(10000);
    for (const alchemy::Row& row : conn.execute(stmt))
      out.push_back({row.get<std::int64_t>(0), row.get<std::string>(1), row.get<std::string>(2)});
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_iterate_rows);

// executemany of 1000 rows (reported per row).
void BM_executemany_insert(benchmark::State& state) {
  auto engine = seeded_engine(0);
  auto conn = engine.connect();
  auto stmt =
      alchemy::text("INSERT INTO customer (name, description) VALUES (:name, :description)");
  std::vector<alchemy::Params> params;
  for (int i = 0; i < 1000; ++i) params.push_back({{"name", "n"}, {"description", "d"}});
  for (auto _ : state) {
    conn.execute(stmt, params);
    conn.rollback();
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_executemany_insert);

// A pool checkout and checkin (QueuePool on a file would add nothing SQL-side).
void BM_pool_checkout_checkin(benchmark::State& state) {
  auto engine = alchemy::create_engine("sqlite:///:memory:");
  engine.connect().close();
  for (auto _ : state) engine.connect().close();
}
BENCHMARK(BM_pool_checkout_checkin);

}  // namespace

BENCHMARK_MAIN();
