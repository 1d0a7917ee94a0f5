// Schema, types and DDL on real SQLite and PostgreSQL: every type round trips,
// create_all/drop_all order (with a foreign-key cycle), naming conventions,
// quoting of awkward names, and the compiled cache.
#include <gtest/gtest.h>

#include <alchemy/alchemy.hpp>
#include <string>
#include <vector>

#include "support/backends.hpp"

namespace alchemy::testing {
namespace {

// The guide's JSONEncodedDict: a JSON document stored as text.
struct JSONEncodedDict : types::TypeDecorator {
  JSONEncodedDict() : TypeDecorator(String(500)) {}
  Value process_bind_param(Value v, const SQLCompiler&) const override {
    if (v.is_null()) return v;
    return Value(v.get<Json>().text);
  }
  Value process_result_value(Value v, const SQLCompiler&) const override {
    if (v.is_null()) return v;
    return Value(Json{v.as<std::string>()});
  }
};

class SchemaTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ALCHEMY_REQUIRE_BACKEND(GetParam());
    engine_ = create_engine(url_for(GetParam()));
  }
  bool pg() const { return is_postgresql(GetParam()); }
  Engine engine_{nullptr};
};

TEST_P(SchemaTest, every_type_round_trips) {
  MetaData md;
  Table t("examples", md, Column("id", Integer, primary_key()), Column("small_num", SmallInteger),
          Column("big_num", BigInteger), Column("short_text", String(100)),
          Column("long_text", Text), Column("unicode_text", Unicode(100)),
          Column("is_active", Boolean, default_(true)), Column("price", Float),
          Column("exact_price", Numeric(10, 2)), Column("birth_date", types::Date),
          Column("created_at", types::DateTime), Column("aware_at", types::DateTime(true)),
          Column("start_time", types::Time), Column("duration", types::Interval),
          Column("file_data", LargeBinary),
          Column("role", Enum({"admin", "user", "moderator"}, "userrole")),
          Column("settings", JSON), Column("token", UUID), Column("meta", JSONEncodedDict{}));
  md.drop_all(engine_);
  md.create_all(engine_);
  auto conn = engine_.connect();
  const auto token = Uuid::parse("123e4567-e89b-12d3-a456-426614174000");
  conn.execute(t.insert().values({{"small_num", 7},
                                  {"big_num", std::int64_t{9000000000}},
                                  {"short_text", "short"},
                                  {"long_text", std::string(5000, 'x')},
                                  {"unicode_text", "سلام"},
                                  {"price", 1.5},
                                  {"exact_price", Decimal("12345678.91")},
                                  {"birth_date", Date{1990, 5, 17}},
                                  {"created_at", DateTime::parse("2026-11-22 10:30:00.123456")},
                                  {"aware_at", DateTime::parse("2026-11-22 10:30:00+00:00")},
                                  {"start_time", Time::parse("08:15:30")},
                                  {"duration", Interval::from_chrono(std::chrono::hours(26))},
                                  {"file_data", Bytes{0, 1, 2, 255}},
                                  {"role", "moderator"},
                                  {"settings", Json{R"({"theme": "dark"})"}},
                                  {"token", token},
                                  {"meta", Json{R"({"k": [1, 2]})"}}}));
  Row r = conn.execute(select(t)).one();
  EXPECT_EQ(r.get<int>("small_num"), 7);
  EXPECT_EQ(r.get<std::int64_t>("big_num"), 9000000000);
  EXPECT_EQ(r.get<std::string>("long_text").size(), 5000u);
  EXPECT_EQ(r.get<std::string>("unicode_text"), "سلام");
  EXPECT_EQ(r["is_active"].kind(), ValueKind::boolean);
  EXPECT_TRUE(r.get<bool>("is_active"));
  EXPECT_EQ(r["exact_price"].kind(), ValueKind::decimal);
  EXPECT_EQ(r.get<Decimal>("exact_price").str(), "12345678.91");
  EXPECT_EQ(r.get<Date>("birth_date"), (Date{1990, 5, 17}));
  EXPECT_EQ(r["created_at"].kind(), ValueKind::datetime);
  EXPECT_EQ(r.get<DateTime>("created_at").isoformat(), "2026-11-22 10:30:00.123456");
  EXPECT_EQ(r.get<DateTime>("aware_at").to_sys_time(),
            DateTime::parse("2026-11-22 10:30:00+00:00").to_sys_time());
  EXPECT_EQ(r.get<Time>("start_time").isoformat(), "08:15:30");
  EXPECT_EQ(r.get<Interval>("duration"), Interval::from_chrono(std::chrono::hours(26)));
  EXPECT_EQ(r.get<Bytes>("file_data"), (Bytes{0, 1, 2, 255}));
  EXPECT_EQ(r.get<std::string>("role"), "moderator");
  EXPECT_EQ(r["settings"].kind(), ValueKind::json);
  EXPECT_NE(r.get<Json>("settings").text.find("dark"), std::string::npos);
  EXPECT_EQ(r.get<Uuid>("token"), token);
  EXPECT_EQ(r["meta"].kind(), ValueKind::json);
  EXPECT_EQ(r.get<Json>("meta").text, R"({"k": [1, 2]})");
  // Values that do not fit are refused before they reach the database.
  EXPECT_THROW(conn.execute(t.insert().values({{"role", "root"}})), StatementError);
  EXPECT_THROW(conn.execute(t.insert().values({{"small_num", "seven"}})), StatementError);
  conn.rollback();
  md.drop_all(engine_);
}

TEST_P(SchemaTest, postgresql_array) {
  if (!pg()) GTEST_SKIP() << "ARRAY is PostgreSQL only";
  MetaData md;
  Table t("arrays", md, Column("id", Integer, primary_key()), Column("tags", ARRAY(String(20))),
          Column("scores", ARRAY(Integer)));
  md.drop_all(engine_);
  md.create_all(engine_);
  auto conn = engine_.connect();
  conn.execute(t.insert().values({{"tags", "{a,b}"}, {"scores", "{1,2,3}"}}));
  Row r = conn.execute(select(t.c["tags"], t.c["scores"])).one();
  EXPECT_EQ(r.get<std::string>(0), "{a,b}");
  EXPECT_EQ(r.get<std::string>(1), "{1,2,3}");
  conn.commit();
  md.drop_all(engine_);
}

TEST_P(SchemaTest, create_all_orders_by_foreign_keys_and_handles_cycles) {
  MetaData md;
  // Defined child first: create_all must still create parent first.
  Table child("child", md, Column("id", Integer, primary_key()),
              Column("parent_id", Integer, ForeignKey("parent.id", {.ondelete = "CASCADE"})));
  Table parent(
      "parent", md, Column("id", Integer, primary_key()),
      Column("favorite_child_id", Integer,
             ForeignKey("child.id", {.name = "fk_parent_favorite", .ondelete = "SET NULL"})));
  auto sorted = md.sorted_tables();
  ASSERT_EQ(sorted.size(), 2u);
  md.drop_all(engine_);
  md.create_all(engine_);
  md.create_all(engine_);  // checkfirst: nothing to do
  auto conn = engine_.connect();
  // Outside a transaction, or SQLite ignores it.
  if (!pg()) conn.connection().exec("PRAGMA foreign_keys = ON");
  conn.execute(parent.insert().values({{"id", 1}}));
  conn.execute(child.insert().values({{"id", 10}, {"parent_id", 1}}));
  conn.execute(parent.update().where(parent.c["id"] == 1).values({{"favorite_child_id", 10}}));
  conn.execute(delete_(parent).where(parent.c["id"] == 1));  // cascades to child
  EXPECT_EQ(conn.execute(select(func.count()).select_from(child)).scalar<int>(), 0);
  conn.commit();
  conn.close();
  md.drop_all(engine_);
  md.drop_all(engine_);  // checkfirst: nothing to do
  auto c2 = engine_.connect();
  EXPECT_FALSE(engine_.dialect().has_table(c2, "parent", std::nullopt));
}

TEST_P(SchemaTest, naming_convention_and_constraints) {
  MetaData md({{"ix", "ix_%(column_0_label)s"},
               {"uq", "uq_%(table_name)s_%(column_0_name)s"},
               {"ck", "ck_%(table_name)s_%(constraint_name)s"},
               {"fk", "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"},
               {"pk", "pk_%(table_name)s"}});
  Table users("users", md, Column("id", Integer, primary_key()),
              Column("email", String(100), unique()), Column("name", String(50), index()),
              Column("age", Integer), CheckConstraint("age >= 18", "adult"),
              UniqueConstraint({"email", "name"}, "uq_email_name"));
  Index lower_email("ix_lower_email", {func.lower(users.c["email"])});  // attaches to users
  Table posts("posts", md, Column("id", Integer),
              Column("user_id", Integer, ForeignKey("users.id")),
              PrimaryKeyConstraint({"id", "user_id"}));
  const SQLCompiler& d = engine_.dialect().statement_compiler();
  const std::string ddl = CreateTable(users).str(d);
  EXPECT_NE(ddl.find("CONSTRAINT pk_users PRIMARY KEY (id)"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("CONSTRAINT uq_users_email UNIQUE (email)"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("CONSTRAINT ck_users_adult CHECK (age >= 18)"), std::string::npos) << ddl;
  EXPECT_EQ(CreateIndex(lower_email).str(d), "CREATE INDEX ix_lower_email ON users (lower(email))");
  const std::string pddl = CreateTable(posts).str(d);
  EXPECT_NE(pddl.find("CONSTRAINT pk_posts PRIMARY KEY (id, user_id)"), std::string::npos) << pddl;
  EXPECT_NE(
      pddl.find("CONSTRAINT fk_posts_user_id_users FOREIGN KEY(user_id) REFERENCES users (id)"),
      std::string::npos)
      << pddl;
}

TEST_P(SchemaTest, awkward_names_are_quoted) {
  MetaData md;
  Table t("user", md,                                                        // a reserved word
          Column("id", Integer, primary_key()), Column("Name", String(50)),  // mixed case
          Column("order", Integer),                                          // reserved
          Column("نام", String(50)),                                         // Persian
          Column("with space", Integer));
  const SQLCompiler& d = engine_.dialect().statement_compiler();
  EXPECT_EQ(select(t.c["Name"], t.c["order"], t.c["نام"], t.c["with space"]).str(d),
            "SELECT \"user\".\"Name\", \"user\".\"order\", \"user\".\"نام\", \"user\".\"with "
            "space\" \nFROM \"user\"");
  md.drop_all(engine_);
  md.create_all(engine_);
  auto conn = engine_.connect();
  conn.execute(t.insert().values({{"Name", "A"}, {"order", 1}, {"نام", "علی"}, {"with space", 2}}));
  Row r = conn.execute(select(t).where(t.c["نام"] == "علی")).one();
  EXPECT_EQ(r.get<std::string>("Name"), "A");
  EXPECT_EQ(r.get<std::string>("نام"), "علی");
  conn.commit();
  md.drop_all(engine_);
}

TEST_P(SchemaTest, compiled_cache_hits_for_rebuilt_statements) {
  MetaData md;
  Table t("cached", md, Column("id", Integer, primary_key()), Column("v", String(10)));
  md.drop_all(engine_);
  md.create_all(engine_);
  auto conn = engine_.connect();
  CompiledCache& cache = engine_.compiled_cache();
  const auto misses0 = cache.misses();
  const auto hits0 = cache.hits();
  for (int i = 0; i < 5; ++i) conn.execute(select(t).where(t.c["id"] == i)).all();
  EXPECT_EQ(cache.misses() - misses0, 1u);  // compiled once ...
  EXPECT_EQ(cache.hits() - hits0, 4u);      // ... then found by structure
  // A different structure is a different entry; the values never are.
  conn.execute(select(t).where(t.c["id"] > 1)).all();
  EXPECT_EQ(cache.misses() - misses0, 2u);
  conn.commit();
  md.drop_all(engine_);
}

INSTANTIATE_TEST_SUITE_P(backends, SchemaTest, ::testing::ValuesIn(all_backends()), BackendName());

}  // namespace
}  // namespace alchemy::testing
