// Declarative mapping of plain structs (SQLAlchemy's registry / DeclarativeBase,
// mapped_column and Mapper).
//
//   struct User {
//     std::int64_t id = 0;                 // 0: the database assigns it at flush
//     std::string name;                    // NOT NULL VARCHAR
//     std::optional<std::string> email;    // nullable
//   };
//   orm::registry Base;                    // holds Base.metadata
//   Base.map<User>("users",
//       orm::column<&User::id>("id", primary_key()),
//       orm::column<&User::name>("name", String(50)),
//       orm::column<&User::email>("email", String(100), unique()));
//   Base.metadata.create_all(engine);
//   select<User>().where(orm::col(&User::name) == "Ahmad");   // typed, checked at compile time
//
// A mapping is declared once per class at run time, from member pointers; no
// macro, no code generator, and no type that holds the whole schema. SQL types
// and nullability are inferred from the member types as SQLAlchemy 2.0 infers
// them from Mapped[...] annotations (std::optional<T> is nullable, std::string
// is String, std::int64_t is Integer, ...) and any Core column option
// overrides them. The registry turns each mapping into an ordinary Core Table
// in `registry::metadata`, so create_all, reflection and Core statements see
// the same schema.
//
// Mixins and abstract bases are ordinary base structs that contribute their
// columns as a tuple (`TimestampMixin::columns<User>()`), passed to map().
//
// Threads: map every class before sessions use it (typically at start-up);
// afterwards the registry and its mappers are read-only and may be shared.
// The registry must outlive every Session that uses its classes.
#pragma once

#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "alchemy/core/schema.hpp"
#include "alchemy/core/sql/typed.hpp"
#include "alchemy/engine/result.hpp"
#include "alchemy/orm/deferral.hpp"
#include "alchemy/orm/exc.hpp"
#include "alchemy/orm/relationships.hpp"

namespace alchemy::orm {

class Mapper;
class registry;

/// Converts a user type to and from Value for mapped members whose type alchemy
/// does not know. Specialize with `static Value to_value(const T&)`,
/// `static T from_value(const Value&)` and `static TypeRef sql_type()`.
template <class T>
struct value_traits;

namespace detail {

struct InstanceState;

template <class T, class = void>
struct has_value_traits : std::false_type {};
template <class T>
struct has_value_traits<T, std::void_t<decltype(value_traits<T>::from_value(std::declval<Value>()))>>
    : std::true_type {};

template <class T>
struct optional_of {
  using type = T;
  static constexpr bool value = false;
};
template <class T>
struct optional_of<std::optional<T>> {
  using type = T;
  static constexpr bool value = true;
};

// Change tracking compares a fingerprint of each member with the one taken
// when the row was loaded: the value itself for integers, floats and booleans,
// a 64-bit keyed hash for text, bytes and the other variable-size values.
ALCHEMY_EXPORT std::uint64_t hash_bytes(const void* data, std::size_t size) noexcept;
ALCHEMY_EXPORT std::uint64_t fingerprint_value(const Value& v);
/// The fingerprint of an empty std::optional.
inline constexpr std::uint64_t kNullFingerprint = 0x6e756c6c5f6d6b72ULL;

template <class V>
std::uint64_t fingerprint(const V& x) {
  if constexpr (optional_of<V>::value) {
    return x ? fingerprint(*x) : kNullFingerprint;
  } else if constexpr (std::is_same_v<V, bool>) {
    return x ? 1 : 0;
  } else if constexpr (std::is_enum_v<V>) {
    return static_cast<std::uint64_t>(x);
  } else if constexpr (std::is_integral_v<V>) {
    return static_cast<std::uint64_t>(x);
  } else if constexpr (std::is_same_v<V, double>) {
    return std::bit_cast<std::uint64_t>(x);
  } else if constexpr (std::is_same_v<V, float>) {
    return std::bit_cast<std::uint32_t>(x);
  } else if constexpr (std::is_same_v<V, std::string>) {
    return hash_bytes(x.data(), x.size());
  } else if constexpr (std::is_same_v<V, Bytes>) {
    return hash_bytes(x.data(), x.size());
  } else if constexpr (has_value_traits<V>::value) {
    return fingerprint_value(value_traits<V>::to_value(x));
  } else {
    return fingerprint_value(Value(x));
  }
}

template <class V>
Value to_value(const V& x) {
  if constexpr (optional_of<V>::value) {
    if (!x) return Value();
    return to_value(*x);
  } else if constexpr (std::is_enum_v<V>) {
    return Value(static_cast<std::int64_t>(x));
  } else if constexpr (has_value_traits<V>::value) {
    return value_traits<V>::to_value(x);
  } else {
    return Value(x);
  }
}

template <class V>
void from_value(V& x, const Value& v) {
  if constexpr (optional_of<V>::value) {
    if (v.is_null()) {
      x.reset();
    } else {
      if (!x) x.emplace();
      from_value(*x, v);
    }
  } else if constexpr (std::is_enum_v<V>) {
    x = static_cast<V>(v.as<std::int64_t>());
  } else if constexpr (has_value_traits<V>::value) {
    x = value_traits<V>::from_value(v);
  } else {
    x = v.as<V>();
  }
}

template <class V>
void from_row(V& x, const Row& row, std::size_t i) {
  if constexpr (optional_of<V>::value) {
    if (row.is_null(i)) {
      x.reset();
    } else {
      if (!x) x.emplace();
      from_row(*x, row, i);
    }
  } else if constexpr (std::is_same_v<V, std::string>) {
    x.assign(row.get<std::string_view>(i));
  } else if constexpr (std::is_enum_v<V>) {
    x = static_cast<V>(row.get<std::int64_t>(i));
  } else if constexpr (has_value_traits<V>::value) {
    x = value_traits<V>::from_value(row.get<Value>(i));
  } else {
    x = row.get<V>(i);
  }
}

/// The SQL type SQLAlchemy 2.0 would infer for a Mapped[V] annotation.
template <class V>
TypeRef infer_type() {
  using B = typename optional_of<V>::type;
  if constexpr (has_value_traits<B>::value) {
    return value_traits<B>::sql_type();
  } else if constexpr (std::is_same_v<B, bool>) {
    return Boolean;
  } else if constexpr (std::is_enum_v<B> || std::is_integral_v<B>) {
    return Integer;
  } else if constexpr (std::is_floating_point_v<B>) {
    return Float;
  } else if constexpr (std::is_same_v<B, std::string>) {
    return String;
  } else if constexpr (std::is_same_v<B, Decimal>) {
    return Numeric;
  } else if constexpr (std::is_same_v<B, alchemy::Date> ||
                       std::is_same_v<B, std::chrono::year_month_day>) {
    return types::Date;
  } else if constexpr (std::is_same_v<B, alchemy::DateTime> ||
                       std::is_same_v<B, std::chrono::sys_time<std::chrono::microseconds>>) {
    return types::DateTime;
  } else if constexpr (std::is_same_v<B, alchemy::Time>) {
    return types::Time;
  } else if constexpr (std::is_same_v<B, alchemy::Interval>) {
    return types::Interval;
  } else if constexpr (std::is_same_v<B, Bytes>) {
    return LargeBinary;
  } else if constexpr (std::is_same_v<B, alchemy::Uuid>) {
    return UUID;
  } else if constexpr (std::is_same_v<B, Json>) {
    return JSON;
  } else {
    static_assert(sizeof(B) == 0,
                  "alchemy: cannot infer the SQL type of this member; give it in "
                  "orm::column<...>(\"name\", Type, ...) and specialize orm::value_traits<T>");
    return nullptr;
  }
}

/// The operations the type-erased ORM core needs on one mapped member.
struct AttrOps {
  void (*load)(void* obj, const Row& row, std::size_t i);
  Value (*get)(const void* obj);
  void (*set)(void* obj, const Value& v);
  std::uint64_t (*fingerprint)(const void* obj);
  /// An empty std::optional (or 0 in an integer primary key): "not set", so
  /// defaults and generated keys apply (SQLAlchemy's None).
  bool (*is_unset)(const void* obj);
  /// The member is a std::optional (empty = SQL NULL / not set).
  bool optional_member;
  /// Sets parameter `key` to the member's value, reusing the parameter's text
  /// buffer for strings (flush fills one Params per row).
  void (*put)(const void* obj, Params& p, std::string_view key);
  /// An orm::Deferred<T> member's base (null for other members).
  DeferredBase* (*deferred_member)(void* obj);
};

template <class T, auto M>
struct Attr {
  using declared_type = std::remove_cvref_t<decltype(std::declval<T&>().*M)>;
  /// The column's value type (T of an orm::Deferred<T> member).
  using member_type = typename deferred_of<declared_type>::type;
  static constexpr bool is_deferred_member = deferred_of<declared_type>::value;
  static member_type& ref(void* obj) {
    if constexpr (is_deferred_member)
      return (static_cast<T*>(obj)->*M).raw();
    else
      return static_cast<T*>(obj)->*M;
  }
  static const member_type& cref(const void* obj) {
    if constexpr (is_deferred_member)
      return (static_cast<const T*>(obj)->*M).raw();
    else
      return static_cast<const T*>(obj)->*M;
  }
  static DeferredBase* deferred_base(void* obj) {
    if constexpr (is_deferred_member)
      return &(static_cast<T*>(obj)->*M);
    else
      return nullptr;
  }
  static void load(void* obj, const Row& row, std::size_t i) { from_row(ref(obj), row, i); }
  static Value get(const void* obj) { return to_value(cref(obj)); }
  static void set(void* obj, const Value& v) { from_value(ref(obj), v); }
  static std::uint64_t fp(const void* obj) { return fingerprint(cref(obj)); }
  static bool is_unset(const void* obj) {
    if constexpr (optional_of<member_type>::value)
      return !cref(obj).has_value();
    else if constexpr (std::is_integral_v<member_type> && !std::is_same_v<member_type, bool>)
      return cref(obj) == 0;
    else if constexpr (std::is_same_v<member_type, alchemy::Uuid>)
      return cref(obj) == alchemy::Uuid{};  // the nil UUID
    else
      return false;
  }
  static void put(const void* obj, Params& p, std::string_view key) {
    if constexpr (std::is_same_v<member_type, std::string>)
      p.set_text(key, cref(obj));
    else
      p.set(std::string(key), to_value(cref(obj)));
  }
  static constexpr AttrOps ops{&load,     &get,
                               &set,      &fp,
                               &is_unset, optional_of<member_type>::value,
                               &put,      is_deferred_member ? &deferred_base : nullptr};
};

/// Byte offset of a member inside T (members of a base struct included).
template <class T, class C, class V>
std::ptrdiff_t member_offset(V C::*m) {
  static_assert(std::is_base_of_v<C, T>, "alchemy: the member does not belong to this class");
  alignas(T) static unsigned char storage[sizeof(T)];  // never constructed: only addresses
  const T* p = reinterpret_cast<const T*>(storage);
  return reinterpret_cast<const char*>(&(p->*m)) - reinterpret_cast<const char*>(p);
}

/// "UserProfile" for UserProfile (namespaces and template arguments dropped).
ALCHEMY_EXPORT std::string class_name_from_signature(std::string_view pretty);
template <class T>
std::string class_name() {
  return class_name_from_signature(__PRETTY_FUNCTION__);
}

/// One mapped column, type-erased: what registry::map() hands the core.
struct MappedColumn {
  std::string name;
  TypeRef type;
  bool nullable = true;
  std::vector<ColumnOption> options;
  bool version_id = false;
  AttrOps ops{};
  std::ptrdiff_t offset = 0;
  /// orm::deferred(): left out of default SELECTs.
  std::optional<DeferredTag> deferred;
};

/// Object creation for one class: objects the ORM creates carry their instance
/// state, and the std::shared_ptr control block, in the same allocation as the
/// object itself (one allocation per object; see src/orm/mapper.cpp).
/// `mask`: room for the unloaded-column mask even when the mapper has no
/// deferred column (objects a query loads with some columns left out).
ALCHEMY_EXPORT void* allocate_node(const Mapper& m, std::size_t size, std::size_t align,
                                   bool mask = false);
/// Frees a node; the object must be destroyed already.
ALCHEMY_EXPORT void free_node(void* obj) noexcept;
/// Connects the relationship members of a new node object to its state (no-op
/// for classes without relationships).
ALCHEMY_EXPORT void instrument_node(const Mapper& m, const std::shared_ptr<void>& obj) noexcept;
ALCHEMY_EXPORT InstanceState* node_state(const void* obj) noexcept;
/// The space a node reserves for its std::shared_ptr control block: a vtable
/// pointer, two counts and the object pointer (the deleter and allocator are
/// empty). NodeCtrlAlloc::allocate checks at compile time that the block fits.
inline constexpr std::size_t kNodeCtrlSpace = 3 * sizeof(void*);
/// Hands the next control block allocation on this thread the space in the
/// node of `obj` (adopt_node, just before it makes the shared_ptr).
ALCHEMY_EXPORT void node_ctrl_prepare(const void* obj) noexcept;
/// The prepared control block space (see node_ctrl_prepare).
ALCHEMY_EXPORT void* node_ctrl_take() noexcept;
/// Frees the node whose control block space is `ctrl` (the object and its
/// control block are destroyed already).
ALCHEMY_EXPORT void free_node_ctrl(void* ctrl) noexcept;
/// The last reference to an ORM-created object is going: its session forgets it
/// (or keeps a copy with unflushed changes).
ALCHEMY_EXPORT void node_release(const void* obj) noexcept;

/// The deleter of every node's shared_ptr. One type for all classes, so that
/// std::get_deleter<NodeDeleter> recognises a node through a pointer of any
/// type: an Employee node held as std::shared_ptr<Person> or std::shared_ptr<void>
/// (inheritance). operator() runs with the type the node was created as.
struct NodeDeleter {
  template <class T>
  void operator()(T* p) const noexcept {
    node_release(p);
    p->~T();  // the memory goes with the control block (NodeCtrlAlloc::deallocate)
  }
};

/// Places the control block inside the node; freeing it frees the node, which
/// happens after the deleter (weak references may outlive the object). The
/// allocator is empty, so the block stays three words: the node to use comes
/// from node_ctrl_prepare, and the node to free is found from the block's address.
template <class U>
struct NodeCtrlAlloc {
  using value_type = U;
  NodeCtrlAlloc() noexcept = default;
  template <class V>
  NodeCtrlAlloc(const NodeCtrlAlloc<V>&) noexcept {}  // NOLINT
  U* allocate(std::size_t n) {
    static_assert(sizeof(U) <= kNodeCtrlSpace && alignof(U) <= alignof(void*),
                  "alchemy: this standard library's shared_ptr control block does not fit the "
                  "space a node reserves; raise kNodeCtrlSpace");
    (void)n;  // always 1: only the control block is allocated through it
    return static_cast<U*>(node_ctrl_take());
  }
  void deallocate(U* p, std::size_t) noexcept { free_node_ctrl(p); }
  template <class V>
  bool operator==(const NodeCtrlAlloc<V>&) const noexcept {
    return true;
  }
};

/// A shared_ptr owning a freshly constructed node object.
template <class T>
std::shared_ptr<T> adopt_node(T* p) {
  node_ctrl_prepare(p);
  // Cannot throw: the control block's space is already there.
  return std::shared_ptr<T>(p, NodeDeleter{}, NodeCtrlAlloc<T>());
}

template <class T>
std::shared_ptr<void> create_object(const Mapper& m, bool mask) {
  static_assert(std::is_default_constructible_v<T>,
                "alchemy: a mapped class needs a default constructor (the ORM creates objects "
                "for the rows it loads)");
  static_assert(alignof(T) <= alignof(std::max_align_t), "alchemy: over-aligned mapped class");
  void* mem = allocate_node(m, sizeof(T), alignof(T), mask);
  T* p = nullptr;
  try {
    p = ::new (mem) T();
  } catch (...) {
    free_node(mem);
    throw;
  }
  std::shared_ptr<void> out = adopt_node(p);
  instrument_node(m, out);
  return out;
}

/// The state the ORM keeps for `obj` when the ORM created it (null otherwise).
template <class T>
InstanceState* state_of_node(const std::shared_ptr<T>& obj) noexcept {
  if (obj && std::get_deleter<NodeDeleter>(obj)) return node_state(obj.get());
  return nullptr;
}

/// What a mapper knows about its class.
/// Where mapper_of<T>() finds T's mapper.
template <class T>
inline const Mapper* mapper_slot = nullptr;

struct ClassOps {
  const std::type_info* type = nullptr;
  std::string name;
  std::shared_ptr<void> (*create)(const Mapper&, bool mask) = nullptr;
  /// &mapper_slot<T>: set by registry::map(), cleared by ~registry().
  const Mapper** slot = nullptr;
};

[[noreturn]] ALCHEMY_EXPORT void throw_unmapped(const std::string& class_name);

/// A version counter column (`orm::version_id`): UPDATE/DELETE check it.
struct VersionIdTag {};

/// A validator over some attributes: gets (key, value, object), returns the value to store.
struct Validator {
  std::vector<std::size_t> attrs;
  std::function<Value(std::string_view key, const Value& value, const void* obj)> fn;
};
struct MapperEventLists;

template <auto M>
struct ColumnDef;

template <class T>
struct is_column_def : std::false_type {};
template <auto M>
struct is_column_def<ColumnDef<M>> : std::true_type {};
template <class T>
struct is_relationship_def : std::false_type {};
template <auto M>
struct is_relationship_def<RelationshipDef<M>> : std::true_type {};
template <class T>
struct is_tuple : std::false_type {};
template <class... A>
struct is_tuple<std::tuple<A...>> : std::true_type {};

}  // namespace detail

/// Marks the version counter column of optimistic concurrency (SQLAlchemy's
/// `version_id_col`): `orm::column<&Doc::version>("version", orm::version_id)`.
/// Each UPDATE sets version = old + 1 and requires the old value in WHERE; a
/// mismatch raises StaleDataError.
inline constexpr detail::VersionIdTag version_id{};

namespace detail {

/// `orm::column<&User::name>("name", String(50), nullable(false))`.
template <auto M>
struct ColumnDef {
  std::string name;
  std::optional<TypeRef> type;
  std::vector<ColumnOption> options;
  bool version_id = false;
  std::optional<DeferredTag> deferred;

  template <class T>
  MappedColumn resolve() const {
    using V = typename Attr<T, M>::member_type;
    MappedColumn c;
    c.name = name;
    c.type = type ? *type : infer_type<V>();
    c.nullable = optional_of<V>::value;  // options applied after it may override
    c.options = options;
    c.version_id = version_id;
    c.ops = Attr<T, M>::ops;
    c.offset = member_offset<T>(M);
    c.deferred = deferred;
    return c;
  }
};

template <auto M, class O>
void add_column_arg(ColumnDef<M>& def, const O& o) {
  if constexpr (std::is_same_v<O, VersionIdTag>) {
    def.version_id = true;
  } else if constexpr (std::is_same_v<O, DeferredTag>) {
    def.deferred = o;
  } else if constexpr (std::is_constructible_v<ColumnOption, const O&>) {
    def.options.emplace_back(o);
  } else {
    static_assert(std::is_constructible_v<TypeArg, const O&>,
                  "alchemy: orm::column() takes a SQL type (String(50), Integer, a "
                  "TypeDecorator), Core column options (primary_key(), nullable(false), "
                  "unique(), index(), default_(...), onupdate(...), server_default(...), "
                  "ForeignKey(...)), orm::version_id and orm::deferred()");
    def.type = TypeArg(o).get();
  }
}

}  // namespace detail

/// A mapped column: a member pointer, the column name, then a SQL type and/or
/// column options. Without a type, it is inferred from the member's C++ type;
/// without nullable(), std::optional members are nullable and others NOT NULL.
template <auto M, class... O>
requires std::is_member_object_pointer_v<decltype(M)>
detail::ColumnDef<M> column(std::string name, const O&... args) {
  detail::ColumnDef<M> def;
  def.name = std::move(name);
  (detail::add_column_arg(def, args), ...);
  return def;
}

// ---- inheritance (SQLAlchemy's inherits / polymorphic_on / polymorphic_identity) ----

namespace detail {
/// The mapper arguments of registry::map() besides columns, relationships and
/// table items (SQLAlchemy's __mapper_args__).
struct MapperArgs {
  /// The mapper of the inherited class (orm::inherits<B>()); null for a base class.
  const Mapper* (*inherits)() = nullptr;
  std::string inherits_name;
  /// Where the inherited class's subobject sits in the class (must be 0).
  std::ptrdiff_t base_offset = 0;
  /// Member offset of the discriminator (orm::polymorphic_on<&B::type>()).
  std::optional<std::ptrdiff_t> polymorphic_on;
  std::optional<Value> polymorphic_identity;
  /// "", "inline" or "selectin" (orm::polymorphic_load(...)).
  std::string polymorphic_load;
  /// "" or "*" (orm::with_polymorphic("*") on the base class's mapping).
  std::string with_polymorphic;
};
template <class B>
struct InheritsDef {};
template <auto M>
struct PolymorphicOnDef {};
struct PolymorphicIdentityDef {
  Value value;
};
struct PolymorphicLoadDef {
  std::string how;
};
struct WithPolymorphicDef {
  std::string spec;
};
/// Byte offset of the B subobject inside a T.
template <class T, class B>
std::ptrdiff_t base_offset() {
  alignas(T) static unsigned char storage[sizeof(T)];  // never constructed: only addresses
  T* p = reinterpret_cast<T*>(storage);
  return reinterpret_cast<const char*>(static_cast<B*>(p)) - reinterpret_cast<const char*>(p);
}
template <class T>
const Mapper* mapper_if_mapped() {
  return mapper_slot<T>;
}
template <class T>
struct is_inherits_def : std::false_type {};
template <class B>
struct is_inherits_def<InheritsDef<B>> : std::true_type {};
template <class T>
struct is_polymorphic_on_def : std::false_type {};
template <auto M>
struct is_polymorphic_on_def<PolymorphicOnDef<M>> : std::true_type {};
}  // namespace detail

/// The mapped class this one inherits from (SQLAlchemy's class Employee(Person)).
/// Without a table name of its own the class is a single-table subclass: its
/// columns are added (nullable) to the inherited class's table:
///   `Base.map<Employee>(orm::inherits<Person>(), orm::column<&Employee::salary>("salary"), ...)`
/// With a table name it is a joined-table subclass: its table's primary key
/// maps the inherited key member and references the inherited table:
///   `Base.map<Engineer>("engineers", orm::inherits<Person>(),
///        orm::column<&Person::id>("id", ForeignKey("people.id"), primary_key()), ...)`
/// B must be a public, non-virtual base of the class, at offset 0 (the first base).
template <class B>
detail::InheritsDef<B> inherits() {
  return {};
}
/// The discriminator column of a hierarchy (SQLAlchemy's polymorphic_on), given
/// on the base class's mapping: `orm::polymorphic_on<&Person::type>()`. The
/// member must be mapped with orm::column<...>() in the same mapping.
template <auto M>
requires std::is_member_object_pointer_v<decltype(M)>
detail::PolymorphicOnDef<M> polymorphic_on() {
  return {};
}
/// The discriminator value of rows of this class (SQLAlchemy's polymorphic_identity).
inline detail::PolymorphicIdentityDef polymorphic_identity(Value value) {
  return {std::move(value)};
}
/// How a base-class query loads this joined-table subclass's own columns
/// (SQLAlchemy's polymorphic_load): "selectin" (default here: one follow-up
/// SELECT ... WHERE key IN (...) per subclass found) or "inline" (LEFT OUTER
/// JOIN of its table in every base-class query).
inline detail::PolymorphicLoadDef polymorphic_load(std::string how) { return {std::move(how)}; }
/// On a base class's mapping, with_polymorphic("*"): every subclass loads inline
/// (SQLAlchemy's mapper-level with_polymorphic="*").
inline detail::WithPolymorphicDef with_polymorphic(std::string spec) { return {std::move(spec)}; }

/// The mapper of class T (SQLAlchemy's inspect(User)). Throws UnmappedClassError.
template <class T>
const Mapper& mapper_of() {
  if (const Mapper* m = detail::mapper_slot<T>) return *m;
  detail::throw_unmapped(detail::class_name<T>());
}

/// Creates an object of mapped class T with its ORM state in the same
/// allocation — the counterpart of SQLAlchemy's instrumented constructor:
/// `auto user = orm::make<User>(User{.name = "Ali"});`. Objects made with
/// std::make_shared work too; these are cheaper for the session to track, and
/// once persistent the session holds them weakly (see session.hpp).
template <class T, class... A>
std::shared_ptr<T> make(A&&... args) {
  const Mapper& m = mapper_of<T>();
  void* mem = detail::allocate_node(m, sizeof(T), alignof(T));
  T* p = nullptr;
  try {
    p = ::new (mem) T(std::forward<A>(args)...);
  } catch (...) {
    detail::free_node(mem);
    throw;
  }
  std::shared_ptr<T> out = detail::adopt_node(p);
  detail::instrument_node(m, out);
  return out;
}

/// How a registry names tables for map() calls that give no name.
using TableNamer = std::function<std::string(std::string_view class_name)>;

/// "UserProfile" -> "user_profiles" (the guides' declared_attr __tablename__ hook).
ALCHEMY_EXPORT std::string snake_case_plural(std::string_view class_name);

/// Options of a registry.
struct RegistryOptions {
  /// Names the table of a class mapped without a table name; empty: a name is required.
  TableNamer table_name;
  /// Passed to the registry's MetaData.
  std::map<std::string, std::string> naming_convention;
  std::optional<std::string> schema;
};

/// The mapper of one class: its Table, its columns in order and their member
/// accessors (SQLAlchemy's Mapper). Created by registry::map().
class ALCHEMY_EXPORT Mapper {
 public:
  struct Attribute {
    /// The attribute key (the Core column key; the column name unless key() says otherwise).
    std::string key;
    Column column;
    detail::AttrOps ops;
    std::ptrdiff_t offset = 0;
    bool primary_key = false;
    /// An integer primary key the database generates (0 / empty = not set yet).
    bool autoincrement = false;
    /// Column default_(...) (a value, callable or SQL) applied when the member is not set.
    bool has_default = false;
    /// A database-side default: server_default or a SQL-expression default_.
    bool server_generated = false;
    bool has_onupdate = false;
    bool version_id = false;
    /// Left out of default SELECTs (orm::deferred()); `group` loads together.
    bool deferred = false;
    bool deferred_raiseload = false;
    std::string deferred_group;
    /// Index into tables() of the table holding the column.
    std::uint32_t table = 0;
  };
  /// One table rows of the class are stored in (joined-table inheritance has
  /// several: the base class's first).
  struct MapperTable {
    Table table;
    /// The attributes whose column is in this table.
    std::vector<std::size_t> attrs;
    /// The table's primary key columns, and for each the position in the
    /// identity (primary_key()) of the value it holds (a joined-table
    /// subclass's key columns hold the inherited key).
    std::vector<Column> key_columns;
    std::vector<std::size_t> key_pos;
  };

  const std::string& class_name() const noexcept { return class_.name; }
  const std::type_info& class_type() const noexcept { return *class_.type; }
  /// The mapped table (SQLAlchemy's Mapper.local_table / __table__).
  const Table& table() const noexcept { return table_; }
  const std::vector<Attribute>& attributes() const noexcept { return attrs_; }
  /// Indexes into attributes() of the primary key columns, in key order.
  const std::vector<std::size_t>& primary_key() const noexcept { return pk_; }
  /// Index of the version counter column, or -1.
  std::ptrdiff_t version_attr() const noexcept { return version_; }
  /// The attribute for a member offset / key; nullptr when there is none.
  const Attribute* attribute_at(std::ptrdiff_t offset) const noexcept;
  const Attribute* attribute(std::string_view key) const noexcept;
  /// The column of a member; InvalidRequestError naming the class when unmapped.
  ColumnElement column_at(std::ptrdiff_t offset) const;
  /// A new object with ORM instance state (what loading creates); `mask`: with
  /// room to record unloaded columns (see has_mask()).
  std::shared_ptr<void> create(bool mask = false) const { return class_.create(*this, mask); }
  /// Position in the registry's dependency order (tables referenced come first).
  std::size_t sort_order() const noexcept { return sort_order_; }
  const orm::registry& registry() const noexcept { return *registry_; }
  /// Words of per-object bookkeeping before the state: a fingerprint per
  /// column, and for classes with relationships two more (cycle collection).
  std::size_t snapshot_size() const noexcept { return attrs_.size() + (rels_.empty() ? 0 : 2); }
  /// Words of the unloaded-column mask (one bit per column), after the
  /// snapshot: every object of a mapper with deferred columns or
  /// orm::Deferred members has them, others only when a query that left
  /// columns out created them (orm/deferral.hpp).
  std::size_t mask_words() const noexcept { return (attrs_.size() + 63) / 64; }
  bool mask_always() const noexcept { return mask_always_; }
  /// Some column is deferred in the mapping (default SELECTs leave it out).
  bool has_deferred() const noexcept { return has_deferred_; }
  /// Some member is an orm::Deferred<T>.
  bool has_deferred_members() const noexcept { return has_deferred_members_; }
  /// SELECT <default columns> WHERE pk = :pk_0 [AND ...]: what get() runs.
  const alchemy::Select& get_statement() const noexcept { return get_stmt_; }
  /// Where each attribute is in get_statement()'s rows (npos: deferred).
  const std::vector<std::size_t>& get_positions() const noexcept { return get_pos_; }
  /// The validators registered with registry::validates().
  const std::vector<detail::Validator>& validators() const noexcept { return validators_; }
  /// Runs the validators of `attrs` (all validated attributes when empty) on `obj`,
  /// storing the values they return. Their exceptions propagate.
  void validate(void* obj, const std::vector<std::size_t>* attrs = nullptr) const;
  /// The mapper event listeners (orm/events.hpp).
  detail::MapperEventLists& events() const noexcept { return *events_; }

  /// The relationships (SQLAlchemy's Mapper.relationships), configured (the
  /// related classes resolved) on first use: InvalidRequestError /
  /// ArgumentError when one cannot be.
  const std::vector<std::unique_ptr<RelationshipProperty>>& relationships() const;
  std::size_t relationship_count() const noexcept { return rels_.size(); }
  /// Internal: the relationships, configured or not.
  const std::vector<std::unique_ptr<RelationshipProperty>>& relationship_list() const noexcept {
    return rels_;
  }
  /// The relationship named `key` / on the member at `offset`; nullptr when there is none.
  const RelationshipProperty* relationship(std::string_view key) const;
  const RelationshipProperty* relationship_at(std::ptrdiff_t offset) const;

  // ---- inheritance (include/alchemy/orm/mapping.hpp: orm::inherits) ----
  /// The mapper of the inherited class, or null (SQLAlchemy's Mapper.inherits).
  const Mapper* inherits() const noexcept { return inherits_; }
  /// The root of the hierarchy (this mapper for a base class); the identity
  /// map is keyed by it (SQLAlchemy's Mapper.base_mapper).
  const Mapper& base_mapper() const noexcept { return *base_mapper_; }
  /// Whether this mapper is `other` or inherits from it (SQLAlchemy's Mapper.isa()).
  bool isa(const Mapper& other) const noexcept;
  /// The discriminator value of this class's rows (polymorphic_identity).
  const std::optional<Value>& polymorphic_identity() const noexcept { return identity_; }
  /// Index into attributes() of the hierarchy's discriminator, or -1.
  std::ptrdiff_t polymorphic_on() const noexcept { return polymorphic_on_; }
  /// This mapper and every mapper inheriting from it, parents before children.
  const std::vector<const Mapper*>& self_and_descendants() const noexcept { return family_; }
  /// The class of rows whose discriminator is `v` (SQLAlchemy's polymorphic_map), or null.
  const Mapper* polymorphic_mapper(const Value& v) const noexcept;
  /// Whether rows of a query of this class may be of subclasses (a
  /// discriminator and at least one subclass).
  bool polymorphic() const noexcept { return polymorphic_on_ >= 0 && family_.size() > 1; }
  /// The tables of the class, the base class's first (SQLAlchemy's Mapper.tables).
  const std::vector<MapperTable>& tables() const noexcept { return tables_; }
  /// Joined-table subclass rows: "selectin" (a follow-up SELECT after a base
  /// query) or "inline" (LEFT OUTER JOIN in the base query).
  bool polymorphic_load_inline() const noexcept { return load_inline_; }
  /// The mapper of `type` among this mapper and its descendants (this one when none).
  const Mapper& mapper_for_type(const std::type_info& type) const noexcept;
  /// The columns, FROM (joins) and WHERE of an entity SELECT of this class:
  /// the columns of this class, then those of subclasses loaded inline (single
  /// table subclasses, polymorphic_load("inline"), `inline_subclasses`), and a
  /// discriminator IN (...) criterion for a single-table subclass.
  struct EntityParts {
    std::vector<SelectItem> columns;
    std::optional<FromClause> from;
    std::optional<ColumnElement> where;
  };
  EntityParts entity_parts(const std::vector<const Mapper*>& inline_subclasses = {},
                           bool with_descendants = true) const;

  /// Internal: built by registry::map().
  Mapper(const orm::registry& reg, detail::ClassOps cls, Table table,
         std::vector<detail::MappedColumn> cols, std::vector<Column> columns,
         std::vector<detail::MappedRelationship> rels, const Mapper* parent, bool joined);
  ~Mapper();

 private:
  friend class orm::registry;
  void build_statements();
  const orm::registry* registry_;
  detail::ClassOps class_;
  Table table_;
  std::vector<Attribute> attrs_;
  std::vector<std::size_t> pk_;
  std::ptrdiff_t version_ = -1;
  std::size_t sort_order_ = 0;
  bool has_deferred_ = false;
  bool has_deferred_members_ = false;
  bool mask_always_ = false;
  alchemy::Select get_stmt_;
  std::vector<std::size_t> get_pos_;
  std::vector<detail::Validator> validators_;
  std::shared_ptr<detail::MapperEventLists> events_;
  std::vector<std::unique_ptr<RelationshipProperty>> rels_;
  const Mapper* inherits_ = nullptr;
  const Mapper* base_mapper_ = this;
  std::optional<Value> identity_;
  std::ptrdiff_t polymorphic_on_ = -1;
  std::vector<const Mapper*> family_{this};
  /// identity -> mapper for the whole hierarchy (kept on the base mapper).
  std::vector<std::pair<Value, const Mapper*>> polymorphic_map_;
  std::vector<MapperTable> tables_;
  bool load_inline_ = false;
  bool with_polymorphic_all_ = false;
};

/// Which way a relationship points (SQLAlchemy's ONETOMANY / MANYTOONE).
enum class RelationshipDirection : std::uint8_t { one_to_many, many_to_one, many_to_many };

/// One relationship of a mapper (SQLAlchemy's RelationshipProperty).
class ALCHEMY_EXPORT RelationshipProperty {
 public:
  const std::string& key() const noexcept { return def.key; }
  const Mapper& parent() const noexcept { return *parent_; }
  /// The related class's mapper.
  const Mapper& mapper() const noexcept { return *target_; }
  RelationshipDirection direction() const noexcept { return direction_; }
  /// A collection (orm::Many) rather than one object (orm::One).
  bool uselist() const noexcept { return def.ops.uselist; }
  Lazy lazy() const noexcept { return def.options.lazy; }
  /// The relationship on the other side (back_populates), or null.
  const RelationshipProperty* reverse() const noexcept { return reverse_; }
  /// "Parent.key".
  std::string name() const;

  // ---- internal (src/orm/relationships.cpp) ----
  RelationshipProperty(const Mapper& parent, std::size_t index, detail::MappedRelationship d)
      : def(std::move(d)), parent_(&parent), index(index) {}
  detail::MappedRelationship def;
  const Mapper* parent_;
  std::size_t index;
  const Mapper* target_ = nullptr;
  /// A relationship a subclass inherits: the property it copies once configured.
  const RelationshipProperty* inherited_from_ = nullptr;
  RelationshipDirection direction_ = RelationshipDirection::one_to_many;
  const RelationshipProperty* reverse_ = nullptr;
  /// The join as (attribute of the parent, attribute of the target) pairs:
  /// one-to-many, target's foreign key = parent's key; many-to-one, parent's
  /// foreign key = target's key. Empty for many-to-many.
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  /// Many-to-many: the association table, and its columns paired with the
  /// parent's attributes (sec_local) and the target's (sec_remote).
  std::optional<Table> secondary;
  std::vector<std::pair<std::size_t, ColumnElement>> sec_local, sec_remote;
  /// Criteria of primaryjoin / secondaryjoin besides the column pairs.
  std::vector<ColumnElement> criteria;
  /// The parent's attributes whose values select the related rows.
  std::size_t local_count() const noexcept { return secondary ? sec_local.size() : pairs.size(); }
  std::size_t local_attr(std::size_t k) const noexcept {
    return secondary ? sec_local[k].first : pairs[k].first;
  }
  std::vector<ColumnElement> order_by;
  /// ON parent.a = target.b AND ...
  ColumnElement onclause;
  /// SELECT <target columns> WHERE target.b = :rel_0 ... ORDER BY (the lazy load).
  alchemy::Select lazy_stmt;
  /// A many-to-one whose join is the target's whole primary key: loads look in
  /// the identity map first.
  bool use_get = false;
  bool save_update = true, merge = true, expunge = false, delete_ = false, delete_orphan = false,
       refresh_expire = false;
  void* member(void* obj) const noexcept { return static_cast<char*>(obj) + def.offset; }
  const void* member(const void* obj) const noexcept {
    return static_cast<const char*>(obj) + def.offset;
  }
};

/// The declarative registry (SQLAlchemy's registry / DeclarativeBase): maps
/// classes and holds their tables in `metadata`.
class ALCHEMY_EXPORT registry {
 public:
  explicit registry(RegistryOptions options = {});
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;
  ~registry();

  /// The tables of every mapped class (Base.metadata).
  MetaData metadata;

  /// Maps class T to table `tablename`. Items: orm::column<...>(...) definitions,
  /// tuples of them (mixins), and table-level Core items (Index, UniqueConstraint,
  /// CheckConstraint, PrimaryKeyConstraint, ForeignKeyConstraint, schema(...)),
  /// SQLAlchemy's __table_args__. Throws ArgumentError for a class mapped twice,
  /// a table without a primary key or two columns on one member.
  template <class T, class... Items>
  const Mapper& map(std::string tablename, const Items&... items) {
    return map_items<T>(std::optional<std::string>(std::move(tablename)), items...);
  }
  /// A single-table subclass: `Base.map<Employee>(orm::inherits<Person>(), ...)`
  /// (no table of its own; its columns go to the inherited class's table).
  template <class T, class B, class... Items>
  const Mapper& map(const detail::InheritsDef<B>& inherits, const Items&... items) {
    return map_items<T>(std::nullopt, inherits, items...);
  }
  /// Maps T with the table name from RegistryOptions::table_name (the
  /// declared_attr __tablename__ hook): `Base.map<UserProfile>(orm::unnamed, ...)`.
  template <class T, class... Items>
  const Mapper& map(std::nullptr_t, const Items&... items) {
    return map<T>(table_name_for(detail::class_name<T>()), items...);
  }
  /// A validator for one member (SQLAlchemy's @validates('email')): `fn(value)`
  /// returns the value to store or throws (e.g. orm::ValidationError). It runs
  /// when an object is added and at flush for changed members, before any SQL.
  template <auto M, class F>
  void validates(F fn) {
    using C = typename detail::member_traits<decltype(M)>::cls;
    using V = typename detail::deferred_of<typename detail::member_traits<decltype(M)>::value>::type;
    static_assert(std::is_invocable_r_v<V, F&, const V&>,
                  "alchemy: a validator takes the member's value and returns the value to store");
    const Mapper& m = mapper_of<C>();
    const auto* a = m.attribute_at(detail::member_offset<C>(M));
    if (a == nullptr) m.column_at(detail::member_offset<C>(M));  // throws: not mapped
    add_validator(m, {a->key}, [fn](std::string_view, const Value& v, const void*) mutable {
      V x{};
      detail::from_value(x, v);
      return detail::to_value(fn(static_cast<const V&>(x)));
    });
  }
  /// One validator for several attributes (@validates('email', 'age')):
  /// `fn(std::string_view key, const Value& value) -> Value`.
  template <class T, class F>
  void validates(std::vector<std::string> keys, F fn) {
    static_assert(std::is_invocable_r_v<Value, F&, std::string_view, const Value&>,
                  "alchemy: a multi-attribute validator takes (std::string_view key, const "
                  "Value& value) and returns the Value to store");
    add_validator(mapper_of<T>(), std::move(keys),
                  [fn](std::string_view k, const Value& v, const void*) mutable { return fn(k, v); });
  }
  /// The mappers in dependency order (referenced tables first).
  std::vector<const Mapper*> mappers() const;
  const RegistryOptions& options() const noexcept { return options_; }
  /// The table name the hook gives `class_name`; ArgumentError without a hook.
  std::string table_name_for(std::string_view class_name) const;

 private:
  template <class T, class... Items>
  const Mapper& map_items(std::optional<std::string> tablename, const Items&... items) {
    std::vector<detail::MappedColumn> cols;
    std::vector<detail::MappedRelationship> rels;
    std::vector<SchemaItem> table_items;
    detail::MapperArgs args;
    (collect<T>(cols, rels, table_items, args, items), ...);
    detail::ClassOps ops{&typeid(T), detail::class_name<T>(), &detail::create_object<T>,
                         &detail::mapper_slot<T>};
    const Mapper& m = map_impl(std::move(ops), std::move(tablename), std::move(cols),
                               std::move(rels), std::move(table_items), std::move(args));
    detail::mapper_slot<T> = &m;
    return m;
  }
  template <class T, class I>
  static void collect(std::vector<detail::MappedColumn>& cols,
                      std::vector<detail::MappedRelationship>& rels,
                      std::vector<SchemaItem>& items, detail::MapperArgs& args, const I& item) {
    if constexpr (detail::is_column_def<I>::value) {
      cols.push_back(item.template resolve<T>());
    } else if constexpr (detail::is_relationship_def<I>::value) {
      rels.push_back(item.template resolve<T>());
    } else if constexpr (detail::is_tuple<I>::value) {
      std::apply([&](const auto&... e) { (collect<T>(cols, rels, items, args, e), ...); }, item);
    } else if constexpr (detail::is_inherits_def<I>::value) {
      inherits_of<T>(args, item);
    } else if constexpr (detail::is_polymorphic_on_def<I>::value) {
      polymorphic_on_of<T>(args, item);
    } else if constexpr (std::is_same_v<I, detail::PolymorphicIdentityDef>) {
      args.polymorphic_identity = item.value;
    } else if constexpr (std::is_same_v<I, detail::PolymorphicLoadDef>) {
      args.polymorphic_load = item.how;
    } else if constexpr (std::is_same_v<I, detail::WithPolymorphicDef>) {
      args.with_polymorphic = item.spec;
    } else {
      static_assert(std::is_constructible_v<SchemaItem, const I&>,
                    "alchemy: registry::map() takes orm::column<...>() and "
                    "orm::relationship<...>() definitions, tuples of "
                    "them (mixins) and table-level items (Index, UniqueConstraint, "
                    "CheckConstraint, PrimaryKeyConstraint, ForeignKeyConstraint)");
      items.emplace_back(item);
    }
  }
  template <class T, class B>
  static void inherits_of(detail::MapperArgs& args, const detail::InheritsDef<B>&) {
    static_assert(!std::is_same_v<T, B>, "alchemy: a class cannot inherit from itself");
    static_assert(std::is_base_of_v<B, T>,
                  "alchemy: orm::inherits<B>() names a class that is not a base of the mapped "
                  "class");
    static_assert(requires(B* b) { static_cast<T*>(b); },
                  "alchemy: orm::inherits<B>() needs B to be a public, non-virtual base");
    args.inherits = &detail::mapper_if_mapped<B>;
    args.inherits_name = detail::class_name<B>();
    args.base_offset = detail::base_offset<T, B>();
  }
  template <class T, auto M>
  static void polymorphic_on_of(detail::MapperArgs& args, const detail::PolymorphicOnDef<M>&) {
    args.polymorphic_on = detail::member_offset<T>(M);
  }
  void add_validator(const Mapper& m, std::vector<std::string> keys,
                     std::function<Value(std::string_view, const Value&, const void*)> fn);
  const Mapper& map_impl(detail::ClassOps cls, std::optional<std::string> tablename,
                         std::vector<detail::MappedColumn> cols,
                         std::vector<detail::MappedRelationship> rels,
                         std::vector<SchemaItem> items, detail::MapperArgs args);
  friend class Mapper;
  void configure() const;

  void add_relationship(Mapper& m, detail::MappedRelationship r);

  RegistryOptions options_;
  std::vector<std::unique_ptr<Mapper>> mappers_;
  /// backref() relationships for classes not mapped yet (by their mapper slot).
  std::vector<std::pair<const Mapper**, detail::MappedRelationship>> pending_backrefs_;
  mutable std::mutex configure_mu_;
  mutable std::atomic<bool> configured_{true};
};

/// SQLAlchemy 2.0 spells the registry as a base class; here it is the same object.
using DeclarativeBase = registry;

/// Use as the table name in registry::map() to let the registry's naming hook name the table.
inline constexpr std::nullptr_t unnamed = nullptr;

// ---- typed attribute expressions -------------------------------------------------------

namespace detail {
template <class V>
struct expr_value {
  using type = V;
};
}  // namespace detail

/// The column of a mapped member as a typed expression (User.age in SQLAlchemy):
/// `orm::col(&User::age) > 18`. For a member declared in a mixin, name the
/// mapped class: `orm::col<User>(&TimestampMixin::created_at)`.
template <class T = void, class C, class V>
Expr<typename detail::deferred_of<V>::type> col(V C::*m) {
  using Mapped = std::conditional_t<std::is_void_v<T>, C, T>;
  return Expr<typename detail::deferred_of<V>::type>(
      mapper_of<Mapped>().column_at(detail::member_offset<Mapped>(m)));
}

/// The mapped table of T (SQLAlchemy's User.__table__).
template <class T>
const Table& table_of() {
  return mapper_of<T>().table();
}

namespace detail {
/// The state of a user-created object (not made by the ORM): found by address.
ALCHEMY_EXPORT InstanceState* foreign_state(const std::shared_ptr<void>& obj, const Mapper& m,
                                            bool create);
template <class T>
const Mapper* rel_target_mapper() {
  return &mapper_of<T>();
}
template <class T>
const Mapper** mapper_slot_of() {
  return &mapper_slot<T>;
}
template <class T, class C, class V>
std::ptrdiff_t rel_member_offset(V C::*m) {
  return member_offset<T>(m);
}
/// The state of an object held by `o` (a shared_ptr to Target or to void).
template <class Target, class P>
InstanceState* state_of_ptr(const P& o) {
  if (!o) return nullptr;
  if (std::get_deleter<NodeDeleter>(o)) return node_state(o.get());
  const Mapper* m = mapper_slot<Target>;
  return m ? foreign_state(o, *m, false) : nullptr;
}
/// The mapper of the object `obj` points at: T's, or for a polymorphic T (one
/// with virtual functions) the mapped subclass the object really is.
template <class T>
const Mapper& mapper_for_object(const std::shared_ptr<T>& obj) {
  const Mapper& m = mapper_of<std::remove_const_t<T>>();
  if constexpr (std::is_polymorphic_v<T>) {
    if (obj && typeid(*obj) != typeid(T)) return m.mapper_for_type(typeid(*obj));
  }
  return m;
}
ALCHEMY_EXPORT const Mapper* state_mapper(const InstanceState* st) noexcept;
}  // namespace detail

/// Whether `obj` is an object of mapped class U or of a class inheriting from
/// it (Python's isinstance(obj, U)): for objects the ORM loaded or made with
/// orm::make<T>(), and objects known to a session, by their mapper; otherwise
/// by the static type (or typeid for classes with virtual functions).
template <class U, class T>
bool isinstance(const std::shared_ptr<T>& obj) {
  if (!obj) return false;
  const Mapper* m = detail::state_mapper(detail::state_of_node(obj));
  if (m == nullptr) {
    const Mapper& guess = detail::mapper_for_object(obj);
    m = detail::state_mapper(detail::foreign_state(obj, guess, false));
    if (m == nullptr) m = &guess;
  }
  return m->isa(mapper_of<U>());
}
/// `obj` as a U when it is one (isinstance<U>), else null: the checked
/// downcast for hierarchies without virtual functions (where
/// std::dynamic_pointer_cast is not available).
template <class U, class T>
std::shared_ptr<U> polymorphic_cast(const std::shared_ptr<T>& obj) {
  static_assert(std::is_base_of_v<T, U> || std::is_base_of_v<U, T>,
                "alchemy: polymorphic_cast<U>() casts within one class hierarchy");
  if (!isinstance<U>(obj)) return nullptr;
  return std::static_pointer_cast<U>(obj);
}

namespace detail {
template <class T, auto M>
InstanceState* RelAttr<T, M>::state_of(const std::shared_ptr<void>& o) {
  return state_of_ptr<Target>(o);
}
template <class T, auto M>
InstanceState* RelAttr<T, M>::state_at(const void* p, std::size_t i) {
  if constexpr (many)
    return state_of_ptr<Target>(cmem(p).items_[i]);
  else
    return state_of_ptr<Target>(cmem(p).value_);
}
}  // namespace detail

}  // namespace alchemy::orm
