// The ORM session on real SQLite and PostgreSQL: object states, the identity
// map, the statements flush() emits (recorded through engine events),
// rollback, failures mid-flush, optimistic concurrency and queries.
#include <gtest/gtest.h>

#include <alchemy/orm.hpp>
#include <string>
#include <vector>

#include "orm/orm_fixture.hpp"

namespace alchemy::testing {
namespace {

struct User {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> email;
  std::int64_t age = 0;
  std::optional<bool> is_active;
};

struct Order {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  double total = 0;
};

struct OrderItem {  // composite primary key
  std::int64_t order_id = 0;
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
};

struct Doc {  // optimistic concurrency
  std::int64_t id = 0;
  std::string body;
  std::int64_t version = 0;
};

struct Token {  // UUID primary key, generated client-side
  Uuid id{};
  std::string label;
};

struct Account {  // attribute names differ from column names
  std::int64_t user_id = 0;
  std::string full_name;
  std::optional<std::string> status;
};

orm::registry& Base() {
  static orm::registry* reg = [] {
    auto* r = new orm::registry();
    r->map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50), unique()),
                 orm::column<&User::email>("email", String(100)),
                 orm::column<&User::age>("age"),
                 orm::column<&User::is_active>("is_active", default_(true)));
    r->map<Order>("orders", orm::column<&Order::id>("id", primary_key()),
                  orm::column<&Order::user_id>("user_id", ForeignKey("users.id")),
                  orm::column<&Order::total>("total"));
    r->map<OrderItem>("order_items", orm::column<&OrderItem::order_id>("order_id", primary_key()),
                      orm::column<&OrderItem::product_id>("product_id", primary_key()),
                      orm::column<&OrderItem::quantity>("quantity"));
    r->map<Doc>("docs", orm::column<&Doc::id>("id", primary_key()),
                orm::column<&Doc::body>("body"),
                orm::column<&Doc::version>("version", orm::version_id));
    r->map<Token>("tokens", orm::column<&Token::id>("id", primary_key()),
                  orm::column<&Token::label>("label"));
    r->map<Account>("user_accounts", orm::column<&Account::user_id>("id", primary_key(), key("user_id")),
                    orm::column<&Account::full_name>("name", String(100), key("full_name")),
                    orm::column<&Account::status>("status", String(20), server_default("active")));
    return r;
  }();
  return *reg;
}

std::shared_ptr<User> make_user(std::string name, std::int64_t age) {
  auto u = std::make_shared<User>();
  u->name = std::move(name);
  u->age = age;
  return u;
}

class SessionTest : public RecordingOrmTest {
 protected:
  orm::registry& registry() override { return Base(); }
  std::int64_t count(std::string_view table) {
    auto conn = engine_.connect();
    return conn.execute(text("SELECT count(*) FROM " + std::string(table))).scalar<std::int64_t>();
  }
};

TEST_P(SessionTest, states_follow_the_lifecycle) {
  orm::Session session(engine_);
  auto user = make_user("Ahmad", 30);
  EXPECT_TRUE(orm::inspect(user).transient());
  session.add(user);
  EXPECT_TRUE(orm::inspect(user).pending());
  EXPECT_TRUE(session.new_().contains(user));
  EXPECT_TRUE(session.contains(user));
  session.commit();
  EXPECT_TRUE(orm::inspect(user).persistent());
  EXPECT_GT(user->id, 0);
  EXPECT_TRUE(orm::inspect(user).expired);
  session.expunge(user);
  EXPECT_TRUE(orm::inspect(user).detached());
  EXPECT_FALSE(session.contains(user));
  session.add(user);  // re-attached
  EXPECT_TRUE(orm::inspect(user).persistent());
  session.delete_(user);
  EXPECT_TRUE(session.deleted().contains(user));
  session.flush();
  EXPECT_TRUE(orm::inspect(user).deleted());
  session.commit();
  EXPECT_TRUE(orm::inspect(user).detached());
  EXPECT_EQ(count("users"), 0);
}

TEST_P(SessionTest, delete_of_a_detached_loaded_object) {
  {
    orm::Session s(engine_);
    s.add(make_user("Ali", 20));
    s.commit();
  }
  orm::Session session(engine_);
  auto u = session.query<User>().one();
  session.expunge(u);
  session.delete_(u);  // re-attached and marked in one step
  EXPECT_TRUE(session.deleted().contains(u));
  u.reset();  // the session keeps what it must delete
  session.commit();
  EXPECT_EQ(count("users"), 0);
}

TEST_P(SessionTest, flush_assigns_keys_and_defaults_before_commit) {
  orm::Session session(engine_);
  auto a = make_user("Ali", 20), b = make_user("Sara", 25);
  session.add_all(std::vector{a, b});
  session.flush();
  EXPECT_GT(a->id, 0);
  EXPECT_EQ(b->id, a->id + 1);
  ASSERT_TRUE(a->is_active.has_value());  // client-side default written back
  EXPECT_TRUE(*a->is_active);
  // One INSERT statement for both rows (multi-row VALUES with RETURNING).
  EXPECT_EQ(statements_like("INSERT INTO users").size(), 1u);
  session.rollback();
  EXPECT_EQ(count("users"), 0);
  EXPECT_TRUE(orm::inspect(a).transient());
}

TEST_P(SessionTest, identity_map_gives_one_object_per_row) {
  {
    orm::Session s(engine_);
    s.add(make_user("Ali", 20));
    s.commit();
  }
  orm::Session session(engine_);
  auto u1 = session.get<User>(1);
  ASSERT_TRUE(u1);
  const auto selects = statements_like("SELECT").size();
  auto u2 = session.get<User>(1);  // no SQL: from the identity map
  EXPECT_EQ(statements_like("SELECT").size(), selects);
  EXPECT_EQ(u1, u2);
  auto u3 = session.scalars(orm::select<User>().where(orm::col(&User::name) == "Ali")).one();
  EXPECT_EQ(u1, u3);
  EXPECT_EQ(session.get<User>(42), nullptr);
  EXPECT_EQ(session.identity_map_size(), 1u);
}

TEST_P(SessionTest, update_sets_only_changed_columns) {
  orm::Session session(engine_);
  auto u = make_user("Ali", 20);
  session.add(u);
  session.commit();
  log_.clear();
  u->age = 21;
  EXPECT_TRUE(session.dirty().contains(u));
  session.commit();
  auto ups = statements_like("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_NE(ups[0].find("age"), std::string::npos);
  EXPECT_EQ(ups[0].find("name"), std::string::npos);
  orm::Session other(engine_);
  EXPECT_EQ(other.get<User>(u->id)->age, 21);
  log_.clear();
  session.commit();  // nothing changed: no statements
  EXPECT_TRUE(statements_like("UPDATE").empty());
}

TEST_P(SessionTest, inserts_parents_first_and_deletes_children_first) {
  orm::Session session(engine_);
  auto u = make_user("Ali", 20);
  session.add(u);
  session.flush();
  auto o = std::make_shared<Order>();
  o->user_id = u->id;
  o->total = 9.5;
  // Added child before a new parent: flush still inserts users before orders.
  auto u2 = make_user("Sara", 30);
  session.add(o);
  session.add(u2);
  log_.clear();
  session.flush();
  auto ins = statements_like("INSERT");
  ASSERT_EQ(ins.size(), 2u);
  EXPECT_EQ(ins[0].rfind("INSERT INTO users", 0), 0u);
  EXPECT_EQ(ins[1].rfind("INSERT INTO orders", 0), 0u);
  session.commit();
  log_.clear();
  session.delete_(u);
  session.delete_(o);
  session.commit();
  auto dels = statements_like("DELETE");
  ASSERT_EQ(dels.size(), 2u);
  EXPECT_EQ(dels[0].rfind("DELETE FROM orders", 0), 0u);
  EXPECT_EQ(dels[1].rfind("DELETE FROM users", 0), 0u);
}

TEST_P(SessionTest, failed_flush_rolls_back_whole_and_needs_rollback) {
  orm::Session session(engine_);
  session.add(make_user("Ali", 20));
  session.commit();
  auto ok = make_user("Sara", 30);
  auto dup = make_user("Ali", 40);  // unique violation on name
  session.add(ok);
  session.add(dup);
  EXPECT_THROW(session.flush(), IntegrityError);
  EXPECT_FALSE(session.is_active());
  EXPECT_THROW(session.get<User>(1), PendingRollbackError);
  EXPECT_THROW(session.commit(), PendingRollbackError);
  session.rollback();
  EXPECT_TRUE(session.is_active());
  EXPECT_EQ(count("users"), 1);  // nothing half-written
  EXPECT_TRUE(orm::inspect(ok).transient());
  EXPECT_EQ(ok->id, 0);  // the generated key was taken back
  auto ali = session.get<User>(1);
  ASSERT_TRUE(ali);
  EXPECT_EQ(ali->name, "Ali");
  session.add(make_user("Reza", 50));  // usable again
  session.commit();
  EXPECT_EQ(count("users"), 2);
}

TEST_P(SessionTest, rollback_restores_deleted_and_expires_changed) {
  orm::Session session(engine_);
  auto u = make_user("Ali", 20);
  session.add(u);
  session.commit();
  u->age = 99;
  session.flush();
  session.delete_(u);
  session.flush();
  EXPECT_TRUE(orm::inspect(u).deleted());
  session.rollback();
  EXPECT_TRUE(orm::inspect(u).persistent());
  EXPECT_TRUE(orm::inspect(u).expired);
  // The next load refreshes the members the program did not change since.
  auto again = session.get<User>(u->id);
  EXPECT_EQ(again, u);
  EXPECT_EQ(u->age, 20);
}

TEST_P(SessionTest, rollback_discards_changes_but_not_later_ones) {
  orm::Session session(engine_);
  auto u = orm::make<User>(User{0, "Ali", {}, 20, {}});
  session.add(u);
  session.commit();
  u->age = 50;  // never flushed
  session.rollback();
  EXPECT_TRUE(session.dirty().empty());
  EXPECT_EQ(session.get<User>(u->id)->age, 20);  // reloaded: the change is gone
  u->name = "Ali Reza";                          // a change after the rollback is kept
  session.commit();
  orm::Session other(engine_);
  auto again = other.get<User>(u->id);
  EXPECT_EQ(again->name, "Ali Reza");
  EXPECT_EQ(again->age, 20);
  // Keys the database generated in a rolled-back transaction are taken back.
  auto n = orm::make<User>(User{0, "Nima", {}, 1, {}});
  session.add(n);
  session.flush();
  EXPECT_GT(n->id, 0);
  session.rollback();
  EXPECT_EQ(n->id, 0);
  EXPECT_TRUE(orm::inspect(n).transient());
}

TEST_P(SessionTest, expire_keeps_members_changed_in_cpp) {
  orm::Session session(engine_);
  auto u = make_user("Ali", 20);
  session.add(u);
  session.commit();
  {
    auto conn = engine_.connect();
    conn.execute(text("UPDATE users SET age = 50, email = 'x@y.z'"));
    conn.commit();
  }
  u->name = "Ali Reza";  // changed after the commit expired it
  auto same = session.get<User>(u->id);
  EXPECT_EQ(same->age, 50);
  EXPECT_EQ(same->email, std::optional<std::string>("x@y.z"));
  EXPECT_EQ(same->name, "Ali Reza");
  session.commit();
  orm::Session other(engine_);
  EXPECT_EQ(other.get<User>(u->id)->name, "Ali Reza");
  // refresh() discards changes and reloads everything.
  u->age = 1;
  session.refresh(u);
  EXPECT_EQ(u->age, 50);
}

TEST_P(SessionTest, expire_on_commit_false_and_no_autoflush) {
  orm::sessionmaker Session(engine_, {.autoflush = false, .expire_on_commit = false});
  auto session = Session();
  auto u = make_user("Ali", 20);
  session.add(u);
  session.commit();
  EXPECT_FALSE(orm::inspect(u).expired);
  session.add(make_user("Sara", 30));
  // Without autoflush the pending object is not in the database yet.
  EXPECT_EQ(session.query<User>().count(), 1);
  session.flush();
  EXPECT_EQ(session.query<User>().count(), 2);
}

TEST_P(SessionTest, stale_version_raises) {
  orm::Session a(engine_), b(engine_);
  auto d = std::make_shared<Doc>();
  d->body = "v1";
  a.add(d);
  a.commit();
  EXPECT_EQ(d->version, 1);  // counters start at 1
  auto mine = a.get<Doc>(d->id);
  a.commit();  // ends a's read transaction (an SQLite file locks readers out of writers' way)
  auto theirs = b.get<Doc>(d->id);
  theirs->body = "theirs";
  b.commit();
  EXPECT_EQ(theirs->version, 2);
  mine->body = "mine";
  EXPECT_THROW(a.commit(), orm::StaleDataError);
  a.rollback();
  orm::Session c(engine_);
  EXPECT_EQ(c.get<Doc>(d->id)->body, "theirs");
}

TEST_P(SessionTest, composite_uuid_and_renamed_keys) {
  orm::Session session(engine_);
  auto item = std::make_shared<OrderItem>();
  item->order_id = 7;
  item->product_id = 3;
  item->quantity = 2;
  auto tok = std::make_shared<Token>();
  tok->label = "api";
  auto acc = std::make_shared<Account>();
  acc->full_name = "Fateme";
  session.add(item);
  session.add(tok);
  session.add(acc);
  session.commit();
  EXPECT_NE(tok->id, Uuid{});
  EXPECT_GT(acc->user_id, 0);
  ASSERT_TRUE(acc->status.has_value());  // server default fetched back
  EXPECT_EQ(*acc->status, "active");
  orm::Session other(engine_);
  auto got = other.get<OrderItem>({Value(7), Value(3)});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->quantity, 2);
  EXPECT_EQ(other.get<Token>(tok->id)->label, "api");
  auto by = other.query<Account>().filter_by({{"full_name", "Fateme"}}).one();
  EXPECT_EQ(by->user_id, acc->user_id);
  EXPECT_EQ(orm::table_of<Account>().name(), "user_accounts");
}

TEST_P(SessionTest, queries_in_both_styles) {
  orm::Session session(engine_);
  const char* names[] = {"Ali", "Ahmad", "Sara", "Fateme", "Reza"};
  std::int64_t ages[] = {30, 17, 25, 40, 19};
  for (int i = 0; i < 5; ++i) session.add(make_user(names[i], ages[i]));
  session.commit();
  auto age = orm::col(&User::age);
  auto name = orm::col(&User::name);
  auto adults = session.query<User>().filter(age >= 18).order_by(name).all();
  ASSERT_EQ(adults.size(), 4u);
  EXPECT_EQ(adults[0]->name, "Ali");
  EXPECT_EQ(session.query<User>().filter(age >= 18, name.like("A%")).count(), 1);
  EXPECT_EQ(session.query<User>().order_by(age.desc()).first()->name, "Fateme");
  EXPECT_EQ(session.query<User>().order_by(age).offset(1).limit(2).all().size(), 2u);
  EXPECT_THROW(session.query<User>().one(), MultipleResultsFound);
  EXPECT_EQ(session.query<User>().filter(name == "Nobody").one_or_none(), nullptr);
  auto s = session.scalars(orm::select<User>().where(age.between(18, 26)).order_by(age)).all();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0]->name, "Reza");
  // Columns and aggregates through Core statements on the session.
  EXPECT_EQ(session.scalar<std::int64_t>(select(func.count()).select_from(orm::table_of<User>())),
            5);
  auto r = session.execute(select(name, age).where(age < 20).order_by(name)).all();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].get<std::string>(0), "Ahmad");
  // Two entities with an explicit join.
  auto ali = session.query<User>().filter(name == "Ali").one();
  auto o = std::make_shared<Order>();
  o->user_id = ali->id;
  o->total = 12.5;
  session.add(o);
  auto pairs = session
                   .execute(orm::select<User, Order>().join<Order>(orm::col(&Order::user_id) ==
                                                                   orm::col(&User::id)))
                   .all();  // autoflush wrote the order first
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(std::get<0>(pairs[0]), ali);
  EXPECT_EQ(std::get<1>(pairs[0]), o);
  // from_statement(text(...)) returns mapped objects.
  auto t = session
               .scalars(orm::from_statement<User>(
                   text("SELECT * FROM users WHERE name LIKE :p ORDER BY name")),
                        {{"p", "A%"}})
               .all();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[1], ali);
  // Columns are matched by name, whatever their order.
  session.expunge_all();
  auto r2 = session
                .scalars(orm::from_statement<User>(text(
                    "SELECT age, is_active, email, name, id FROM users WHERE name = 'Ali'")))
                .one();
  EXPECT_EQ(r2->name, "Ali");
  EXPECT_EQ(r2->age, 30);
}

TEST_P(SessionTest, orm_insert_union_window_exists_group_by) {
  orm::Session session(engine_);
  // ORM-enabled insert(User) with a list of parameter sets.
  session.execute(orm::insert<User>(), std::vector<Params>{{{"name", "Ali"}, {"age", 30}},
                                                          {{"name", "Sara"}, {"age", 17}},
                                                          {{"name", "Reza"}, {"age", 70}},
                                                          {{"name", "Nima"}, {"age", 30}}});
  auto age = orm::col(&User::age);
  auto name = orm::col(&User::name);
  // union: users either very young or very old, as objects.
  auto young = orm::select<User>().where(age < 18).core();
  auto old = orm::select<User>().where(age > 65).core();
  auto both = session.scalars(orm::from_statement<User>(union_(young, old).order_by(name))).all();
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0]->name, "Reza");
  // window function: row number by age.
  auto ranked = session
                    .execute(select(name, func.row_number()
                                              .over({.order_by = {age.desc(), name}})
                                              .label("rn"))
                                 .order_by(literal_column("rn")))
                    .all();
  ASSERT_EQ(ranked.size(), 4u);
  EXPECT_EQ(ranked[0].get<std::string>(0), "Reza");
  // group_by / having through the ORM select.
  auto groups = session
                    .execute(select(age, func.count().label("n"))
                                 .select_from(orm::table_of<User>())
                                 .group_by(age)
                                 .having(func.count() > 1))
                    .all();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].get<std::int64_t>(0), 30);
  // exists and scalar_subquery from ORM statements.
  // IN (subquery) on a typed attribute.
  auto in_sub = session.query<User>()
                    .filter(orm::col(&User::id).in_(select(orm::col(&User::id)).where(age == 30)))
                    .count();
  EXPECT_EQ(in_sub, 2);
  auto avg_age = select(func.avg(age)).scalar_subquery();
  auto above = session.query<User>().filter(age > avg_age).order_by(name).all();
  ASSERT_EQ(above.size(), 1u);
  EXPECT_EQ(above[0]->name, "Reza");
  EXPECT_TRUE(session.scalar<bool>(select(orm::select<User>().where(name == "Ali").exists())));
  // distinct and orm::update<T>() / delete_<T>().
  EXPECT_EQ(session.execute(select(age).distinct().select_from(orm::table_of<User>())).all().size(),
            3u);
  session.execute(orm::update<User>().where(name == "Nima").values({{"age", 31}}));
  session.execute(orm::delete_<User>().where(name == "Sara"));
  EXPECT_EQ(session.query<User>().count(), 3);
}

TEST_P(SessionTest, query_update_and_delete_synchronize) {
  orm::Session session(engine_);
  for (auto n : {"Ali", "Sara", "Reza"}) session.add(make_user(n, 20));
  session.commit();
  auto sara = session.query<User>().filter(orm::col(&User::name) == "Sara").one();
  auto n = session.query<User>().filter(orm::col(&User::age) == 20).update({{"age", 21}});
  EXPECT_EQ(n, 3);
  EXPECT_EQ(sara->age, 21);  // synchronized in the identity map
  EXPECT_FALSE(session.dirty().contains(sara));
  auto d = session.query<User>().filter(orm::col(&User::name) == "Sara").delete_();
  EXPECT_EQ(d, 1);
  EXPECT_TRUE(orm::inspect(sara).deleted());
  session.commit();
  EXPECT_EQ(count("users"), 2);
}

TEST_P(SessionTest, bulk_operations_and_merge) {
  orm::Session session(engine_);
  std::vector<Params> rows;
  for (int i = 0; i < 50; ++i)
    rows.push_back({{"name", "user" + std::to_string(i)}, {"age", i}});
  session.bulk_insert_mappings<User>(rows);
  std::vector<std::shared_ptr<User>> objs{make_user("x", 1), make_user("y", 2)};
  session.bulk_save_objects(objs);
  session.commit();
  EXPECT_EQ(count("users"), 52);
  EXPECT_TRUE(orm::inspect(objs[0]).transient());
  // merge: copies a detached object's state onto the session's object.
  auto copy = std::make_shared<User>();
  copy->id = 1;
  copy->name = "merged";
  copy->age = 77;
  auto merged = session.merge(copy);
  EXPECT_NE(merged, copy);
  EXPECT_EQ(merged->name, "merged");
  EXPECT_FALSE(session.contains(copy));
  session.commit();
  orm::Session other(engine_);
  EXPECT_EQ(other.get<User>(1)->age, 77);
}

TEST_P(SessionTest, session_begin_commits_or_rolls_back) {
  orm::Session session(engine_);
  {
    auto tx = session.begin();
    session.add(make_user("Ali", 1));
  }
  EXPECT_EQ(count("users"), 1);
  try {
    auto tx = session.begin();
    session.add(make_user("Sara", 2));
    session.flush();
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(count("users"), 1);
  EXPECT_THROW(
      {
        auto tx = session.begin();
        auto tx2 = session.begin();
      },
      InvalidRequestError);
}

TEST_P(SessionTest, misuse_raises_typed_errors) {
  orm::Session a(engine_), b(engine_);
  auto u = make_user("Ali", 1);
  a.add(u);
  EXPECT_THROW(b.add(u), InvalidRequestError);
  EXPECT_THROW(b.delete_(make_user("Nobody", 1)), InvalidRequestError);
  EXPECT_THROW(b.expunge(u), InvalidRequestError);
  EXPECT_THROW(a.get<OrderItem>(1), InvalidRequestError);  // composite key needs two values
  EXPECT_THROW(a.query<User>().filter_by({{"nope", 1}}).all(), InvalidRequestError);
  struct NotMapped {
    int x = 0;
  };
  EXPECT_THROW(orm::mapper_of<NotMapped>(), orm::UnmappedClassError);
  // A plain function as a default (the guides' default=datetime.utcnow).
  Value (*fn)() = [] { return Value(1); };
  ColumnOption opt = default_(fn);
  (void)opt;
  auto t = std::make_shared<OrderItem>();  // key members all zero but not generated: fine
  a.add(t);
  a.commit();
}

TEST_P(SessionTest, identity_map_is_weak_but_keeps_unflushed_changes) {
  {
    orm::Session s(engine_);
    for (auto n : {"Ali", "Sara", "Reza"}) s.add(orm::make<User>(User{0, n, {}, 20, {}}));
    s.commit();
  }
  orm::Session session(engine_);
  {
    auto all = session.query<User>().all();
    EXPECT_EQ(session.identity_map_size(), 3u);
    all[1]->age = 33;  // changed, then dropped before any flush
  }
  // Unchanged objects nobody references are gone; the changed one is kept.
  EXPECT_EQ(session.identity_map_size(), 1u);
  EXPECT_EQ(session.dirty().size(), 1u);
  session.commit();
  orm::Session other(engine_);
  EXPECT_EQ(other.query<User>().filter(orm::col(&User::name) == "Sara").one()->age, 33);
  // A held object stays the same object.
  auto ali = session.query<User>().filter(orm::col(&User::name) == "Ali").one();
  EXPECT_EQ(session.get<User>(ali->id), ali);
  EXPECT_TRUE(orm::inspect(ali).persistent());
}

INSTANTIATE_TEST_SUITE_P(backends, SessionTest, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

TEST(mapping, infers_types_and_names_tables) {
  (void)Base();
  const Table& t = orm::table_of<User>();
  EXPECT_EQ(t.name(), "users");
  auto cols = t.columns_list();
  ASSERT_EQ(cols.size(), 5u);
  EXPECT_FALSE(cols[1].nullable());  // std::string: NOT NULL
  EXPECT_TRUE(cols[2].nullable());   // std::optional: nullable
  EXPECT_EQ(cols[1].type()->repr(), "VARCHAR(50)");
  EXPECT_EQ(cols[3].type()->repr(), "INTEGER");
  EXPECT_EQ(orm::snake_case_plural("UserProfile"), "user_profiles");
  EXPECT_EQ(orm::snake_case_plural("HTTPServer"), "http_servers");
  EXPECT_EQ(orm::snake_case_plural("Category"), "categories");
  EXPECT_EQ(orm::snake_case_plural("Address"), "addresses");
  EXPECT_EQ(orm::snake_case_plural("BlogPost"), "blog_posts");
  orm::registry other;
  EXPECT_THROW(other.map<User>("users2", orm::column<&User::id>("id", primary_key())),
               ArgumentError);
  EXPECT_EQ(orm::mapper_of<Account>().attribute("full_name")->column.name(), "name");
  EXPECT_EQ(orm::col(&Account::full_name).str(), "user_accounts.name");
}

}  // namespace
}  // namespace alchemy::testing
