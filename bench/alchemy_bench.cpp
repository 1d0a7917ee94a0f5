// alchemy-bench: the anchor workloads of ../shared/anchors/perf/WORKLOADS.md on alchemy.
//
//   alchemy-bench BACKEND WORKLOAD VARIANT N DB
//
// BACKEND is "sqlite" (DB = a database file) or "postgres" (DB = a database
// name; host/port/user from PGHOST/PGPORT/PGUSER). Prints one line
//   RESULT impl=alchemy backend=... workload=... variant=... n=... seconds=... cpu=... check=...
// with the same checksum as every other implementation. Only the workload is
// timed: engine creation and the first connection are outside the timer.
//
// Variants (this release: Core with text()):
//   W1 core_text   text() INSERT executemany of N rows in one transaction
//   W2 core_text   text() SELECT of all rows, read into a std::vector of structs
//   W3 core_text   one text() SELECT by primary key reused for N lookups
//   W3 core_text_autocommit  the same with isolation_level AUTOCOMMIT, i.e. no
//                  enclosing transaction: the like-for-like comparison with a
//                  raw driver loop that never BEGINs
#include <alchemy/alchemy.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace {

struct Customer {
  std::int64_t id;
  std::string name;
  std::string description;
};

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

class Timer {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }
  double cpu() const { return cpu_seconds() - cpu0_; }

 private:
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  double cpu0_ = cpu_seconds();
};

// W3's keys: Fisher-Yates over 1..rows driven by splitmix64(42), first n.
std::vector<std::int64_t> w3_keys(std::int64_t rows, std::int64_t n) {
  std::vector<std::int64_t> k(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i) k[static_cast<std::size_t>(i)] = i + 1;
  std::uint64_t s = 42;
  auto next = [&] {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  for (std::int64_t i = rows - 1; i > 0; --i) {
    auto j = static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(i + 1));
    std::swap(k[static_cast<std::size_t>(i)], k[static_cast<std::size_t>(j)]);
  }
  k.resize(static_cast<std::size_t>(n < rows ? n : rows));
  return k;
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "error: %s\n", msg.c_str());
  std::exit(2);
}

std::string url_for(const std::string& backend, const std::string& db) {
  if (backend == "sqlite") return "sqlite:///" + db;
  if (backend == "postgres") {
    const char* host = std::getenv("PGHOST");
    const char* port = std::getenv("PGPORT");
    const char* user = std::getenv("PGUSER");
    std::string url = "postgresql://";
    if (user && *user) url += alchemy::url_quote(user) + "@";
    url += host && *host ? host : "127.0.0.1";
    if (port && *port) url += std::string(":") + port;
    return url + "/" + db;
  }
  die("unknown backend " + backend + " (sqlite or postgres)");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) die("usage: alchemy-bench BACKEND WORKLOAD VARIANT N DB");
  const std::string backend = argv[1], workload = argv[2], variant = argv[3], db = argv[5];
  const long n = std::atol(argv[4]);
  using namespace alchemy;
  try {
    auto engine = create_engine(url_for(backend, db));
    auto conn = engine.connect();
    long long check = 0;
    double secs = 0, cpu = 0;

    if (workload == "W1" && variant == "core_text") {
      auto insert = text("INSERT INTO customer (name, description) VALUES (:name, :description)");
      Timer t;
      std::vector<Params> rows;
      rows.reserve(static_cast<std::size_t>(n));
      for (long i = 0; i < n; ++i)
        rows.push_back({{"name", fmt::format("customer name {}", i)},
                        {"description", fmt::format("customer description {}", i)}});
      conn.execute(insert, rows);
      conn.commit();
      secs = t.seconds();
      cpu = t.cpu();
      check = conn.execute(text("SELECT count(*) FROM customer")).scalar<long long>();
    } else if (workload == "W2" && variant == "core_text") {
      Timer t;
      std::vector<Customer> out;
      for (const Row& row : conn.execute(text("SELECT id, name, description FROM customer")))
        out.push_back({row.get<std::int64_t>(0), row.get<std::string>(1), row.get<std::string>(2)});
      for (const auto& c : out)
        check += c.id + static_cast<long long>(c.name.size() + c.description.size());
      secs = t.seconds();
      cpu = t.cpu();
    } else if (workload == "W3" && (variant == "core_text" || variant == "core_text_autocommit")) {
      if (variant == "core_text_autocommit") conn.execution_options({.isolation_level = "AUTOCOMMIT"});
      auto rows = conn.execute(text("SELECT count(*) FROM customer")).scalar<std::int64_t>();
      conn.commit();
      auto keys = w3_keys(rows, n);
      auto select = text("SELECT id, name, description FROM customer WHERE id = :id");
      Timer t;
      for (auto k : keys) {
        auto row = conn.execute(select, {{"id", k}})
                       .tuples<std::int64_t, std::string, std::string>()
                       .first();
        if (!row) die("missing key");
        Customer c{std::get<0>(*row), std::move(std::get<1>(*row)), std::move(std::get<2>(*row))};
        check += c.id + static_cast<long long>(c.name.size() + c.description.size());
      }
      secs = t.seconds();
      cpu = t.cpu();
    } else {
      die("unknown workload/variant " + workload + "/" + variant +
          " (this release: W1 core_text, W2 core_text, W3 core_text, W3 core_text_autocommit)");
    }
    std::printf("RESULT impl=alchemy backend=%s workload=%s variant=%s n=%ld seconds=%.6f "
                "cpu=%.6f check=%lld\n",
                backend.c_str(), workload.c_str(), variant.c_str(), n, secs, cpu, check);
  } catch (const std::exception& e) {
    die(e.what());
  }
  return 0;
}
