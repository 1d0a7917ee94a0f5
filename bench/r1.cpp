// Workload R1 (see r1.hpp): the data set, its checksum, and the raw_driver
// variant on sqlite3.h / libpq -- no alchemy in this file, so the raw figure is
// what the C drivers alone cost.
#include "r1.hpp"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#ifdef ALCHEMY_BENCH_WITH_SQLITE
#include <sqlite3.h>
#endif
#ifdef ALCHEMY_BENCH_WITH_POSTGRESQL
#include <libpq-fe.h>
#endif

#include "bench_util.hpp"

namespace {

using bench::cpu_seconds;
using bench::label;
using bench::Timer;

constexpr long kOrdersPerUser = 10;



[[noreturn]] void fail(const std::string& msg) { throw std::runtime_error("R1: " + msg); }

// The objects the raw variant builds: each user owns its orders.
struct Order {
  std::int64_t id;
  std::int64_t user_id;
  std::string description;
  int amount;
};

struct User {
  std::int64_t id;
  std::string name;
  std::vector<Order> orders;
};

long long checksum_of(const std::vector<User>& users) {
  long long check = 0;
  for (const User& u : users) {
    check += r1_checksum_user(u.id, u.name);
    for (const Order& o : u.orders)
      check += r1_checksum_order(o.id, o.user_id, o.description, o.amount);
  }
  return check;
}

// Order ids 1..10N in (user, j) order.
std::int64_t order_id(long user, long j) { return (user - 1) * kOrdersPerUser + j + 1; }

const char* const kQueryUsers = "SELECT id, name FROM users ORDER BY id";
const char* const kQueryOrders = "SELECT id, user_id, description, amount FROM orders ORDER BY id";

// ---------------------------------------------------------------- SQLite
#ifdef ALCHEMY_BENCH_WITH_SQLITE
namespace sq {

class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &h_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      std::string m = h_ ? sqlite3_errmsg(h_) : "out of memory";
      sqlite3_close(h_);
      fail("open " + path + ": " + m);
    }
  }
  ~Db() { sqlite3_close(h_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  sqlite3* get() const { return h_; }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(h_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : sqlite3_errmsg(h_);
      sqlite3_free(err);
      fail(std::string(sql) + ": " + m);
    }
  }

 private:
  sqlite3* h_ = nullptr;
};

class Stmt {
 public:
  Stmt(Db& db, const char* sql) : db_(db.get()), sql_(sql) {
    if (sqlite3_prepare_v2(db_, sql, -1, &s_, nullptr) != SQLITE_OK)
      fail(std::string(sql) + ": " + sqlite3_errmsg(db_));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const { return s_; }

  // Next row (true) or the end (false); errors throw.
  bool step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(std::string(sql_) + ": " + sqlite3_errmsg(db_));
  }
  void run() {  // execute a statement without rows, ready to be bound again
    step();
    sqlite3_reset(s_);
  }
  std::string_view text(int col) const {
    return {reinterpret_cast<const char*>(sqlite3_column_text(s_, col)),
            static_cast<std::size_t>(sqlite3_column_bytes(s_, col))};
  }

 private:
  sqlite3* db_;
  const char* sql_;
  sqlite3_stmt* s_ = nullptr;
};

long long scalar(Db& db, const char* sql) {
  Stmt st(db, sql);
  if (!st.step()) fail(std::string(sql) + ": no row");
  return sqlite3_column_int64(st.get(), 0);
}

bool holds_data_set(Db& db, long n) {
  if (scalar(db,
             "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
             "AND name IN ('users', 'orders')") != 2)
    return false;
  return scalar(db, "SELECT count(*) FROM users") == n &&
         scalar(db, "SELECT count(*) FROM orders") == n * kOrdersPerUser;
}

void prepare(const std::string& path, long n) {
  Db db(path);
  if (holds_data_set(db, n)) return;
  db.exec("BEGIN");
  db.exec("DROP TABLE IF EXISTS orders");
  db.exec("DROP TABLE IF EXISTS users");
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)");
  db.exec(
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, "
      "user_id INTEGER NOT NULL REFERENCES users (id), "
      "description VARCHAR(255) NOT NULL, amount INTEGER NOT NULL)");
  {
    Stmt users(db, "INSERT INTO users (id, name) VALUES (?, ?)");
    Stmt orders(db, "INSERT INTO orders (id, user_id, description, amount) VALUES (?, ?, ?, ?)");
    for (long i = 1; i <= n; ++i) {
      const std::string name = label("user ", i);
      sqlite3_bind_int64(users.get(), 1, i);
      sqlite3_bind_text(users.get(), 2, name.data(), static_cast<int>(name.size()),
                        SQLITE_STATIC);
      users.run();
      for (long j = 0; j < kOrdersPerUser; ++j) {
        const std::string description = label("order ", i * kOrdersPerUser + j);
        sqlite3_bind_int64(orders.get(), 1, order_id(i, j));
        sqlite3_bind_int64(orders.get(), 2, i);
        sqlite3_bind_text(orders.get(), 3, description.data(),
                          static_cast<int>(description.size()), SQLITE_STATIC);
        sqlite3_bind_int64(orders.get(), 4, j + 1);
        orders.run();
      }
    }
  }
  db.exec("CREATE INDEX ix_orders_user_id ON orders (user_id)");
  db.exec("COMMIT");
}

R1Result raw(const std::string& path) {
  Db db(path);  // the connection is outside the timer
  R1Result r{};
  Timer t;
  db.exec("BEGIN");
  std::vector<User> users;
  std::unordered_map<std::int64_t, std::size_t> index;
  {
    Stmt q(db, kQueryUsers);
    while (q.step()) {
      const std::int64_t id = sqlite3_column_int64(q.get(), 0);
      index.emplace(id, users.size());
      users.push_back(User{id, std::string(q.text(1)), {}});
    }
  }
  {
    Stmt q(db, kQueryOrders);
    while (q.step()) {
      const std::int64_t user_id = sqlite3_column_int64(q.get(), 1);
      auto it = index.find(user_id);
      if (it == index.end()) fail("order of an unknown user " + std::to_string(user_id));
      users[it->second].orders.push_back(Order{sqlite3_column_int64(q.get(), 0), user_id,
                                               std::string(q.text(2)),
                                               sqlite3_column_int(q.get(), 3)});
    }
  }
  db.exec("COMMIT");
  r.check = checksum_of(users);
  r.seconds = t.seconds();
  r.cpu = t.cpu();
  return r;
}

}  // namespace sq
#endif

// ---------------------------------------------------------------- PostgreSQL
#ifdef ALCHEMY_BENCH_WITH_POSTGRESQL
namespace pg {

// A libpq connection reached as alchemy-bench's url_for() reaches the server:
// PGHOST/PGPORT/PGUSER from the environment (libpq reads them), host
// 127.0.0.1 when PGHOST is unset.
class Conn {
 public:
  explicit Conn(const std::string& db) {
    const char* env_host = std::getenv("PGHOST");
    const bool default_host = env_host == nullptr || *env_host == '\0';
    const char* keys[] = {"dbname", default_host ? "host" : nullptr, nullptr};
    const char* values[] = {db.c_str(), default_host ? "127.0.0.1" : nullptr, nullptr};
    c_ = PQconnectdbParams(keys, values, 0);
    if (PQstatus(c_) != CONNECTION_OK) {
      std::string m = c_ ? PQerrorMessage(c_) : "out of memory";
      PQfinish(c_);
      fail("connect to " + db + ": " + m);
    }
  }
  ~Conn() { PQfinish(c_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  PGconn* get() const { return c_; }

 private:
  PGconn* c_ = nullptr;
};

// Owns a PGresult; throws unless its status is `want`.
class Result {
 public:
  Result(PGresult* r, ExecStatusType want, const char* what) : r_(r) {
    if (PQresultStatus(r_) != want) {
      std::string m = std::string(what) + ": " + PQresultErrorMessage(r_);
      PQclear(r_);
      fail(m);
    }
  }
  ~Result() { PQclear(r_); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  int rows() const { return PQntuples(r_); }
  const char* value(int row, int col) const { return PQgetvalue(r_, row, col); }
  std::string_view text(int row, int col) const {
    return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
  }
  std::int64_t int64(int row, int col) const {
    return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10);
  }

 private:
  PGresult* r_;
};

void exec(Conn& c, const char* sql) { Result(PQexec(c.get(), sql), PGRES_COMMAND_OK, sql); }

// A query's rows in text format, all in memory (as the anchors' raw programs).
Result query(Conn& c, const char* sql) {
  return Result(PQexecParams(c.get(), sql, 0, nullptr, nullptr, nullptr, nullptr, 0),
                PGRES_TUPLES_OK, sql);
}

long long scalar(Conn& c, const char* sql) {
  Result r = query(c, sql);
  if (r.rows() != 1) fail(std::string(sql) + ": no row");
  return r.int64(0, 0);
}

void copy(Conn& c, const char* sql, const std::string& data) {
  Result(PQexec(c.get(), sql), PGRES_COPY_IN, sql);
  if (PQputCopyData(c.get(), data.data(), static_cast<int>(data.size())) != 1 ||
      PQputCopyEnd(c.get(), nullptr) != 1)
    fail(std::string(sql) + ": " + PQerrorMessage(c.get()));
  Result(PQgetResult(c.get()), PGRES_COMMAND_OK, sql);
  while (PGresult* extra = PQgetResult(c.get())) PQclear(extra);
}

bool holds_data_set(Conn& c, long n) {
  if (scalar(c,
             "SELECT CASE WHEN to_regclass('users') IS NOT NULL "
             "AND to_regclass('orders') IS NOT NULL THEN 1 ELSE 0 END") != 1)
    return false;
  return scalar(c, "SELECT count(*) FROM users") == n &&
         scalar(c, "SELECT count(*) FROM orders") == n * kOrdersPerUser;
}

void prepare(const std::string& db, long n) {
  Conn c(db);
  exec(c, "SET client_min_messages TO warning");  // no NOTICE from DROP TABLE IF EXISTS
  if (holds_data_set(c, n)) return;
  // COPY in text format: the generated values need no escaping.
  std::string users, orders;
  for (long i = 1; i <= n; ++i) {
    users.append(std::to_string(i)).append("\t").append(label("user ", i)).append("\n");
    for (long j = 0; j < kOrdersPerUser; ++j)
      orders.append(std::to_string(order_id(i, j)))
          .append("\t")
          .append(std::to_string(i))
          .append("\t")
          .append(label("order ", i * kOrdersPerUser + j))
          .append("\t")
          .append(std::to_string(j + 1))
          .append("\n");
  }
  exec(c, "BEGIN");
  exec(c, "DROP TABLE IF EXISTS orders");
  exec(c, "DROP TABLE IF EXISTS users");
  exec(c, "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)");
  exec(c,
       "CREATE TABLE orders (id INTEGER PRIMARY KEY, "
       "user_id INTEGER NOT NULL REFERENCES users (id), "
       "description VARCHAR(255) NOT NULL, amount INTEGER NOT NULL)");
  copy(c, "COPY users (id, name) FROM STDIN", users);
  copy(c, "COPY orders (id, user_id, description, amount) FROM STDIN", orders);
  exec(c, "CREATE INDEX ix_orders_user_id ON orders (user_id)");
  exec(c, "COMMIT");
  // As the anchors after seeding: statistics, and the visibility map and hint
  // bits set so the first timed read does not pay for them.
  exec(c, "VACUUM ANALYZE users, orders");
}

R1Result raw(const std::string& db) {
  Conn c(db);  // the connection is outside the timer
  R1Result r{};
  Timer t;
  exec(c, "BEGIN");
  std::vector<User> users;
  std::unordered_map<std::int64_t, std::size_t> index;
  {
    Result q = query(c, kQueryUsers);
    const int rows = q.rows();
    for (int i = 0; i < rows; ++i) {
      const std::int64_t id = q.int64(i, 0);
      index.emplace(id, users.size());
      users.push_back(User{id, std::string(q.text(i, 1)), {}});
    }
  }
  {
    Result q = query(c, kQueryOrders);
    const int rows = q.rows();
    for (int i = 0; i < rows; ++i) {
      const std::int64_t user_id = q.int64(i, 1);
      auto it = index.find(user_id);
      if (it == index.end()) fail("order of an unknown user " + std::to_string(user_id));
      users[it->second].orders.push_back(Order{q.int64(i, 0), user_id,
                                               std::string(q.text(i, 2)),
                                               static_cast<int>(q.int64(i, 3))});
    }
  }
  exec(c, "COMMIT");
  r.check = checksum_of(users);
  r.seconds = t.seconds();
  r.cpu = t.cpu();
  return r;
}

}  // namespace pg
#endif

[[noreturn]] void unknown_backend(const std::string& backend) {
  if (backend == "sqlite" || backend == "postgres")
    fail("alchemy-bench was built without the " + backend + " driver");
  fail("unknown backend " + backend + " (sqlite or postgres)");
}

}  // namespace

long long r1_checksum_user(std::int64_t id, std::string_view name) {
  return id + static_cast<long long>(name.size());
}

long long r1_checksum_order(std::int64_t id, std::int64_t user_id, std::string_view description,
                            std::int64_t amount) {
  return id + user_id + static_cast<long long>(description.size()) + amount;
}

long long r1_expected_checksum(long n) {
  long long check = 0;
  for (long i = 1; i <= n; ++i) {
    check += r1_checksum_user(i, label("user ", i));
    for (long j = 0; j < kOrdersPerUser; ++j)
      check += r1_checksum_order(order_id(i, j), i, label("order ", i * kOrdersPerUser + j), j + 1);
  }
  return check;
}

void r1_prepare(const std::string& backend, const std::string& db, long n) {
  if (n < 0) fail("N must not be negative");
#ifdef ALCHEMY_BENCH_WITH_SQLITE
  if (backend == "sqlite") return sq::prepare(db, n);
#endif
#ifdef ALCHEMY_BENCH_WITH_POSTGRESQL
  if (backend == "postgres") return pg::prepare(db, n);
#endif
  (void)db;
  unknown_backend(backend);
}

R1Result r1_raw(const std::string& backend, const std::string& db, long n) {
  (void)n;  // the tables hold exactly N users (r1_prepare)
#ifdef ALCHEMY_BENCH_WITH_SQLITE
  if (backend == "sqlite") return sq::raw(db);
#endif
#ifdef ALCHEMY_BENCH_WITH_POSTGRESQL
  if (backend == "postgres") return pg::raw(db);
#endif
  (void)db;
  unknown_backend(backend);
}
