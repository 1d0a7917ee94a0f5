// Core micro-benchmarks: building a select() and finding its compiled form.
//
// What Connection::execute() pays before the driver sees a statement:
//   BM_select_build                 building select(customer).where(id == k)
//   BM_select_compile               a full compile (no cache), for scale
//   BM_select_compiled_cache_hit    a statement rebuilt per call (as SQLAlchemy's
//                                   orm_select does) + compile_for(): cache key,
//                                   then the engine-wide compiled cache's hit
//   BM_select_memo_hit              the same statement object executed again:
//                                   compile_for() answers from the statement's memo
// Budget: a cache hit under 1 us.
#include <benchmark/benchmark.h>

#include <alchemy/alchemy.hpp>
#include <cstdint>
#include <memory>
#include <vector>

namespace {

struct Fixture {
  alchemy::MetaData metadata;
  alchemy::Table customer{"customer", metadata,
                          alchemy::Column("id", alchemy::Integer, alchemy::primary_key()),
                          alchemy::Column("name", alchemy::String(255)),
                          alchemy::Column("description", alchemy::String(255))};
  std::shared_ptr<const alchemy::Dialect> dialect = alchemy::load_dialect("sqlite", "");
  const alchemy::SQLCompiler& compiler() const { return dialect->statement_compiler(); }
  alchemy::CompiledCache cache;
  std::vector<const alchemy::Value*> literals;

  alchemy::Select lookup(std::int64_t k) const {
    return alchemy::select(customer).where(customer.c["id"] == k);
  }
};

void BM_select_build(benchmark::State& state) {
  Fixture f;
  std::int64_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(f.lookup(++k));
}
BENCHMARK(BM_select_build);

void BM_select_compile(benchmark::State& state) {
  Fixture f;
  auto stmt = f.lookup(1);
  for (auto _ : state) benchmark::DoNotOptimize(stmt.compile(f.compiler()));
}
BENCHMARK(BM_select_compile);

void BM_select_compiled_cache_hit(benchmark::State& state) {
  Fixture f;
  const alchemy::Params params;
  f.lookup(0).compile_for(f.compiler(), &f.cache, &params, false, f.literals);
  std::int64_t k = 0;
  for (auto _ : state) {
    auto stmt = f.lookup(++k);
    benchmark::DoNotOptimize(stmt.compile_for(f.compiler(), &f.cache, &params, false, f.literals));
  }
  if (f.cache.misses() != 1) state.SkipWithError("expected cache hits only");
}
BENCHMARK(BM_select_compiled_cache_hit);

void BM_select_memo_hit(benchmark::State& state) {
  Fixture f;
  const alchemy::Params params{{"id", 5}};
  auto stmt = alchemy::select(f.customer).where(f.customer.c["id"] == alchemy::bindparam("id"));
  stmt.compile_for(f.compiler(), &f.cache, &params, false, f.literals);
  for (auto _ : state)
    benchmark::DoNotOptimize(stmt.compile_for(f.compiler(), &f.cache, &params, false, f.literals));
}
BENCHMARK(BM_select_memo_hit);

}  // namespace
