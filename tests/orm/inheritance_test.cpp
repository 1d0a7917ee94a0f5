// Inheritance on real SQLite and PostgreSQL: single-table (Person / Employee /
// Customer sharing `people`, a `type` discriminator) and joined-table (Staff /
// Engineer / Manager, each subclass with its own table keyed by staff.id).
// Objects of the right class from base-class queries, the discriminator set on
// insert, one identity map per hierarchy, per-table INSERT / UPDATE / DELETE
// checked by reading the tables back with Core, statement counts of the
// follow-up loads and of with_polymorphic, relationships declared on the base
// class, and mapping / loading errors.
#include <gtest/gtest.h>

#include <alchemy/orm.hpp>
#include <string>
#include <vector>

#include "orm/orm_fixture.hpp"

namespace alchemy::testing {
namespace {

struct Team;

// ---- single-table ----
struct Person {
  std::int64_t id = 0;
  std::string name;
  std::string type;
  std::optional<std::int64_t> team_id;
  orm::One<Team> team;
};
struct Employee : Person {
  std::optional<double> salary;
};
struct Customer : Person {
  std::optional<double> credit_limit;
};
struct Team {
  std::int64_t id = 0;
  std::string title;
  orm::Many<Person> members;
};

// ---- joined-table ----
struct Staff {
  std::int64_t id = 0;
  std::string name;
  std::string kind;
};
struct Engineer : Staff {
  std::string language;
};
struct Manager : Staff {
  std::int64_t reports = 0;
};
struct Director : Manager {  // single-table under the joined Manager
  std::optional<std::string> region;
};

orm::registry& Base() {
  static orm::registry* reg = [] {
    auto* r = new orm::registry();
    r->map<Team>("teams", orm::column<&Team::id>("id", primary_key()),
                 orm::column<&Team::title>("title", String(50)),
                 orm::relationship<&Team::members>(
                     "members", orm::back_populates("team"),
                     orm::order_by([] { return orm::col(&Person::id); })));
    r->map<Person>("people", orm::column<&Person::id>("id", primary_key()),
                   orm::column<&Person::name>("name", String(50)),
                   orm::column<&Person::type>("type", String(20)),
                   orm::column<&Person::team_id>("team_id", ForeignKey("teams.id")),
                   orm::relationship<&Person::team>("team", orm::back_populates("members")),
                   orm::polymorphic_on<&Person::type>(), orm::polymorphic_identity("person"));
    r->map<Employee>(orm::inherits<Person>(), orm::column<&Employee::salary>("salary"),
                     orm::polymorphic_identity("employee"));
    r->map<Customer>(orm::inherits<Person>(),
                     orm::column<&Customer::credit_limit>("credit_limit"),
                     orm::polymorphic_identity("customer"));

    r->map<Staff>("staff", orm::column<&Staff::id>("id", primary_key()),
                  orm::column<&Staff::name>("name", String(50)),
                  orm::column<&Staff::kind>("kind", String(20)),
                  orm::polymorphic_on<&Staff::kind>(), orm::polymorphic_identity("staff"));
    r->map<Engineer>("engineers", orm::inherits<Staff>(),
                     orm::column<&Staff::id>("id", ForeignKey("staff.id"), primary_key()),
                     orm::column<&Engineer::language>("language", String(30)),
                     orm::polymorphic_identity("engineer"));
    r->map<Manager>("managers", orm::inherits<Staff>(),
                    orm::column<&Staff::id>("id", ForeignKey("staff.id"), primary_key()),
                    orm::column<&Manager::reports>("reports"),
                    orm::polymorphic_identity("manager"));
    r->map<Director>(orm::inherits<Manager>(), orm::column<&Director::region>("region", String(20)),
                     orm::polymorphic_identity("director"));
    return r;
  }();
  return *reg;
}

class InheritanceTest : public RecordingOrmTest {
 protected:
  orm::registry& registry() override { return Base(); }
  std::size_t count(const std::string& prefix) const { return statements_like(prefix).size(); }
  std::string text_of(const std::string& sql) {
    auto conn = engine_.connect();
    return conn.execute(text(sql)).scalar<std::string>();
  }
  // people: 1 Person, 2 Employee (salary 1500), 3 Customer, 4 Employee (salary 800).
  void seed_people() {
    orm::Session s(engine_);
    auto p = std::make_shared<Person>();
    p->name = "pat";
    auto e = std::make_shared<Employee>();
    e->name = "eve";
    e->salary = 1500;
    auto c = std::make_shared<Customer>();
    c->name = "cid";
    c->credit_limit = 250;
    auto e2 = orm::make<Employee>();
    e2->name = "ed";
    e2->salary = 800;
    s.add(p);
    s.add(e);
    s.add(c);
    s.add(e2);
    s.commit();
    log_.clear();
  }
  // staff: 1 Staff, 2 Engineer (C++), 3 Manager (7 reports), 4 Engineer (Rust), 5 Director.
  void seed_staff() {
    orm::Session s(engine_);
    auto st = orm::make<Staff>();
    st->name = "sam";
    auto e1 = orm::make<Engineer>();
    e1->name = "ada";
    e1->language = "C++";
    auto m = orm::make<Manager>();
    m->name = "meg";
    m->reports = 7;
    auto e2 = orm::make<Engineer>();
    e2->name = "bob";
    e2->language = "Rust";
    auto d = orm::make<Director>();
    d->name = "dan";
    d->reports = 30;
    d->region = "EMEA";
    s.add(st);
    s.add(e1);
    s.add(m);
    s.add(e2);
    s.add(d);
    s.commit();
    log_.clear();
  }
};

// ---- single-table --------------------------------------------------------------------------

TEST_P(InheritanceTest, single_table_subclass_columns_are_nullable_columns_of_the_base_table) {
  if (not_ready()) return;
  EXPECT_EQ(&orm::table_of<Employee>().impl(), &orm::table_of<Person>().impl());
  const auto cols = orm::table_of<Person>().columns_list();
  std::vector<std::string> names;
  for (const auto& c : cols) names.push_back(c.name());
  EXPECT_EQ(names, (std::vector<std::string>{"id", "name", "type", "team_id", "salary",
                                             "credit_limit"}));
  EXPECT_TRUE(cols[4].nullable());
  EXPECT_TRUE(cols[5].nullable());
  EXPECT_EQ(orm::mapper_of<Employee>().inherits(), &orm::mapper_of<Person>());
  EXPECT_EQ(&orm::mapper_of<Customer>().base_mapper(), &orm::mapper_of<Person>());
  EXPECT_TRUE(orm::mapper_of<Employee>().isa(orm::mapper_of<Person>()));
  EXPECT_FALSE(orm::mapper_of<Person>().isa(orm::mapper_of<Employee>()));
}

TEST_P(InheritanceTest, discriminator_is_set_on_insert) {
  if (not_ready()) return;
  seed_people();
  EXPECT_EQ(text_of("SELECT type FROM people WHERE id = 1"), "person");
  EXPECT_EQ(text_of("SELECT type FROM people WHERE id = 2"), "employee");
  EXPECT_EQ(text_of("SELECT type FROM people WHERE id = 3"), "customer");
  EXPECT_EQ(scalar("SELECT count(*) FROM people WHERE salary = 1500 AND type = 'employee'"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM people WHERE credit_limit IS NULL"), 3);
  // Set when the object is added, as SQLAlchemy sets it at construction.
  orm::Session s(engine_);
  auto e = std::make_shared<Employee>();
  e->name = "new";
  e->type = "wrong";
  s.add(e);
  EXPECT_EQ(e->type, "employee");
}

TEST_P(InheritanceTest, base_query_returns_objects_of_each_class_in_one_statement) {
  if (not_ready()) return;
  seed_people();
  orm::Session s(engine_);
  auto all = s.scalars(orm::select<Person>().order_by(orm::col(&Person::id))).all();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(count("SELECT"), 1u);  // single-table subclass columns come with the base query
  EXPECT_FALSE(orm::isinstance<Employee>(all[0]));
  EXPECT_TRUE(orm::isinstance<Person>(all[0]));
  ASSERT_TRUE(orm::isinstance<Employee>(all[1]));
  ASSERT_TRUE(orm::isinstance<Customer>(all[2]));
  EXPECT_FALSE(orm::isinstance<Employee>(all[2]));
  auto eve = orm::polymorphic_cast<Employee>(all[1]);
  ASSERT_NE(eve, nullptr);
  EXPECT_EQ(eve->name, "eve");
  EXPECT_EQ(eve->salary, 1500.0);
  EXPECT_EQ(orm::polymorphic_cast<Customer>(all[1]), nullptr);
  EXPECT_EQ(orm::polymorphic_cast<Customer>(all[2])->credit_limit, 250.0);
  // The ORM's object for a row is one object whatever pointer type holds it.
  EXPECT_TRUE(orm::inspect(all[1]).persistent());
  EXPECT_TRUE(orm::inspect(eve).persistent());
  EXPECT_TRUE(s.contains(all[1]));
  // query<Person>() too.
  auto q = s.query<Person>().filter(orm::col(&Person::name) == "cid").one();
  EXPECT_TRUE(orm::isinstance<Customer>(q));
  EXPECT_EQ(q, all[2]);
}

TEST_P(InheritanceTest, subclass_query_filters_by_its_identities) {
  if (not_ready()) return;
  seed_people();
  orm::Session s(engine_);
  auto stmt = orm::select<Employee>().order_by(orm::col(&Person::id));
  EXPECT_NE(stmt.str().find("people.type IN"), std::string::npos) << stmt.str();
  auto emps = s.scalars(stmt).all();
  ASSERT_EQ(emps.size(), 2u);
  EXPECT_EQ(emps[0]->name, "eve");
  EXPECT_EQ(emps[1]->name, "ed");
  // Subclass columns in criteria.
  auto rich = s.scalars(orm::select<Employee>().where(orm::col(&Employee::salary) > 1000)).all();
  ASSERT_EQ(rich.size(), 1u);
  EXPECT_EQ(rich[0]->name, "eve");
  auto none = s.scalars(orm::select<Customer>().where(orm::col(&Person::name) == "eve")).all();
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(s.query<Customer>().count(), 1);
}

TEST_P(InheritanceTest, get_uses_one_identity_map_per_hierarchy) {
  if (not_ready()) return;
  seed_people();
  orm::Session s(engine_);
  auto p = s.get<Person>(2);
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(orm::isinstance<Employee>(p));
  log_.clear();
  auto e = s.get<Employee>(2);
  EXPECT_EQ(static_cast<Person*>(e.get()), p.get());  // same object, no SQL
  EXPECT_EQ(count("SELECT"), 0u);
  EXPECT_EQ(s.get<Customer>(2), nullptr);  // in the identity map, but not a Customer
  EXPECT_EQ(s.get<Customer>(4), nullptr);  // in the database, but not a Customer
  auto ed = s.get<Employee>(4);
  EXPECT_EQ(ed->salary, 800.0);
  auto c = s.get<Customer>(3);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->credit_limit, 250.0);
  EXPECT_EQ(s.identity_map_size(), 3u);
}

TEST_P(InheritanceTest, update_and_delete_of_single_table_subclass_objects) {
  if (not_ready()) return;
  seed_people();
  orm::Session s(engine_);
  auto all = s.scalars(orm::select<Person>().order_by(orm::col(&Person::id))).all();
  auto eve = orm::polymorphic_cast<Employee>(all[1]);
  eve->salary = 2000;
  log_.clear();
  s.flush();
  ASSERT_EQ(count("UPDATE"), 1u);
  EXPECT_NE(statements_like("UPDATE")[0].find("salary"), std::string::npos);
  EXPECT_EQ(statements_like("UPDATE")[0].find("name"), std::string::npos);
  s.delete_(all[2]);  // a Customer through std::shared_ptr<Person>
  s.commit();
  EXPECT_EQ(scalar("SELECT count(*) FROM people WHERE salary = 2000"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM people WHERE id = 3"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM people"), 3);
}

TEST_P(InheritanceTest, relationships_declared_on_the_base_work_for_subclass_objects) {
  if (not_ready()) return;
  {
    orm::Session s(engine_);
    auto team = orm::make<Team>();
    team->title = "core";
    auto e = orm::make<Employee>();
    e->name = "eve";
    e->salary = 10;
    auto c = orm::make<Customer>();
    c->name = "cid";
    team->members.push_back(e);
    team->members.push_back(c);
    EXPECT_EQ(e->team.get(), team);  // back_populates on a subclass object
    s.add(team);
    EXPECT_TRUE(s.contains(e));  // save-update cascade
    s.commit();
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM people WHERE team_id IS NOT NULL"), 2);
  orm::Session s(engine_);
  auto emps = s.scalars(orm::select<Employee>()).all();
  ASSERT_EQ(emps.size(), 1u);
  log_.clear();
  ASSERT_NE(emps[0]->team.get(), nullptr);  // lazy load of a relationship declared on Person
  EXPECT_EQ(emps[0]->team->title, "core");
  EXPECT_EQ(count("SELECT"), 1u);
  // The collection loads objects of each class.
  auto team = emps[0]->team.get();
  ASSERT_EQ(team->members.size(), 2u);
  EXPECT_EQ(static_cast<Person*>(emps[0].get()), team->members[0].get());
  EXPECT_TRUE(orm::isinstance<Customer>(team->members[1]));
  // Eager loading through the base class.
  s.close();
  auto teams = s.scalars(orm::select<Team>().options(orm::selectinload(&Team::members))).all();
  ASSERT_EQ(teams.size(), 1u);
  ASSERT_EQ(teams[0]->members.size(), 2u);
  EXPECT_EQ(orm::polymorphic_cast<Employee>(teams[0]->members[0])->salary, 10.0);
}

TEST_P(InheritanceTest, unknown_discriminator_raises) {
  if (not_ready()) return;
  {
    auto conn = engine_.connect();
    conn.execute(text("INSERT INTO people (id, name, type) VALUES (9, 'zed', 'alien')"));
    conn.commit();
  }
  orm::Session s(engine_);
  try {
    s.scalars(orm::select<Person>()).all();
    FAIL() << "expected InvalidRequestError";
  } catch (const InvalidRequestError& e) {
    EXPECT_NE(std::string(e.what()).find("No such polymorphic_identity 'alien'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(s.get<Person>(9), InvalidRequestError);
}

// ---- joined-table --------------------------------------------------------------------------

TEST_P(InheritanceTest, joined_insert_writes_the_base_table_first_and_copies_the_key) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto e = orm::make<Engineer>();
  e->name = "ada";
  e->language = "C++";
  s.add(e);
  s.flush();
  EXPECT_GT(e->id, 0);
  auto ins = statements_like("INSERT");
  ASSERT_EQ(ins.size(), 2u);
  EXPECT_NE(ins[0].find("staff"), std::string::npos) << ins[0];
  EXPECT_NE(ins[1].find("engineers"), std::string::npos) << ins[1];
  s.commit();
  EXPECT_EQ(scalar("SELECT count(*) FROM staff WHERE kind = 'engineer' AND name = 'ada'"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM engineers WHERE id = " + std::to_string(e->id) +
                   " AND language = 'C++'"),
            1);
  EXPECT_EQ(scalar("SELECT count(*) FROM managers"), 0);
}

TEST_P(InheritanceTest, joined_update_touches_only_changed_tables) {
  if (not_ready()) return;
  seed_staff();
  orm::Session s(engine_);
  auto e = s.get<Engineer>(2);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->language, "C++");
  e->language = "Zig";
  log_.clear();
  s.flush();
  auto ups = statements_like("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_NE(ups[0].find("engineers"), std::string::npos) << ups[0];
  e->name = "ada l.";
  log_.clear();
  s.flush();
  ups = statements_like("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_NE(ups[0].find("staff"), std::string::npos) << ups[0];
  e->name = "ada lovelace";
  e->language = "Ada";
  log_.clear();
  s.commit();
  EXPECT_EQ(statements_like("UPDATE").size(), 2u);
  EXPECT_EQ(scalar("SELECT count(*) FROM staff WHERE name = 'ada lovelace'"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM engineers WHERE language = 'Ada'"), 1);
}

TEST_P(InheritanceTest, joined_delete_removes_the_subclass_row_then_the_base_row) {
  if (not_ready()) return;
  seed_staff();
  orm::Session s(engine_);
  auto d = s.get<Staff>(5);  // a Director: managers + staff rows
  ASSERT_TRUE(orm::isinstance<Director>(d));
  s.delete_(d);
  log_.clear();
  s.commit();
  auto dels = statements_like("DELETE");
  ASSERT_EQ(dels.size(), 2u);
  EXPECT_NE(dels[0].find("managers"), std::string::npos) << dels[0];
  EXPECT_NE(dels[1].find("staff"), std::string::npos) << dels[1];
  EXPECT_EQ(scalar("SELECT count(*) FROM staff WHERE id = 5"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM managers WHERE id = 5"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM managers"), 1);
}

TEST_P(InheritanceTest, subclass_query_joins_the_base_table) {
  if (not_ready()) return;
  seed_staff();
  orm::Session s(engine_);
  auto stmt = orm::select<Engineer>()
                  .where(orm::col(&Engineer::language) == "Rust")
                  .order_by(orm::col(&Staff::id));
  EXPECT_NE(stmt.str().find("JOIN engineers"), std::string::npos) << stmt.str();
  auto rust = s.scalars(stmt).all();
  ASSERT_EQ(rust.size(), 1u);
  EXPECT_EQ(rust[0]->name, "bob");
  EXPECT_EQ(rust[0]->kind, "engineer");
  auto managers = s.scalars(orm::select<Manager>().order_by(orm::col(&Staff::id))).all();
  ASSERT_EQ(managers.size(), 2u);  // the Director too
  EXPECT_EQ(managers[0]->reports, 7);
  ASSERT_TRUE(orm::isinstance<Director>(managers[1]));
  EXPECT_EQ(orm::polymorphic_cast<Director>(managers[1])->region, "EMEA");
  EXPECT_EQ(count("SELECT"), 2u);
  auto dirs = s.scalars(orm::select<Director>()).all();
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_EQ(dirs[0]->reports, 30);
}

TEST_P(InheritanceTest, base_query_loads_subclass_tables_with_one_select_per_class) {
  if (not_ready()) return;
  seed_staff();
  orm::Session s(engine_);
  auto all = s.scalars(orm::select<Staff>().order_by(orm::col(&Staff::id))).all();
  ASSERT_EQ(all.size(), 5u);
  // The base query, then one SELECT ... IN for Engineer, one for Manager, one for Director.
  EXPECT_EQ(count("SELECT"), 4u);
  auto ins = statements_like("SELECT");
  EXPECT_NE(ins[1].find(" IN ("), std::string::npos) << ins[1];
  EXPECT_FALSE(orm::isinstance<Engineer>(all[0]));
  EXPECT_EQ(orm::polymorphic_cast<Engineer>(all[1])->language, "C++");
  EXPECT_EQ(orm::polymorphic_cast<Manager>(all[2])->reports, 7);
  EXPECT_EQ(orm::polymorphic_cast<Engineer>(all[3])->language, "Rust");
  auto d = orm::polymorphic_cast<Director>(all[4]);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->reports, 30);
  EXPECT_EQ(d->region, "EMEA");
  // Loaded members are not changes.
  EXPECT_TRUE(s.dirty().empty());
  log_.clear();
  s.flush();
  EXPECT_TRUE(log_.empty());
}

TEST_P(InheritanceTest, with_polymorphic_loads_in_one_statement) {
  if (not_ready()) return;
  seed_staff();
  orm::Session s(engine_);
  auto stmt = orm::select(orm::with_polymorphic<Staff, Engineer, Manager>())
                  .order_by(orm::col(&Staff::id));
  EXPECT_NE(stmt.str().find("LEFT OUTER JOIN engineers"), std::string::npos) << stmt.str();
  auto all = s.scalars(stmt).all();
  ASSERT_EQ(all.size(), 5u);
  // One statement: Director is a single-table subclass of Manager, so its
  // region is a column of managers and comes with the outer join too.
  EXPECT_EQ(count("SELECT"), 1u);
  EXPECT_EQ(orm::polymorphic_cast<Engineer>(all[1])->language, "C++");
  EXPECT_EQ(orm::polymorphic_cast<Manager>(all[2])->reports, 7);
  EXPECT_EQ(orm::polymorphic_cast<Director>(all[4])->region, "EMEA");
  // Criteria on subclass columns.
  s.close();
  log_.clear();
  auto rust = s.scalars(orm::select(orm::with_polymorphic<Staff, Engineer>())
                            .where(orm::col(&Engineer::language) == "Rust"))
                  .all();
  ASSERT_EQ(rust.size(), 1u);
  EXPECT_EQ(orm::polymorphic_cast<Engineer>(rust[0])->name, "bob");
  EXPECT_EQ(count("SELECT"), 1u);
}

TEST_P(InheritanceTest, expired_subclass_members_reload_from_both_tables) {
  if (not_ready()) return;
  seed_staff();
  orm::Session s(engine_);
  auto e = s.get<Engineer>(2);
  ASSERT_NE(e, nullptr);
  s.commit();  // expires
  {
    auto conn = engine_.connect();
    conn.execute(text("UPDATE engineers SET language = 'OCaml' WHERE id = 2"));
    conn.execute(text("UPDATE staff SET name = 'ada b.' WHERE id = 2"));
    conn.commit();
  }
  auto again = s.scalars(orm::select<Staff>().where(orm::col(&Staff::id) == 2)).one();
  EXPECT_EQ(static_cast<Staff*>(e.get()), again.get());
  EXPECT_EQ(e->name, "ada b.");
  EXPECT_EQ(e->language, "OCaml");  // the follow-up SELECT refreshed the subclass table
  s.refresh(e);
  EXPECT_EQ(e->language, "OCaml");
}

TEST_P(InheritanceTest, rollback_discards_a_joined_insert) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto e = orm::make<Engineer>();
  e->name = "tmp";
  e->language = "C";
  s.add(e);
  s.flush();
  s.rollback();
  EXPECT_TRUE(orm::inspect(e).transient());
  EXPECT_EQ(scalar("SELECT count(*) FROM engineers"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM staff"), 0);
}

INSTANTIATE_TEST_SUITE_P(backends, InheritanceTest, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

// ---- mapping errors (their own registries) ----------------------------------------------------

struct Root {
  std::int64_t id = 0;
  std::string kind;
};
struct Leaf : Root {
  std::optional<std::string> extra;
};
struct Other : Root {
  std::optional<std::string> more;
};
struct Unmapped {
  std::int64_t id = 0;
};
struct Child : Unmapped {
  std::optional<int> x;
};
struct Pad {
  std::int64_t pad = 0;
};
struct Offset : Pad, Root {
  std::optional<int> y;
};
struct JoinedLeaf : Root {
  std::optional<std::string> v;
};

TEST(InheritanceMapping, inherits_from_an_unmapped_class_is_an_argument_error) {
  orm::registry r;
  try {
    r.map<Child>(orm::inherits<Unmapped>(), orm::column<&Child::x>("x"));
    FAIL();
  } catch (const ArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("which is not mapped"), std::string::npos) << e.what();
  }
}

TEST(InheritanceMapping, deferred_columns_are_not_supported_in_hierarchies_yet) {
  orm::registry r;
  r.map<Root>("roots", orm::column<&Root::id>("id", primary_key()),
              orm::column<&Root::kind>("kind", String(20), orm::deferred()),
              orm::polymorphic_on<&Root::kind>());
  try {
    r.map<Leaf>(orm::inherits<Root>(), orm::column<&Leaf::extra>("extra"),
                orm::polymorphic_identity("leaf"));
    FAIL();
  } catch (const ArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("not supported in inheritance hierarchies"),
              std::string::npos)
        << e.what();
  }
}

TEST(InheritanceMapping, polymorphic_identity_needs_polymorphic_on) {
  orm::registry r;
  EXPECT_THROW(r.map<Root>("roots", orm::column<&Root::id>("id", primary_key()),
                           orm::column<&Root::kind>("kind"), orm::polymorphic_identity("root")),
               ArgumentError);
  r.map<Root>("roots", orm::column<&Root::id>("id", primary_key()),
              orm::column<&Root::kind>("kind"));
  try {
    r.map<Leaf>(orm::inherits<Root>(), orm::column<&Leaf::extra>("extra"),
                orm::polymorphic_identity("leaf"));
    FAIL();
  } catch (const ArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("no polymorphic_on"), std::string::npos) << e.what();
  }
}

TEST(InheritanceMapping, two_classes_with_one_identity_is_an_argument_error) {
  orm::registry r;
  r.map<Root>("roots", orm::column<&Root::id>("id", primary_key()),
              orm::column<&Root::kind>("kind"), orm::polymorphic_on<&Root::kind>(),
              orm::polymorphic_identity("root"));
  r.map<Leaf>(orm::inherits<Root>(), orm::column<&Leaf::extra>("extra"),
              orm::polymorphic_identity("leaf"));
  try {
    r.map<Other>(orm::inherits<Root>(), orm::column<&Other::more>("more"),
                 orm::polymorphic_identity("leaf"));
    FAIL();
  } catch (const ArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("already the identity of class 'Leaf'"),
              std::string::npos)
        << e.what();
  }
  // The failed mapping left the table as it was.
  EXPECT_EQ(orm::table_of<Root>().columns_list().size(), 3u);  // id, kind, extra
}

TEST(InheritanceMapping, base_not_at_offset_zero_is_an_argument_error) {
  orm::registry r;
  r.map<Root>("roots", orm::column<&Root::id>("id", primary_key()),
              orm::column<&Root::kind>("kind"), orm::polymorphic_on<&Root::kind>());
  try {
    r.map<Offset>(orm::inherits<Root>(), orm::column<&Offset::y>("y"));
    FAIL();
  } catch (const ArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("not at the start of the object"), std::string::npos)
        << e.what();
  }
}

TEST(InheritanceMapping, joined_subclass_needs_the_inherited_key_and_a_foreign_key) {
  orm::registry r;
  r.map<Root>("roots", orm::column<&Root::id>("id", primary_key()),
              orm::column<&Root::kind>("kind"), orm::polymorphic_on<&Root::kind>());
  // No key column at all.
  EXPECT_THROW(r.map<JoinedLeaf>("leaves", orm::inherits<Root>(), orm::column<&JoinedLeaf::v>("v")),
               ArgumentError);
  // A key column without a foreign key to roots.
  try {
    r.map<JoinedLeaf>("leaves", orm::inherits<Root>(),
                      orm::column<&Root::id>("id", primary_key()),
                      orm::column<&JoinedLeaf::v>("v"));
    FAIL();
  } catch (const ArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("Can't find any foreign key"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(r.metadata.table("leaves").has_value());  // nothing left behind
  r.map<JoinedLeaf>("leaves", orm::inherits<Root>(),
                    orm::column<&Root::id>("id", ForeignKey("roots.id"), primary_key()),
                    orm::column<&JoinedLeaf::v>("v"));
  EXPECT_EQ(orm::mapper_of<JoinedLeaf>().tables().size(), 2u);
}

TEST(InheritanceMapping, bad_polymorphic_load_and_repeated_members_are_argument_errors) {
  orm::registry r;
  r.map<Root>("roots", orm::column<&Root::id>("id", primary_key()),
              orm::column<&Root::kind>("kind"), orm::polymorphic_on<&Root::kind>());
  EXPECT_THROW(r.map<Leaf>(orm::inherits<Root>(), orm::column<&Leaf::extra>("extra"),
                           orm::polymorphic_load("eager")),
               ArgumentError);
  // A single-table subclass cannot map an inherited member again.
  EXPECT_THROW(r.map<Leaf>(orm::inherits<Root>(), orm::column<&Root::kind>("kind2")),
               ArgumentError);
  EXPECT_THROW(r.map<Leaf>(orm::inherits<Root>(), orm::column<&Leaf::extra>("kind")),
               ArgumentError);  // the base table has that column
}

}  // namespace
}  // namespace alchemy::testing
