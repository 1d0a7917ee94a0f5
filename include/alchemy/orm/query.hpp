// ORM statements: select<User>() (SQLAlchemy 2.0's select(User)) and the
// results that turn rows into mapped objects.
//
//   auto stmt = orm::select<User>().where(orm::col(&User::age) >= 18)
//                                  .order_by(orm::col(&User::name));
//   std::vector<std::shared_ptr<User>> adults = session.scalars(stmt).all();
//   for (auto [user, order] : session.execute(orm::select<User, Order>().join<Order>(...)).all())
//
// An orm::Select<T...> is a Core Select over the entities' tables plus what the
// session needs to build objects from its rows; every Core builder method is
// available and returns another orm::Select. core() gives the Core statement
// (for subquery(), exists(), union_ ...).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "alchemy/core/sql/dml.hpp"
#include "alchemy/core/sql/selectable.hpp"
#include "alchemy/core/sql/text.hpp"
#include "alchemy/orm/mapping.hpp"

namespace alchemy::orm {

class Session;

namespace detail {
/// The entities of an ORM statement and where each one's columns start in a row.
struct EntitySpec {
  std::vector<const Mapper*> mappers;
};
ALCHEMY_EXPORT alchemy::Select entity_select(const std::vector<const Mapper*>& mappers);
ALCHEMY_EXPORT ColumnElement filter_by_clause(const Mapper& m, const Params& criteria);
/// The relationship mapped on member `offset` of `m`; ArgumentError when none is.
ALCHEMY_EXPORT const RelationshipProperty& relationship_for(const Mapper& m, std::ptrdiff_t offset);
/// `stmt` JOINed along relationship `p` (through its association table for a many-to-many).
ALCHEMY_EXPORT alchemy::Select relationship_join(const alchemy::Select& stmt,
                                                 const RelationshipProperty& p, bool isouter);
/// EXISTS (SELECT ... WHERE <the join> [AND criterion]): any() / has().
ALCHEMY_EXPORT ColumnElement relationship_exists(const RelationshipProperty& p,
                                                 const ColumnElement* criterion, bool scalar);
/// contains(obj) (collections) / == obj (references); `obj` null: IS NULL.
ALCHEMY_EXPORT ColumnElement relationship_compare(const RelationshipProperty& p, const void* obj,
                                                  bool contains);
template <class C, class V>
const RelationshipProperty& relationship_of(V C::*m) {
  return relationship_for(mapper_of<C>(), member_offset<C>(m));
}
template <class V>
struct is_relation_member : std::false_type {};
template <class T>
struct is_relation_member<Many<T>> : std::true_type {};
template <class T>
struct is_relation_member<One<T>> : std::true_type {};
template <class T>
struct is_relation_member<Dynamic<T>> : std::true_type {};
/// SELECT of `m` with the tables of `subclasses` LEFT OUTER JOINed (with_polymorphic).
ALCHEMY_EXPORT alchemy::Select polymorphic_select(const Mapper& m,
                                                  const std::vector<const Mapper*>& subclasses);
/// Whether any option is a column option (load_only, defer, ...) for the root entities.
inline bool has_column_options(const std::vector<LoaderOption>& options) noexcept {
  for (const auto& o : options)
    if (o.columns && o.path.empty()) return true;
  return false;
}
/// `core` with the entities' columns as the column options say (deferral.cpp);
/// ArgumentError for an option naming no entity or an unmapped member.
ALCHEMY_EXPORT alchemy::Select with_column_options(const alchemy::Select& core,
                                                   const std::vector<const Mapper*>& mappers,
                                                   const std::vector<LoaderOption>& options);
}  // namespace detail

/// A relationship in SQL expressions (SQLAlchemy's User.orders / Order.user as
/// comparators): `orm::rel(&User::orders).any(orm::col(&Order::total) > 100)`.
template <class C, class V>
class RelationshipComparator {
 public:
  using Target = typename detail::rel_target<V>::type;
  explicit RelationshipComparator(V C::*m) : m_(m) {}
  /// EXISTS a related object (matching `criterion`): for collections.
  ColumnElement any() const { return exists(nullptr, false); }
  ColumnElement any(const ColumnElement& criterion) const { return exists(&criterion, false); }
  /// The related object exists (and matches `criterion`): for references.
  ColumnElement has() const { return exists(nullptr, true); }
  ColumnElement has(const ColumnElement& criterion) const { return exists(&criterion, true); }
  /// The collection contains `obj`.
  ColumnElement contains(const std::shared_ptr<Target>& obj) const {
    return detail::relationship_compare(prop(), obj.get(), true);
  }
  /// The reference is `obj` (Order.user == user); == nullptr: there is none.
  ColumnElement operator==(const std::shared_ptr<Target>& obj) const {
    return detail::relationship_compare(prop(), obj.get(), false);
  }
  ColumnElement operator==(std::nullptr_t) const {
    return detail::relationship_compare(prop(), nullptr, false);
  }
  ColumnElement operator!=(const std::shared_ptr<Target>& obj) const { return not_(*this == obj); }
  ColumnElement operator!=(std::nullptr_t) const { return not_(*this == nullptr); }
  const RelationshipProperty& prop() const { return detail::relationship_of(m_); }

 private:
  ColumnElement exists(const ColumnElement* c, bool scalar) const {
    return detail::relationship_exists(prop(), c, scalar);
  }
  V C::*m_;
};

/// `orm::rel(&Post::tags).any(orm::col(&Tag::name) == "python")`.
template <class C, class V>
requires detail::is_relation_member<V>::value
RelationshipComparator<C, V> rel(V C::*m) {
  return RelationshipComparator<C, V>(m);
}

/// SELECT of mapped entities (SQLAlchemy's select(User) / select(User, Address)).
template <class... T>
class Select {
 public:
  Select() : core_(detail::entity_select({&mapper_of<T>()...})) {}
  /// Internal: an entity statement over `core` (its first columns are the entities').
  explicit Select(alchemy::Select core) : core_(std::move(core)) {}

  template <class... E>
  Select where(const E&... criteria) const {
    return derive(core_.where(criteria...));
  }
  template <class... E>
  Select filter(const E&... criteria) const {
    return derive(core_.where(criteria...));
  }
  /// WHERE attr = value for each key (SQLAlchemy's filter_by(name="Ahmad")),
  /// keys naming attributes of the first entity.
  Select filter_by(const Params& criteria) const {
    return derive(core_.where(detail::filter_by_clause(first_mapper(), criteria)));
  }
  template <class... E>
  Select order_by(const E&... cols) const {
    return derive(core_.order_by(cols...));
  }
  template <class... E>
  Select group_by(const E&... cols) const {
    return derive(core_.group_by(cols...));
  }
  template <class... E>
  Select having(const E&... criteria) const {
    return derive(core_.having(criteria...));
  }
  Select limit(std::int64_t n) const { return derive(core_.limit(n)); }
  Select offset(std::int64_t n) const { return derive(core_.offset(n)); }
  Select distinct() const { return derive(core_.distinct()); }
  /// JOIN the mapped class U on `onclause` (SQLAlchemy's join(Order, User.id == Order.user_id)).
  template <class U>
  Select join(const ColumnElement& onclause, bool isouter = false) const {
    return derive(core_.join(mapper_of<U>().table(), onclause, isouter));
  }
  template <class U>
  Select outerjoin(const ColumnElement& onclause) const {
    return derive(core_.join(mapper_of<U>().table(), onclause, true));
  }
  /// JOIN the mapped class U on the foreign key between them (SQLAlchemy's join(Order)).
  template <class U>
  Select join() const {
    return derive(core_.join(mapper_of<U>().table()));
  }
  template <class U>
  Select outerjoin() const {
    return derive(core_.join(mapper_of<U>().table(), std::nullopt, true));
  }
  /// JOIN along a relationship (SQLAlchemy's select(Post).join(Post.tags)); a
  /// many-to-many joins its association table too.
  template <class C, class V>
  requires detail::is_relation_member<V>::value
  Select join(V C::*rel, bool isouter = false) const {
    return derive(detail::relationship_join(core_, detail::relationship_of(rel), isouter));
  }
  template <class C, class V>
  requires detail::is_relation_member<V>::value
  Select outerjoin(V C::*rel) const {
    return derive(detail::relationship_join(core_, detail::relationship_of(rel), true));
  }
  /// JOIN any FROM clause (a table, alias or subquery).
  Select join(const FromClause& target, std::optional<ColumnElement> onclause = {},
              bool isouter = false) const {
    return derive(core_.join(target, std::move(onclause), isouter));
  }
  template <class... F>
  Select select_from(const F&... froms) const {
    return derive(core_.select_from(froms...));
  }
  Select with_for_update(ForUpdate options = {}) const {
    return derive(core_.with_for_update(std::move(options)));
  }

  /// Loader options (SQLAlchemy's .options(selectinload(User.orders), ...)),
  /// relationship and column ones (orm::load_only, orm::defer, orm::undefer;
  /// see orm/deferral.hpp) alike; also takes vectors of options (a bundle such
  /// as the guides' UserLoader.full_load()). Column options change the
  /// statement's columns; ArgumentError for one naming a class that is not an
  /// entity of the statement or a member that is not a mapped column.
  template <class... O>
  Select options(const O&... opts) const {
    Select out = *this;
    auto all = std::make_shared<std::vector<LoaderOption>>();
    if (options_) *all = *options_;
    (add_option(*all, opts), ...);
    if (detail::has_column_options(*all))
      out.core_ = detail::with_column_options(core_, mappers(), *all);
    out.options_ = std::move(all);
    return out;
  }
  /// The loader options given with options().
  const std::vector<LoaderOption>* load_options() const noexcept { return options_.get(); }

  /// The Core statement (for subquery(), scalar_subquery(), exists(), union_ ...).
  const alchemy::Select& core() const noexcept { return core_; }
  operator const alchemy::Select&() const noexcept { return core_; }  // NOLINT
  Subquery subquery(std::string name = {}) const { return core_.subquery(std::move(name)); }
  ColumnElement scalar_subquery() const { return core_.scalar_subquery(); }
  ColumnElement exists() const { return core_.exists(); }
  std::string str() const { return core_.str(); }
  std::vector<const Mapper*> mappers() const { return {&mapper_of<T>()...}; }

 private:
  static const Mapper& first_mapper() {
    return mapper_of<std::tuple_element_t<0, std::tuple<T...>>>();
  }
  Select derive(alchemy::Select core) const {
    Select out(std::move(core));
    out.options_ = options_;
    return out;
  }
  static void add_option(std::vector<LoaderOption>& all, const LoaderOption& o) { all.push_back(o); }
  static void add_option(std::vector<LoaderOption>& all, const std::vector<LoaderOption>& os) {
    all.insert(all.end(), os.begin(), os.end());
  }
  alchemy::Select core_;
  std::shared_ptr<const std::vector<LoaderOption>> options_;
};

/// select<User>() / select<User, Order>(): SELECT of mapped entities.
template <class... T>
requires(sizeof...(T) > 0) Select<T...> select() { return Select<T...>(); }

/// Classes of a hierarchy to load in one statement (SQLAlchemy's
/// with_polymorphic(Person, [Engineer, Manager])): `orm::select(orm::with_polymorphic<Person,
/// Engineer, Manager>())` selects Person rows with the tables of Engineer and
/// Manager LEFT OUTER JOINed, so rows of those classes need no follow-up
/// SELECT; their columns can be used in where() (`orm::col(&Engineer::language)`).
template <class B, class... S>
struct WithPolymorphic {};
template <class B, class... S>
WithPolymorphic<B, S...> with_polymorphic() {
  static_assert((std::is_base_of_v<B, S> && ...),
                "alchemy: with_polymorphic<Base, Sub...>() names subclasses of Base");
  return {};
}
template <class B, class... S>
Select<B> select(const WithPolymorphic<B, S...>&) {
  return Select<B>(detail::polymorphic_select(mapper_of<B>(), {&mapper_of<S>()...}));
}

/// ORM-enabled DML on a mapped class (SQLAlchemy's insert(User), update(User),
/// delete(User)): Core statements on the class's table, whose parameter keys
/// are the attribute keys. `session.execute(orm::insert<User>(), rows)` runs an
/// executemany in the session's transaction.
template <class T>
Insert insert() {
  return alchemy::insert(mapper_of<T>().table());
}
template <class T>
Update update() {
  return alchemy::update(mapper_of<T>().table());
}
template <class T>
Delete delete_() {
  return alchemy::delete_(mapper_of<T>().table());
}

/// An entity statement from other SQL: rows of `statement` (a text() query, a
/// union, any Core select) become objects of T, matched by column name
/// (SQLAlchemy's select(User).from_statement(text(...))).
template <class T>
class FromStatement {
 public:
  explicit FromStatement(std::shared_ptr<const Executable> statement)
      : statement_(std::move(statement)) {}
  const Executable& statement() const { return *statement_; }

 private:
  std::shared_ptr<const Executable> statement_;
};
template <class T, class S>
FromStatement<T> from_statement(const S& statement) {
  return FromStatement<T>(std::make_shared<S>(statement));
}

/// Mapped objects of one entity (SQLAlchemy's ScalarResult of ORM objects).
/// The objects are loaded when the result is created.
template <class T>
class ScalarResult {
 public:
  explicit ScalarResult(std::vector<std::shared_ptr<T>> objects) : objects_(std::move(objects)) {}
  /// All objects (SQLAlchemy's all()).
  std::vector<std::shared_ptr<T>> all() && { return std::move(objects_); }
  std::vector<std::shared_ptr<T>> all() const& { return objects_; }
  /// The first object or null.
  std::shared_ptr<T> first() const { return objects_.empty() ? nullptr : objects_.front(); }
  /// Exactly one: NoResultFound / MultipleResultsFound otherwise.
  std::shared_ptr<T> one() const {
    if (objects_.empty()) throw NoResultFound("No row was found when one was required");
    if (objects_.size() > 1)
      throw MultipleResultsFound("Multiple rows were found when exactly one was required");
    return objects_.front();
  }
  /// One or null; MultipleResultsFound for more.
  std::shared_ptr<T> one_or_none() const {
    if (objects_.size() > 1)
      throw MultipleResultsFound("Multiple rows were found when one or none was required");
    return first();
  }
  std::size_t size() const noexcept { return objects_.size(); }
  auto begin() const { return objects_.begin(); }
  auto end() const { return objects_.end(); }

 private:
  std::vector<std::shared_ptr<T>> objects_;
};

/// Rows of several entities: std::tuple<std::shared_ptr<T>...> per row.
template <class... T>
class EntityResult {
 public:
  using row_type = std::tuple<std::shared_ptr<T>...>;
  explicit EntityResult(std::vector<row_type> rows) : rows_(std::move(rows)) {}
  std::vector<row_type> all() && { return std::move(rows_); }
  std::vector<row_type> all() const& { return rows_; }
  std::optional<row_type> first() const {
    if (rows_.empty()) return std::nullopt;
    return rows_.front();
  }
  row_type one() const {
    if (rows_.empty()) throw NoResultFound("No row was found when one was required");
    if (rows_.size() > 1)
      throw MultipleResultsFound("Multiple rows were found when exactly one was required");
    return rows_.front();
  }
  std::size_t size() const noexcept { return rows_.size(); }
  auto begin() const { return rows_.begin(); }
  auto end() const { return rows_.end(); }

 private:
  std::vector<row_type> rows_;
};

}  // namespace alchemy::orm
