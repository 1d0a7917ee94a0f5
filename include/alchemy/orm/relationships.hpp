// Relationships between mapped classes (SQLAlchemy's relationship()).
//
//   struct User  { std::int64_t id = 0; std::string name; orm::Many<Order> orders; };
//   struct Order { std::int64_t id = 0; std::int64_t user_id = 0; orm::One<User> user; };
//   Base.map<User>("users", orm::column<&User::id>("id", primary_key()), ...,
//       orm::relationship<&User::orders>("orders", orm::back_populates("user")));
//   Base.map<Order>("orders", ...,
//       orm::column<&Order::user_id>("user_id", ForeignKey("users.id")),
//       orm::relationship<&Order::user>("user", orm::back_populates("orders")));
//
//   user->orders.push_back(order);   // order->user is user now; order joins user's session
//   for (auto& o : user->orders) ... // loads the collection on first use (lazy "select")
//
// orm::Many<T> is a collection (SQLAlchemy's Mapped[List[T]]), orm::One<T> a
// scalar reference (Mapped[T] / Mapped[Optional[T]], and uselist=False). Both
// hold std::shared_ptr<T>, strongly, in both directions as Python does; the
// reference cycles that back-populated pairs make are collected by the ORM
// (see orm::collect()). The direction and the join come from the foreign keys
// between the two tables; foreign_keys(...) or primaryjoin(...) say which
// when there are several.
//
// A relationship member of an object the ORM loaded is "unloaded" until first
// used; using it then runs the load in the object's session (lazy "select"),
// or takes it from the identity map without SQL for a many-to-one whose
// target is there. On a detached object an unloaded relationship raises
// DetachedInstanceError. Objects the program creates start with their
// relationships loaded (empty, or what the program put there).
//
// Threads: an object with relationships is used by one thread at a time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "alchemy/core/schema.hpp"
#include "alchemy/core/sql/elements.hpp"
#include "alchemy/orm/exc.hpp"

namespace alchemy::orm {

class Mapper;
class RelationshipProperty;
class Session;
template <class T>
class Query;
template <class... T>
class Select;

/// How a relationship loads (SQLAlchemy's lazy= values).
enum class Lazy : std::uint8_t {
  select,    ///< on first access, one SELECT (the default)
  joined,    ///< with the parent's query, LEFT OUTER JOIN
  selectin,  ///< after the parent's query, SELECT ... WHERE key IN (...) per chunk
  noload,    ///< never loaded: empty
  raise,     ///< access of an unloaded relationship raises InvalidRequestError
  subquery,  ///< after the parent's query: SELECT ... WHERE key IN (the parent's query as a subquery)
  dynamic,   ///< orm::Dynamic<T> members: a query, never a loaded list
  /// Query option only (contains_eager): the statement's own JOIN has the rows.
  contains_eager,
};

namespace detail {

struct InstanceState;

/// What a relationship member shares with the core: the owning object's state
/// and the relationship's index in its mapper; null owner until the ORM knows
/// the object (created by it, or added to a session).
class ALCHEMY_EXPORT RelationBase {
 public:
  RelationBase() noexcept = default;
  /// Copies are plain values: the copy belongs to no object yet.
  RelationBase(const RelationBase&) noexcept {}
  RelationBase& operator=(const RelationBase&) noexcept { return *this; }
  bool loaded() const noexcept { return loaded_; }
  InstanceState* owner() const noexcept { return owner_; }
  const RelationshipProperty* property() const noexcept;

  // Internal: set by the ORM.
  InstanceState* owner_ = nullptr;
  std::uint16_t index_ = 0;
  /// False: the members hold nothing yet; the first use loads them.
  bool loaded_ = true;
  /// Changed by the program since the last flush (the flush syncs foreign keys).
  bool changed_ = false;
  /// raiseload(): loading it raises.
  bool raise_ = false;
};

/// Loads an unloaded relationship (lazy load in the owner's session).
ALCHEMY_EXPORT void rel_load(const RelationBase& r);
/// The program appended / removed / assigned: back_populates and cascades.
ALCHEMY_EXPORT void rel_appended(RelationBase& r, const std::shared_ptr<void>& child);
ALCHEMY_EXPORT void rel_removed(RelationBase& r, const std::shared_ptr<void>& child);
ALCHEMY_EXPORT void rel_assigned(RelationBase& r, const std::shared_ptr<void>& old,
                                 const std::shared_ptr<void>& now);
[[noreturn]] ALCHEMY_EXPORT void throw_empty_reference(const RelationBase& r);

template <class T, auto M>
struct RelAttr;

/// Type-erased access to a relationship member, for the core.
struct RelOps {
  RelationBase& (*base)(void* member);
  std::size_t (*size)(const void* member);
  const std::shared_ptr<void>* (*item)(const void* member, std::size_t i, std::shared_ptr<void>& tmp);
  /// Appends (collections) or sets (references), without events.
  void (*push)(void* member, std::shared_ptr<void> obj);
  /// Removes `obj` without events; whether it was there.
  bool (*erase)(void* member, const void* obj);
  /// Empties the member without events, handing the references to `out`.
  void (*take)(void* member, std::vector<std::shared_ptr<void>>& out);
  /// The ORM state of a referenced object, when it has one.
  InstanceState* (*state_of)(const std::shared_ptr<void>& obj);
  /// The state of the i-th referenced object (state_of without copying the
  /// shared_ptr: the cycle collector and loaders walk every edge).
  InstanceState* (*state_at)(const void* member, std::size_t i);
  bool uselist;
  const Mapper* (*target)();
  /// An orm::Dynamic member.
  bool dynamic;
};

}  // namespace detail

/// A collection of related objects (one-to-many, many-to-many):
/// `orm::Many<Order> orders;`. Reading it loads it if needed; push_back,
/// remove, erase and clear keep the other side (back_populates) in step and
/// cascade new objects into the owner's session.
template <class T>
class Many : public detail::RelationBase {
 public:
  using value_type = std::shared_ptr<T>;
  using const_iterator = typename std::vector<std::shared_ptr<T>>::const_iterator;

  Many() = default;
  Many(std::initializer_list<std::shared_ptr<T>> items) : items_(items) { changed_ = true; }
  explicit Many(std::vector<std::shared_ptr<T>> items) : items_(std::move(items)) {
    changed_ = true;
  }
  Many(const Many& o) : RelationBase(), items_(o.items()) { changed_ = !items_.empty(); }
  Many(Many&& o) noexcept : RelationBase(), items_(std::move(o.items_)) {
    changed_ = !items_.empty();
  }
  Many& operator=(const Many& o) {
    if (this != &o) assign(o.items());
    return *this;
  }
  Many& operator=(std::vector<std::shared_ptr<T>> items) {
    assign(std::move(items));
    return *this;
  }
  /// `post->tags = {python, sql};` (Python's post.tags = [python, sql]).
  Many& operator=(std::initializer_list<std::shared_ptr<T>> items) {
    assign(std::vector<std::shared_ptr<T>>(items));
    return *this;
  }

  /// The objects (loads the collection first if needed).
  const std::vector<std::shared_ptr<T>>& items() const {
    if (!loaded_) detail::rel_load(*this);
    return items_;
  }
  const_iterator begin() const { return items().begin(); }
  const_iterator end() const { return items().end(); }
  std::size_t size() const { return items().size(); }
  bool empty() const { return items().empty(); }
  const std::shared_ptr<T>& operator[](std::size_t i) const { return items()[i]; }
  const std::shared_ptr<T>& at(std::size_t i) const { return items().at(i); }
  const std::shared_ptr<T>& front() const { return items().front(); }
  const std::shared_ptr<T>& back() const { return items().back(); }
  bool contains(const std::shared_ptr<T>& obj) const {
    for (const auto& p : items())
      if (p == obj) return true;
    return false;
  }

  /// Appends (SQLAlchemy's collection.append()).
  void push_back(std::shared_ptr<T> obj) {
    if (!obj) throw InvalidRequestError("Cannot append a null object to a relationship collection");
    items();
    items_.push_back(obj);
    changed_ = true;
    if (owner_) detail::rel_appended(*this, obj);
  }
  void append(std::shared_ptr<T> obj) { push_back(std::move(obj)); }
  /// Removes the object (SQLAlchemy's collection.remove()); InvalidRequestError
  /// when it is not there.
  void remove(const std::shared_ptr<T>& obj) {
    items();
    for (auto it = items_.begin(); it != items_.end(); ++it)
      if (*it == obj) {
        erase(it);
        return;
      }
    throw InvalidRequestError("Object is not in this relationship collection; nothing to remove");
  }
  const_iterator erase(const_iterator it) {
    items();
    std::shared_ptr<T> gone = *it;
    auto next = items_.erase(it);
    changed_ = true;
    if (owner_) detail::rel_removed(*this, gone);
    return next;
  }
  void clear() { assign({}); }

 private:
  void assign(std::vector<std::shared_ptr<T>> now) {
    items();
    std::vector<std::shared_ptr<T>> old = std::move(items_);
    items_.clear();
    changed_ = true;
    if (owner_)
      for (const auto& o : old)
        if (std::find(now.begin(), now.end(), o) == now.end()) detail::rel_removed(*this, o);
    for (auto& o : now) {
      if (!o) throw InvalidRequestError("Cannot put a null object in a relationship collection");
      items_.push_back(o);
      if (owner_ && std::find(old.begin(), old.end(), o) == old.end())
        detail::rel_appended(*this, o);
    }
  }
  template <class U, auto M>
  friend struct detail::RelAttr;
  mutable std::vector<std::shared_ptr<T>> items_;
};

/// A reference to one related object (many-to-one, one-to-one):
/// `orm::One<User> author;`. Reading it loads it if needed (from the identity
/// map without SQL when the target is there); assigning keeps the other side
/// (back_populates) in step.
template <class T>
class One : public detail::RelationBase {
 public:
  One() = default;
  One(std::shared_ptr<T> obj) : value_(std::move(obj)) { changed_ = value_ != nullptr; }  // NOLINT
  One(const One& o) : RelationBase(), value_(o.get()) { changed_ = value_ != nullptr; }
  One(One&& o) noexcept : RelationBase(), value_(std::move(o.value_)) {
    changed_ = value_ != nullptr;
  }
  One& operator=(const One& o) {
    if (this != &o) set(o.get());
    return *this;
  }
  One& operator=(std::shared_ptr<T> obj) {
    set(std::move(obj));
    return *this;
  }
  One& operator=(std::nullptr_t) {
    set(nullptr);
    return *this;
  }

  /// The object, or null (loads first if needed).
  const std::shared_ptr<T>& get() const {
    if (!loaded_) detail::rel_load(*this);
    return value_;
  }
  operator const std::shared_ptr<T>&() const { return get(); }  // NOLINT
  explicit operator bool() const { return get() != nullptr; }
  /// The object; InvalidRequestError when there is none (Python's None.attr).
  T* operator->() const {
    T* p = get().get();
    if (p == nullptr) detail::throw_empty_reference(*this);
    return p;
  }
  T& operator*() const { return *operator->(); }
  friend bool operator==(const One& a, const std::shared_ptr<T>& b) { return a.get() == b; }
  friend bool operator==(const One& a, std::nullptr_t) { return a.get() == nullptr; }

 private:
  void set(std::shared_ptr<T> now) {
    get();
    std::shared_ptr<T> old = std::move(value_);
    value_ = now;
    changed_ = true;
    if (owner_ && old != now) detail::rel_assigned(*this, old, now);
  }
  template <class U, auto M>
  friend struct detail::RelAttr;
  mutable std::shared_ptr<T> value_;
};

namespace detail {
/// The session a Dynamic relationship's owner is in; DetachedInstanceError otherwise.
ALCHEMY_EXPORT Session& dynamic_session(const RelationBase& r);
/// SELECT <target columns> WHERE <the join to the owner's key> ORDER BY <order_by>.
ALCHEMY_EXPORT alchemy::Select dynamic_statement(const RelationBase& r);
}  // namespace detail

/// A relationship that loads nothing by itself (SQLAlchemy's lazy="dynamic"):
/// `orm::Dynamic<Post> posts;`. Each use builds a query of the related
/// objects in the owner's session, which the caller can filter, order and
/// limit: `user->posts.filter(orm::col(&Post::views) > 100).all()`.
/// append() / remove() change the relationship; the foreign keys are written
/// at the next flush, which the queries run first (autoflush).
template <class T>
class Dynamic : public detail::RelationBase {
 public:
  Dynamic() = default;
  Dynamic(const Dynamic&) : RelationBase() {}
  Dynamic& operator=(const Dynamic&) { return *this; }

  /// The query of the related objects (needs the owner in a session).
  Query<T> query() const {
    return Query<T>(detail::dynamic_session(*this), Select<T>(detail::dynamic_statement(*this)));
  }
  /// The statement, for session.scalars() / execute() (SQLAlchemy's WriteOnlyCollection.select()).
  Select<T> select() const { return Select<T>(detail::dynamic_statement(*this)); }
  template <class... E>
  Query<T> filter(const E&... criteria) const {
    return query().filter(criteria...);
  }
  template <class... E>
  Query<T> where(const E&... criteria) const {
    return query().filter(criteria...);
  }
  template <class... E>
  Query<T> order_by(const E&... cols) const {
    return query().order_by(cols...);
  }
  Query<T> limit(std::int64_t n) const { return query().limit(n); }
  std::vector<std::shared_ptr<T>> all() const { return query().all(); }
  std::shared_ptr<T> first() const { return query().first(); }
  std::int64_t count() const { return query().count(); }

  /// Adds an object to the relationship (written at the next flush).
  void append(std::shared_ptr<T> obj) {
    if (!obj) throw InvalidRequestError("Cannot append a null object to a relationship");
    items_.push_back(obj);
    changed_ = true;
    if (owner_) detail::rel_appended(*this, obj);
  }
  void add(std::shared_ptr<T> obj) { append(std::move(obj)); }
  /// Takes an object out of the relationship (its foreign key is nulled, or
  /// it is deleted with delete-orphan, at the next flush).
  void remove(const std::shared_ptr<T>& obj) {
    if (!obj) throw InvalidRequestError("Cannot remove a null object from a relationship");
    std::erase(items_, obj);
    changed_ = true;
    if (owner_) detail::rel_removed(*this, obj);
  }

 private:
  template <class U, auto M>
  friend struct detail::RelAttr;
  /// Appended since the last flush.
  std::vector<std::shared_ptr<T>> items_;
};

// ---- relationship() definitions -------------------------------------------------------------

namespace detail {
struct BackrefSpec;
}

/// Options of relationship(); built from the helper functions below.
struct RelationshipOptions {
  std::string back_populates;
  Lazy lazy = Lazy::select;
  /// SQLAlchemy's cascade string ("save-update, merge" by default; "all, delete-orphan", ...).
  std::string cascade = "save-update, merge";
  bool passive_deletes = false;
  /// Resolved when mappers are configured (the related class may be mapped later).
  std::function<std::vector<ColumnElement>()> order_by;
  std::function<std::vector<ColumnElement>()> foreign_keys;
  /// remote_side=...: for a self-referential relationship, the columns on the
  /// "one" side (the referenced key) make it many-to-one (child -> parent).
  std::function<std::vector<ColumnElement>()> remote_side;
  bool viewonly = false;
  /// secondary=association_table: many-to-many through that table (or its
  /// name, looked up in the registry's metadata when mappers are configured).
  std::optional<Table> secondary;
  std::string secondary_name;
  /// primaryjoin / secondaryjoin: the join written out (equalities between
  /// columns, plus any other criteria), when the foreign keys do not say it.
  std::function<ColumnElement()> primaryjoin;
  std::function<ColumnElement()> secondaryjoin;
  /// backref: the reverse relationship this one creates on the related class.
  std::shared_ptr<detail::BackrefSpec> backref;
};

namespace detail {
template <class P>
struct member_traits;
template <class C, class V>
struct member_traits<V C::*> {
  using cls = C;
  using value = V;
};
template <class V>
struct rel_target;
template <class T>
struct rel_target<Many<T>> {
  using type = T;
};
template <class T>
struct rel_target<One<T>> {
  using type = T;
};
template <class T>
struct rel_target<Dynamic<T>> {
  using type = T;
};
template <class T>
const Mapper* rel_target_mapper();  // defined in mapping.hpp (needs mapper_of)

struct RelOption {
  std::function<void(RelationshipOptions&)> apply;
};
/// A callable returning one column expression or a range of them, as a
/// function returning a vector (evaluated once mappers are configured).
template <class F>
std::function<std::vector<ColumnElement>()> columns_fn(F fn) {
  return [fn]() -> std::vector<ColumnElement> {
    auto r = fn();
    if constexpr (std::is_convertible_v<decltype(r), ColumnElement>)
      return {ColumnElement(r)};
    else
      return std::vector<ColumnElement>(r.begin(), r.end());
  };
}

template <class T, auto M>
struct RelAttr {
  using V = typename member_traits<decltype(M)>::value;
  using Target = typename rel_target<V>::type;
  static constexpr bool many = !std::is_same_v<V, One<Target>>;  // Many or Dynamic
  static constexpr bool dynamic = std::is_same_v<V, Dynamic<Target>>;
  static V& mem(void* p) { return *static_cast<V*>(p); }
  static const V& cmem(const void* p) { return *static_cast<const V*>(p); }
  static RelationBase& base(void* p) { return mem(p); }
  static std::size_t size(const void* p) {
    if constexpr (many)
      return cmem(p).items_.size();
    else
      return cmem(p).value_ ? 1 : 0;
  }
  static const std::shared_ptr<void>* item(const void* p, std::size_t i, std::shared_ptr<void>& tmp) {
    if constexpr (many)
      tmp = cmem(p).items_[i];
    else
      tmp = cmem(p).value_;
    return &tmp;
  }
  static void push(void* p, std::shared_ptr<void> o) {
    if constexpr (many)
      mem(p).items_.push_back(std::static_pointer_cast<Target>(std::move(o)));
    else
      mem(p).value_ = std::static_pointer_cast<Target>(std::move(o));
  }
  static bool erase(void* p, const void* o) {
    if constexpr (many) {
      auto& v = mem(p).items_;
      for (auto it = v.begin(); it != v.end(); ++it)
        if (it->get() == o) {
          v.erase(it);
          return true;
        }
      return false;
    } else {
      if (mem(p).value_.get() != o) return false;
      mem(p).value_.reset();
      return true;
    }
  }
  static void take(void* p, std::vector<std::shared_ptr<void>>& out) {
    if constexpr (many) {
      for (auto& o : mem(p).items_) out.push_back(std::move(o));
      mem(p).items_.clear();
    } else {
      if (mem(p).value_) out.push_back(std::move(mem(p).value_));
      mem(p).value_.reset();
    }
  }
  static InstanceState* state_of(const std::shared_ptr<void>& o);  // mapping.hpp
  static InstanceState* state_at(const void* p, std::size_t i);    // mapping.hpp
  static constexpr RelOps ops{&base,     &size,     &item, &push, &erase, &take,
                              &state_of, &state_at, many,  &rel_target_mapper<Target>,
                              dynamic};
};

/// One relationship, type-erased: what registry::map() hands the core.
struct MappedRelationship {
  std::string key;
  RelationshipOptions options;
  RelOps ops{};
  std::ptrdiff_t offset = 0;
};

template <class T, class C, class V>
std::ptrdiff_t rel_member_offset(V C::*m);  // mapping.hpp
template <class T>
const Mapper** mapper_slot_of();  // mapping.hpp

/// A backref: the relationship to create on the related class (its member,
/// key and options); back_populates pairs the two.
struct BackrefSpec {
  MappedRelationship rel;
  /// Where the related class's mapper is (its mapper_slot).
  const Mapper** slot = nullptr;
};

/// `orm::relationship<&User::orders>("orders", ...)`.
template <auto M>
struct RelationshipDef {
  std::string key;
  RelationshipOptions options;
  template <class T>
  MappedRelationship resolve() const {
    MappedRelationship r;
    r.key = key;
    r.options = options;
    if constexpr (RelAttr<T, M>::dynamic) r.options.lazy = Lazy::dynamic;
    r.ops = RelAttr<T, M>::ops;
    r.offset = rel_member_offset<T>(M);
    return r;
  }
};
}  // namespace detail

/// back_populates="name": the relationship on the other class that mirrors this one.
inline detail::RelOption back_populates(std::string name) {
  return {[name = std::move(name)](RelationshipOptions& o) { o.back_populates = name; }};
}
/// lazy=...: the default loading strategy.
inline detail::RelOption lazy(Lazy how) {
  return {[how](RelationshipOptions& o) { o.lazy = how; }};
}
/// cascade="all, delete-orphan" and the like.
inline detail::RelOption cascade(std::string spec) {
  return {[spec = std::move(spec)](RelationshipOptions& o) { o.cascade = spec; }};
}
/// passive_deletes=True: rely on ON DELETE CASCADE instead of loading children to delete them.
inline detail::RelOption passive_deletes(bool on = true) {
  return {[on](RelationshipOptions& o) { o.passive_deletes = on; }};
}
/// secondary=association_table: a many-to-many relationship through the
/// association table (a Core Table with foreign keys to both classes' tables).
inline detail::RelOption secondary(const Table& table) {
  return {[table](RelationshipOptions& o) { o.secondary = table; }};
}
/// secondary="post_tags": the association table by name, from the registry's metadata.
inline detail::RelOption secondary(std::string table_name) {
  return {[n = std::move(table_name)](RelationshipOptions& o) { o.secondary_name = n; }};
}
/// primaryjoin=...: the join between the parent and the related (or, with
/// secondary, the association) table, written out. A callable evaluated once
/// mappers are configured:
/// `orm::primaryjoin([] { return orm::col(&User::id) == follows.c["follower_id"]; })`.
template <class F>
detail::RelOption primaryjoin(F fn) {
  return {[fn](RelationshipOptions& o) { o.primaryjoin = [fn] { return ColumnElement(fn()); }; }};
}
/// secondaryjoin=...: with secondary, the join between the association table
/// and the related table (needed when both point at the same table).
template <class F>
detail::RelOption secondaryjoin(F fn) {
  return {[fn](RelationshipOptions& o) { o.secondaryjoin = [fn] { return ColumnElement(fn()); }; }};
}
/// backref: also creates the reverse relationship on the related class, on
/// member M there (C++ has no attributes to add at run time, so the member is
/// declared; only its relationship() is implied):
/// `orm::relationship<&Order::user>("user", orm::backref<&User::orders>("orders"))`.
/// The backref takes relationship options of its own (lazy, cascade, order_by ...).
template <auto M, class... O>
requires std::is_member_object_pointer_v<decltype(M)>
detail::RelOption backref(std::string key, const O&... opts) {
  using C = typename detail::member_traits<decltype(M)>::cls;
  auto spec = std::make_shared<detail::BackrefSpec>();
  spec->rel.key = std::move(key);
  (opts.apply(spec->rel.options), ...);
  spec->rel.ops = detail::RelAttr<C, M>::ops;
  spec->rel.offset = detail::rel_member_offset<C>(M);
  spec->slot = detail::mapper_slot_of<C>();
  return {[spec](RelationshipOptions& o) { o.backref = spec; }};
}
/// viewonly=True: used for loading only; the flush ignores it.
inline detail::RelOption viewonly(bool on = true) {
  return {[on](RelationshipOptions& o) { o.viewonly = on; }};
}
/// order_by=...: the collection's order, as a callable returning the ORDER BY
/// items (evaluated once mappers are configured):
/// `orm::order_by([] { return orm::col(&Order::created_at).desc(); })`.
template <class F>
detail::RelOption order_by(F fn) {
  return {[fn](RelationshipOptions& o) {
    o.order_by = detail::columns_fn(fn);
  }};
}
/// foreign_keys=[...]: which foreign key column(s) this relationship joins on,
/// when two point at the same table: `orm::foreign_keys([] { return orm::col(&Message::sender_id); })`.
template <class F>
detail::RelOption foreign_keys(F fn) {
  return {[fn](RelationshipOptions& o) {
    o.foreign_keys = detail::columns_fn(fn);
  }};
}

/// remote_side=[Category.id]: marks a self-referential relationship as
/// many-to-one (the parent): `orm::remote_side([] { return orm::col(&Category::id); })`.
template <class F>
detail::RelOption remote_side(F fn) {
  return {[fn](RelationshipOptions& o) {
    o.remote_side = detail::columns_fn(fn);
  }};
}

/// A relationship on member M (an orm::Many<T> or orm::One<T>), named `key`.
template <auto M, class... O>
requires std::is_member_object_pointer_v<decltype(M)>
detail::RelationshipDef<M> relationship(std::string key, const O&... opts) {
  static_assert((std::is_same_v<O, detail::RelOption> && ...),
                "alchemy: relationship() takes options such as orm::back_populates(\"name\"), "
                "orm::lazy(orm::Lazy::selectin), orm::cascade(\"all, delete-orphan\"), "
                "orm::order_by(...), orm::foreign_keys(...)");
  detail::RelationshipDef<M> d;
  d.key = std::move(key);
  (opts.apply(d.options), ...);
  return d;
}

/// A loader option for a query (SQLAlchemy's selectinload(User.orders) and
/// friends): `orm::select<User>().options(orm::selectinload(&User::orders))`.
/// Chains load deeper: `orm::selectinload(&User::orders).joinedload(&Order::items)`.
class LoaderOption {
 public:
  /// One relationship of the path: a member of a class, or a key.
  struct Step {
    const Mapper* (*cls)() = nullptr;
    std::ptrdiff_t offset = -1;  // or, when negative, `key`
    std::string key;
    Lazy how = Lazy::select;
  };
  /// A column loading option (load_only(), defer(), undefer(), undefer_group();
  /// orm/deferral.hpp) for the class at the end of `path` (the query's
  /// entities when the path is empty).
  struct Columns {
    enum class Kind : std::uint8_t { load_only, defer, undefer, undefer_group };
    Kind kind = Kind::defer;
    /// The class the members belong to; null for undefer_group() without a class.
    const Mapper* (*cls)() = nullptr;
    /// Member offsets within the class.
    std::vector<std::ptrdiff_t> offsets;
    /// undefer_group(): the group's name.
    std::string group;
  };
  LoaderOption() = default;
  explicit LoaderOption(Step s) { path.push_back(std::move(s)); }
  explicit LoaderOption(std::shared_ptr<const Columns> c) : columns(std::move(c)) {}

  template <class C, class V>
  LoaderOption joinedload(V C::*m) const {
    return then(m, Lazy::joined);
  }
  template <class C, class V>
  LoaderOption selectinload(V C::*m) const {
    return then(m, Lazy::selectin);
  }
  template <class C, class V>
  LoaderOption lazyload(V C::*m) const {
    return then(m, Lazy::select);
  }
  template <class C, class V>
  LoaderOption noload(V C::*m) const {
    return then(m, Lazy::noload);
  }
  template <class C, class V>
  LoaderOption raiseload(V C::*m) const {
    return then(m, Lazy::raise);
  }
  template <class C, class V>
  LoaderOption subqueryload(V C::*m) const {
    return then(m, Lazy::subquery);
  }

  std::vector<Step> path;
  /// Set for a column loading option: which columns of the path's class load.
  std::shared_ptr<const Columns> columns;

  /// Column options for the objects this relationship path loads:
  /// `orm::selectinload(&User::orders).load_only(&Order::id, &Order::amount)`.
  template <class... M>
  LoaderOption load_only(M... members) const {
    return with_columns(Columns::Kind::load_only, members...);
  }
  template <class... M>
  LoaderOption defer(M... members) const {
    return with_columns(Columns::Kind::defer, members...);
  }
  template <class... M>
  LoaderOption undefer(M... members) const {
    return with_columns(Columns::Kind::undefer, members...);
  }

  /// The columns part of an option naming `members` (all of one class).
  template <class T = void, class M0, class... M>
  static std::shared_ptr<const Columns> column_spec(typename Columns::Kind kind, M0 first,
                                                    M... rest) {
    static_assert(
        std::is_member_object_pointer_v<M0> && (std::is_member_object_pointer_v<M> && ...),
        "alchemy: column loading options take member pointers: "
        "orm::load_only(&User::id, &User::name)");
    using C0 = typename detail::member_traits<M0>::cls;
    using C = std::conditional_t<std::is_void_v<T>, C0, T>;
    auto c = std::make_shared<Columns>();
    c->kind = kind;
    c->cls = &detail::rel_target_mapper<C>;
    c->offsets = {detail::rel_member_offset<C>(first), detail::rel_member_offset<C>(rest)...};
    return c;
  }

 private:
  template <class... M>
  LoaderOption with_columns(typename Columns::Kind kind, M... members) const {
    static_assert(sizeof...(M) > 0, "alchemy: name at least one member");
    if (path.empty() || columns)
      throw ArgumentError(
          "load_only()/defer()/undefer() chain after a relationship option "
          "(orm::selectinload(&User::orders).load_only(&Order::id)), once");
    LoaderOption o = *this;
    o.columns = column_spec(kind, members...);
    return o;
  }
  template <class C, class V>
  LoaderOption then(V C::*m, Lazy how) const {
    LoaderOption o = *this;
    o.path.push_back(step(m, how));
    return o;
  }

 public:
  template <class C, class V>
  static Step step(V C::*m, Lazy how) {
    return Step{&detail::rel_target_mapper<C>, detail::rel_member_offset<C>(m), {}, how};
  }
  template <class C>
  static Step step(std::string key, Lazy how) {
    return Step{&detail::rel_target_mapper<C>, -1, std::move(key), how};
  }
};

/// Loads the relationship with the parents' query, by LEFT OUTER JOIN.
template <class C, class V>
LoaderOption joinedload(V C::*m) {
  return LoaderOption(LoaderOption::step(m, Lazy::joined));
}
/// Loads the relationship after the parents' query: SELECT ... WHERE key IN (...).
template <class C, class V>
LoaderOption selectinload(V C::*m) {
  return LoaderOption(LoaderOption::step(m, Lazy::selectin));
}
/// Loads the relationship on first access (the default strategy).
template <class C, class V>
LoaderOption lazyload(V C::*m) {
  return LoaderOption(LoaderOption::step(m, Lazy::select));
}
/// Never loads the relationship: it stays empty.
template <class C, class V>
LoaderOption noload(V C::*m) {
  return LoaderOption(LoaderOption::step(m, Lazy::noload));
}
/// Access of the unloaded relationship raises InvalidRequestError (an N+1 guard).
template <class C, class V>
LoaderOption raiseload(V C::*m) {
  return LoaderOption(LoaderOption::step(m, Lazy::raise));
}
/// Loads the relationship after the parents' query, selecting the related rows
/// whose key is IN the parents' query turned into a subquery (SQLAlchemy's subqueryload).
template <class C, class V>
LoaderOption subqueryload(V C::*m) {
  return LoaderOption(LoaderOption::step(m, Lazy::subquery));
}
/// The statement already JOINs the related table (and selects nothing else
/// under those names): its rows fill the relationship, as joinedload's would.
/// `orm::select<User>().join(&User::orders).where(...).options(orm::contains_eager(&User::orders))`.
template <class C, class V>
LoaderOption contains_eager(V C::*m) {
  return LoaderOption(LoaderOption::step(m, Lazy::contains_eager));
}
/// The same, naming the relationship by key: `orm::selectinload<User>("orders")`.
template <class C>
LoaderOption joinedload(std::string key) {
  return LoaderOption(LoaderOption::step<C>(std::move(key), Lazy::joined));
}
template <class C>
LoaderOption selectinload(std::string key) {
  return LoaderOption(LoaderOption::step<C>(std::move(key), Lazy::selectin));
}
template <class C>
LoaderOption lazyload(std::string key) {
  return LoaderOption(LoaderOption::step<C>(std::move(key), Lazy::select));
}
template <class C>
LoaderOption noload(std::string key) {
  return LoaderOption(LoaderOption::step<C>(std::move(key), Lazy::noload));
}
template <class C>
LoaderOption raiseload(std::string key) {
  return LoaderOption(LoaderOption::step<C>(std::move(key), Lazy::raise));
}
template <class C>
LoaderOption subqueryload(std::string key) {
  return LoaderOption(LoaderOption::step<C>(std::move(key), Lazy::subquery));
}
template <class C>
LoaderOption contains_eager(std::string key) {
  return LoaderOption(LoaderOption::step<C>(std::move(key), Lazy::contains_eager));
}

/// Runs the ORM's collector of reference cycles now: objects that only keep
/// each other alive through relationship members (a user and its orders, both
/// pointing at each other) are released. It also runs by itself when sessions
/// close or commit and as the number of objects with relationships grows.
/// It examines the objects created or loaded on the calling thread. Returns
/// how many relationship references it dropped (0: nothing was garbage).
ALCHEMY_EXPORT std::size_t collect();

}  // namespace alchemy::orm
