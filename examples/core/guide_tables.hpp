// The tables the guide's "SQL Expression Language" sections assume:
//
//   "Let's assume we have a table called users_table with columns: id, name,
//    email, age, is_active and orders_table with columns: id, user_id, total"
//
// (plus the `city` column its func/group_by and OR examples use), and a few
// rows to run the statements against. Shared by the examples in examples/core/.
#pragma once

#include <alchemy/alchemy.hpp>
#include <vector>

namespace examples {

struct GuideTables {
  alchemy::MetaData metadata;
  alchemy::Table users_table{
      "users",
      metadata,
      alchemy::Column("id", alchemy::Integer, alchemy::primary_key()),
      alchemy::Column("name", alchemy::String(50), alchemy::nullable(false)),
      alchemy::Column("email", alchemy::String(100), alchemy::unique()),
      alchemy::Column("age", alchemy::Integer),
      alchemy::Column("city", alchemy::String(50)),
      alchemy::Column("is_active", alchemy::Boolean, alchemy::default_(true))};
  alchemy::Table orders_table{
      "orders", metadata, alchemy::Column("id", alchemy::Integer, alchemy::primary_key()),
      alchemy::Column("user_id", alchemy::Integer, alchemy::ForeignKey("users.id")),
      alchemy::Column("total", alchemy::Float)};

  /// Drops and recreates both tables, empty.
  void create(const alchemy::Engine& engine) {
    metadata.drop_all(engine);
    metadata.create_all(engine);
  }

  /// create(), then the sample rows: users 1..5 and orders 1..4 (Fateme, 3, and
  /// Ahmad Karimi, 5, have no orders).
  void reset(const alchemy::Engine& engine) {
    using alchemy::Params;
    create(engine);
    engine.begin([&](alchemy::Connection& conn) {
      conn.execute(
          users_table.insert(),
          std::vector<Params>{
              {{"name", "Ahmad"}, {"email", "ahmad@test.com"}, {"age", 30}, {"city", "Tehran"}},
              {{"name", "Ali"}, {"email", "ali@gmail.com"}, {"age", 25}, {"city", "Isfahan"}},
              {{"name", "Fateme"}, {"email", "fateme@test.com"}, {"age", 17}, {"city", "Tehran"}},
              {{"name", "Sara"},
               {"email", "sara@gmail.com"},
               {"age", 42},
               {"city", "Shiraz"},
               {"is_active", false}},
              {{"name", "Ahmad Karimi"},
               {"email", "karimi@test.com"},
               {"age", 35},
               {"city", "Isfahan"}},
          });
      conn.execute(orders_table.insert(), std::vector<Params>{{{"user_id", 1}, {"total", 120.5}},
                                                              {{"user_id", 1}, {"total", 80.0}},
                                                              {{"user_id", 2}, {"total", 42.25}},
                                                              {{"user_id", 4}, {"total", 300.0}}});
    });
  }

  /// Leaves the database as the example found it.
  void drop(const alchemy::Engine& engine) { metadata.drop_all(engine); }
};

}  // namespace examples
