// Column loading options (SQLAlchemy's "Column Loading Options"): which
// mapped columns a query loads, deferred columns in a mapping, and the
// orm::Deferred<T> member type that loads its column on first use.
//
//   Base.map<Book>("books", orm::column<&Book::id>("id", primary_key()),
//       orm::column<&Book::title>("title", String(200)),
//       orm::column<&Book::summary>("summary", Text, orm::deferred()),   //
//       mapped_column(deferred=True) orm::column<&Book::cover>("cover", LargeBinary,
//       orm::deferred("photos")));
//
//   session.scalars(orm::select<Book>());                              // SELECT books.id,
//   books.title session.scalars(orm::select<Book>().options(orm::undefer(&Book::summary)));
//   session.scalars(orm::select<Book>().options(orm::load_only(&Book::title)));
//   session.scalars(orm::select<Book>().options(orm::defer(&Book::title)));
//   orm::is_loaded(book, &Book::summary);                              // false: not loaded
//   session.refresh(book, {"summary"});                                // loads it now
//
// A plain member cannot load itself when read, so a column a query did not
// load is *unloaded*: the member keeps the value it had (the default for an
// object the query created), inspect(obj).unloaded lists it, and nothing is
// ever written back from it. It becomes loaded when the program loads it
// (refresh() with its name, a later query that selects it, or an
// orm::Deferred<T> member's first use) or assigns it. The flush rule: a
// column is written when its member differs from the value it had when the
// object was loaded (change tracking's fingerprint), loaded or not; an
// unloaded member the program did not change is never written. An
// orm::Deferred<T> member assigned while unloaded is written even when the
// value equals the one it held (Python's attribute set event); a plain member
// cannot tell that assignment from none.
//
// Primary key columns and the version counter are always loaded.
//
// Threads: as for the objects themselves (one thread at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "alchemy/orm/relationships.hpp"

namespace alchemy::orm {

namespace detail {

struct InstanceState;

/// `orm::deferred(...)` in orm::column(): mapping-level deferral.
struct DeferredTag {
  /// Columns of one group load together (deferred(group=...) / undefer_group()).
  std::string group;
  /// An orm::Deferred<T> member raises instead of loading (deferred_raiseload=True).
  bool raiseload = false;
};

/// What an orm::Deferred<T> member shares with the core: the owning object's
/// state and the column's attribute index (set by the ORM; null owner for an
/// object the ORM does not know yet).
class ALCHEMY_EXPORT DeferredBase {
 public:
  DeferredBase() noexcept = default;
  /// Copies are plain values: the copy belongs to no object yet.
  DeferredBase(const DeferredBase&) noexcept {}
  DeferredBase& operator=(const DeferredBase&) noexcept { return *this; }

  // Internal: set by the ORM.
  InstanceState* owner_ = nullptr;
  std::uint32_t index_ = 0;
};

/// Loads the member's column when it is unloaded (or its object expired) in
/// the owner's session. Throws DetachedInstanceError for a detached object
/// whose column was never loaded, InvalidRequestError for a raiseload column.
ALCHEMY_EXPORT void deferred_load(const DeferredBase& d);
/// The program assigned the member: it is loaded now, and written at flush.
ALCHEMY_EXPORT void deferred_assigned(DeferredBase& d) noexcept;
ALCHEMY_EXPORT bool deferred_loaded(const DeferredBase& d) noexcept;

}  // namespace detail

/// Marks a mapped column deferred (SQLAlchemy's mapped_column(deferred=True) /
/// deferred()): default SELECTs leave it out; undefer() or load_only() load it.
/// Columns with the same `group` load together (deferred_group="photos").
inline detail::DeferredTag deferred(std::string group = {}) { return {std::move(group), false}; }
/// A deferred column whose orm::Deferred<T> member raises InvalidRequestError
/// instead of loading when unloaded (mapped_column(deferred_raiseload=True)).
inline detail::DeferredTag deferred_raiseload(std::string group = {}) {
  return {std::move(group), true};
}

/// A mapped member that loads its column on first use, as a Python attribute
/// does: `orm::Deferred<std::string> summary;`. Reading it (get(), *, ->,
/// conversion) when the column is unloaded runs
/// `SELECT summary FROM books WHERE id = ?` in the object's session (with the
/// other unloaded columns of its deferred group); on a detached object it
/// raises DetachedInstanceError instead. Assigning it needs no load and is
/// always written at flush. Map it like any member:
/// `orm::column<&Book::summary>("summary", Text, orm::deferred())`.
template <class T>
class Deferred : public detail::DeferredBase {
 public:
  using value_type = T;
  Deferred() = default;
  Deferred(T value) : value_(std::move(value)) {}  // NOLINT
  Deferred(const Deferred& o) : DeferredBase(), value_(o.get()) {}
  Deferred(Deferred&& o) : DeferredBase(), value_(std::move(const_cast<T&>(o.get()))) {}
  Deferred& operator=(const Deferred& o) {
    if (this != &o) set(o.get());
    return *this;
  }
  Deferred& operator=(T value) {
    set(std::move(value));
    return *this;
  }

  /// The value (loaded first if needed).
  const T& get() const {
    if (owner_ != nullptr) detail::deferred_load(*this);
    return value_;
  }
  operator const T&() const { return get(); }  // NOLINT
  const T& operator*() const { return get(); }
  const T* operator->() const { return &get(); }
  /// The value for changing in place (loaded first if needed); the change is
  /// flushed like any member's.
  T& mut() {
    get();
    return value_;
  }
  /// Replaces the value (no load needed).
  void set(T value) {
    value_ = std::move(value);
    if (owner_ != nullptr) detail::deferred_assigned(*this);
  }
  /// Whether the value is there without SQL (always, for objects the ORM does not know).
  bool loaded() const noexcept { return owner_ == nullptr || detail::deferred_loaded(*this); }
  friend bool operator==(const Deferred& a, const T& b) { return a.get() == b; }

  /// Internal: the storage, without loading (the ORM's loaders and flush).
  T& raw() noexcept { return value_; }
  const T& raw() const noexcept { return value_; }

 private:
  mutable T value_{};
};

namespace detail {
template <class V>
struct deferred_of {
  using type = V;
  static constexpr bool value = false;
};
template <class V>
struct deferred_of<Deferred<V>> {
  using type = V;
  static constexpr bool value = true;
};
}  // namespace detail

/// Loads only these columns of their class, plus the primary key (SQLAlchemy's
/// load_only(User.name, User.email)); a deferred column named here loads too.
/// For a member declared in a mixin, name the mapped class: `load_only<User>(&Mixin::x)`.
/// Naming a class that is not an entity of the query, or a member that is not a
/// mapped column, raises ArgumentError.
template <class T = void, class... M>
requires(sizeof...(M) > 0) LoaderOption load_only(M... members) {
  return LoaderOption(
      LoaderOption::column_spec<T>(LoaderOption::Columns::Kind::load_only, members...));
}
/// Leaves these columns out of the SELECT (SQLAlchemy's defer(User.bio)).
template <class T = void, class... M>
requires(sizeof...(M) > 0) LoaderOption defer(M... members) {
  return LoaderOption(LoaderOption::column_spec<T>(LoaderOption::Columns::Kind::defer, members...));
}
/// Loads these deferred columns with the query (SQLAlchemy's undefer(User.bio)).
template <class T = void, class... M>
requires(sizeof...(M) > 0) LoaderOption undefer(M... members) {
  return LoaderOption(
      LoaderOption::column_spec<T>(LoaderOption::Columns::Kind::undefer, members...));
}
/// Loads the deferred columns of `group` of class C (SQLAlchemy's undefer_group("photos")).
template <class C>
LoaderOption undefer_group(std::string group) {
  auto c = std::make_shared<LoaderOption::Columns>();
  c->kind = LoaderOption::Columns::Kind::undefer_group;
  c->cls = &detail::rel_target_mapper<C>;
  c->group = std::move(group);
  return LoaderOption(std::move(c));
}
/// The same for every entity of the query that has the group.
inline LoaderOption undefer_group(std::string group) {
  auto c = std::make_shared<LoaderOption::Columns>();
  c->kind = LoaderOption::Columns::Kind::undefer_group;
  c->group = std::move(group);
  return LoaderOption(std::move(c));
}

}  // namespace alchemy::orm
