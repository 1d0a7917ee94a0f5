// Guide: "Relationships and Advanced ORM" -> Many-to-Many, Back references
// (backref), Lazy Loading vs Eager Loading, Loading strategies (joined,
// dynamic, noload, plus subqueryload), "Advanced Querying -> Complex joins",
// "Advanced Relationships -> Self-referential relationships" (Employee);
// basics guide: "Many-to-Many" (Association Table, Association Object) and
// "Self-Referential -> Employee-Manager". What orm/relationships.cpp already
// shows (one-to-many, one-to-one, the N+1 counts, selectinload/joinedload,
// the category tree, foreign_keys, UserLoader) is not repeated here.
//
// Python (abbreviated):
//   user_roles = Table("user_roles", Base.metadata,
//       Column("user_id", Integer, ForeignKey("users.id")),
//       Column("role_id", Integer, ForeignKey("roles.id")))
//   class User(Base):
//       roles = relationship("Role", secondary=user_roles, back_populates="users")
//   class Role(Base):
//       users = relationship("User", secondary=user_roles, back_populates="roles")
//   class Order(Base):
//       user = relationship("User", backref="orders")      # makes User.orders too
//
//   orders = relationship("Order", lazy="dynamic")         # a query, not a list
//   big_orders = user.orders.filter(Order.price > 100).all()
//   orders = relationship("Order", lazy="noload")          # user.orders is empty
//
//   session.query(User, Order).join(Order).filter(Order.total > 100).all()
//   session.query(User).outerjoin(Order).filter(Order.id.is_(None)).all()
//
//   class Employee(Base):
//       manager = relationship("Employee", remote_side=[id], back_populates="subordinates")
//       subordinates = relationship("Employee", back_populates="manager")
//
//   post_tags = Table("post_tags", Base.metadata,
//       Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
//       Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True))
//   tags = relationship("Tag", secondary=post_tags, back_populates="posts", lazy="selectin")
//   python_posts = db.query(Post).join(Post.tags).filter(Tag.name == "python").all()
//
//   class PostTag(Base):                                    # association object
//       post_id = Column(Integer, ForeignKey("posts.id"), primary_key=True)
//       tag_id = Column(Integer, ForeignKey("tags.id"), primary_key=True)
//       created_at = Column(DateTime, default=datetime.utcnow)
//       created_by = Column(Integer, ForeignKey("users.id"))
//       post = relationship("Post", back_populates="post_tags") ...
//   class Post(Base):
//       @property
//       def tags(self): return [pt.tag for pt in self.post_tags]
//   post_tag = PostTag(post=post, tag=tag, created_by=user.id)
//
// In C++:
// - Each guide section has its own models, in a namespace named after it
//   (accounts::User, loading::User, ...). They share one database, so where
//   two sections use the same table name one of them gets a prefix
//   (loading_users, assoc_posts).
// - A relationship is a member: orm::Many<T>, orm::One<T>, or orm::Dynamic<T>
//   for lazy="dynamic" (the member's type says it is a query, not a list).
// - Keyword arguments such as PostTag(post=post, tag=tag) are designated
//   initializers: orm::make<PostTag>(PostTag{.post = post, .tag = tag}); the
//   other sides (post->post_tags) follow as they do after an assignment.
// - backref cannot add a member to a struct at run time: the member is
//   declared (User::orders), only its relationship() is implied.
// - Query comparators: User.orders.any(...) is orm::rel(&User::orders).any(...).
// - The collections are given an order_by so that the checks can compare lists.
// - Every result is checked; a wrong one ends the program with exit code 1.
#include <alchemy/orm.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "example_support.hpp"

using namespace alchemy;
using examples::check;

namespace {

using Names = std::vector<std::string>;

template <class R>
Names names(const R& objects) {
  Names out;
  for (const auto& o : objects) out.push_back(o->name);
  return out;
}
template <class R>
Names titles(const R& objects) {
  Names out;
  for (const auto& o : objects) out.push_back(o->title);
  return out;
}
std::string str(const Names& names) {
  std::string out = "[";
  for (const auto& n : names) out += (out.size() > 1 ? ", " : "") + n;
  return out + "]";
}

// The statements the engine runs, from an engine before_cursor_execute listener.
struct StatementLog {
  std::vector<std::string> statements;
  void clear() { statements.clear(); }
  std::size_t selects() const {
    std::size_t n = 0;
    for (const auto& s : statements)
      if (s.rfind("SELECT", 0) == 0) ++n;
    return n;
  }
};

std::int64_t count_rows(orm::Session& session, const std::string& table) {
  return session.scalar<std::int64_t>(text("SELECT COUNT(*) FROM " + table));
}

// ---- Many-to-Many, backref, loading, joins, comparators: users, roles, orders -----------------
namespace accounts {

struct Role;
struct Order;

struct User {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Role> roles;    // many-to-many through user_roles
  orm::Many<Order> orders;  // one-to-many, made by the backref on Order::user
};

struct Role {
  std::int64_t id = 0;
  std::string name;
  orm::Many<User> users;  // the other side of user_roles
};

struct Order {
  std::int64_t id = 0;
  std::optional<std::int64_t> user_id;
  double total = 0;
  orm::One<User> user;
};

void map_models(orm::registry& Base) {
  // The association table: a Core Table, no class of its own.
  Table user_roles("user_roles", Base.metadata, Column("user_id", Integer, ForeignKey("users.id")),
                   Column("role_id", Integer, ForeignKey("roles.id")));
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)),
                 orm::relationship<&User::roles>(
                     "roles", orm::secondary(user_roles), orm::back_populates("users"),
                     orm::order_by([] { return orm::col(&Role::name); })));
  // secondary= by name: the table is looked up in the registry's metadata.
  Base.map<Role>("roles", orm::column<&Role::id>("id", primary_key()),
                 orm::column<&Role::name>("name", String(50)),
                 orm::relationship<&Role::users>(
                     "users", orm::secondary("user_roles"), orm::back_populates("roles"),
                     orm::order_by([] { return orm::col(&User::name); })));
  // backref: one relationship() line; User::orders is configured from it.
  Base.map<Order>("orders", orm::column<&Order::id>("id", primary_key()),
                  orm::column<&Order::user_id>("user_id", ForeignKey("users.id")),
                  orm::column<&Order::total>("total"),
                  orm::relationship<&Order::user>(
                      "user", orm::backref<&User::orders>(
                                  "orders", orm::order_by([] { return orm::col(&Order::id); }))));
}

std::shared_ptr<User> user_named(orm::Session& session, const std::string& name) {
  return session.scalars(orm::select<User>().where(orm::col(&User::name) == name)).one();
}
std::shared_ptr<Role> role_named(orm::Session& session, const std::string& name) {
  return session.scalars(orm::select<Role>().where(orm::col(&Role::name) == name)).one();
}

void many_to_many(const Engine& engine) {
  std::cout << "== Many-to-Many: users and roles through user_roles ==\n";
  {
    orm::Session session(engine);
    auto ahmad = orm::make<User>(User{.name = "Ahmad"});
    auto sara = orm::make<User>(User{.name = "Sara"});
    auto reza = orm::make<User>(User{.name = "Reza"});
    auto fateme = orm::make<User>(User{.name = "Fateme"});
    auto admin = orm::make<Role>(Role{.name = "admin"});
    auto editor = orm::make<Role>(Role{.name = "editor"});
    auto viewer = orm::make<Role>(Role{.name = "viewer"});
    ahmad->roles = {admin, editor};  // user.roles = [admin, editor]
    sara->roles.push_back(editor);   // user.roles.append(editor)
    viewer->users.push_back(reza);   // from the other side: role.users.append(user)
    // back_populates keeps both sides in step in memory, before any SQL.
    std::cout << "editor->users: " << str(names(editor->users))
              << ", reza->roles: " << str(names(reza->roles)) << "\n";
    check(names(editor->users) == Names{"Ahmad", "Sara"}, "editor->users in memory");
    check(names(reza->roles) == Names{"viewer"}, "reza->roles in memory (appended to viewer)");
    session.add_all({ahmad, sara, reza, fateme});  // the roles come by cascade
    session.commit();  // INSERT users, roles, then one user_roles row per pair
    std::cout << "user_roles rows: " << count_rows(session, "user_roles") << "\n";
    check(count_rows(session, "user_roles") == 4, "four user_roles rows after the commit");
  }
  {
    orm::Session session(engine);
    auto editor = role_named(session, "editor");
    auto ahmad = user_named(session, "Ahmad");
    std::cout << "loaded: editor->users " << str(names(editor->users)) << ", ahmad->roles "
              << str(names(ahmad->roles)) << "\n";
    check(names(editor->users) == Names{"Ahmad", "Sara"}, "editor->users loaded");
    check(names(ahmad->roles) == Names{"admin", "editor"}, "ahmad->roles loaded");
    // Taking a role away deletes its row; the role and the user stay.
    auto sara = user_named(session, "Sara");
    sara->roles.remove(editor);
    check(names(editor->users) == Names{"Ahmad"}, "editor->users after sara->roles.remove()");
    session.commit();
    std::cout << "after sara->roles.remove(editor): user_roles rows: "
              << count_rows(session, "user_roles") << ", roles: " << count_rows(session, "roles")
              << "\n";
    check(count_rows(session, "user_roles") == 3, "three user_roles rows after remove()");
    check(count_rows(session, "roles") == 3, "the roles stay");
  }
}

void back_references(const Engine& engine) {
  std::cout << "\n== backref: one relationship() line, both sides ==\n";
  {
    orm::Session session(engine);
    auto ahmad = user_named(session, "Ahmad");
    auto sara = user_named(session, "Sara");
    auto reza = user_named(session, "Reza");
    auto big = orm::make<Order>(Order{.total = 250});
    session.add(big);
    big->user = ahmad;  // order.user = user: the declared side
    // ahmad->orders was not loaded: reading it loads it, after an autoflush
    // that writes the new order with its user_id.
    std::cout << "after big->user = ahmad: ahmad->orders.size() = " << ahmad->orders.size() << "\n";
    check(ahmad->orders.size() == 1 && ahmad->orders[0] == big, "the backref side follows");
    ahmad->orders.push_back(orm::make<Order>(Order{.total = 40}));  // user.orders.append(order)
    check(ahmad->orders[1]->user.get() == ahmad, "the declared side follows the backref side");
    sara->orders.push_back(orm::make<Order>(Order{.total = 120}));
    sara->orders.push_back(orm::make<Order>(Order{.total = 80}));
    reza->orders.push_back(orm::make<Order>(Order{.total = 30}));
    session.commit();
  }
  {
    orm::Session session(engine);
    auto ahmad = user_named(session, "Ahmad");
    std::cout << "loaded: Ahmad's orders:";
    for (const auto& o : ahmad->orders) std::cout << " " << o->total;
    std::cout << "; the first is for " << ahmad->orders[0]->user->name << "\n";
    check(ahmad->orders.size() == 2 && ahmad->orders[0]->total == 250 &&
              ahmad->orders[1]->total == 40,
          "Ahmad's orders loaded through the backref");
    check(ahmad->orders[0]->user.get() == ahmad, "order->user is the same object");
  }
}

void loading_strategies(const Engine& engine, StatementLog& log) {
  std::cout << "\n== Lazy loading and eager loading options ==\n";
  auto by_id = orm::col(&User::id);
  {
    // Lazy: the first query reads users only; user->orders runs its own SELECT.
    orm::Session session(engine);
    log.clear();
    auto user = session.query<User>().order_by(by_id).first();
    std::cout << user->name << ": " << log.selects() << " SELECT so far; ";
    check(log.selects() == 1, "first() runs one SELECT");
    std::size_t n = user->orders.size();
    std::cout << n << " orders -> " << log.selects() << " SELECTs\n";
    check(n == 2 && log.selects() == 2, "reading user->orders runs a second SELECT");
  }
  {
    // subqueryload: the children's SELECT repeats the parents' query as a subquery.
    orm::Session session(engine);
    log.clear();
    auto users = session
                     .scalars(orm::select<User>()
                                  .where(orm::col(&User::name) != "Fateme")
                                  .order_by(by_id)
                                  .options(orm::subqueryload(&User::orders)))
                     .all();
    std::size_t orders = 0;
    for (const auto& u : users) orders += u->orders.size();
    std::cout << "subqueryload: " << users.size() << " users, " << orders << " orders, "
              << log.selects() << " SELECTs\n  SQL 2: " << log.statements.back() << "\n";
    check(users.size() == 3 && orders == 5 && log.selects() == 2, "subqueryload: 2 SELECTs");
    check(log.statements.back().find("IN (SELECT") != std::string::npos,
          "subqueryload's second SELECT has IN (SELECT ...)");
  }
  {
    // Many-to-many collections load the same ways, through the association table.
    orm::Session session(engine);
    log.clear();
    auto users =
        session.scalars(orm::select<User>().options(orm::joinedload(&User::roles)).order_by(by_id))
            .all();
    std::size_t roles = 0;
    for (const auto& u : users) roles += u->roles.size();
    std::cout << "joinedload(&User::roles): " << users.size() << " users, " << roles << " roles, "
              << log.selects() << " SELECT\n";
    check(users.size() == 4 && roles == 3 && log.selects() == 1, "joinedload of a many-to-many");
    log.clear();
    auto all_roles = session
                         .scalars(orm::select<Role>()
                                      .options(orm::selectinload(&Role::users))
                                      .order_by(orm::col(&Role::id)))
                         .all();
    std::size_t members = 0;
    for (const auto& r : all_roles) members += r->users.size();
    std::cout << "selectinload(&Role::users): " << all_roles.size() << " roles, " << members
              << " members, " << log.selects() << " SELECTs\n";
    check(all_roles.size() == 3 && members == 3 && log.selects() == 2,
          "selectinload of a many-to-many");
  }
}

void complex_joins(const Engine& engine) {
  std::cout << "\n== Complex joins ==\n";
  orm::Session session(engine);
  // session.query(User, Order).join(Order).filter(Order.total > 100): the ON
  // clause comes from the foreign key; each row is a (user, order) pair.
  auto rows = session
                  .execute(orm::select<User, Order>()
                               .join<Order>()
                               .where(orm::col(&Order::total) > 100)
                               .order_by(orm::col(&Order::total).desc()))
                  .all();
  std::cout << "inner join, Order.total > 100:";
  Names seen;
  for (const auto& [user, order] : rows) {
    std::cout << " " << user->name << " (" << order->total << ")";
    seen.push_back(user->name);
  }
  std::cout << "\n";
  check(seen == Names{"Ahmad", "Sara"}, "users with an order over 100");
  // The same join along the relationship: select(User).join(User.orders).
  auto big_spenders = session.query<User>()
                          .join(&User::orders)
                          .filter(orm::col(&Order::total) > 100)
                          .order_by(orm::col(&User::name))
                          .all();
  check(names(big_spenders) == Names{"Ahmad", "Sara"}, "join(&User::orders)");
  // session.query(User).outerjoin(Order).filter(Order.id.is_(None)): users without orders.
  auto no_orders =
      session.query<User>().outerjoin<Order>().filter(orm::col(&Order::id).is_(null())).all();
  std::cout << "outer join, Order.id IS NULL: " << str(names(no_orders)) << "\n";
  check(names(no_orders) == Names{"Fateme"}, "users without orders");
}

void comparators(const Engine& engine) {
  std::cout << "\n== Relationship comparators: any(), has(), contains(), == ==\n";
  orm::Session session(engine);
  auto by_name = orm::col(&User::name);
  // User.orders.any(Order.total > 100): EXISTS (SELECT ... FROM orders WHERE ...)
  auto spenders =
      session
          .scalars(orm::select<User>()
                       .where(orm::rel(&User::orders).any(orm::col(&Order::total) > 100))
                       .order_by(by_name))
          .all();
  std::cout << "orders.any(total > 100): " << str(names(spenders)) << "\n";
  check(names(spenders) == Names{"Ahmad", "Sara"}, "any() with a criterion");
  auto admins = session
                    .scalars(orm::select<User>().where(
                        orm::rel(&User::roles).any(orm::col(&Role::name) == "admin")))
                    .all();
  std::cout << "roles.any(name == 'admin'): " << str(names(admins)) << "\n";
  check(names(admins) == Names{"Ahmad"}, "any() through the association table");
  auto no_role =
      session
          .scalars(orm::select<User>().where(not_(orm::rel(&User::roles).any())).order_by(by_name))
          .all();
  std::cout << "~roles.any(): " << str(names(no_role)) << "\n";
  check(names(no_role) == Names{"Fateme", "Sara"}, "users without roles");
  // Order.user.has(User.name == "Sara"), Order.user == user
  auto saras = session
                   .scalars(orm::select<Order>()
                                .where(orm::rel(&Order::user).has(by_name == "Sara"))
                                .order_by(orm::col(&Order::id)))
                   .all();
  check(saras.size() == 2 && saras[0]->total == 120, "has() on a many-to-one");
  auto ahmad = user_named(session, "Ahmad");
  auto ahmads = session.scalars(orm::select<Order>().where(orm::rel(&Order::user) == ahmad)).all();
  std::cout << "user.has(name == 'Sara'): " << saras.size()
            << " orders; user == ahmad: " << ahmads.size() << " orders\n";
  check(ahmads.size() == 2, "== object on a many-to-one");
  // Role.users.contains(reza), User.orders.contains(order)
  auto reza = user_named(session, "Reza");
  auto rezas_roles =
      session.scalars(orm::select<Role>().where(orm::rel(&Role::users).contains(reza))).all();
  auto order = saras[1];
  auto owner =
      session.scalars(orm::select<User>().where(orm::rel(&User::orders).contains(order))).one();
  std::cout << "users.contains(reza): " << str(names(rezas_roles))
            << "; orders.contains(Sara's order): " << owner->name << "\n";
  check(names(rezas_roles) == Names{"viewer"}, "contains() on a many-to-many");
  check(owner->name == "Sara", "contains() on a one-to-many");
}

}  // namespace accounts

// ---- Loading strategies set on the mapping: lazy="dynamic", "joined", "noload" ---------------
namespace loading {

struct Order {
  std::int64_t id = 0;
  std::optional<std::int64_t> user_id;
  std::string item;
  double price = 0;
};

// The guide puts each lazy= on User.orders in turn. Here they sit side by
// side over the same foreign key: the dynamic one writes, the other two are
// viewonly (for reading), as SQLAlchemy wants of overlapping relationships.
struct User {
  std::int64_t id = 0;
  std::string name;
  orm::Dynamic<Order> orders;      // lazy="dynamic": a query, never a loaded list
  orm::Many<Order> orders_joined;  // lazy="joined": comes with every User query
  orm::Many<Order> orders_noload;  // lazy="noload": never loaded, always empty
};

void map_models(orm::registry& Base) {
  auto by_id = [] { return orm::col(&Order::id); };
  Base.map<User>(
      "loading_users", orm::column<&User::id>("id", primary_key()),
      orm::column<&User::name>("name", String(50)),
      orm::relationship<&User::orders>("orders"),  // the member type says dynamic
      orm::relationship<&User::orders_joined>("orders_joined", orm::viewonly(),
                                              orm::lazy(orm::Lazy::joined), orm::order_by(by_id)),
      orm::relationship<&User::orders_noload>("orders_noload", orm::viewonly(),
                                              orm::lazy(orm::Lazy::noload)));
  Base.map<Order>("loading_orders", orm::column<&Order::id>("id", primary_key()),
                  orm::column<&Order::user_id>("user_id", ForeignKey("loading_users.id")),
                  orm::column<&Order::item>("item", String(50)),
                  orm::column<&Order::price>("price"));
}

void run(const Engine& engine, StatementLog& log) {
  std::cout << "\n== Loading strategies on the mapping ==\n";
  {
    orm::Session session(engine);
    auto user = orm::make<User>(User{.name = "Tarun"});
    session.add(user);  // a dynamic relationship needs its owner in a session
    const std::pair<const char*, double> bought[] = {
        {"book", 20}, {"phone", 450}, {"cable", 8}, {"monitor", 180}, {"desk", 230}};
    for (const auto& [item, price] : bought)
      user->orders.append(orm::make<Order>(Order{.item = item, .price = price}));
    session.commit();
  }
  orm::Session session(engine);
  log.clear();
  // (With a LIMIT, first() for instance, a joined collection comes by a
  // second SELECT ... IN instead, so that the LIMIT counts users, not rows.)
  auto user = session.scalars(orm::select<User>()).one();
  std::cout << "select<User>(): " << log.selects() << " SELECT (lazy=\"joined\" is in it)\n";
  check(log.selects() == 1, "lazy=joined comes with the user's own query");
  check(log.statements.back().find("LEFT OUTER JOIN loading_orders") != std::string::npos,
        "lazy=joined: LEFT OUTER JOIN in the user's query");

  // lazy="dynamic": user.orders.filter(Order.price > 100).all()
  log.clear();
  auto big_orders = user->orders.filter(orm::col(&Order::price) > 100)
                        .order_by(orm::col(&Order::price).desc())
                        .all();
  std::cout << "dynamic: orders.filter(price > 100):";
  for (const auto& o : big_orders) std::cout << " " << o->item << " (" << o->price << ")";
  std::cout << "; orders.count() = " << user->orders.count() << "\n";
  check(big_orders.size() == 3 && big_orders[0]->item == "phone", "dynamic filter().all()");
  check(user->orders.count() == 5, "dynamic count()");
  auto cheapest = user->orders.order_by(orm::col(&Order::price)).first();
  check(cheapest && cheapest->item == "cable", "dynamic order_by().first()");
  std::cout << "each use is a new SELECT: " << log.selects() << " so far\n";

  // lazy="joined": already there, no SQL.
  log.clear();
  std::cout << "joined: " << user->orders_joined.size() << " orders, " << log.selects()
            << " SELECTs\n";
  check(user->orders_joined.size() == 5 && log.selects() == 0, "lazy=joined needs no SQL");

  // lazy="noload": print(user.orders) -> empty; query them yourself.
  std::cout << "noload: " << user->orders_noload.size() << " orders, " << log.selects()
            << " SELECTs\n";
  check(user->orders_noload.empty() && log.selects() == 0, "lazy=noload reads empty, no SQL");

  // A dynamic relationship writes: remove() un-links at the next flush.
  user->orders.remove(cheapest);
  session.commit();
  check(user->orders.count() == 4, "dynamic remove()");
  check(count_rows(session, "loading_orders") == 5, "the removed order stays, without its user");
}

}  // namespace loading

// ---- Self-referential: Employee manager / subordinates ----------------------------------------
namespace org {

struct Employee {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> manager_id;
  orm::One<Employee> manager;
  orm::Many<Employee> subordinates;
};

void map_models(orm::registry& Base) {
  Base.map<Employee>("employees", orm::column<&Employee::id>("id", primary_key()),
                     orm::column<&Employee::name>("name", String(50)),
                     orm::column<&Employee::manager_id>("manager_id", ForeignKey("employees.id")),
                     // remote_side=[id]: the manager is the row whose id the manager_id holds.
                     orm::relationship<&Employee::manager>(
                         "manager", orm::remote_side([] { return orm::col(&Employee::id); }),
                         orm::back_populates("subordinates")),
                     orm::relationship<&Employee::subordinates>(
                         "subordinates", orm::back_populates("manager"),
                         orm::order_by([] { return orm::col(&Employee::id); })));
}

void run(const Engine& engine) {
  std::cout << "\n== Self-referential: Employee manager / subordinates ==\n";
  {
    orm::Session session(engine);
    auto ceo = orm::make<Employee>(Employee{.name = "CEO"});
    auto vp = orm::make<Employee>(Employee{.name = "VP", .manager = ceo});
    auto developer = orm::make<Employee>(Employee{.name = "Developer"});
    developer->manager = vp;  // or later, by assignment
    vp->subordinates.push_back(orm::make<Employee>(Employee{.name = "Designer"}));
    std::cout << "vp->manager->name: " << vp->manager->name
              << ", ceo->subordinates: " << str(names(ceo->subordinates)) << "\n";
    check(vp->manager->name == "CEO", "vp->manager");
    check(names(ceo->subordinates) == Names{"VP"}, "ceo->subordinates in memory");
    session.add(ceo);  // the whole chart cascades in, managers inserted first
    session.commit();
  }
  orm::Session session(engine);
  auto by_name = orm::col(&Employee::name);
  auto developer = session.scalars(orm::select<Employee>().where(by_name == "Developer")).one();
  std::cout << "Developer -> " << developer->manager->name << " -> "
            << developer->manager->manager->name << "\n";
  check(developer->manager->manager->name == "CEO", "two levels up, loaded lazily");
  check(names(developer->manager->subordinates) == Names{"Developer", "Designer"},
        "the VP's subordinates");
  // Employee.manager == vp: compares the foreign key, manager_id = vp.id.
  auto vp = developer->manager.get();
  auto reports_to_vp =
      session
          .scalars(
              orm::select<Employee>().where(orm::rel(&Employee::manager) == vp).order_by(by_name))
          .all();
  auto top =
      session.scalars(orm::select<Employee>().where(orm::rel(&Employee::manager) == nullptr)).all();
  std::cout << "manager == vp: " << str(names(reports_to_vp))
            << "; manager == None: " << str(names(top)) << "\n";
  check(names(reports_to_vp) == Names{"Designer", "Developer"}, "== object on the manager");
  check(names(top) == Names{"CEO"}, "== nullptr: no manager");
}

}  // namespace org

// ---- Many-to-Many with an association table: posts and tags (basics guide) -------------------
namespace tagging {

struct Tag;

struct Post {
  std::int64_t id = 0;
  std::string title;
  orm::Many<Tag> tags;
};

struct Tag {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Post> posts;
};

void map_models(orm::registry& Base) {
  // ondelete="CASCADE": deleting a post or a tag in SQL deletes its rows here.
  Table post_tags(
      "post_tags", Base.metadata,
      Column("post_id", Integer, ForeignKey("posts.id", {.ondelete = "CASCADE"}), primary_key()),
      Column("tag_id", Integer, ForeignKey("tags.id", {.ondelete = "CASCADE"}), primary_key()));
  Base.map<Post>("posts", orm::column<&Post::id>("id", primary_key()),
                 orm::column<&Post::title>("title", String(200)),
                 orm::relationship<&Post::tags>(
                     "tags", orm::secondary(post_tags), orm::back_populates("posts"),
                     orm::lazy(orm::Lazy::selectin),  // eager: a separate SELECT ... IN
                     orm::order_by([] { return orm::col(&Tag::name); })));
  Base.map<Tag>("tags", orm::column<&Tag::id>("id", primary_key()),
                orm::column<&Tag::name>("name", String(50), unique()),
                orm::relationship<&Tag::posts>("posts", orm::secondary(post_tags),
                                               orm::back_populates("tags"),
                                               orm::order_by([] { return orm::col(&Post::id); })));
}

void run(const Engine& engine, StatementLog& log) {
  std::cout << "\n== Many-to-Many: posts and tags (post_tags, lazy=\"selectin\") ==\n";
  {
    orm::Session session(engine);
    auto post = orm::make<Post>(Post{.title = "My Post"});
    auto tag1 = orm::make<Tag>(Tag{.name = "python"});
    auto tag2 = orm::make<Tag>(Tag{.name = "fastapi"});
    post->tags.push_back(tag1);  // post.tags.append(tag1)
    post->tags.push_back(tag2);
    post->tags = {tag1, tag2};  // or: post.tags = [tag1, tag2] (the same pairs: no change)
    // tag1.posts.append(...): the guide appends the same post again, which
    // puts it in tag1.posts twice (SQLAlchemy's flush then fails on post_tags'
    // primary key with IntegrityError); here it is another post.
    auto second = orm::make<Post>(Post{.title = "Second Post"});
    tag1->posts.push_back(second);
    check(names(second->tags) == Names{"python"}, "second->tags after tag1->posts.push_back()");
    auto sql = orm::make<Tag>(Tag{.name = "sql"});
    auto third = orm::make<Post>(Post{.title = "Joins explained"});
    third->tags = {sql};
    session.add_all({post, second, third});
    session.commit();
    check(count_rows(session, "post_tags") == 4, "four post_tags rows");
  }
  {
    orm::Session session(engine);
    log.clear();
    auto posts = session.query<Post>().order_by(orm::col(&Post::id)).all();
    std::cout << "query<Post>().all(): " << log.selects() << " SELECTs (tags by selectin):\n";
    for (const auto& p : posts) std::cout << "  " << p->title << " " << str(names(p->tags)) << "\n";
    check(log.selects() == 2, "lazy=selectin: posts, then their tags in one more SELECT");
    check(posts.size() == 3 && names(posts[0]->tags) == Names{"fastapi", "python"},
          "My Post's tags");
    // db.query(Post).join(Post.tags).filter(Tag.name == "python").all()
    auto python_posts = session.query<Post>()
                            .join(&Post::tags)
                            .filter(orm::col(&Tag::name) == "python")
                            .order_by(orm::col(&Post::id))
                            .all();
    std::cout << "join(&Post::tags), Tag.name == 'python': " << str(titles(python_posts)) << "\n";
    check(titles(python_posts) == Names{"My Post", "Second Post"}, "the join query");
    auto python = session.scalars(orm::select<Tag>().where(orm::col(&Tag::name) == "python")).one();
    auto tagged = session
                      .scalars(orm::select<Post>()
                                   .where(orm::rel(&Post::tags).contains(python))
                                   .order_by(orm::col(&Post::id)))
                      .all();
    check(titles(tagged) == Names{"My Post", "Second Post"}, "tags.contains(python)");
  }
  {
    // Deleting: the ORM deletes a post's post_tags rows itself; a DELETE in SQL
    // leaves it to ON DELETE CASCADE.
    orm::Session session(engine);
    auto first =
        session.scalars(orm::select<Post>().where(orm::col(&Post::title) == "My Post")).one();
    session.delete_(first);
    session.commit();
    std::cout << "after session.delete_(post): post_tags rows: " << count_rows(session, "post_tags")
              << "\n";
    check(count_rows(session, "post_tags") == 2, "the ORM deleted the post's rows");
    session.execute(orm::delete_<Post>().where(orm::col(&Post::title) == "Joins explained"));
    session.commit();
    std::cout << "after DELETE FROM posts (ON DELETE CASCADE): post_tags rows: "
              << count_rows(session, "post_tags") << ", tags: " << count_rows(session, "tags")
              << "\n";
    check(count_rows(session, "post_tags") == 1, "the database deleted the post's rows");
    check(count_rows(session, "tags") == 3, "the tags stay");
  }
}

}  // namespace tagging

// ---- Association object: PostTag with extra columns (basics guide) ----------------------------
namespace assoc {

struct Tag;
struct PostTag;

struct Post {
  std::int64_t id = 0;
  std::string title;
  orm::Many<PostTag> post_tags;
  // The guide's convenience property: [pt.tag for pt in self.post_tags].
  std::vector<std::shared_ptr<Tag>> tags() const;
};

struct Tag {
  std::int64_t id = 0;
  std::string name;
  orm::Many<PostTag> post_tags;
};

struct PostTag {
  std::int64_t post_id = 0;  // the primary key is (post_id, tag_id)
  std::int64_t tag_id = 0;
  std::optional<DateTime> created_at;  // extra data
  std::optional<std::int64_t> created_by;
  orm::One<Post> post;
  orm::One<Tag> tag;
  orm::One<accounts::User> creator;
};

std::vector<std::shared_ptr<Tag>> Post::tags() const {
  std::vector<std::shared_ptr<Tag>> out;
  for (const auto& pt : post_tags) out.push_back(pt->tag);
  return out;
}

const auto utcnow = [] { return Value(DateTime::utcnow()); };

void map_models(orm::registry& Base) {
  auto by_tag = [] { return orm::col(&PostTag::tag_id); };
  Base.map<Post>("assoc_posts", orm::column<&Post::id>("id", primary_key()),
                 orm::column<&Post::title>("title", String(200)),
                 orm::relationship<&Post::post_tags>("post_tags", orm::back_populates("post"),
                                                     orm::order_by(by_tag)));
  Base.map<Tag>("assoc_tags", orm::column<&Tag::id>("id", primary_key()),
                orm::column<&Tag::name>("name", String(50)),
                orm::relationship<&Tag::post_tags>("post_tags", orm::back_populates("tag")));
  Base.map<PostTag>(
      "assoc_post_tags",
      orm::column<&PostTag::post_id>("post_id", ForeignKey("assoc_posts.id"), primary_key()),
      orm::column<&PostTag::tag_id>("tag_id", ForeignKey("assoc_tags.id"), primary_key()),
      orm::column<&PostTag::created_at>("created_at", default_(utcnow)),
      orm::column<&PostTag::created_by>("created_by", ForeignKey("users.id")),
      orm::relationship<&PostTag::post>("post", orm::back_populates("post_tags")),
      orm::relationship<&PostTag::tag>("tag", orm::back_populates("post_tags")),
      orm::relationship<&PostTag::creator>("creator"));  // one way: User has no post_tags
}

void run(const Engine& engine) {
  std::cout << "\n== Association object: PostTag(post, tag, created_by) ==\n";
  {
    orm::Session session(engine);
    auto user = accounts::user_named(session, "Ahmad");
    auto post = orm::make<Post>(Post{.title = "My Post"});
    auto python = orm::make<Tag>(Tag{.name = "python"});
    auto fastapi = orm::make<Tag>(Tag{.name = "fastapi"});
    // post_tag = PostTag(post=post, tag=tag, created_by=user.id); db.add(post_tag)
    auto post_tag =
        orm::make<PostTag>(PostTag{.created_by = user->id, .post = post, .tag = python});
    session.add(post_tag);  // post and tag come by cascade
    // The creator given as an object instead of its id.
    auto second = orm::make<PostTag>(PostTag{.post = post, .tag = fastapi, .creator = user});
    session.add(second);
    check(post->post_tags.size() == 2, "post->post_tags in memory");
    std::cout << "post->tags() in memory: " << str(names(post->tags())) << "\n";
    session.commit();
    check(count_rows(session, "assoc_post_tags") == 2, "two association objects");
  }
  orm::Session session(engine);
  auto post = session
                  .scalars(orm::select<Post>().options(
                      orm::selectinload(&Post::post_tags).selectinload(&PostTag::tag)))
                  .one();
  std::cout << post->title << ": tags() " << str(names(post->tags())) << "\n";
  check(names(post->tags()) == Names{"python", "fastapi"}, "the convenience accessor");
  for (const auto& pt : post->post_tags) {
    check(pt->created_at.has_value(), "created_at set by its default");
    check(pt->created_by.has_value() && pt->creator->name == "Ahmad", "created_by / creator");
    std::cout << "  " << pt->tag->name << ": created_by " << pt->creator->name << " at "
              << pt->created_at->isoformat() << "\n";
  }
  // Posts with a tag someone added: any() over the association objects, has() into the tag.
  auto tagged = session
                    .scalars(orm::select<Post>().where(
                        orm::rel(&Post::post_tags)
                            .any(orm::rel(&PostTag::tag).has(orm::col(&Tag::name) == "fastapi"))))
                    .all();
  check(titles(tagged) == Names{"My Post"}, "post_tags.any(PostTag.tag.has(...))");
}

}  // namespace assoc

int run(int argc, char** argv) {
  Engine engine =
      create_engine(examples::database_url(argc, argv, "sqlite:///orm_relationship_patterns.db"));
  // SQLite checks foreign keys (and runs ON DELETE CASCADE) only when asked.
  event::listen(engine, event::connect, [&engine](DBAPIConnection& dbapi, ConnectionRecord&) {
    if (engine.url().get_backend_name() == "sqlite") dbapi.exec("PRAGMA foreign_keys=ON");
  });
  orm::registry Base;
  accounts::map_models(Base);
  loading::map_models(Base);
  org::map_models(Base);
  tagging::map_models(Base);
  assoc::map_models(Base);
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);

  StatementLog log;
  event::listen(engine, event::before_cursor_execute,
                [&log](Connection&, const CursorExecuteContext& ctx) {
                  log.statements.emplace_back(ctx.statement);
                });

  accounts::many_to_many(engine);
  accounts::back_references(engine);
  accounts::loading_strategies(engine, log);
  accounts::complex_joins(engine);
  accounts::comparators(engine);
  loading::run(engine, log);
  org::run(engine);
  tagging::run(engine, log);
  assoc::run(engine);

  orm::collect();
  Base.metadata.drop_all(engine);
  std::cout << "\nall checks passed\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::guarded_main(run, argc, argv); }
