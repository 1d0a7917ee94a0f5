// The SQL text each construct compiles to, per dialect.
#include <gtest/gtest.h>

#include "alchemy/alchemy.hpp"

namespace alchemy {
namespace {

const SQLCompiler& sqlite() {
  static const auto d = load_dialect("sqlite", "");
  return d->statement_compiler();
}
const SQLCompiler& pg() {
  static const auto d = load_dialect("postgresql", "");
  return d->statement_compiler();
}

struct Schema {
  MetaData metadata;
  Table users{"users",
              metadata,
              Column("id", Integer, primary_key()),
              Column("name", String(50), nullable(false)),
              Column("email", String(100), unique()),
              Column("age", Integer),
              Column("city", String(50)),
              Column("is_active", Boolean, default_(true))};
  Table orders{"orders", metadata, Column("id", Integer, primary_key()),
               Column("user_id", Integer, ForeignKey("users.id")), Column("total", Float)};
};

TEST(compile_select, select_table_and_where) {
  Schema s;
  auto stmt = select(s.users).where(s.users.c["age"] > 25);
  EXPECT_EQ(stmt.str(),
            "SELECT users.id, users.name, users.email, users.age, users.city, users.is_active \n"
            "FROM users \nWHERE users.age > :age_1");
  EXPECT_EQ(stmt.compile(sqlite())->sql,
            "SELECT users.id, users.name, users.email, users.age, users.city, users.is_active \n"
            "FROM users \nWHERE users.age > ?");
  EXPECT_EQ(stmt.compile(pg())->sql,
            "SELECT users.id, users.name, users.email, users.age, users.city, users.is_active \n"
            "FROM users \nWHERE users.age > $1::INTEGER");
}

TEST(compile_select, and_or_like_in) {
  Schema s;
  auto& u = s.users;
  auto stmt = select(u.c["name"])
                  .where((u.c["age"] > 18) & (u.c["is_active"] == true),
                         (u.c["city"] == "Tehran") | (u.c["city"] == "Isfahan"),
                         u.c["name"].like("Ahmad%"), u.c["id"].in_({1, 2, 3}));
  EXPECT_EQ(stmt.str(),
            "SELECT users.name \nFROM users \nWHERE users.age > :age_1 AND users.is_active = "
            ":is_active_1 AND (users.city = :city_1 OR users.city = :city_2) AND users.name LIKE "
            ":name_1 AND users.id IN (:id_1, :id_2, :id_3)");
  EXPECT_EQ(select(u.c["id"]).where(u.c["id"].in_(std::vector<int>{})).str(),
            "SELECT users.id \nFROM users \nWHERE 1 != 1");
}

TEST(compile_select, joins_functions_subqueries) {
  Schema s;
  auto& u = s.users;
  auto& o = s.orders;
  EXPECT_EQ(
      select(u.c["name"], o.c["total"]).join(o, u.c["id"] == o.c["user_id"]).str(),
      "SELECT users.name, orders.total \nFROM users JOIN orders ON users.id = orders.user_id");
  EXPECT_EQ(select(u.c["name"], o.c["total"]).select_from(u.outerjoin(o)).str(),
            "SELECT users.name, orders.total \nFROM users LEFT OUTER JOIN orders ON users.id = "
            "orders.user_id");
  EXPECT_EQ(select(func.count(u.c["id"])).str(), "SELECT count(users.id) AS count_1 \nFROM users");
  EXPECT_EQ(select(u.c["city"], func.count(u.c["id"])).group_by(u.c["city"]).str(),
            "SELECT users.city, count(users.id) AS count_1 \nFROM users GROUP BY users.city");
  auto subq = select(o.c["user_id"]).distinct();
  EXPECT_EQ(select(u.c["id"]).where(u.c["id"].in_(subq)).str(),
            "SELECT users.id \nFROM users \nWHERE users.id IN (SELECT DISTINCT orders.user_id \n"
            "FROM orders)");
  auto avg = select(func.avg(u.c["age"])).scalar_subquery();
  EXPECT_EQ(select(u.c["id"]).where(u.c["age"] > avg).str(),
            "SELECT users.id \nFROM users \nWHERE users.age > (SELECT avg(users.age) AS avg_1 \n"
            "FROM users)");
  EXPECT_EQ(select(u.c["id"]).where(exists().where(o.c["user_id"] == u.c["id"])).str(),
            "SELECT users.id \nFROM users \nWHERE EXISTS (SELECT * \nFROM orders \nWHERE "
            "orders.user_id = users.id)");
}

TEST(compile_select, limit_offset_order) {
  Schema s;
  auto& u = s.users;
  auto stmt =
      select(u.c["id"]).order_by(desc(u.c["age"]), u.c["name"].nulls_last()).limit(10).offset(20);
  EXPECT_EQ(stmt.compile(sqlite())->sql,
            "SELECT users.id \nFROM users ORDER BY users.age DESC, users.name NULLS LAST LIMIT ? "
            "OFFSET ?");
  EXPECT_EQ(stmt.compile(pg())->sql,
            "SELECT users.id \nFROM users ORDER BY users.age DESC, users.name NULLS LAST LIMIT "
            "$1::INTEGER OFFSET $2::INTEGER");
}

TEST(compile_dml, insert_update_delete) {
  Schema s;
  auto& u = s.users;
  EXPECT_EQ(u.insert().values({{"name", "Ali"}, {"email", "ali@test.com"}}).compile(sqlite())->sql,
            "INSERT INTO users (name, email, is_active) VALUES (?, ?, ?)");
  EXPECT_EQ(
      u.insert().values({{"name", "Ali"}}).compile(pg())->sql,
      "INSERT INTO users (name, is_active) VALUES ($1::VARCHAR, $2::BOOLEAN) RETURNING users.id");
  EXPECT_EQ(u.update().where(u.c["id"] == 1).values({{"name", "Ali Ahmadi"}}).str(),
            "UPDATE users SET name=:name WHERE users.id = :id_1");
  EXPECT_EQ(u.delete_().where(u.c["age"] < 18).str(), "DELETE FROM users WHERE users.age < :age_1");
}

TEST(compile_ddl, create_table) {
  Schema s;
  EXPECT_EQ(CreateTable(s.orders).str(sqlite()),
            "CREATE TABLE orders (\n\tid INTEGER NOT NULL, \n\tuser_id INTEGER, \n\ttotal FLOAT, "
            "\n\tPRIMARY KEY (id), \n\tFOREIGN KEY(user_id) REFERENCES users (id)\n)");
  EXPECT_EQ(CreateTable(s.orders).str(pg()),
            "CREATE TABLE orders (\n\tid SERIAL NOT NULL, \n\tuser_id INTEGER, \n\ttotal FLOAT, "
            "\n\tPRIMARY KEY (id), \n\tFOREIGN KEY(user_id) REFERENCES users (id)\n)");
}

TEST(execute, sqlite_roundtrip) {
  Schema s;
  auto engine = create_engine("sqlite://");
  s.metadata.create_all(engine);
  auto conn = engine.connect();
  auto r = conn.execute(
      s.users.insert().values({{"name", "Ali"}, {"email", "ali@test.com"}, {"age", 30}}));
  EXPECT_EQ(r.inserted_primary_key().repr(), "(1,)");
  conn.execute(insert(s.users), std::vector<Params>{{{"name", "Ahmad"}, {"age", 20}},
                                                    {{"name", "Fateme"}, {"age", 17}}});
  auto rows =
      conn.execute(select(s.users).where(s.users.c["age"] > 18).order_by(s.users.c["id"])).all();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].get<std::string>("name"), "Ahmad");
  EXPECT_TRUE(rows[1].get<bool>("is_active"));
  EXPECT_EQ(rows[1]["is_active"].kind(), ValueKind::boolean);
  auto u =
      conn.execute(update(s.users).where(s.users.c["id"] == 1).values({{"name", "Ali Ahmadi"}}));
  EXPECT_EQ(u.rowcount(), 1);
  EXPECT_EQ(conn.execute(delete_(s.users).where(s.users.c["age"] < 18)).rowcount(), 1);
  EXPECT_EQ(conn.execute(select(func.count()).select_from(s.users)).scalar<std::int64_t>(), 2);
}

}  // namespace
}  // namespace alchemy
