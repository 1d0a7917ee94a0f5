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
// Variants, Core expression language (named as the SQLAlchemy variants they mirror;
// the table is a Core Table of Columns, the statements select()/insert()/update()):
//   W1 core_executemany  conn.execute(insert(customer), n, generator) inside
//                  engine.begin(): each row formatted into a stack buffer and bound
//                  as it is produced, as the raw programs do
//   W1 core_executemany_list  the same from a std::vector<Params> built first
//                  (SQLAlchemy's list of dicts, literally)
//   W2 core_fetchall  conn.execute(select(customer)).tuples<...>().all(): every
//                  row into a typed tuple, every field read for the checksum
//   W2 core_fetchall_rows  conn.execute(select(customer)).fetchall(): dynamic
//                  Rows of Values, as SQLAlchemy's fetchall() returns
//   W3 core_reuse  one select(customer).where(customer.c["id"] == bindparam("id"))
//                  executed N times with {"id": k}, first row read typed
//   W3 core_reuse_autocommit  the same with isolation_level AUTOCOMMIT (no
//                  enclosing read transaction, like the raw loop)
//   W5 core_executemany  inside engine.begin(): select (id, description), then
//                  update(customer).where(id == bindparam("id_"))
//                  .values(description = bindparam("description")) with one
//                  generated parameter set per row
//   W5 core_executemany_list  the same from a std::vector<Params>
// Variants, text():
//   W1 core_text   text() INSERT executemany of N rows in one transaction, the rows
//                  generated as they are bound (Connection::execute with a generator,
//                  formatting into a stack buffer as the raw programs do)
//   W1 core_text_list  the same from a std::vector<Params> built first, as
//                  SQLAlchemy's list of dicts
//   W2 core_text   text() SELECT of all rows, read into a std::vector of structs
//   W2 core_text_stream  the same with stream_results (PostgreSQL single-row mode)
//   W3 core_text   one text() SELECT by primary key reused for N lookups
//   W3 core_text_autocommit  the same with isolation_level AUTOCOMMIT, i.e. no
//                  enclosing transaction: the like-for-like comparison with a
//                  raw driver loop that never BEGINs
// Variants, ORM (Customer is a plain struct mapped with orm::registry):
//   W1 orm_uow     Session.add_all() of N new Customer objects (orm::make), commit(): one
//                  unit-of-work flush, generated ids fetched back (RETURNING)
//   W1 orm_bulk_mappings  session.bulk_insert_mappings<Customer>(N Params), commit()
//   W2 orm_objects session.scalars(orm::select<Customer>()).all(): identity-mapped objects
//   W2 orm_columns session.execute(select(col(&Customer::id), ...)) into typed tuples
//   W3 orm_get     session.get<Customer>(k) per key, one Session
//   W3 orm_select  session.scalars(orm::select<Customer>().where(col(&Customer::id) == k))
//                  .one(), the statement rebuilt per call (compiled-cache hit)
//   W4 orm_commit  per row: a new Session, add(), commit()
//   W5 orm_flush   load every Customer, append " updated" to each description, commit()
//   W5 orm_update_stmt  query<Customer>().update({{"description", description || ' updated'}})
// Variants, relationship workload R1 (bench/r1.hpp: N users with 10 orders each,
// every user loaded with its orders; the tables are created and filled outside
// the timer when they do not hold exactly N users):
//   R1 raw_driver  no alchemy: sqlite3.h / libpq, users then all orders ORDER BY id,
//                  each order appended to its user's std::vector through a hash map
//   R1 orm_selectin, orm_joined, orm_lazy  the ORM's relationship loaders
//                  (bench/r1_orm.cpp)
//   seed -         (untimed helper) recreate table customer with N rows, as the
//                  anchors' raw programs do; used by the CTest smoke run
#include <fmt/format.h>

#include <alchemy/alchemy.hpp>
#include <alchemy/orm.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "r1.hpp"

#include "bench_util.hpp"

namespace {

using bench::cpu_seconds;
using bench::label;
using bench::Timer;


struct Customer {
  std::int64_t id;
  std::string name;
  std::string description;
};

// Table customer as Core objects (WORKLOADS.md's DDL; the harness creates the
// table itself, with the raw programs).
struct Schema {
  alchemy::MetaData metadata;
  alchemy::Table customer{"customer", metadata,
                          alchemy::Column("id", alchemy::Integer, alchemy::primary_key()),
                          alchemy::Column("name", alchemy::String(255)),
                          alchemy::Column("description", alchemy::String(255))};
};

// The ORM mapping of the same table.
alchemy::orm::registry& orm_registry() {
  namespace orm = alchemy::orm;
  static orm::registry* reg = [] {
    auto* r = new orm::registry();
    r->map<Customer>("customer", orm::column<&Customer::id>("id", alchemy::primary_key()),
                     orm::column<&Customer::name>("name", alchemy::String(255)),
                     orm::column<&Customer::description>("description", alchemy::String(255)));
    return r;
  }();
  return *reg;
}

long long checksum(std::int64_t id, std::string_view name, std::string_view description) {
  return id + static_cast<long long>(name.size() + description.size());
}


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
    if (workload == "R1") {
      if (variant != "raw_driver" && variant.rfind("orm_", 0) != 0)
        die("unknown workload/variant R1/" + variant +
            " (R1 raw_driver, orm_selectin, orm_joined, orm_lazy)");
      r1_prepare(backend, db, n);
      R1Result r{};
      if (variant == "raw_driver") {
        r = r1_raw(backend, db, n);
      } else {
        auto engine = create_engine(url_for(backend, db));
        engine.connect().close();  // the first connection is outside the timer
        r = r1_orm(backend, engine, variant, n);
      }
      std::printf(
          "RESULT impl=alchemy backend=%s workload=%s variant=%s n=%ld seconds=%.6f "
          "cpu=%.6f check=%lld\n",
          backend.c_str(), workload.c_str(), variant.c_str(), n, r.seconds, r.cpu, r.check);
      return 0;
    }
    auto engine = create_engine(url_for(backend, db));
    auto conn = engine.connect();
    long long check = 0;
    double secs = 0, cpu = 0;

    if (workload == "seed") {
      conn.execute(text("DROP TABLE IF EXISTS customer"));
      conn.execute(text(backend == "sqlite"
                            ? "CREATE TABLE customer (id INTEGER NOT NULL, name VARCHAR(255), "
                              "description VARCHAR(255), PRIMARY KEY (id))"
                            : "CREATE TABLE customer (id INTEGER GENERATED BY DEFAULT AS IDENTITY, "
                              "name VARCHAR(255), description VARCHAR(255), PRIMARY KEY (id))"));
      std::vector<Params> rows;
      for (long i = 0; i < n; ++i)
        rows.push_back({{"name", label("customer name ", i)},
                        {"description", label("customer description ", i)}});
      if (!rows.empty())
        conn.execute(text("INSERT INTO customer (name, description) VALUES (:name, :description)"),
                     rows);
      conn.commit();
      std::printf("SEED rows=%lld\n",
                  conn.execute(text("SELECT count(*) FROM customer")).scalar<long long>());
      return 0;
    }
    Schema schema;
    const Table& customer = schema.customer;
    auto count_rows = [&engine] {
      return engine.connect().execute(text("SELECT count(*) FROM customer")).scalar<long long>();
    };
    if (workload == "W1" && (variant == "core_executemany" || variant == "core_executemany_list")) {
      // engine.begin() checks the warmed-up connection out of the pool again.
      conn.close();
      Timer t;
      engine.begin([&](Connection& c) {
        if (variant == "core_executemany") {
          char buf[64];
          c.execute(insert(customer), static_cast<std::size_t>(n),
                    [&buf](std::size_t i, Params& p) {
                      auto name = fmt::format_to_n(buf, sizeof buf, "customer name {}", i);
                      p.set_text("name", {buf, name.size});
                      auto desc = fmt::format_to_n(buf, sizeof buf, "customer description {}", i);
                      p.set_text("description", {buf, desc.size});
                    });
        } else {
          std::vector<Params> rows;
          rows.reserve(static_cast<std::size_t>(n));
          for (long i = 0; i < n; ++i)
            rows.push_back({{"name", label("customer name ", i)},
                            {"description", label("customer description ", i)}});
          c.execute(insert(customer), rows);
        }
      });
      secs = t.seconds();
      cpu = t.cpu();
      check = count_rows();
    } else if (workload == "W2" && variant == "core_fetchall") {
      Timer t;
      auto rows =
          conn.execute(select(customer)).tuples<std::int64_t, std::string, std::string>().all();
      for (const auto& [id, name, description] : rows) check += checksum(id, name, description);
      secs = t.seconds();
      cpu = t.cpu();
    } else if (workload == "W2" && variant == "core_fetchall_rows") {
      Timer t;
      std::vector<Row> rows = conn.execute(select(customer)).fetchall();
      for (const Row& r : rows)
        check += checksum(r.get<std::int64_t>(0), r.get<std::string_view>(1),
                          r.get<std::string_view>(2));
      secs = t.seconds();
      cpu = t.cpu();
    } else if (workload == "W3" &&
               (variant == "core_reuse" || variant == "core_reuse_autocommit")) {
      if (variant == "core_reuse_autocommit")
        conn.execution_options({.isolation_level = "AUTOCOMMIT"});
      auto rows = conn.execute(text("SELECT count(*) FROM customer")).scalar<std::int64_t>();
      conn.commit();
      auto keys = w3_keys(rows, n);
      Timer t;
      auto stmt = select(customer).where(customer.c["id"] == bindparam("id"));
      for (auto k : keys) {
        auto row = conn.execute(stmt, {{"id", k}})
                       .tuples<std::int64_t, std::string, std::string>()
                       .first();
        if (!row) die("missing key");
        Customer c{std::get<0>(*row), std::move(std::get<1>(*row)), std::move(std::get<2>(*row))};
        check += checksum(c.id, c.name, c.description);
      }
      secs = t.seconds();
      cpu = t.cpu();
    } else if (workload == "W5" &&
               (variant == "core_executemany" || variant == "core_executemany_list")) {
      conn.close();
      Timer t;
      auto stmt = update(customer)
                      .where(customer.c["id"] == bindparam("id_"))
                      .values({{"description", bindparam("description")}});
      engine.begin([&](Connection& c) {
        auto rows = c.execute(select(customer.c["id"], customer.c["description"]))
                        .tuples<std::int64_t, std::string>()
                        .all();
        if (variant == "core_executemany") {
          // The generator may be called again for echo/error messages, so the
          // new descriptions are made first rather than inside it.
          for (auto& [id, description] : rows) description += " updated";
          c.execute(stmt, rows.size(), [&rows](std::size_t i, Params& p) {
            p.set("id_", std::get<0>(rows[i])).set_text("description", std::get<1>(rows[i]));
          });
        } else {
          std::vector<Params> params;
          params.reserve(rows.size());
          for (auto& [id, description] : rows)
            params.push_back({{"id_", id}, {"description", std::move(description) + " updated"}});
          c.execute(stmt, params);
        }
      });
      secs = t.seconds();
      cpu = t.cpu();
      check = engine.connect()
                  .execute(text("SELECT sum(length(description)) FROM customer"))
                  .scalar<long long>();
    } else if (workload == "W1" && variant == "core_text") {
      auto insert = text("INSERT INTO customer (name, description) VALUES (:name, :description)");
      Timer t;
      char buf[64];
      conn.execute(insert, static_cast<std::size_t>(n), [&buf](std::size_t i, Params& p) {
        auto name = fmt::format_to_n(buf, sizeof buf, "customer name {}", i);
        p.set_text("name", {buf, name.size});
        auto desc = fmt::format_to_n(buf, sizeof buf, "customer description {}", i);
        p.set_text("description", {buf, desc.size});
      });
      conn.commit();
      secs = t.seconds();
      cpu = t.cpu();
      check = conn.execute(text("SELECT count(*) FROM customer")).scalar<long long>();
    } else if (workload == "W1" && variant == "core_text_list") {
      auto insert = text("INSERT INTO customer (name, description) VALUES (:name, :description)");
      Timer t;
      std::vector<Params> rows;
      rows.reserve(static_cast<std::size_t>(n));
      for (long i = 0; i < n; ++i)
        rows.push_back({{"name", label("customer name ", i)},
                        {"description", label("customer description ", i)}});
      conn.execute(insert, rows);
      conn.commit();
      secs = t.seconds();
      cpu = t.cpu();
      check = conn.execute(text("SELECT count(*) FROM customer")).scalar<long long>();
    } else if (workload == "W2" && (variant == "core_text" || variant == "core_text_stream")) {
      if (variant == "core_text_stream") conn.execution_options({.stream_results = true});
      Timer t;
      std::vector<Customer> out;
      for (const Row& row : conn.execute(text("SELECT id, name, description FROM customer")))
        out.push_back({row.get<std::int64_t>(0), row.get<std::string>(1), row.get<std::string>(2)});
      for (const auto& c : out)
        check += c.id + static_cast<long long>(c.name.size() + c.description.size());
      secs = t.seconds();
      cpu = t.cpu();
    } else if (workload == "W3" && (variant == "core_text" || variant == "core_text_autocommit")) {
      if (variant == "core_text_autocommit")
        conn.execution_options({.isolation_level = "AUTOCOMMIT"});
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
    } else if (variant.rfind("orm_", 0) == 0) {
      namespace orm = alchemy::orm;
      orm_registry();
      auto sum_lengths = [&engine] {
        return engine.connect()
            .execute(text("SELECT sum(length(description)) FROM customer"))
            .scalar<long long>();
      };
      if (workload == "W1" && variant == "orm_uow") {
        conn.close();
        Timer t;
        orm::Session session(engine);
        std::vector<std::shared_ptr<Customer>> objs;
        objs.reserve(static_cast<std::size_t>(n));
        for (long i = 0; i < n; ++i)
          objs.push_back(orm::make<Customer>(Customer{
              0, label("customer name ", i), label("customer description ", i)}));
        session.add_all(objs);
        session.commit();
        secs = t.seconds();
        cpu = t.cpu();
        if (!objs.empty() && objs.back()->id == 0) die("ids were not fetched back");
        check = count_rows();
      } else if (workload == "W1" && variant == "orm_bulk_mappings") {
        conn.close();
        Timer t;
        orm::Session session(engine);
        std::vector<Params> rows;
        rows.reserve(static_cast<std::size_t>(n));
        for (long i = 0; i < n; ++i)
          rows.push_back({{"name", label("customer name ", i)},
                          {"description", label("customer description ", i)}});
        session.bulk_insert_mappings<Customer>(rows);
        session.commit();
        secs = t.seconds();
        cpu = t.cpu();
        check = count_rows();
      } else if (workload == "W2" && variant == "orm_objects") {
        conn.close();
        Timer t;
        orm::Session session(engine);
        auto objs = session.scalars(orm::select<Customer>()).all();
        for (const auto& c : objs) check += checksum(c->id, c->name, c->description);
        secs = t.seconds();
        cpu = t.cpu();
      } else if (workload == "W2" && variant == "orm_columns") {
        conn.close();
        Timer t;
        orm::Session session(engine);
        auto rows = session
                        .execute(select(orm::col(&Customer::id), orm::col(&Customer::name),
                                        orm::col(&Customer::description)))
                        .tuples<std::int64_t, std::string, std::string>()
                        .all();
        for (const auto& [id, name, description] : rows) check += checksum(id, name, description);
        secs = t.seconds();
        cpu = t.cpu();
      } else if (workload == "W3" && (variant == "orm_get" || variant == "orm_select")) {
        auto rows = conn.execute(text("SELECT count(*) FROM customer")).scalar<std::int64_t>();
        conn.close();
        auto keys = w3_keys(rows, n);
        orm::Session session(engine);
        session.connection();  // the first connection is outside the timer
        Timer t;
        for (auto k : keys) {
          std::shared_ptr<Customer> c =
              variant == "orm_get"
                  ? session.get<Customer>(k)
                  : session.scalars(orm::select<Customer>().where(orm::col(&Customer::id) == k))
                        .one();
          if (!c) die("missing key");
          check += checksum(c->id, c->name, c->description);
        }
        secs = t.seconds();
        cpu = t.cpu();
      } else if (workload == "W4" && variant == "orm_commit") {
        conn.close();
        Timer t;
        for (long i = 0; i < n; ++i) {
          orm::Session session(engine);
          session.add(orm::make<Customer>(Customer{
              0, label("customer name ", i), label("customer description ", i)}));
          session.commit();
        }
        secs = t.seconds();
        cpu = t.cpu();
        check = count_rows();
      } else if (workload == "W5" && variant == "orm_flush") {
        conn.close();
        Timer t;
        orm::Session session(engine);
        auto objs = session.scalars(orm::select<Customer>()).all();
        for (const auto& c : objs) c->description += " updated";
        session.commit();
        secs = t.seconds();
        cpu = t.cpu();
        check = sum_lengths();
      } else if (workload == "W5" && variant == "orm_update_stmt") {
        conn.close();
        Timer t;
        orm::Session session(engine);
        session.query<Customer>().update(
            ValuesList{{"description", orm::col(&Customer::description).concat(" updated")}});
        session.commit();
        secs = t.seconds();
        cpu = t.cpu();
        check = sum_lengths();
      } else {
        die("unknown ORM workload/variant " + workload + "/" + variant +
            " (W1 orm_uow, orm_bulk_mappings; W2 orm_objects, orm_columns; W3 orm_get, "
            "orm_select; W4 orm_commit; W5 orm_flush, orm_update_stmt; R1 orm_selectin, "
            "orm_joined, orm_lazy)");
      }
    } else {
      die("unknown workload/variant " + workload + "/" + variant +
          " (W1 core_executemany, core_executemany_list, core_text, core_text_list; W2 "
          "core_fetchall, core_fetchall_rows, core_text, core_text_stream; W3 core_reuse, "
          "core_reuse_autocommit, core_text, core_text_autocommit; W5 core_executemany, "
          "core_executemany_list; R1 raw_driver; ORM variants orm_*)");
    }
    std::printf(
        "RESULT impl=alchemy backend=%s workload=%s variant=%s n=%ld seconds=%.6f "
        "cpu=%.6f check=%lld\n",
        backend.c_str(), workload.c_str(), variant.c_str(), n, secs, cpu, check);
  } catch (const std::exception& e) {
    die(e.what());
  }
  return 0;
}
