// Workload R1 (see r1.hpp), the ORM variants:
//   orm_selectin  session.scalars(select<User>().options(selectinload(&User::orders)))
//   orm_joined    the same with joinedload (one LEFT OUTER JOIN statement)
//   orm_lazy      select<User>() and each user's orders on first use (1 + N statements)
// Every order is reached through its user's collection, as the raw variant does.
#include <alchemy/alchemy.hpp>
#include <alchemy/orm.hpp>
#include <chrono>
#include <ctime>
#include <stdexcept>

#include "bench_util.hpp"
#include "r1.hpp"

namespace {

namespace orm = alchemy::orm;

struct R1Order;
struct R1User {
  std::int64_t id = 0;
  std::string name;
  orm::Many<R1Order> orders;
};
struct R1Order {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string description;
  std::int64_t amount = 0;
  orm::One<R1User> user;
};

void map_r1() {
  static orm::registry* reg = [] {
    using namespace alchemy;
    auto* r = new orm::registry();
    r->map<R1User>("users", orm::column<&R1User::id>("id", primary_key()),
                   orm::column<&R1User::name>("name", String(100)),
                   orm::relationship<&R1User::orders>("orders", orm::back_populates("user")));
    r->map<R1Order>("orders", orm::column<&R1Order::id>("id", primary_key()),
                    orm::column<&R1Order::user_id>("user_id", ForeignKey("users.id")),
                    orm::column<&R1Order::description>("description", String(255)),
                    orm::column<&R1Order::amount>("amount"),
                    orm::relationship<&R1Order::user>("user", orm::back_populates("orders")));
    return r;
  }();
  (void)reg;
}

}  // namespace

R1Result r1_orm(const std::string& backend, alchemy::Engine& engine, const std::string& variant,
                long n) {
  (void)backend;
  (void)n;
  map_r1();
  if (variant != "orm_selectin" && variant != "orm_joined" && variant != "orm_lazy")
    throw std::runtime_error("unknown R1 variant " + variant +
                             " (orm_selectin, orm_joined, orm_lazy)");
  R1Result r{};
  bench::Timer t;
  {
    orm::Session session(engine);
    auto stmt = orm::select<R1User>().order_by(orm::col(&R1User::id));
    if (variant == "orm_selectin") stmt = stmt.options(orm::selectinload(&R1User::orders));
    if (variant == "orm_joined") stmt = stmt.options(orm::joinedload(&R1User::orders));
    auto users = session.scalars(stmt).all();
    for (const auto& u : users) {
      r.check += r1_checksum_user(u->id, u->name);
      for (const auto& o : u->orders)
        r.check += r1_checksum_order(o->id, o->user_id, o->description, o->amount);
    }
  }  // the session closes (read transaction rolled back) and the objects go
  r.seconds = t.seconds();
  r.cpu = t.cpu();
  return r;
}
