// Session: the identity map and unit of work (SQLAlchemy's orm.Session).
//
//   orm::sessionmaker Session(engine);
//   {
//     orm::Session session = Session();            // closes (rolls back) at scope end
//     auto user = std::make_shared<User>(User{.name = "Ahmad"});
//     session.add(user);                           // pending
//     session.commit();                            // INSERT ... ; user->id is set
//     auto same = session.get<User>(user->id);     // the same object: one row, one object
//   }
//
// Objects are plain structs held by std::shared_ptr. A session keeps the
// objects it knows alive until close(), expunge() or expunge_all(). Within a
// session, one row is one object (the identity map, keyed by mapper and
// primary key).
//
// Change tracking: members are plain C++ data, so the session cannot see
// writes as they happen. It keeps a fingerprint of every column member as
// loaded (or last flushed) and compares at flush: UPDATE sets only the columns
// whose member changed. Integers, floats and booleans are compared exactly;
// text, bytes and other variable-size values by a 64-bit keyed hash.
//
// Expiry: commit() (with expire_on_commit) and expire() mark objects expired.
// Reading a member never runs SQL; instead, the next time the session meets
// the row — get(), a query returning it, refresh() — it overwrites the members
// the program has not changed since the last load with the database's values.
// Members changed in C++ keep their new values and are flushed.
//
// A Session is not thread-safe: one thread at a time (scoped_session gives
// each thread its own).
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "alchemy/engine/connection.hpp"
#include "alchemy/engine/engine.hpp"
#include "alchemy/orm/mapping.hpp"
#include "alchemy/orm/query.hpp"

namespace alchemy::orm {

class Session;
template <class T>
class Query;

namespace detail {
struct SessionImpl;
struct MergeMemo;
template <class T>
InstanceState* state_for(const std::shared_ptr<T>& obj, bool create) {
  if (InstanceState* st = state_of_node(obj)) return st;
  return foreign_state(std::static_pointer_cast<void>(obj), mapper_for_object(obj), create);
}
}  // namespace detail

/// Session configuration (sessionmaker's keyword arguments).
struct SessionOptions {
  /// Flush pending changes before queries and get() (SQLAlchemy's autoflush).
  bool autoflush = true;
  /// Expire every object at commit (see the header comment).
  bool expire_on_commit = true;
  /// Begin a transaction on first use; false: operations outside begin() raise.
  bool autobegin = true;
};

/// The lifecycle state of an object (inspect(obj)).
enum class ObjectState { transient, pending, persistent, deleted, detached };

/// What inspect(obj) reports (SQLAlchemy's InstanceState).
struct InstanceInfo {
  ObjectState state = ObjectState::transient;
  bool transient() const noexcept { return state == ObjectState::transient; }
  bool pending() const noexcept { return state == ObjectState::pending; }
  bool persistent() const noexcept { return state == ObjectState::persistent; }
  bool deleted() const noexcept { return state == ObjectState::deleted; }
  bool detached() const noexcept { return state == ObjectState::detached; }
  /// Whether the object has a database identity (persistent, deleted or detached after).
  bool has_identity = false;
  /// The primary key values once the object has an identity.
  std::vector<Value> identity;
  /// Marked expired (commit with expire_on_commit, or expire()).
  bool expired = false;
  /// Changed since loaded (a column member differs from its snapshot).
  bool modified = false;
  /// The session it belongs to, or null.
  const Session* session = nullptr;
  /// Attribute keys without a loaded value (SQLAlchemy's InstanceState.unloaded):
  /// columns a query left out (deferred, load_only) and not loaded or assigned
  /// since, every column of an expired object the program has not changed, and
  /// relationships not loaded yet. See orm/deferral.hpp.
  std::vector<std::string> unloaded;
  bool is_unloaded(std::string_view key) const {
    for (const auto& k : unloaded)
      if (k == key) return true;
    return false;
  }
};

ALCHEMY_EXPORT InstanceInfo inspect_state(const detail::InstanceState* st);
/// SQLAlchemy's inspect(obj): the object's lifecycle state.
template <class T>
InstanceInfo inspect(const std::shared_ptr<T>& obj) {
  return inspect_state(detail::state_for(obj, false));
}

namespace detail {
ALCHEMY_EXPORT bool attribute_loaded(const InstanceState* st, const Mapper& m,
                                     std::ptrdiff_t offset);
}  // namespace detail

/// Whether member `m` of `obj` holds a loaded value (not in inspect(obj).unloaded):
/// `orm::is_loaded(book, &Book::summary)`. True for objects the ORM does not
/// track (their members are what the program put there). ArgumentError for a
/// member that is not a mapped column or relationship.
template <class T, class C, class V>
bool is_loaded(const std::shared_ptr<T>& obj, V C::*m) {
  if (!obj) throw InvalidRequestError("is_loaded() of a null object");
  return detail::attribute_loaded(detail::state_for(obj, false), mapper_of<T>(),
                                  detail::member_offset<T>(m));
}

/// A set of objects (session.new_(), dirty(), deleted()).
class IdentitySet {
 public:
  IdentitySet() = default;
  explicit IdentitySet(std::vector<std::shared_ptr<void>> objects) : objects_(std::move(objects)) {}
  template <class T>
  bool contains(const std::shared_ptr<T>& obj) const {
    for (const auto& o : objects_)
      if (o.get() == static_cast<const void*>(obj.get())) return true;
    return false;
  }
  std::size_t size() const noexcept { return objects_.size(); }
  bool empty() const noexcept { return objects_.empty(); }
  const std::vector<std::shared_ptr<void>>& objects() const noexcept { return objects_; }

 private:
  std::vector<std::shared_ptr<void>> objects_;
};

/// The transaction begun by Session::begin(): at scope end it commits, or rolls
/// back when the scope is left by an exception (SQLAlchemy's `with session.begin():`).
class ALCHEMY_EXPORT SessionTransaction {
 public:
  SessionTransaction(SessionTransaction&& o) noexcept
      : session_(std::exchange(o.session_, nullptr)), exceptions_(o.exceptions_) {}
  SessionTransaction(const SessionTransaction&) = delete;
  SessionTransaction& operator=(const SessionTransaction&) = delete;
  SessionTransaction& operator=(SessionTransaction&&) = delete;
  /// Commits, or rolls back during stack unwinding. A failing commit throws
  /// from here (unless an exception is already propagating).
  ~SessionTransaction() noexcept(false);
  void commit();
  void rollback();
  bool is_active() const noexcept;

 private:
  friend class Session;
  explicit SessionTransaction(Session* s);
  Session* session_;
  int exceptions_;
};

/// Receives the objects a query loads (typed adaptor for the core).
using ObjectSink = std::function<void(std::shared_ptr<void>&&)>;

class ALCHEMY_EXPORT Session {
 public:
  explicit Session(Engine bind, SessionOptions options = {});
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  /// close(): rolls back what was not committed.
  ~Session();

  // ---- adding, deleting ---------------------------------------------------------
  /// Makes a transient object pending (INSERT at the next flush); no-op for an
  /// object already in this session; re-attaches a detached object.
  /// Throws InvalidRequestError for an object that belongs to another session.
  template <class T>
  void add(const std::shared_ptr<T>& obj) {
    check_object(obj.get());
    add_state(detail::state_for(obj, true), std::static_pointer_cast<void>(obj));
  }
  /// add() for each object of a range of std::shared_ptr<T>.
  template <class R>
  void add_all(const R& objects) {
    for (const auto& o : objects) add(o);
  }
  /// `session.add_all({a, b, c})`.
  template <class T>
  void add_all(std::initializer_list<std::shared_ptr<T>> objects) {
    for (const auto& o : objects) add(o);
  }
  /// Marks a persistent object for DELETE at the next flush; a pending object
  /// is simply expunged (SQLAlchemy's session.delete()).
  template <class T>
  void delete_(const std::shared_ptr<T>& obj) {
    check_object(obj.get());
    delete_state(detail::state_for(obj, false), std::static_pointer_cast<void>(obj));
  }

  // ---- transactions ---------------------------------------------------------------
  /// Writes pending changes (INSERT/UPDATE/DELETE) in the session's transaction.
  /// On failure the transaction is rolled back and the session reports
  /// PendingRollbackError until rollback().
  void flush();
  /// flush() then COMMIT; objects are expired when expire_on_commit.
  void commit();
  /// ROLLBACK: objects inserted or added in the transaction are expunged,
  /// deleted ones restored, persistent ones expired.
  void rollback();
  /// Rolls back and releases every object (they become detached). The session
  /// can be used again afterwards.
  void close();
  /// Begins a transaction explicitly: `auto tx = session.begin(); ...` commits at
  /// scope end (rolls back on exception). InvalidRequestError when one is open.
  SessionTransaction begin();
  bool in_transaction() const noexcept;
  /// False while a failed flush awaits rollback().
  bool is_active() const noexcept;
  /// The connection of the session's transaction (begun if needed).
  Connection& connection();
  const Engine& bind() const noexcept;
  const SessionOptions& options() const noexcept;

  // ---- object management ----------------------------------------------------------
  /// Removes an object from the session (it becomes detached, or transient if pending).
  template <class T>
  void expunge(const std::shared_ptr<T>& obj) {
    expunge_state(detail::state_for(obj, false));
  }
  void expunge_all();
  /// Reloads the object's columns from the database now (SELECT by primary
  /// key): the columns a default query loads plus deferred ones already
  /// loaded; changes the program made to them are discarded. ObjectDeletedError
  /// when the row is gone.
  template <class T>
  void refresh(const std::shared_ptr<T>& obj) {
    refresh_state(detail::state_for(obj, false));
  }
  /// Reloads only the named attributes (SQLAlchemy's refresh(obj,
  /// attribute_names)): deferred or unloaded columns load now; a relationship
  /// key reloads that relationship (unless the program changed it since the
  /// last flush). The object's other members are left as they are.
  /// InvalidRequestError for a name that is not an attribute of the class.
  template <class T>
  void refresh(const std::shared_ptr<T>& obj, const std::vector<std::string>& attribute_names) {
    refresh_state(detail::state_for(obj, false), attribute_names);
  }
  /// Marks the object expired (see the header comment).
  template <class T>
  void expire(const std::shared_ptr<T>& obj) {
    expire_state(detail::state_for(obj, false));
  }
  void expire_all();
  /// Whether the object is in this session (pending, persistent or deleted-pending).
  template <class T>
  bool contains(const std::shared_ptr<T>& obj) const {
    return contains_state(detail::state_for(obj, false));
  }
  /// Copies the state of `obj` onto the persistent object with its primary key
  /// (loaded with get() if needed), or adds a copy as pending when there is
  /// none; returns the session's object. `obj` itself is not added.
  template <class T>
  std::shared_ptr<T> merge(const std::shared_ptr<T>& obj) {
    return std::static_pointer_cast<T>(
        merge_object(mapper_of<T>(), obj.get(), nullptr, detail::state_for(obj, false)));
  }

  /// Pending objects (SQLAlchemy's session.new).
  IdentitySet new_() const;
  /// Persistent objects with changed members.
  IdentitySet dirty() const;
  /// Objects marked for deletion.
  IdentitySet deleted() const;
  /// Every object in the identity map.
  std::size_t identity_map_size() const noexcept;

  // ---- loading ---------------------------------------------------------------------
  /// The object with this primary key: from the identity map without SQL when
  /// present (and not expired), else SELECT; null when there is no such row.
  template <class T, class K>
  requires(!std::is_same_v<std::remove_cvref_t<K>, std::vector<Value>>)
      std::shared_ptr<T> get(const K& pk) {
    return std::static_pointer_cast<T>(get_object(mapper_of<T>(), {Value(pk)}));
  }
  /// Composite primary key, in the key's column order: get<OrderItem>({1, 2}).
  template <class T>
  std::shared_ptr<T> get(const std::vector<Value>& pk) {
    return std::static_pointer_cast<T>(get_object(mapper_of<T>(), pk));
  }
  /// Objects of an entity statement: session.scalars(select<User>()...).all().
  template <class T>
  ScalarResult<T> scalars(const Select<T>& stmt, const Params& params = {}) {
    std::vector<std::shared_ptr<T>> out;
    load_objects(
        stmt.mappers(), stmt.core(), params,
        [&out](std::shared_ptr<void>&& o) { out.push_back(std::static_pointer_cast<T>(std::move(o))); },
        stmt.load_options());
    return ScalarResult<T>(std::move(out));
  }
  template <class T>
  ScalarResult<T> scalars(const FromStatement<T>& stmt, const Params& params = {}) {
    std::vector<std::shared_ptr<T>> out;
    load_objects({&mapper_of<T>()}, stmt.statement(), params, [&out](std::shared_ptr<void>&& o) {
      out.push_back(std::static_pointer_cast<T>(std::move(o)));
    });
    return ScalarResult<T>(std::move(out));
  }
  /// Rows of several entities: session.execute(select<User, Order>().join<Order>(...)).
  template <class... T>
  EntityResult<T...> execute(const Select<T...>& stmt, const Params& params = {}) {
    std::vector<std::tuple<std::shared_ptr<T>...>> rows;
    std::vector<std::shared_ptr<void>> row;
    row.reserve(sizeof...(T));
    load_objects(
        stmt.mappers(), stmt.core(), params,
        [&](std::shared_ptr<void>&& o) {
          row.push_back(std::move(o));
          if (row.size() == sizeof...(T)) {
            rows.push_back(make_row<T...>(row, std::index_sequence_for<T...>{}));
            row.clear();
          }
        },
        stmt.load_options());
    return EntityResult<T...>(std::move(rows));
  }
  /// Core statements through the session's transaction (autoflush first).
  Result execute(const Executable& statement, const Params& params = {});
  /// executemany through the session's transaction.
  Result execute(const Executable& statement, const std::vector<Params>& params);
  /// First column of the first row.
  Value scalar(const Executable& statement, const Params& params = {});
  template <class V>
  V scalar(const Executable& statement, const Params& params = {}) {
    return execute(statement, params).template scalar<V>();
  }
  /// A Query (SQLAlchemy 1.x style): session.query<User>().filter(...).all().
  template <class T>
  Query<T> query();

  // ---- bulk operations ------------------------------------------------------------
  /// INSERT of parameter sets keyed by attribute name, as one executemany;
  /// no objects are created and generated keys are not fetched.
  template <class T>
  void bulk_insert_mappings(const std::vector<Params>& mappings) {
    bulk_insert(mapper_of<T>(), mappings);
  }
  /// INSERT of each object, batched per class as executemany; the objects are
  /// not added to the session and generated keys are not fetched back
  /// (SQLAlchemy's bulk_save_objects with return_defaults=False, for new objects).
  template <class R>
  void bulk_save_objects(const R& objects) {
    for (const auto& o : objects) bulk_save(*mapper_for(o), o.get());
    flush_bulk();
  }

  /// Internal: used by Query and the templates above.
  /// Loads the entities of `stmt`; relationships load eagerly as their
  /// strategy and `options` say (joined ones change the statement).
  void load_objects(const std::vector<const Mapper*>& mappers, const Executable& stmt,
                    const Params& params, const ObjectSink& sink,
                    const std::vector<LoaderOption>* options = nullptr);
  std::shared_ptr<void> get_object(const Mapper& m, const std::vector<Value>& pk);
  void autoflush();
  detail::SessionImpl& impl() const { return *impl_; }
  void delete_state(detail::InstanceState* st, std::shared_ptr<void> obj);
  void expunge_state(detail::InstanceState* st);
  void refresh_state(detail::InstanceState* st);
  void refresh_state(detail::InstanceState* st, const std::vector<std::string>& attribute_names);
  void expire_state(detail::InstanceState* st);
  /// merge() of one object; `memo` holds what this merge() merged so far;
  /// `obj_state`, when known, says which members of `obj` are unloaded (not copied).
  std::shared_ptr<void> merge_object(const Mapper& m, const void* obj,
                                     detail::MergeMemo* memo = nullptr,
                                     const detail::InstanceState* obj_state = nullptr);

 private:
  template <class... T, std::size_t... I>
  static std::tuple<std::shared_ptr<T>...> make_row(std::vector<std::shared_ptr<void>>& row,
                                                    std::index_sequence<I...>) {
    return {std::static_pointer_cast<T>(std::move(row[I]))...};
  }
  template <class P>
  static const Mapper* mapper_for(const P&) {
    using T = typename P::element_type;
    return &mapper_of<T>();
  }
  static void check_object(const void* obj);
  void add_state(detail::InstanceState* st, std::shared_ptr<void> obj);
  bool contains_state(const detail::InstanceState* st) const;
  void bulk_insert(const Mapper& m, const std::vector<Params>& mappings);
  void bulk_save(const Mapper& m, const void* obj);
  void flush_bulk();

  std::unique_ptr<detail::SessionImpl> impl_;
};

/// A factory of configured sessions (SQLAlchemy's sessionmaker):
/// `orm::sessionmaker Session(engine, {.expire_on_commit = false}); auto s = Session();`
class ALCHEMY_EXPORT sessionmaker {
 public:
  explicit sessionmaker(Engine bind, SessionOptions options = {})
      : bind_(std::move(bind)), options_(options) {}
  Session operator()() const { return Session(bind_, options_); }
  /// A new session with its transaction begun.
  Session begin() const;
  const Engine& bind() const noexcept { return bind_; }
  const SessionOptions& options() const noexcept { return options_; }

 private:
  Engine bind_;
  SessionOptions options_;
};

/// One session per thread from a sessionmaker (SQLAlchemy's scoped_session):
/// `Session()` returns the calling thread's session; remove() closes and
/// discards it. Thread-safe.
class ALCHEMY_EXPORT scoped_session {
 public:
  explicit scoped_session(sessionmaker factory);
  ~scoped_session();
  scoped_session(const scoped_session&) = delete;
  scoped_session& operator=(const scoped_session&) = delete;
  /// The current thread's session (created on first use).
  Session& operator()();
  /// Closes and discards the current thread's session.
  void remove();
  /// Whether the current thread has a session.
  bool has() const;

 private:
  struct Registry;
  sessionmaker factory_;
  std::unique_ptr<Registry> registry_;
};

namespace detail {
ALCHEMY_EXPORT std::int64_t query_update(Session& s, const Mapper& m, const alchemy::Select& stmt,
                                         const Params* values, const ValuesList* exprs,
                                         const std::string& sync);
ALCHEMY_EXPORT std::int64_t query_delete(Session& s, const Mapper& m, const alchemy::Select& stmt,
                                         const std::string& sync);
}  // namespace detail

/// SQLAlchemy 1.x's Query over one entity: session.query<User>().filter(...).all().
template <class T>
class Query {
 public:
  Query(Session& session, Select<T> stmt) : session_(&session), stmt_(std::move(stmt)) {}

  template <class... E>
  Query filter(const E&... criteria) const {
    return Query(*session_, stmt_.where(criteria...));
  }
  Query filter_by(const Params& criteria) const {
    return Query(*session_, stmt_.filter_by(criteria));
  }
  template <class... E>
  Query order_by(const E&... cols) const {
    return Query(*session_, stmt_.order_by(cols...));
  }
  template <class... E>
  Query group_by(const E&... cols) const {
    return Query(*session_, stmt_.group_by(cols...));
  }
  template <class... E>
  Query having(const E&... criteria) const {
    return Query(*session_, stmt_.having(criteria...));
  }
  Query limit(std::int64_t n) const { return Query(*session_, stmt_.limit(n)); }
  /// Loader options: `query<User>().options(orm::selectinload(&User::orders))`.
  template <class... O>
  Query options(const O&... opts) const {
    return Query(*session_, stmt_.options(opts...));
  }
  Query offset(std::int64_t n) const { return Query(*session_, stmt_.offset(n)); }
  Query distinct() const { return Query(*session_, stmt_.distinct()); }
  template <class U>
  Query join(const ColumnElement& onclause, bool isouter = false) const {
    return Query(*session_, stmt_.template join<U>(onclause, isouter));
  }
  template <class U>
  Query outerjoin(const ColumnElement& onclause) const {
    return Query(*session_, stmt_.template join<U>(onclause, true));
  }
  /// JOIN the class U on the foreign key between them (SQLAlchemy's query(User).join(Order)).
  template <class U>
  Query join() const {
    return Query(*session_, stmt_.template join<U>());
  }
  template <class U>
  Query outerjoin() const {
    return Query(*session_, stmt_.template outerjoin<U>());
  }
  /// JOIN along a relationship: `query<Post>().join(&Post::tags)`.
  template <class C, class V>
  requires detail::is_relation_member<V>::value
  Query join(V C::*rel, bool isouter = false) const {
    return Query(*session_, stmt_.join(rel, isouter));
  }
  template <class C, class V>
  requires detail::is_relation_member<V>::value
  Query outerjoin(V C::*rel) const {
    return Query(*session_, stmt_.outerjoin(rel));
  }

  std::vector<std::shared_ptr<T>> all() const { return session_->scalars(stmt_).all(); }
  /// First object (LIMIT 1) or null.
  std::shared_ptr<T> first() const { return session_->scalars(stmt_.limit(1)).first(); }
  std::shared_ptr<T> one() const { return session_->scalars(stmt_).one(); }
  std::shared_ptr<T> one_or_none() const { return session_->scalars(stmt_).one_or_none(); }
  /// SELECT count(*) FROM (the query) AS anon_1.
  std::int64_t count() const {
    auto sub = stmt_.core().subquery();
    return session_->scalar<std::int64_t>(alchemy::select(func.count()).select_from(sub));
  }
  /// get() by primary key (SQLAlchemy's Query.get()).
  template <class K>
  std::shared_ptr<T> get(const K& pk) const {
    return session_->get<T>(pk);
  }
  /// UPDATE ... SET values WHERE (the query's criteria); synchronize_session
  /// "evaluate" (default) / "fetch" also update the matching objects in the
  /// identity map, false leaves them. Returns the rows matched.
  std::int64_t update(const Params& values, const std::string& synchronize_session = "evaluate") const;
  /// UPDATE with SQL expressions:
  /// `update(ValuesList{{"description", col(&C::description).concat(" x")}})`;
  /// matching objects in the identity map take the updated row (RETURNING).
  template <class V>
  requires std::same_as<V, ValuesList> std::int64_t update(
      const V& values, const std::string& synchronize_session = "evaluate") const {
    return detail::query_update(*session_, mapper_of<T>(), stmt_.core(), nullptr, &values,
                                synchronize_session);
  }
  /// DELETE WHERE (the query's criteria); matching objects in the identity map
  /// are marked deleted unless synchronize_session is "false". Returns rows matched.
  std::int64_t delete_(const std::string& synchronize_session = "evaluate") const;

  Subquery subquery(std::string name = {}) const { return stmt_.subquery(std::move(name)); }
  ColumnElement scalar_subquery() const { return stmt_.scalar_subquery(); }
  ColumnElement exists() const { return stmt_.exists(); }
  const Select<T>& statement() const noexcept { return stmt_; }
  std::string str() const { return stmt_.str(); }

 private:
  Session* session_;
  Select<T> stmt_;
};


template <class T>
std::int64_t Query<T>::update(const Params& values, const std::string& sync) const {
  return detail::query_update(*session_, mapper_of<T>(), stmt_.core(), &values, nullptr, sync);
}

template <class T>
std::int64_t Query<T>::delete_(const std::string& sync) const {
  return detail::query_delete(*session_, mapper_of<T>(), stmt_.core(), sync);
}

template <class T>
Query<T> Session::query() {
  return Query<T>(*this, Select<T>());
}

}  // namespace alchemy::orm
