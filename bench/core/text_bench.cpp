// Core micro-benchmarks: text() parsing and the compiled-form cache.
#include <benchmark/benchmark.h>

#include <alchemy/alchemy.hpp>

namespace {

struct Dollar : alchemy::SQLCompiler {
  std::string_view dialect_name() const override { return "bench"; }
  alchemy::ParamStyle paramstyle() const override { return alchemy::ParamStyle::numeric_dollar; }
};

void BM_text_parse_and_compile(benchmark::State& state) {
  Dollar d;
  for (auto _ : state) {
    auto t = alchemy::text("SELECT id, name, description FROM customer WHERE id = :id AND x > :x");
    benchmark::DoNotOptimize(t.compile(d));
  }
}
BENCHMARK(BM_text_parse_and_compile);

void BM_text_compile_cache_hit(benchmark::State& state) {
  Dollar d;
  auto t = alchemy::text("SELECT id, name, description FROM customer WHERE id = :id");
  t.compile(d);
  for (auto _ : state) benchmark::DoNotOptimize(t.compile(d));
}
BENCHMARK(BM_text_compile_cache_hit);

void BM_make_url(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(
        alchemy::make_url("postgresql://user:p%40ss@localhost:5432/db?sslmode=disable"));
}
BENCHMARK(BM_make_url);

void BM_decimal_parse(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(alchemy::Decimal("12345678901234567890.123456789"));
}
BENCHMARK(BM_decimal_parse);

}  // namespace
