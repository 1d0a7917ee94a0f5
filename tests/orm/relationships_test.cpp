// Relationships on real SQLite and PostgreSQL: both directions kept in step in
// memory, foreign keys set at flush, cascades, lazy and eager loading (rows
// and statement counts, recorded through engine events), detached access,
// self-referential trees, ambiguous joins and the collector of reference cycles.
#include <gtest/gtest.h>

#include <alchemy/orm.hpp>
#include <string>
#include <vector>

#include "orm/orm_fixture.hpp"

namespace alchemy::testing {
namespace {

struct Order;
struct Address;

struct User {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Order> orders;
  orm::One<Address> address;  // one-to-one (uselist=False)
};

struct Order {
  std::int64_t id = 0;
  std::optional<std::int64_t> user_id;
  std::string description;
  std::int64_t amount = 0;
  orm::One<User> user;
};

struct Address {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string street;
  orm::One<User> user;
};

struct Post;
struct Author {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Post> posts;  // delete-orphan: a post belongs to its author
};
struct Post {
  std::int64_t id = 0;
  std::int64_t author_id = 0;
  std::string title;
  orm::One<Author> author;
};

struct Category {  // self-referential tree
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> parent_id;
  orm::One<Category> parent;
  orm::Many<Category> children;
};

struct Person {
  std::int64_t id = 0;
  std::string name;
};
struct Message {  // two foreign keys to the same table
  std::int64_t id = 0;
  std::int64_t sender_id = 0;
  std::int64_t receiver_id = 0;
  std::string body;
  orm::One<Person> sender;
  orm::One<Person> receiver;
};

orm::registry& Base() {
  static orm::registry* reg = [] {
    auto* r = new orm::registry();
    r->map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)),
                 orm::relationship<&User::orders>(
                     "orders", orm::back_populates("user"),
                     orm::order_by([] { return orm::col(&Order::id); })),
                 orm::relationship<&User::address>("address", orm::back_populates("user")));
    r->map<Order>("orders", orm::column<&Order::id>("id", primary_key()),
                  orm::column<&Order::user_id>("user_id", ForeignKey("users.id")),
                  orm::column<&Order::description>("description", String(100)),
                  orm::column<&Order::amount>("amount"),
                  orm::relationship<&Order::user>("user", orm::back_populates("orders")));
    r->map<Address>("addresses", orm::column<&Address::id>("id", primary_key()),
                    orm::column<&Address::user_id>("user_id", ForeignKey("users.id")),
                    orm::column<&Address::street>("street", String(100)),
                    orm::relationship<&Address::user>("user", orm::back_populates("address")));
    r->map<Author>("authors", orm::column<&Author::id>("id", primary_key()),
                   orm::column<&Author::name>("name", String(50)),
                   orm::relationship<&Author::posts>("posts", orm::back_populates("author"),
                                                     orm::cascade("all, delete-orphan")));
    r->map<Post>("posts", orm::column<&Post::id>("id", primary_key()),
                 orm::column<&Post::author_id>("author_id", ForeignKey("authors.id")),
                 orm::column<&Post::title>("title", String(100)),
                 orm::relationship<&Post::author>("author", orm::back_populates("posts")));
    r->map<Category>(
        "categories", orm::column<&Category::id>("id", primary_key()),
        orm::column<&Category::name>("name", String(50)),
        orm::column<&Category::parent_id>("parent_id", ForeignKey("categories.id")),
        orm::relationship<&Category::parent>(
            "parent", orm::back_populates("children"),
            orm::remote_side([] { return orm::col(&Category::id); })),
        orm::relationship<&Category::children>("children", orm::back_populates("parent"),
                                               orm::order_by([] { return orm::col(&Category::id); })));
    r->map<Person>("people", orm::column<&Person::id>("id", primary_key()),
                   orm::column<&Person::name>("name", String(50)));
    r->map<Message>(
        "messages", orm::column<&Message::id>("id", primary_key()),
        orm::column<&Message::sender_id>("sender_id", ForeignKey("people.id")),
        orm::column<&Message::receiver_id>("receiver_id", ForeignKey("people.id")),
        orm::column<&Message::body>("body", String(100)),
        orm::relationship<&Message::sender>(
            "sender", orm::foreign_keys([] { return orm::col(&Message::sender_id); })),
        orm::relationship<&Message::receiver>(
            "receiver", orm::foreign_keys([] { return orm::col(&Message::receiver_id); })));
    return r;
  }();
  return *reg;
}

class RelationshipTest : public RecordingOrmTest {
 protected:
  orm::registry& registry() override { return Base(); }
  // Three users with two orders each.
  void seed() {
    orm::Session s(engine_);
    for (int u = 1; u <= 3; ++u) {
      auto user = orm::make<User>();
      user->name = "user " + std::to_string(u);
      for (int o = 0; o < 2; ++o) {
        auto order = orm::make<Order>();
        order->description = "order " + std::to_string(u) + "-" + std::to_string(o);
        order->amount = o + 1;
        user->orders.push_back(order);
      }
      s.add(user);
    }
    s.commit();
    log_.clear();
  }
};

TEST_P(RelationshipTest, back_populates_keeps_both_sides_in_step) {
  if (not_ready()) return;
  auto user = orm::make<User>();
  auto order = orm::make<Order>();
  order->user = user;  // many-to-one side
  ASSERT_EQ(user->orders.size(), 1u);
  EXPECT_EQ(user->orders[0], order);
  auto other = orm::make<Order>();
  user->orders.push_back(other);  // one-to-many side
  EXPECT_EQ(other->user.get(), user);
  user->orders.remove(order);
  EXPECT_EQ(order->user.get(), nullptr);
  // Moving an order to another user takes it out of the first one's collection.
  auto second = orm::make<User>();
  other->user = second;
  EXPECT_TRUE(user->orders.empty());
  EXPECT_EQ(second->orders.size(), 1u);
  // one-to-one
  auto addr = orm::make<Address>();
  user->address = addr;
  EXPECT_EQ(addr->user.get(), user);
}

TEST_P(RelationshipTest, cascade_adds_children_and_flush_sets_foreign_keys) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto user = orm::make<User>();
  user->name = "ahmad";
  auto o1 = orm::make<Order>();
  o1->description = "first";
  user->orders.push_back(o1);
  s.add(user);
  EXPECT_TRUE(s.contains(o1));  // save-update cascade
  auto o2 = orm::make<Order>();
  o2->description = "second";
  user->orders.push_back(o2);  // appended to an object in the session: cascades too
  EXPECT_TRUE(s.contains(o2));
  auto addr = orm::make<Address>();
  addr->street = "Main St";
  addr->user = user;  // reverse side: user->address is addr now
  s.add(addr);
  s.commit();
  EXPECT_EQ(o1->user_id, user->id);
  EXPECT_EQ(o2->user_id, user->id);
  EXPECT_EQ(addr->user_id, user->id);
  EXPECT_EQ(scalar("SELECT count(*) FROM orders WHERE user_id = " + std::to_string(user->id)), 2);
}

TEST_P(RelationshipTest, plain_make_shared_objects_cascade_when_added) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto user = std::make_shared<User>();
  user->name = "plain";
  auto order = std::make_shared<Order>();
  order->description = "plain order";
  user->orders.push_back(order);
  s.add(user);
  EXPECT_EQ(order->user.get(), user);  // the other side catches up when added
  // A reference set before add(): the collection on the other side gets it.
  auto other = std::make_shared<User>();
  other->name = "other";
  auto second = std::make_shared<Order>();
  second->description = "second";
  second->user = other;
  s.add(second);
  EXPECT_TRUE(s.contains(other));
  ASSERT_EQ(other->orders.size(), 1u);
  EXPECT_EQ(other->orders[0], second);
  s.commit();
  EXPECT_EQ(order->user_id, user->id);
  EXPECT_EQ(second->user_id, other->id);
  EXPECT_EQ(scalar("SELECT count(*) FROM orders"), 2);
}

TEST_P(RelationshipTest, lazy_loading_runs_one_select_per_relationship) {
  if (not_ready()) return;
  seed();
  orm::Session s(engine_);
  auto users = s.scalars(orm::select<User>().order_by(orm::col(&User::id))).all();
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(selects(), 1u);
  std::int64_t total = 0;
  for (const auto& u : users)
    for (const auto& o : u->orders) total += o->amount;
  EXPECT_EQ(total, 9);
  EXPECT_EQ(selects(), 4u);  // 1 + N
  // many-to-one: the user is in the identity map, no SQL
  EXPECT_EQ(users[0]->orders[0]->user.get(), users[0]);
  EXPECT_EQ(selects(), 4u);
  EXPECT_EQ(users[0]->orders[1]->description, "order 1-1");  // order_by id
}

TEST_P(RelationshipTest, selectinload_runs_two_statements) {
  if (not_ready()) return;
  seed();
  orm::Session s(engine_);
  auto users = s.scalars(orm::select<User>().options(orm::selectinload(&User::orders))).all();
  EXPECT_EQ(selects(), 2u);
  std::int64_t n = 0;
  for (const auto& u : users) {
    EXPECT_EQ(u->orders.size(), 2u);
    for (const auto& o : u->orders) {
      EXPECT_EQ(o->user.get(), u);
      ++n;
    }
  }
  EXPECT_EQ(n, 6);
  EXPECT_EQ(selects(), 2u);
}

TEST_P(RelationshipTest, joinedload_runs_one_statement_and_deduplicates_parents) {
  if (not_ready()) return;
  seed();
  orm::Session s(engine_);
  auto users = s.scalars(orm::select<User>()
                             .options(orm::joinedload(&User::orders))
                             .order_by(orm::col(&User::id)))
                   .all();
  EXPECT_EQ(selects(), 1u);
  ASSERT_EQ(users.size(), 3u);
  for (const auto& u : users) EXPECT_EQ(u->orders.size(), 2u);
  EXPECT_EQ(users[2]->orders[1]->description, "order 3-1");
  EXPECT_EQ(selects(), 1u);
  // many-to-one joined: every order with its user, one statement
  log_.clear();
  orm::Session s2(engine_);
  auto orders = s2.scalars(orm::select<Order>().options(orm::joinedload(&Order::user))).all();
  EXPECT_EQ(orders.size(), 6u);
  for (const auto& o : orders) EXPECT_FALSE(o->user->name.empty());
  EXPECT_EQ(selects(), 1u);
}

TEST_P(RelationshipTest, subqueryload_selects_children_in_the_parents_query) {
  if (not_ready()) return;
  seed();
  orm::Session s(engine_);
  // LIMIT and a bound parameter in the parents' query: the children's query
  // repeats it as a subquery, with the same parameter.
  auto users = s.scalars(orm::select<User>()
                             .where(orm::col(&User::name) != "user 2")
                             .order_by(orm::col(&User::id))
                             .limit(5)
                             .options(orm::subqueryload(&User::orders)))
                   .all();
  ASSERT_EQ(users.size(), 2u);
  ASSERT_EQ(selects(), 2u);
  EXPECT_NE(log_.back().find("IN (SELECT"), std::string::npos) << log_.back();
  EXPECT_EQ(users[0]->orders.size(), 2u);
  EXPECT_EQ(users[1]->orders[1]->description, "order 3-1");
  EXPECT_EQ(users[1]->orders[0]->user.get(), users[1]);
  EXPECT_EQ(selects(), 2u);
  // Chained: each level's query nests the one above.
  log_.clear();
  orm::Session s2(engine_);
  auto orders = s2.scalars(orm::select<Order>()
                               .where(orm::col(&Order::amount) == 1)
                               .options(orm::subqueryload(&Order::user).subqueryload(&User::orders)))
                    .all();
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_EQ(selects(), 3u);
  for (const auto& o : orders) EXPECT_EQ(o->user->orders.size(), 2u);
  EXPECT_EQ(selects(), 3u);
}

TEST_P(RelationshipTest, contains_eager_reads_the_statements_join) {
  if (not_ready()) return;
  seed();
  orm::Session s(engine_);
  // Only the orders of amount 2, loaded into each user's collection (as
  // SQLAlchemy does, the collection holds what the statement selected).
  auto users = s.scalars(orm::select<User>()
                             .join(&User::orders)
                             .where(orm::col(&Order::amount) == 2)
                             .order_by(orm::col(&User::id))
                             .options(orm::contains_eager(&User::orders)))
                   .all();
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(selects(), 1u);
  for (const auto& u : users) {
    ASSERT_EQ(u->orders.size(), 1u);
    EXPECT_EQ(u->orders[0]->amount, 2);
  }
  EXPECT_EQ(selects(), 1u);
  EXPECT_THROW(s.scalars(orm::select<Order>().options(orm::contains_eager(&User::orders))),
               ArgumentError);
}

TEST_P(RelationshipTest, chained_options_load_deeper) {
  if (not_ready()) return;
  seed();
  orm::Session s(engine_);
  auto orders = s.scalars(orm::select<Order>().options(
                              orm::selectinload(&Order::user).selectinload(&User::orders)))
                    .all();
  EXPECT_EQ(selects(), 3u);
  for (const auto& o : orders) EXPECT_EQ(o->user->orders.size(), 2u);
  EXPECT_EQ(selects(), 3u);
}

TEST_P(RelationshipTest, raiseload_and_noload) {
  if (not_ready()) return;
  seed();
  orm::Session s(engine_);
  auto users = s.scalars(orm::select<User>().options(orm::raiseload(&User::orders))).all();
  EXPECT_THROW((void)users[0]->orders.size(), InvalidRequestError);
  orm::Session s2(engine_);
  auto quiet = s2.scalars(orm::select<User>().options(orm::noload<User>("orders"))).all();
  EXPECT_TRUE(quiet[0]->orders.empty());
}

TEST_P(RelationshipTest, unknown_relationship_in_an_option_is_an_error) {
  if (not_ready()) return;
  orm::Session s(engine_);
  EXPECT_THROW(s.scalars(orm::select<User>().options(orm::selectinload<User>("nope"))).all(),
               ArgumentError);
  EXPECT_THROW(s.scalars(orm::select<User>().options(orm::selectinload(&Order::user))).all(),
               ArgumentError);  // Order is not an entity of the query
}

TEST_P(RelationshipTest, detached_objects_raise_for_unloaded_relationships) {
  if (not_ready()) return;
  seed();
  std::shared_ptr<User> eager, lazy;
  {
    orm::Session s(engine_);
    eager = s.scalars(orm::select<User>().options(orm::selectinload(&User::orders))).first();
    lazy = s.get<User>(eager->id);
    auto other = s.get<User>(eager->id + 1);
    lazy = other;
  }
  EXPECT_EQ(eager->orders.size(), 2u);  // loaded before the session closed
  EXPECT_THROW((void)lazy->orders.size(), orm::DetachedInstanceError);
}

TEST_P(RelationshipTest, lazy_load_uses_the_session_transaction) {
  if (not_ready()) return;
  seed();
  orm::Session s(engine_);
  auto user = s.get<User>(1);
  auto order = orm::make<Order>();
  order->description = "unflushed";
  order->user_id = 1;
  s.add(order);
  // autoflush inside the lazy load: the new order is seen in the same transaction
  EXPECT_EQ(user->orders.size(), 3u);
  s.rollback();
  EXPECT_EQ(scalar("SELECT count(*) FROM orders"), 6);
}

TEST_P(RelationshipTest, removing_a_child_nulls_its_key_or_deletes_an_orphan) {
  if (not_ready()) return;
  seed();
  {
    orm::Session s(engine_);
    auto user = s.get<User>(1);
    auto first = user->orders[0];
    user->orders.remove(first);
    s.commit();
    EXPECT_EQ(scalar("SELECT count(*) FROM orders WHERE user_id IS NULL"), 1);
  }
  {
    orm::Session s(engine_);
    auto author = orm::make<Author>();
    author->name = "a";
    for (int i = 0; i < 3; ++i) {
      auto p = orm::make<Post>();
      p->title = "post " + std::to_string(i);
      author->posts.push_back(p);
    }
    s.add(author);
    s.commit();
    EXPECT_EQ(scalar("SELECT count(*) FROM posts"), 3);
    author->posts.erase(author->posts.begin());
    s.commit();
    EXPECT_EQ(scalar("SELECT count(*) FROM posts"), 2);
  }
}

TEST_P(RelationshipTest, self_referential_tree_flushes_parents_first) {
  if (not_ready()) return;
  {
    orm::Session s(engine_);
    auto root = orm::make<Category>();
    root->name = "Electronics";
    auto phones = orm::make<Category>();
    phones->name = "Phones";
    auto laptops = orm::make<Category>();
    laptops->name = "Laptops";
    auto android = orm::make<Category>();
    android->name = "Android";
    android->parent = phones;  // child given before its parent is in the tree
    root->children.push_back(phones);
    root->children.push_back(laptops);
    s.add(android);  // cascades up to phones; root cascades the rest
    s.add(root);
    s.commit();
    EXPECT_EQ(phones->parent_id, root->id);
    EXPECT_EQ(android->parent_id, phones->id);
    EXPECT_FALSE(root->parent_id.has_value());
  }
  orm::Session s(engine_);
  auto android = s.scalars(orm::select<Category>().where(orm::col(&Category::name) == "Android")).one();
  EXPECT_EQ(android->parent->name, "Phones");
  EXPECT_EQ(android->parent->parent->name, "Electronics");
  auto root = android->parent->parent.get();
  ASSERT_EQ(root->children.size(), 2u);
  EXPECT_EQ(root->children[1]->name, "Laptops");
  // A cycle among new objects cannot be flushed.
  auto a = orm::make<Category>();
  a->name = "a";
  auto b = orm::make<Category>();
  b->name = "b";
  a->parent = b;
  b->parent = a;
  s.add(a);
  EXPECT_THROW(s.flush(), orm::FlushError);
  s.rollback();
}

TEST_P(RelationshipTest, comparators_on_self_referential_and_nested_relationships) {
  if (not_ready()) return;
  seed();
  {
    orm::Session s(engine_);
    auto root = orm::make<Category>(Category{.name = "root"});
    auto mid = orm::make<Category>(Category{.name = "mid"});
    auto leaf = orm::make<Category>(Category{.name = "leaf"});
    mid->parent = root;
    leaf->parent = mid;
    s.add(root);
    s.commit();
  }
  orm::Session s(engine_);
  auto names = [&](const auto& stmt) {
    std::vector<std::string> out;
    for (const auto& c : s.scalars(stmt.order_by(orm::col(&Category::id))).all()) out.push_back(c->name);
    return out;
  };
  // The related rows come from an alias of the table; the criterion is adapted to it.
  EXPECT_EQ(names(orm::select<Category>().where(
                orm::rel(&Category::parent).has(orm::col(&Category::name) == "root"))),
            (std::vector<std::string>{"mid"}));
  EXPECT_EQ(names(orm::select<Category>().where(orm::rel(&Category::children).any())),
            (std::vector<std::string>{"root", "mid"}));
  EXPECT_EQ(names(orm::select<Category>().where(
                orm::rel(&Category::children).any(orm::col(&Category::name).like("l%")))),
            (std::vector<std::string>{"mid"}));
  // Nested: each EXISTS correlates to the query right around it.
  auto users = s.scalars(orm::select<User>().where(orm::rel(&User::orders).any(
                             orm::rel(&Order::user).has(orm::col(&User::name) == "user 2"))))
                   .all();
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]->name, "user 2");
}

TEST_P(RelationshipTest, foreign_keys_pick_one_of_two_paths) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto ali = orm::make<Person>();
  ali->name = "Ali";
  auto sara = orm::make<Person>();
  sara->name = "Sara";
  auto m = orm::make<Message>();
  m->body = "hi";
  m->sender = ali;
  m->receiver = sara;
  s.add(m);
  s.commit();
  EXPECT_EQ(m->sender_id, ali->id);
  EXPECT_EQ(m->receiver_id, sara->id);
  orm::Session s2(engine_);
  auto got = s2.get<Message>(m->id);
  EXPECT_EQ(got->sender->name, "Ali");
  EXPECT_EQ(got->receiver->name, "Sara");
}

TEST_P(RelationshipTest, dropped_graphs_with_cycles_are_collected) {
  if (not_ready()) return;
  {
    orm::Session s(engine_);
    for (int u = 0; u < 200; ++u) {
      auto user = orm::make<User>();
      user->name = "u" + std::to_string(u);
      for (int o = 0; o < 5; ++o) user->orders.push_back(orm::make<Order>());
      s.add(user);
    }
    s.commit();
  }
  orm::collect();
  std::weak_ptr<User> watch;
  {
    orm::Session s(engine_);
    auto users = s.scalars(orm::select<User>().options(orm::selectinload(&User::orders))).all();
    for (const auto& u : users)
      for (const auto& o : u->orders) EXPECT_EQ(o->user.get(), u);  // cycles both ways
    watch = users.front();
  }
  // The users and orders keep each other alive until the collector runs.
  EXPECT_GE(orm::collect() + (watch.expired() ? 1000u : 0u), 1000u);
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(orm::collect(), 0u);
}

INSTANTIATE_TEST_SUITE_P(backends, RelationshipTest, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

// ---- mapping errors (their own registry: a failed configuration stays failed) ----

struct Ambi;
struct Left {
  std::int64_t id = 0;
  orm::Many<Ambi> ambis;
};
struct Ambi {
  std::int64_t id = 0;
  std::int64_t a_id = 0;
  std::int64_t b_id = 0;
};

// Assigning an object of the wrong class to a relationship is a compile-time
// error in C++ (SQLAlchemy raises at run time).
TEST(relationship_mapping, the_wrong_class_does_not_compile) {
  static_assert(std::is_assignable_v<orm::One<User>&, std::shared_ptr<User>>);
  static_assert(!std::is_assignable_v<orm::One<User>&, std::shared_ptr<Order>>);
  static_assert(!std::is_assignable_v<orm::Many<Order>&, std::vector<std::shared_ptr<User>>>);
  static_assert(std::is_invocable_v<decltype(&orm::Many<Order>::push_back), orm::Many<Order>&,
                                    std::shared_ptr<Order>>);
  static_assert(!std::is_invocable_v<decltype(&orm::Many<Order>::push_back), orm::Many<Order>&,
                                     std::shared_ptr<User>>);
  SUCCEED();
}

TEST(relationship_mapping, ambiguous_foreign_keys_are_reported) {
  orm::registry r;
  r.map<Left>("lefts", orm::column<&Left::id>("id", primary_key()),
              orm::relationship<&Left::ambis>("ambis"));
  r.map<Ambi>("ambis", orm::column<&Ambi::id>("id", primary_key()),
              orm::column<&Ambi::a_id>("a_id", ForeignKey("lefts.id")),
              orm::column<&Ambi::b_id>("b_id", ForeignKey("lefts.id")));
  try {
    (void)orm::mapper_of<Left>().relationships();
    FAIL() << "expected AmbiguousForeignKeysError";
  } catch (const AmbiguousForeignKeysError& e) {
    EXPECT_NE(std::string(e.what()).find("foreign_keys"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace alchemy::testing
