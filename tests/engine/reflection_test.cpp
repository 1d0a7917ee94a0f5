// Reflection (Inspector, MetaData::reflect, autoload_with) on every backend:
// what each Inspector method reports for tables create_all made, that
// reflected Tables have the structure of the originals, and that creating the
// reflected tables elsewhere gives an equivalent database.
#include "alchemy/engine/reflection.hpp"

#include <gtest/gtest.h>

#include <alchemy/alchemy.hpp>
#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "core/compiler/compiler.hpp"
#include "core/sql/nodes.hpp"
#include "engine/engine_fixture.hpp"
#include "support/faulty_dialect.hpp"

namespace alchemy::testing {
namespace {

// ---- the schema under test -------------------------------------------------------------------

// Every type and constraint kind create_all makes: composite primary key,
// composite foreign key with ON DELETE / ON UPDATE, self-reference, column and
// table UNIQUE, named and inline CHECK, single-column, composite, unique and
// functional indexes, server defaults, an Enum, comments, arrays (PostgreSQL).
void define_schema(MetaData& md, bool pg) {
  std::vector<SchemaItem> items{
      Column("id", Integer, primary_key()),
      Column("name", String(50), nullable(false), comment("display name")),
      Column("email", String(100), unique()),
      Column("city", String(50), index()),
      Column("age", Integer, server_default("18")),
      Column("balance", Numeric(10, 2)),
      Column("score", Float()),
      Column("visits", BigInteger),
      Column("rating", SmallInteger),
      Column("bio", Text),
      Column("active", Boolean, nullable(false), server_default(text(pg ? "true" : "1"))),
      Column("born", types::Date),
      Column("created_at", types::DateTime(true), server_default(func.now())),
      Column("updated_at", types::DateTime()),
      Column("wake", types::Time()),
      Column("ttl", types::Interval),
      Column("avatar", LargeBinary),
      Column("prefs", JSON),
      Column("token", UUID),
      Column("role", Enum({"admin", "user"}, "userrole"), nullable(false), server_default("user")),
      CheckConstraint("age >= 0", "ck_users_age"),
      UniqueConstraint({"name", "city"}, "uq_users_name_city"),
      Index("ix_users_city_age", {"city", "age"}),
      table_comment("people")};
  if (pg) items.emplace_back(Column("tags", ARRAY(String(20))));
  Table users("users", md, items);
  users.append_constraint(Index("ix_users_lower_email", {literal_column("lower(email)")}, true));

  Table accounts(
      "accounts", md, Column("user_id", Integer, ForeignKey("users.id", {.ondelete = "CASCADE"})),
      Column("region", String(10)), Column("number", Integer), Column("label", String(30)),
      PrimaryKeyConstraint({"region", "number"}, "pk_accounts"));
  Table transfers(
      "transfers", md, Column("id", Integer, primary_key()),
      Column("region", String(10), nullable(false)), Column("number", Integer, nullable(false)),
      Column("amount", Numeric(12, 2), CheckConstraint("amount > 0")),
      Column("parent_id", Integer, ForeignKey("transfers.id")),
      ForeignKeyConstraint(
          {"region", "number"}, {"accounts.region", "accounts.number"},
          {.name = "fk_transfers_account", .ondelete = "CASCADE", .onupdate = "SET NULL"}),
      Index("ux_transfers_region_number", {"region", "number"}, true));
}

// ---- helpers -----------------------------------------------------------------------------------

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// SQL text without casts, parentheses, quotes, spaces or case, so that
// "amount > (0)::numeric" and "amount > 0" compare equal.
std::string norm(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "::") == 0) {
      i += 2;
      while (i < s.size() && (std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
      for (std::string_view more : {" varying", " precision"})
        if (s.compare(i, more.size(), more) == 0) i += more.size();
      --i;
      continue;
    }
    const char c = s[i];
    if (c == '(' || c == ')' || c == '"' || c == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// What a type reads back as after a round trip through the backend's DDL.
std::string expected_type(const TypeEngine& t, bool pg) {
  switch (t.kind()) {
    case TypeKind::datetime:
      return pg ? t.repr() : "DATETIME";
    case TypeKind::time:
      return pg ? t.repr() : "TIME";
    case TypeKind::interval:
      return pg ? t.repr() : "DATETIME";  // SQLite stores intervals in a DATETIME column
    case TypeKind::uuid:
      return pg ? t.repr() : "VARCHAR(32)";  // CHAR(32)
    case TypeKind::enum_:
      return pg ? t.repr()
                : "VARCHAR(" + std::to_string(static_cast<const types::EnumType&>(t).length()) +
                      ")";
    default:
      return t.repr();
  }
}

// A Table's structure, names left out (PostgreSQL names what the user did not).
struct Shape {
  std::vector<std::string> columns;
  std::string primary_key;
  std::set<std::string> foreign_keys, uniques, checks, indexes;
  std::string comment;
};

Shape shape(const Table& t, const SQLCompiler& d, bool pg, bool original) {
  const detail::TableNode& n = t.impl();
  Shape s;
  for (const auto& c : n.columns) {
    s.columns.push_back(c->name + " " + (original ? expected_type(*c->type, pg) : c->type->repr()) +
                        (c->nullable() ? " NULL" : " NOT NULL") +
                        (c->server_default || c->server_default_literal ? " DEFAULT" : "") +
                        (pg && !c->comment.empty() ? " -- " + c->comment : ""));
    // An Enum on SQLite is a VARCHAR plus a CHECK of its values.
    if (original && !pg && c->type->kind() == TypeKind::enum_)
      s.checks.insert(norm(c->name + " IN ('admin', 'user')"));
  }
  std::vector<std::string> pk;
  for (const auto* c : n.primary_key->columns) pk.push_back(c->name);
  s.primary_key = join(pk);
  for (const auto& c : n.constraints) {
    std::vector<std::string> cols;
    for (const auto* col : c->columns) cols.push_back(col->name);
    switch (c->type) {
      case detail::ConstraintNode::Type::foreign_key: {
        std::vector<std::string> refs;
        for (const auto* r : c->referred_columns()) refs.push_back(r->name);
        std::string line =
            "(" + join(cols) + ") -> " + c->referred_table()->name + "(" + join(refs) + ")";
        if (!c->fk.ondelete.empty()) line += " ON DELETE " + c->fk.ondelete;
        if (!c->fk.onupdate.empty()) line += " ON UPDATE " + c->fk.onupdate;
        s.foreign_keys.insert(line);
        break;
      }
      case detail::ConstraintNode::Type::unique:
        s.uniques.insert(join(cols));
        break;
      case detail::ConstraintNode::Type::check:
        s.checks.insert(norm(c->sqltext));
        break;
      default:
        break;
    }
  }
  for (const auto& i : n.indexes) s.indexes.insert(norm(detail::create_index_ddl(d, *i)));
  s.comment = pg ? n.comment : "";
  return s;
}

// Names the user gave (or a naming convention made) to constraints and indexes.
std::set<std::string> explicit_names(const Table& t) {
  std::set<std::string> out;
  const detail::TableNode& n = t.impl();
  if (n.primary_key->name_explicit) out.insert(n.primary_key->name);
  for (const auto& c : n.constraints)
    if (c->name_explicit) out.insert(c->name);
  for (const auto& i : n.indexes) out.insert(detail::index_name(n, *i));
  return out;
}
std::set<std::string> all_names(const Table& t) {
  std::set<std::string> out;
  const detail::TableNode& n = t.impl();
  if (!n.primary_key->name.empty()) out.insert(n.primary_key->name);
  for (const auto& c : n.constraints)
    if (!c->name.empty()) out.insert(c->name);
  for (const auto& i : n.indexes) out.insert(i->name);
  return out;
}

std::string str(const std::optional<std::string>& s) { return s ? "'" + *s + "'" : "None"; }

// Everything an Inspector says about a table, as text (readable diffs).
std::string describe(const Inspector& insp, const std::string& table) {
  std::string out = "table " + table + " comment=" + str(insp.get_table_comment(table).text) + "\n";
  for (const auto& c : insp.get_columns(table))
    out += "  column " + c.name + " " + c.type->repr() + (c.nullable ? " NULL" : " NOT NULL") +
           " default=" + str(c.default_) +
           " autoincrement=" + (c.autoincrement ? (*c.autoincrement ? "true" : "false") : "auto") +
           " comment=" + str(c.comment) + "\n";
  const auto pk = insp.get_pk_constraint(table);
  out += "  pk " + str(pk.name) + " (" + join(pk.constrained_columns) + ")\n";
  for (const auto& fk : insp.get_foreign_keys(table))
    out += "  fk " + str(fk.name) + " (" + join(fk.constrained_columns) + ") -> " +
           str(fk.referred_schema) + "." + fk.referred_table + "(" + join(fk.referred_columns) +
           ") ondelete=" + fk.options.ondelete + " onupdate=" + fk.options.onupdate + "\n";
  for (const auto& i : insp.get_indexes(table)) {
    std::vector<std::string> cols;
    for (const auto& c : i.column_names) cols.push_back(c.value_or("<expr>"));
    out += "  index " + i.name + (i.unique ? " unique" : "") + " (" + join(cols) + ") [" +
           join(i.expressions) + "] dup=" + str(i.duplicates_constraint) + "\n";
  }
  for (const auto& u : insp.get_unique_constraints(table))
    out += "  unique " + str(u.name) + " (" + join(u.column_names) + ")\n";
  for (const auto& c : insp.get_check_constraints(table))
    out += "  check " + str(c.name) + " " + c.sqltext + "\n";
  return out;
}

template <class F>
void expect_no_such_table(F&& f, const std::string& table) {
  try {
    f();
    ADD_FAILURE() << "expected NoSuchTableError for " << table;
  } catch (const NoSuchTableError& e) {
    EXPECT_NE(std::string(e.what()).find("'" + table + "'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("get_table_names()"), std::string::npos) << e.what();
  }
}

using reflection = EngineTest;

// ---- Inspector ---------------------------------------------------------------------------------

TEST_P(reflection, get_table_names_and_has_table) {
  auto engine = make_engine();
  MetaData md;
  define_schema(md, pg());
  md.create_all(engine);
  Inspector insp = inspect(engine);
  EXPECT_EQ(insp.get_table_names(), (std::vector<std::string>{"accounts", "transfers", "users"}));
  EXPECT_TRUE(insp.has_table("users"));
  EXPECT_FALSE(insp.has_table("nope"));
  EXPECT_EQ(insp.default_schema_name(),
            pg() ? url_.substr(url_.find("search_path%3D") + 14) : "main");
  EXPECT_EQ(&insp.dialect(), &engine.dialect());
}

TEST_P(reflection, get_columns_maps_types_back) {
  auto engine = make_engine();
  MetaData md;
  define_schema(md, pg());
  md.create_all(engine);
  const auto cols = inspect(engine).get_columns("users");
  std::vector<std::string> got;
  for (const auto& c : cols) got.push_back(c.name + " " + c.type->repr());
  std::vector<std::string> want;
  for (const auto& c : md.table("users")->columns_list())
    want.push_back(c.name() + " " + expected_type(*c.impl().type, pg()));
  EXPECT_EQ(got, want);

  auto col = [&](const std::string& name) {
    return *std::find_if(cols.begin(), cols.end(), [&](const auto& c) { return c.name == name; });
  };
  EXPECT_FALSE(col("id").nullable);
  EXPECT_FALSE(col("name").nullable);
  EXPECT_TRUE(col("email").nullable);
  EXPECT_EQ(col("email").type->kind(), TypeKind::string);
  EXPECT_FALSE(col("email").default_);
  ASSERT_TRUE(col("age").default_);
  EXPECT_EQ(*col("age").default_, pg() ? "18" : "'18'");
  ASSERT_TRUE(col("created_at").default_);
  EXPECT_NE(col("created_at").default_->find(pg() ? "now()" : "CURRENT_TIMESTAMP"),
            std::string::npos);
  ASSERT_TRUE(col("role").default_);
  EXPECT_EQ(*col("role").default_, pg() ? "'user'::userrole" : "'user'");
  if (pg()) {
    EXPECT_EQ(col("id").autoincrement, std::optional<bool>(true));
    EXPECT_EQ(col("age").autoincrement, std::optional<bool>(false));
    ASSERT_TRUE(col("id").default_);
    EXPECT_EQ(*col("id").default_, "nextval('users_id_seq'::regclass)");
    EXPECT_EQ(col("name").comment, std::optional<std::string>("display name"));
    EXPECT_EQ(col("email").comment, std::nullopt);
    const auto& role = static_cast<const types::EnumType&>(*col("role").type);
    EXPECT_EQ(role.name(), "userrole");
    EXPECT_EQ(role.enums(), (std::vector<std::string>{"admin", "user"}));
    const auto& tags = static_cast<const types::ArrayType&>(*col("tags").type);
    EXPECT_EQ(tags.item_type()->repr(), "VARCHAR(20)");
    EXPECT_EQ(static_cast<const types::TemporalType&>(*col("created_at").type).timezone(), true);
  } else {
    EXPECT_EQ(col("id").autoincrement, std::nullopt);  // "auto"
    EXPECT_EQ(col("name").comment, std::nullopt);
  }
}

TEST_P(reflection, constraints_and_indexes) {
  auto engine = make_engine();
  MetaData md;
  define_schema(md, pg());
  md.create_all(engine);
  Inspector insp = inspect(engine);

  EXPECT_EQ(insp.get_pk_constraint("accounts"),
            (ReflectedPrimaryKeyConstraint{"pk_accounts", {"region", "number"}}));
  const auto users_pk = insp.get_pk_constraint("users");
  EXPECT_EQ(users_pk.constrained_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(users_pk.name, pg() ? std::optional<std::string>("users_pkey") : std::nullopt);

  const auto fks = insp.get_foreign_keys("transfers");
  ASSERT_EQ(fks.size(), 2u);
  const auto& composite = *std::find_if(fks.begin(), fks.end(), [](const auto& f) {
    return f.name == std::optional<std::string>("fk_transfers_account");
  });
  EXPECT_EQ(composite.constrained_columns, (std::vector<std::string>{"region", "number"}));
  EXPECT_EQ(composite.referred_table, "accounts");
  EXPECT_EQ(composite.referred_columns, (std::vector<std::string>{"region", "number"}));
  EXPECT_EQ(composite.referred_schema, std::nullopt);
  EXPECT_EQ(composite.options,
            (ReflectedForeignKeyOptions{.ondelete = "CASCADE", .onupdate = "SET NULL"}));
  const auto& self = *std::find_if(fks.begin(), fks.end(), [](const auto& f) {
    return f.name != std::optional<std::string>("fk_transfers_account");
  });
  EXPECT_EQ(self.referred_table, "transfers");
  EXPECT_EQ(self.constrained_columns, std::vector<std::string>{"parent_id"});
  EXPECT_EQ(self.referred_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(self.options, ReflectedForeignKeyOptions{});
  EXPECT_EQ(self.name,
            pg() ? std::optional<std::string>("transfers_parent_id_fkey") : std::nullopt);

  const auto indexes = insp.get_indexes("users");
  std::vector<std::string> names;
  for (const auto& i : indexes) names.push_back(i.name);
  std::vector<std::string> want_names{"ix_users_city", "ix_users_city_age", "ix_users_lower_email"};
  if (pg()) {  // PostgreSQL also reports the indexes behind UNIQUE constraints
    want_names.push_back("uq_users_name_city");
    want_names.push_back("users_email_key");
    std::sort(want_names.begin(), want_names.end());
  }
  EXPECT_EQ(names, want_names);
  auto index = [&](const std::string& name) {
    return *std::find_if(indexes.begin(), indexes.end(),
                         [&](const auto& i) { return i.name == name; });
  };
  EXPECT_EQ(index("ix_users_city_age"),
            (ReflectedIndex{"ix_users_city_age", {"city", "age"}, {}, false, std::nullopt}));
  const auto lower = index("ix_users_lower_email");
  EXPECT_TRUE(lower.unique);
  EXPECT_EQ(lower.column_names, std::vector<std::optional<std::string>>{std::nullopt});
  EXPECT_EQ(lower.expressions,
            std::vector<std::string>{pg() ? "lower(email::text)" : "lower(email)"});
  if (pg()) {
    EXPECT_EQ(index("users_email_key").duplicates_constraint,
              std::optional<std::string>("users_email_key"));
  }

  std::vector<std::string> uniques;
  for (const auto& u : insp.get_unique_constraints("users"))
    uniques.push_back(u.name.value_or("") + "(" + join(u.column_names) + ")");
  std::sort(uniques.begin(), uniques.end());
  const std::vector<std::string> want_uniques =
      pg() ? std::vector<std::string>{"uq_users_name_city(name, city)", "users_email_key(email)"}
           : std::vector<std::string>{"(email)", "uq_users_name_city(name, city)"};
  EXPECT_EQ(uniques, want_uniques);

  auto checks = insp.get_check_constraints("users");
  ASSERT_EQ(checks.size(), pg() ? 1u : 2u);  // SQLite: the Enum's CHECK too
  EXPECT_EQ(checks[0], (ReflectedCheckConstraint{"ck_users_age", "age >= 0"}));
  if (!pg()) {
    EXPECT_EQ(checks[1], (ReflectedCheckConstraint{std::nullopt, "role IN ('admin', 'user')"}));
  }
  checks = insp.get_check_constraints("transfers");
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].sqltext, pg() ? "amount > 0::numeric" : "amount > 0");
  EXPECT_EQ(checks[0].name,
            pg() ? std::optional<std::string>("transfers_amount_check") : std::nullopt);

  EXPECT_EQ(insp.get_table_comment("users").text,
            pg() ? std::optional<std::string>("people") : std::nullopt);
  EXPECT_EQ(insp.get_table_comment("accounts").text, std::nullopt);
}

TEST_P(reflection, missing_table_raises_no_such_table) {
  auto engine = make_engine();
  Inspector insp = inspect(engine);
  const std::string t = "no_such_table";
  expect_no_such_table([&] { insp.get_columns(t); }, t);
  expect_no_such_table([&] { insp.get_pk_constraint(t); }, t);
  expect_no_such_table([&] { insp.get_foreign_keys(t); }, t);
  expect_no_such_table([&] { insp.get_indexes(t); }, t);
  expect_no_such_table([&] { insp.get_unique_constraints(t); }, t);
  expect_no_such_table([&] { insp.get_check_constraints(t); }, t);
  expect_no_such_table([&] { insp.get_table_comment(t); }, t);
  EXPECT_FALSE(insp.has_table(t));
}

TEST_P(reflection, connection_inspector_sees_its_own_transaction) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute(text("CREATE TABLE pending (id INTEGER PRIMARY KEY, note VARCHAR(20) NOT NULL)"));
  Inspector insp = inspect(conn);
  EXPECT_TRUE(insp.has_table("pending"));
  const auto cols = insp.get_columns("pending");
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[1].name, "note");
  EXPECT_EQ(cols[1].type->repr(), "VARCHAR(20)");
  EXPECT_FALSE(cols[1].nullable);
  EXPECT_TRUE(conn.in_transaction());
  conn.rollback();
  EXPECT_FALSE(insp.has_table("pending"));
}

TEST_P(reflection, reflected_column_equality_compares_types_by_value) {
  ReflectedColumn a{"x", String(10)};
  ReflectedColumn b{"x", String(10)};
  EXPECT_EQ(a, b);
  b.type = String(11);
  EXPECT_NE(a, b);
  b.type = String(10);
  b.default_ = "'a'";
  EXPECT_NE(a, b);
}

// ---- Tables from reflection
// ----------------------------------------------------------------------

TEST_P(reflection, reflect_round_trips_create_all) {
  auto engine = make_engine();
  MetaData original;
  define_schema(original, pg());
  original.create_all(engine);
  const SQLCompiler& d = engine.dialect().statement_compiler();

  MetaData reflected;
  reflected.reflect(engine);
  ASSERT_EQ(reflected.tables().size(), 3u);
  for (const auto& [name, table] : original.tables()) {
    SCOPED_TRACE(name);
    auto copy = reflected.table(name);
    ASSERT_TRUE(copy.has_value());
    const Shape want = shape(table, d, pg(), true);
    const Shape got = shape(*copy, d, pg(), false);
    EXPECT_EQ(got.columns, want.columns);
    EXPECT_EQ(got.primary_key, want.primary_key);
    EXPECT_EQ(got.foreign_keys, want.foreign_keys);
    EXPECT_EQ(got.uniques, want.uniques);
    EXPECT_EQ(got.checks, want.checks);
    EXPECT_EQ(got.indexes, want.indexes);
    EXPECT_EQ(got.comment, want.comment);
    const auto names = all_names(*copy);
    for (const auto& n : explicit_names(table))
      EXPECT_TRUE(names.count(n)) << "constraint/index name " << n << " not reflected";
  }

  // The reflected tables' DDL makes an equivalent database elsewhere (a new
  // file, a new in-memory database, a new PostgreSQL schema).
  auto other = create_engine(url_for(GetParam()));
  {
    auto conn = other.connect();
    for (const auto& t : reflected.sorted_tables()) {
      conn.execute(CreateTable(t));
      for (const auto& i : t.impl().indexes)
        conn.execute(DDLElement(DDLElement::Kind::create_index, t.node(), i));
    }
    conn.commit();
  }
  Inspector first = inspect(engine);
  Inspector second = inspect(other);
  EXPECT_EQ(second.get_table_names(), first.get_table_names());
  for (const auto& name : first.get_table_names()) {
    EXPECT_EQ(describe(second, name), describe(first, name));
    EXPECT_EQ(second.get_columns(name), first.get_columns(name));
    EXPECT_EQ(second.get_foreign_keys(name), first.get_foreign_keys(name));
    EXPECT_EQ(second.get_indexes(name), first.get_indexes(name));
  }

  // And the copy works: a row goes in and the constraints hold.
  auto conn = other.connect();
  conn.execute(text("INSERT INTO users (name, role) VALUES ('Ali', 'admin')"));
  EXPECT_THROW(conn.execute(text("INSERT INTO users (name, age, role) VALUES ('Bad', -1, 'user')")),
               IntegrityError);
}

TEST_P(reflection, autoload_with_reflects_the_table_and_what_it_refers_to) {
  auto engine = make_engine();
  {
    MetaData md;
    define_schema(md, pg());
    md.create_all(engine);
  }
  MetaData md;
  Table transfers("transfers", md, autoload_with(engine));
  std::vector<std::string> cols;
  for (const auto& c : transfers.columns_list()) cols.push_back(c.name());
  EXPECT_EQ(cols, (std::vector<std::string>{"id", "region", "number", "amount", "parent_id"}));
  EXPECT_EQ(transfers.primary_key().size(), 1u);
  // The referred tables came along, as with SQLAlchemy's resolve_fks.
  EXPECT_TRUE(md.table("accounts").has_value());
  EXPECT_TRUE(md.table("users").has_value());
  EXPECT_EQ(md.sorted_tables().front().name(), "users");

  // Columns given explicitly win over reflected ones.
  MetaData md2;
  Table users("users", md2, Column("prefs", Text), autoload_with(engine));
  EXPECT_EQ(users.c["prefs"].type()->kind(), TypeKind::text);
  EXPECT_EQ(users.columns_list().size(), md.table("users")->columns_list().size());

  // Reflected tables work with the expression language.
  auto conn = engine.connect();
  Table u = *md.table("users");
  conn.execute(u.insert().values({{"name", "Sara"}, {"role", "admin"}}));
  EXPECT_EQ(conn.execute(select(u.c["name"]).where(u.c["role"] == "admin")).scalar<std::string>(),
            "Sara");
}

TEST_P(reflection, autoload_with_missing_table_leaves_metadata_unchanged) {
  auto engine = make_engine();
  MetaData md;
  try {
    Table t("ghost", md, autoload_with(engine));
    FAIL() << "expected NoSuchTableError";
  } catch (const NoSuchTableError& e) {
    EXPECT_NE(std::string(e.what()).find("'ghost'"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(md.table("ghost").has_value());
  EXPECT_TRUE(md.tables().empty());
  // The name is free again.
  Table ghost("ghost", md, Column("id", Integer, primary_key()));
  EXPECT_EQ(md.tables().size(), 1u);
}

TEST_P(reflection, reflect_only_some_tables) {
  auto engine = make_engine();
  {
    MetaData md;
    define_schema(md, pg());
    md.create_all(engine);
  }
  MetaData md;
  md.reflect(engine, {"accounts"});
  std::vector<std::string> names;
  for (const auto& [name, t] : md.tables()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"accounts", "users"}));  // users: referred to

  MetaData bad;
  try {
    bad.reflect(engine, {"accounts", "nope", "nada"});
    FAIL() << "expected InvalidRequestError";
  } catch (const InvalidRequestError& e) {
    EXPECT_NE(std::string(e.what()).find("(nope, nada)"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(bad.tables().empty());

  // Tables already in the MetaData are kept as they are.
  MetaData mixed;
  Table mine("users", mixed, Column("id", Integer, primary_key()));
  mixed.reflect(engine);
  EXPECT_EQ(mixed.tables().size(), 3u);
  EXPECT_EQ(mixed.table("users")->columns_list().size(), 1u);
}

ALCHEMY_INSTANTIATE_ON_ALL_BACKENDS(reflection);

// ---- SQLite specifics
// ------------------------------------------------------------------------------

// Hand-written DDL: SQLite keeps it as typed, and reflection has to read it.
TEST(reflection_sqlite, reads_hand_written_ddl) {
  auto engine = create_engine("sqlite://");
  auto conn = engine.connect();
  conn.exec_driver_sql(
      R"(create table "Parent Table" ("Key" integer primary key, code text unique))");
  conn.exec_driver_sql(R"(
    create table child (
      id integer constraint child_pk primary key autoincrement,
      "parent key" integer not null constraint fk_parent references "Parent Table"("Key")
        on delete set null deferrable initially deferred,
      code text references "Parent Table" (code) on update cascade,
      qty int check (qty > 0 and qty < (10 * 10)), -- a comment, with a comma
      note varchar(20) default 'a,b)' constraint note_ck check (note <> ')'),
      other /* no type */,
      constraint child_uq unique ("parent key", code),
      constraint "ck ratio" check (qty * 2 > length(note))
    ))");
  conn.exec_driver_sql("CREATE INDEX ix_child_expr ON child (lower(note), qty DESC)");
  Inspector insp = inspect(conn);

  const auto cols = insp.get_columns("child");
  ASSERT_EQ(cols.size(), 6u);
  EXPECT_EQ(cols[1].name, "parent key");
  EXPECT_EQ(cols[3].type->kind(), TypeKind::integer);
  EXPECT_EQ(cols[4].default_, std::optional<std::string>("'a,b)'"));
  EXPECT_EQ(cols[5].type->kind(), TypeKind::null);

  EXPECT_EQ(insp.get_pk_constraint("child"), (ReflectedPrimaryKeyConstraint{"child_pk", {"id"}}));
  EXPECT_EQ(insp.get_pk_constraint("Parent Table").constrained_columns,
            std::vector<std::string>{"Key"});

  const auto fks = insp.get_foreign_keys("child");
  ASSERT_EQ(fks.size(), 2u);
  EXPECT_EQ(fks[0].name, std::optional<std::string>("fk_parent"));
  EXPECT_EQ(fks[0].referred_table, "Parent Table");
  EXPECT_EQ(fks[0].referred_columns, std::vector<std::string>{"Key"});
  EXPECT_EQ(fks[0].options,
            (ReflectedForeignKeyOptions{
                .ondelete = "SET NULL", .deferrable = true, .initially = "DEFERRED"}));
  EXPECT_EQ(fks[1].name, std::nullopt);
  EXPECT_EQ(fks[1].constrained_columns, std::vector<std::string>{"code"});
  EXPECT_EQ(fks[1].options.onupdate, "CASCADE");

  EXPECT_EQ(insp.get_unique_constraints("child"),
            (std::vector<ReflectedUniqueConstraint>{{"child_uq", {"parent key", "code"}}}));
  EXPECT_EQ(insp.get_unique_constraints("Parent Table"),
            (std::vector<ReflectedUniqueConstraint>{{std::nullopt, {"code"}}}));
  EXPECT_EQ(insp.get_check_constraints("child"),
            (std::vector<ReflectedCheckConstraint>{{std::nullopt, "qty > 0 and qty < (10 * 10)"},
                                                   {"note_ck", "note <> ')'"},
                                                   {"ck ratio", "qty * 2 > length(note)"}}));

  const auto indexes = insp.get_indexes("child");
  ASSERT_EQ(indexes.size(), 1u);  // not the automatic ones behind UNIQUE
  EXPECT_EQ(indexes[0].column_names,
            (std::vector<std::optional<std::string>>{std::nullopt, "qty"}));
  EXPECT_EQ(indexes[0].expressions, (std::vector<std::string>{"lower(note)", "qty"}));

  // sqlite_sequence (made by AUTOINCREMENT) is not a user table.
  EXPECT_EQ(insp.get_table_names(), (std::vector<std::string>{"Parent Table", "child"}));
}

TEST(reflection_sqlite, attached_schema) {
  auto engine = create_engine("sqlite://");
  auto conn = engine.connect();
  conn.exec_driver_sql("ATTACH DATABASE ':memory:' AS other");
  conn.exec_driver_sql("CREATE TABLE other.a (id INTEGER PRIMARY KEY)");
  conn.exec_driver_sql(
      "CREATE TABLE other.b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id))");
  Inspector insp = inspect(conn);
  EXPECT_TRUE(insp.get_table_names().empty());
  EXPECT_EQ(insp.get_table_names("other"), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(insp.has_table("b"));
  EXPECT_TRUE(insp.has_table("b", "other"));
  expect_no_such_table([&] { insp.get_columns("b"); }, "b");
  const auto fks = insp.get_foreign_keys("b", "other");
  ASSERT_EQ(fks.size(), 1u);
  EXPECT_EQ(fks[0].referred_schema, std::optional<std::string>("other"));
}

TEST(reflection_sqlite, table_option_reflects_temp_tables) {
  auto engine = create_engine("sqlite://");
  {
    auto conn = engine.connect();
    conn.exec_driver_sql("CREATE TEMP TABLE scratch (id INTEGER PRIMARY KEY, v REAL)");
    conn.commit();
  }
  MetaData md;
  Table scratch("scratch", md, autoload_with(engine));
  ASSERT_EQ(scratch.columns_list().size(), 2u);
  EXPECT_EQ(scratch.c["v"].type()->repr(), "FLOAT");
}

// Reflect from SQLite, write DDL for PostgreSQL: an integer key that is also a
// foreign key is not a SERIAL (SQLAlchemy's autoincrement="auto" rule counts
// table-level foreign keys, which is how every reflected one is attached).
TEST(reflection_sqlite, reflected_tables_render_for_another_dialect) {
  auto engine = create_engine("sqlite://");
  {
    auto conn = engine.connect();
    conn.exec_driver_sql("CREATE TABLE users (id INTEGER PRIMARY KEY)");
    conn.exec_driver_sql(
        "CREATE TABLE profiles (user_id INTEGER NOT NULL PRIMARY KEY REFERENCES users (id))");
    conn.commit();
  }
  MetaData md;
  md.reflect(engine);
  const auto postgresql = load_dialect("postgresql", "");
  const SQLCompiler& pg = postgresql->statement_compiler();
  EXPECT_EQ(CreateTable(*md.table("users")).str(pg),
            "CREATE TABLE users (\n\tid SERIAL, \n\tPRIMARY KEY (id)\n)");
  EXPECT_EQ(CreateTable(*md.table("profiles")).str(pg),
            "CREATE TABLE profiles (\n\tuser_id INTEGER NOT NULL, \n\tPRIMARY KEY (user_id), "
            "\n\tFOREIGN KEY(user_id) REFERENCES users (id)\n)");
}

// Reflection through the fault-injecting dialect: a lost connection surfaces as
// OperationalError, leaves the MetaData unchanged, and the next call works.
TEST(reflection_sqlite, lost_connection_during_reflection) {
  faults().reset();
  auto engine = create_engine("faulty+sqlite:///" + temp_db_path("faulty"));
  {
    auto conn = engine.connect();
    conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
    conn.commit();
  }
  Inspector insp = inspect(engine);
  faults().disconnect_on_execute = true;
  EXPECT_THROW(insp.get_columns("t"), OperationalError);
  EXPECT_EQ(insp.get_columns("t").size(), 2u);
  EXPECT_EQ(insp.get_unique_constraints("t").size(), 1u);

  MetaData md;
  faults().disconnect_on_execute = true;
  EXPECT_THROW(Table("t", md, autoload_with(engine)), OperationalError);
  EXPECT_FALSE(md.table("t").has_value());
  md.reflect(engine);
  ASSERT_TRUE(md.table("t").has_value());
  EXPECT_EQ(md.table("t")->columns_list().size(), 2u);
  faults().reset();
}

// ---- PostgreSQL specifics
// ----------------------------------------------------------------------------

// A fresh schema of its own (on the search_path) and its name.
std::pair<Engine, std::string> pg_engine(const std::string& base) {
  const std::string url = url_for(Backend{"postgresql", base});
  return {create_engine(url), url.substr(url.find("search_path%3D") + 14)};
}

TEST(reflection_postgresql, other_schema_and_cross_schema_foreign_keys) {
  ALCHEMY_PG_URL_OR_SKIP(base);
  auto [engine, home] = pg_engine(base);
  const std::string away = pg_engine(base).second;  // not on engine's search_path
  {
    auto conn = engine.connect();
    conn.exec_driver_sql("CREATE TABLE " + away + ".owners (id SERIAL PRIMARY KEY)");
    conn.exec_driver_sql("CREATE TABLE " + away +
                         ".pets (id SERIAL PRIMARY KEY, owner_id "
                         "INTEGER REFERENCES " +
                         away + ".owners (id))");
    conn.exec_driver_sql(
        "CREATE TABLE visits (id SERIAL PRIMARY KEY, pet_id INTEGER "
        "REFERENCES " +
        away + ".pets (id) DEFERRABLE INITIALLY DEFERRED)");
    conn.commit();
  }
  Inspector insp = inspect(engine);
  EXPECT_EQ(insp.default_schema_name(), home);
  EXPECT_EQ(insp.get_table_names(), std::vector<std::string>{"visits"});
  EXPECT_EQ(insp.get_table_names(away), (std::vector<std::string>{"owners", "pets"}));
  expect_no_such_table([&] { insp.get_columns("pets"); }, "pets");

  auto fks = insp.get_foreign_keys("visits");
  ASSERT_EQ(fks.size(), 1u);
  EXPECT_EQ(fks[0].referred_schema, std::optional<std::string>(away));
  EXPECT_EQ(fks[0].options,
            (ReflectedForeignKeyOptions{.deferrable = true, .initially = "DEFERRED"}));
  fks = insp.get_foreign_keys("pets", away);
  ASSERT_EQ(fks.size(), 1u);
  EXPECT_EQ(fks[0].referred_schema, std::optional<std::string>(away));  // asked for that schema

  // A SERIAL's sequence is qualified when the schema is named, as in SQLAlchemy.
  EXPECT_EQ(insp.get_columns("visits")[0].default_,
            std::optional<std::string>("nextval('visits_id_seq'::regclass)"));
  EXPECT_EQ(insp.get_columns("visits", home)[0].default_,
            std::optional<std::string>("nextval('\"" + home + "\".visits_id_seq'::regclass)"));
  EXPECT_EQ(insp.get_columns("pets", away)[0].default_,
            std::optional<std::string>("nextval('" + away + ".pets_id_seq'::regclass)"));

  MetaData md;
  Table visits("visits", md, autoload_with(engine));
  EXPECT_TRUE(md.table(away + ".pets").has_value());
  EXPECT_TRUE(md.table(away + ".owners").has_value());

  MetaData by_schema;
  by_schema.reflect(engine, {}, away);
  std::vector<std::string> names;
  for (const auto& [name, t] : by_schema.tables()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{away + ".owners", away + ".pets"}));
  EXPECT_EQ(by_schema.table(away + ".pets")->schema(), std::optional<std::string>(away));
}

TEST(reflection_postgresql, identity_domain_enum_array_and_index_options) {
  ALCHEMY_PG_URL_OR_SKIP(base);
  auto [engine, home] = pg_engine(base);
  {
    auto conn = engine.connect();
    conn.exec_driver_sql("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
    conn.exec_driver_sql("CREATE DOMAIN posint AS integer NOT NULL DEFAULT 1 CHECK (VALUE > 0)");
    conn.exec_driver_sql(R"(CREATE TABLE "Things" (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        n posint,
        moods mood[],
        grid INTEGER[][],
        label CHAR(3),
        at TIMESTAMP(3) WITH TIME ZONE,
        span INTERVAL DAY TO SECOND,
        ratio REAL,
        money_ MONEY,
        doubled INTEGER GENERATED ALWAYS AS (n * 2) STORED,
        CONSTRAINT "ck things" CHECK (ratio > 0 AND ratio < 1) NO INHERIT
      ))");
    conn.exec_driver_sql(R"(CREATE INDEX ix_things ON "Things" (lower(label), n) INCLUDE (ratio))");
    conn.commit();
  }
  Inspector insp = inspect(engine);
  const auto cols = insp.get_columns("Things");
  ASSERT_EQ(cols.size(), 10u);
  EXPECT_EQ(cols[0].type->kind(), TypeKind::big_integer);
  EXPECT_EQ(cols[0].autoincrement, std::optional<bool>(true));
  EXPECT_EQ(cols[1].type->kind(), TypeKind::integer);  // the domain's base type
  EXPECT_FALSE(cols[1].nullable);
  EXPECT_EQ(cols[1].default_, std::optional<std::string>("1"));
  EXPECT_EQ(cols[2].type->repr(), "ARRAY(Enum('sad', 'ok', 'happy', name='mood'))");
  EXPECT_EQ(static_cast<const types::ArrayType&>(*cols[3].type).dimensions(), 2);
  EXPECT_EQ(cols[4].type->repr(), "VARCHAR(3)");
  EXPECT_EQ(cols[5].type->kind(), TypeKind::datetime);
  EXPECT_TRUE(static_cast<const types::TemporalType&>(*cols[5].type).timezone());
  EXPECT_EQ(cols[6].type->kind(), TypeKind::interval);
  EXPECT_EQ(cols[7].type->repr(), "FLOAT(24)");
  EXPECT_EQ(cols[8].type->kind(), TypeKind::null);  // no alchemy counterpart
  EXPECT_EQ(cols[9].default_, std::nullopt);        // computed, not a default

  EXPECT_EQ(insp.get_check_constraints("Things"),
            (std::vector<ReflectedCheckConstraint>{{"ck things",
                                                    "ratio > 0::double precision AND "
                                                    "ratio < 1::double precision"}}));
  const auto indexes = insp.get_indexes("Things");
  ASSERT_EQ(indexes.size(), 1u);
  EXPECT_EQ(indexes[0].column_names, (std::vector<std::optional<std::string>>{std::nullopt, "n"}));
  EXPECT_EQ(indexes[0].expressions, (std::vector<std::string>{"lower(label::text)", "n"}));

  // A Table reflected from it: the identity key is created as a serial key.
  MetaData md;
  Table things("Things", md, autoload_with(engine));
  EXPECT_EQ(things.primary_key().front().name(), "id");
  EXPECT_EQ(things.impl().indexes.size(), 1u);
}

}  // namespace
}  // namespace alchemy::testing
