// registry and Mapper: turning mapped columns into Core tables; object
// allocation with inline instance state; the foreign-state table; change
// tracking fingerprints; entity SELECTs.
#include "alchemy/orm/mapping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <mutex>
#include <random>

#include "core/sql/nodes.hpp"
#include "orm/state.hpp"

namespace alchemy::orm {

namespace detail {

// ---- fingerprints ------------------------------------------------------------------------

namespace {
std::uint64_t process_seed() {
  static const std::uint64_t seed = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ULL;
  }();
  return seed;
}

inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept {
  const __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
inline std::uint64_t read32(const unsigned char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline std::uint64_t read64(const unsigned char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
}  // namespace

// A multiply-mix hash keyed with a per-process random seed, so that values
// cannot be crafted to collide with each other across runs.
std::uint64_t hash_bytes(const void* data, std::size_t size) noexcept {
  constexpr std::uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL,
                          k2 = 0x8ebc6af09c88c6e3ULL;
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t h = process_seed() ^ mix(size ^ k0, k1);
  std::size_t n = size;
  while (n >= 16) {
    h = mix(read64(p) ^ k1 ^ h, read64(p + 8) ^ k2);
    p += 16;
    n -= 16;
  }
  std::uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = read64(p);
    p += 8;
    n -= 8;
  }
  // The last n < 8 bytes, read whole (each read covers every byte of the
  // tail, so equal-size inputs that differ still differ here).
  if (n > 0) {
    if (size >= 8) {
      const std::uint64_t v = read64(p + n - 8);
      b = std::endian::native == std::endian::little
              ? v >> (64 - 8 * n)
              : v & ((std::uint64_t{1} << (8 * n)) - 1);
    } else if (n >= 4) {
      b = read32(p) | (static_cast<std::uint64_t>(read32(p + n - 4)) << 32);
    } else {
      b = p[0] | (static_cast<std::uint64_t>(p[n / 2]) << 8) |
          (static_cast<std::uint64_t>(p[n - 1]) << 16);
    }
  }
  return mix(mix(a ^ k1 ^ h, b ^ k2), size ^ k0);
}

std::uint64_t fingerprint_value(const Value& v) {
  switch (v.kind()) {
    case ValueKind::null:
      return kNullFingerprint;
    case ValueKind::boolean:
      return v.get<bool>() ? 1 : 0;
    case ValueKind::integer:
      return static_cast<std::uint64_t>(v.get<std::int64_t>());
    case ValueKind::floating:
      return std::bit_cast<std::uint64_t>(v.get<double>());
    case ValueKind::text: {
      const std::string& s = v.get<std::string>();
      return hash_bytes(s.data(), s.size());
    }
    case ValueKind::bytes: {
      const Bytes& b = v.get<Bytes>();
      return hash_bytes(b.data(), b.size());
    }
    default: {
      // Calendar values, decimals, UUIDs and JSON: by their canonical text.
      const std::string s = v.repr();
      return hash_bytes(s.data(), s.size()) ^ static_cast<std::uint64_t>(v.kind());
    }
  }
}

std::size_t ValueVecHash::operator()(const std::vector<Value>& k) const noexcept {
  std::uint64_t h = 0x51ed270b27f1cf5bULL;
  for (const Value& v : k) h = mix(h ^ fingerprint_value(v), 0x9e3779b97f4a7c15ULL);
  return static_cast<std::size_t>(h);
}

// ---- class names -----------------------------------------------------------------------

std::string class_name_from_signature(std::string_view pretty) {
  // GCC: "... [with T = ns::UserProfile; ...]"; Clang: "... [T = ns::UserProfile]".
  std::string_view s = pretty;
  auto at = s.find("T = ");
  if (at == std::string_view::npos) return std::string(s);
  s.remove_prefix(at + 4);
  std::size_t end = 0;
  int depth = 0;
  for (; end < s.size(); ++end) {
    const char ch = s[end];
    if (ch == '<') ++depth;
    if (ch == '>') --depth;
    if (depth == 0 && (ch == ';' || ch == ']')) break;
  }
  s = s.substr(0, end);
  if (auto lt = s.find('<'); lt != std::string_view::npos) s = s.substr(0, lt);
  if (auto colon = s.rfind("::"); colon != std::string_view::npos) s.remove_prefix(colon + 2);
  return std::string(s);
}

[[noreturn]] void throw_unmapped(const std::string& class_name) {
  throw UnmappedClassError(fmt::format(
      "Class '{}' is not mapped; map it once with registry::map<{}>(\"table\", "
      "orm::column<&{}::member>(\"name\"), ...) before using it with the ORM (for a member "
      "declared in a mixin or base struct, name the mapped class: orm::col<Mapped>(&{}::member))",
      class_name, class_name, class_name, class_name));
}

// ---- nodes: object + inline state ------------------------------------------------------

namespace {
// Layout of a node (see InstanceState):
//   [padding | snapshot[n-1] ... snapshot[0] | control block | InstanceState | object]
// The state is right before the object, the control block right before the
// state, so each finds the others without a stored pointer; the padding in
// front keeps the state (and so the object) aligned.
constexpr std::size_t kAlign = alignof(std::max_align_t);
constexpr std::size_t round_up(std::size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }
std::size_t header_size(std::size_t columns) {
  return round_up(columns * sizeof(std::uint64_t) + kCtrlSpace + sizeof(InstanceState));
}
// Snapshot words of a state: the fingerprints (and cycle collector words),
// then the unloaded-column mask when the node has one.
std::size_t state_words(const Mapper& m, bool mask) {
  return m.snapshot_size() + (mask ? m.mask_words() : 0);
}
thread_local void* t_ctrl_space = nullptr;
}  // namespace

void* allocate_node(const Mapper& m, std::size_t size, std::size_t align, bool mask) {
  (void)align;  // <= max_align_t, checked by create_object
  mask = mask || m.mask_always();
  const std::size_t header = header_size(state_words(m, mask));
  auto* base = static_cast<unsigned char*>(::operator new(header + size));
  auto* st = ::new (base + header - sizeof(InstanceState)) InstanceState();
  st->mapper = &m;
  st->has_mask = mask;
  if (m.relationship_count() != 0) gc_tracker_slot(st) = nullptr;
  return st->obj();
}

InstanceState* node_state(const void* obj) noexcept {
  return reinterpret_cast<InstanceState*>(const_cast<unsigned char*>(
                                              static_cast<const unsigned char*>(obj))) -
         1;
}

void node_ctrl_prepare(const void* obj) noexcept {
  t_ctrl_space = reinterpret_cast<unsigned char*>(node_state(obj)) - kCtrlSpace;
}

void* node_ctrl_take() noexcept {
  void* p = t_ctrl_space;
  t_ctrl_space = nullptr;
  return p;
}

namespace {
void free_state_node(InstanceState* st) noexcept {
  if (st->mapper->relationship_count() != 0) untrack(st);
  const std::size_t header = header_size(state_words(*st->mapper, st->has_mask));
  unsigned char* base = reinterpret_cast<unsigned char*>(st + 1) - header;
  st->~InstanceState();
  ::operator delete(static_cast<void*>(base));
}
}  // namespace

void free_node(void* obj) noexcept { free_state_node(node_state(obj)); }

void free_node_ctrl(void* ctrl) noexcept {
  free_state_node(reinterpret_cast<InstanceState*>(static_cast<unsigned char*>(ctrl) + kCtrlSpace));
}

// ---- foreign states: objects the program created ---------------------------------------

namespace {
// A foreign state and its snapshot in one allocation, laid out as a node is,
// with a pointer to the object where a node has the object.
struct ForeignStateDelete {
  void operator()(InstanceState* st) const noexcept { free_state_node(st); }
};
struct ForeignEntry {
  std::weak_ptr<void> owner;
  std::unique_ptr<InstanceState, ForeignStateDelete> state;
};
struct ForeignTable {
  std::mutex mu;
  std::unordered_map<const void*, ForeignEntry> map;
  std::size_t sweep_at = 1024;
};
ForeignTable& foreign_table() {
  static ForeignTable* t = new ForeignTable();  // outlives static destructors of sessions
  return *t;
}
bool same_owner(const std::weak_ptr<void>& a, const std::shared_ptr<void>& b) {
  return !a.owner_before(b) && !b.owner_before(a) && !a.expired();
}
}  // namespace

InstanceState* foreign_state(const std::shared_ptr<void>& obj, const Mapper& m, bool create) {
  if (!obj) return nullptr;
  ForeignTable& t = foreign_table();
  std::lock_guard lock(t.mu);
  auto it = t.map.find(obj.get());
  if (it != t.map.end() && same_owner(it->second.owner, obj)) return it->second.state.get();
  if (!create) return nullptr;
  if (t.map.size() >= t.sweep_at) {  // forget the states of objects that died
    std::erase_if(t.map, [](const auto& e) { return e.second.owner.expired(); });
    t.sweep_at = std::max<std::size_t>(1024, t.map.size() * 2);
  }
  const std::size_t header = header_size(state_words(m, m.mask_always()));
  auto* base = static_cast<unsigned char*>(::operator new(header + sizeof(void*)));
  std::unique_ptr<InstanceState, ForeignStateDelete> st(
      ::new (base + header - sizeof(InstanceState)) InstanceState());
  st->mapper = &m;
  st->has_mask = m.mask_always();
  if (m.relationship_count() != 0) gc_tracker_slot(st.get()) = nullptr;
  void* o = obj.get();
  std::memcpy(base + header, &o, sizeof(void*));
  st->foreign = true;
  InstanceState* raw = st.get();
  t.map[obj.get()] = ForeignEntry{obj, std::move(st)};
  return raw;
}

// ---- InstanceState -------------------------------------------------------------------------

std::vector<Value> InstanceState::identity() const {
  if (const auto* k = key()) return *k;
  return {Value(ikey)};
}

void InstanceState::take_snapshot() noexcept {
  const auto& attrs = mapper->attributes();
  for (std::size_t i = 0; i < attrs.size(); ++i) snap(i) = attrs[i].ops.fingerprint(obj());
}

bool InstanceState::column_changed(std::size_t i) const {
  return mapper->attributes()[i].ops.fingerprint(obj()) != snap(i);
}

bool InstanceState::modified() const {
  if (status != Status::persistent) return false;
  for (std::size_t i = 0; i < mapper->attributes().size(); ++i)
    if (column_changed(i)) return true;
  return false;
}

void identity_from_object(InstanceState* st) {
  const Mapper& m = *st->mapper;
  if (int_identity(m)) {
    st->set_ikey(m.attributes()[m.primary_key()[0]].ops.get(st->obj()).as<std::int64_t>());
  } else {
    std::vector<Value> k;
    for (std::size_t i : m.primary_key()) k.push_back(m.attributes()[i].ops.get(st->obj()));
    st->set_key(std::move(k));
  }
  st->has_identity = true;
}

// ---- entity statements -----------------------------------------------------------------

alchemy::Select entity_select(const std::vector<const Mapper*>& mappers) {
  bool plain = true;
  for (const Mapper* m : mappers) plain = plain && m->inherits() == nullptr && !m->polymorphic();
  std::vector<SelectItem> items;
  if (plain) {
    for (const Mapper* m : mappers)
      for (const auto& a : m->attributes())
        if (!a.deferred) items.emplace_back(a.column);
    return alchemy::select(std::move(items));
  }
  // Inheritance: the entities' joins, subclass columns loaded inline, and the
  // discriminator criteria of single-table subclasses.
  std::vector<FromClause> froms;
  std::vector<ColumnElement> where;
  for (const Mapper* m : mappers) {
    Mapper::EntityParts parts = m->entity_parts();
    for (auto& c : parts.columns) items.push_back(std::move(c));
    if (parts.from) froms.push_back(std::move(*parts.from));
    if (parts.where) where.push_back(std::move(*parts.where));
  }
  alchemy::Select out = alchemy::select(std::move(items));
  if (!froms.empty()) out = out.select_from_impl(std::move(froms));
  if (!where.empty()) out = out.where_impl(std::move(where));
  return out;
}

alchemy::Select polymorphic_select(const Mapper& m, const std::vector<const Mapper*>& subclasses) {
  for (const Mapper* s : subclasses)
    if (!s->isa(m))
      throw ArgumentError(fmt::format(
          "with_polymorphic(): class '{}' does not inherit from '{}'", s->class_name(),
          m.class_name()));
  Mapper::EntityParts parts = m.entity_parts(subclasses);
  alchemy::Select out = alchemy::select(std::move(parts.columns));
  if (parts.from) out = out.select_from(*parts.from);
  if (parts.where) out = out.where(*parts.where);
  return out;
}

const Mapper* state_mapper(const InstanceState* st) noexcept {
  return st ? st->mapper : nullptr;
}

ColumnElement filter_by_clause(const Mapper& m, const Params& criteria) {
  std::vector<ColumnElement> parts;
  for (const auto& item : criteria) {
    const Mapper::Attribute* a = m.attribute(item.first);
    if (a == nullptr) {
      std::string keys;
      for (const auto& at : m.attributes()) keys += (keys.empty() ? "" : ", ") + at.key;
      throw InvalidRequestError(fmt::format(
          "Entity '{}' has no attribute '{}' for filter_by(); its attributes are: {}",
          m.class_name(), item.first, keys));
    }
    parts.push_back(item.second.is_null() ? a->column.is_(nullptr) : (a->column == item.second));
  }
  return and_(std::move(parts));
}

}  // namespace detail

// ---- Mapper -----------------------------------------------------------------------------

Mapper::Mapper(const orm::registry& reg, detail::ClassOps cls, Table table,
               std::vector<detail::MappedColumn> cols, std::vector<Column> columns,
               std::vector<detail::MappedRelationship> rels, const Mapper* parent, bool joined)
    : registry_(&reg),
      class_(std::move(cls)),
      table_(std::move(table)),
      events_(std::make_shared<detail::MapperEventLists>()) {
  std::uint32_t local = 0;
  if (parent != nullptr) {
    // A subclass has the inherited attributes first, at the same indices.
    inherits_ = parent;
    base_mapper_ = parent->base_mapper_;
    attrs_ = parent->attrs_;
    pk_ = parent->pk_;
    version_ = parent->version_;
    tables_ = parent->tables_;
    polymorphic_on_ = parent->polymorphic_on_;
    if (joined) {
      tables_.push_back(MapperTable{table_, {}, {}, {}});
      local = static_cast<std::uint32_t>(tables_.size() - 1);
    } else {
      for (std::size_t t = 0; t < tables_.size(); ++t)
        if (tables_[t].table.node() == table_.node()) local = static_cast<std::uint32_t>(t);
    }
  } else {
    tables_.push_back(MapperTable{table_, {}, {}, {}});
  }
  const std::size_t inherited = attrs_.size();
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const Column& col = columns[i];
    const auto& node = col.impl();
    if (parent != nullptr) {
      std::ptrdiff_t same = -1;
      for (std::size_t j = 0; j < inherited; ++j)
        if (attrs_[j].offset == cols[i].offset) same = static_cast<std::ptrdiff_t>(j);
      if (same >= 0) {
        // The key column of a joined-table subclass's own table: it holds the
        // inherited key member's value.
        const auto pos = std::find(pk_.begin(), pk_.end(), static_cast<std::size_t>(same));
        if (!joined || !node.primary_key || pos == pk_.end())
          throw ArgumentError(fmt::format(
              "Class '{}': column '{}' maps member '{}', which class '{}' already maps; only "
              "the primary key of a joined-table subclass's own table may repeat an inherited "
              "member (its inherited primary key)",
              class_name(), cols[i].name, attrs_[static_cast<std::size_t>(same)].key,
              parent->class_name()));
        tables_[local].key_columns.push_back(col);
        tables_[local].key_pos.push_back(static_cast<std::size_t>(pos - pk_.begin()));
        continue;
      }
      if (const Attribute* clash = attribute(node.key); clash && clash - attrs_.data() <
                                                               static_cast<std::ptrdiff_t>(inherited))
        throw ArgumentError(fmt::format(
            "Class '{}': column '{}' has the key of attribute '{}' inherited from class '{}'; "
            "give it another name",
            class_name(), cols[i].name, node.key, parent->class_name()));
    }
    Attribute a{.key = {}, .column = col, .ops = {}};
    a.key = node.key;
    a.ops = cols[i].ops;
    a.offset = cols[i].offset;
    a.primary_key = node.primary_key;
    a.autoincrement = node.primary_key && alchemy::detail::is_integer_autoinc(
                                              table_.impl(), node);
    a.has_default = node.default_.scalar.has_value() || static_cast<bool>(node.default_.callable);
    a.server_generated = node.server_default != nullptr || node.server_default_literal ||
                         node.default_.sql != nullptr;
    a.has_onupdate = node.onupdate.is_set();
    a.version_id = cols[i].version_id;
    a.table = local;
    if (cols[i].deferred) {
      a.deferred = true;
      a.deferred_raiseload = cols[i].deferred->raiseload;
      a.deferred_group = cols[i].deferred->group;
      has_deferred_ = true;
      if (a.primary_key || a.version_id)
        throw ArgumentError(fmt::format(
            "Class '{}': column '{}' is the {} and cannot be deferred (it is always loaded)",
            class_name(), a.key, a.primary_key ? "primary key" : "version counter"));
    }
    if (a.ops.deferred_member != nullptr) has_deferred_members_ = true;
    if (a.version_id) {
      if (version_ >= 0)
        throw ArgumentError(fmt::format("Class '{}' has two version_id columns", class_name()));
      if (!a.column.type()->is_integer())
        throw ArgumentError(fmt::format(
            "version_id column '{}' of class '{}' must be an integer column (it counts updates)",
            a.key, class_name()));
      version_ = static_cast<std::ptrdiff_t>(attrs_.size());
    }
    if (parent != nullptr && a.primary_key)
      throw ArgumentError(fmt::format(
          "Class '{}': column '{}' is a primary key column of its own; a subclass's rows are "
          "keyed by the inherited primary key (map the inherited key member onto the joined "
          "table's key column instead)",
          class_name(), cols[i].name));
    tables_[local].attrs.push_back(attrs_.size());
    attrs_.push_back(std::move(a));
  }
  if (parent == nullptr) {
    for (const Column& pkc : table_.primary_key())
      for (std::size_t i = 0; i < attrs_.size(); ++i)
        if (attrs_[i].column.node() == pkc.node()) pk_.push_back(i);
    if (pk_.empty())
      throw ArgumentError(fmt::format(
          "Mapper for class '{}' could not assemble any primary key columns for table '{}'; "
          "give a column primary_key() (or a PrimaryKeyConstraint)",
          class_name(), table_.name()));
    for (std::size_t k = 0; k < pk_.size(); ++k) {
      tables_[0].key_columns.push_back(attrs_[pk_[k]].column);
      tables_[0].key_pos.push_back(k);
    }
  } else if (joined) {
    MapperTable& mt = tables_[local];
    const auto table_pk = table_.primary_key();
    bool whole = table_pk.size() == mt.key_columns.size() && mt.key_columns.size() == pk_.size();
    for (const Column& c : table_pk) {
      bool found = false;
      for (const Column& k : mt.key_columns) found = found || k.node() == c.node();
      whole = whole && found;
    }
    std::vector<std::size_t> seen = mt.key_pos;
    std::sort(seen.begin(), seen.end());
    whole = whole && std::adjacent_find(seen.begin(), seen.end()) == seen.end();
    if (!whole)
      throw ArgumentError(fmt::format(
          "Joined-table subclass '{}': the primary key of table '{}' must be the inherited "
          "primary key of class '{}': map each inherited key member onto a key column, e.g. "
          "orm::column<&{}::id>(\"id\", ForeignKey(\"{}.id\"), primary_key())",
          class_name(), table_.name(), parent->class_name(), parent->class_name(),
          parent->tables_.front().table.name()));
    // Each key column references a table of the inherited class (the inherit condition).
    for (const Column& k : mt.key_columns) {
      bool linked = false;
      for (const auto& c : table_.impl().constraints) {
        if (c->type != alchemy::detail::ConstraintNode::Type::foreign_key) continue;
        if (std::find(c->columns.begin(), c->columns.end(), &k.impl()) == c->columns.end())
          continue;
        const alchemy::detail::TableNode* r = nullptr;
        try {
          r = c->referred_table();
        } catch (const std::exception&) {
          continue;
        }
        for (const auto& pt : parent->tables_) linked = linked || &pt.table.impl() == r;
      }
      if (!linked)
        throw ArgumentError(fmt::format(
            "Can't find any foreign key relationships between '{}' and '{}' for joined-table "
            "subclass '{}': give key column '{}' a ForeignKey(\"{}.{}\")",
            parent->tables_.front().table.name(), table_.name(), class_name(), k.name(),
            parent->tables_.front().table.name(), k.name()));
    }
  }
  if (parent != nullptr) {
    for (const auto& r : parent->rels_) {
      auto copy = std::make_unique<RelationshipProperty>(*this, rels_.size(), r->def);
      copy->inherited_from_ = r.get();
      rels_.push_back(std::move(copy));
    }
  }
  const std::size_t inherited_rels = rels_.size();
  // Column deferral is for classes outside inheritance hierarchies (this release).
  for (const Mapper* m = this; m != nullptr; m = m->inherits_)
    if ((m->has_deferred_ || m->has_deferred_members_) && (parent != nullptr || polymorphic()))
      throw ArgumentError(fmt::format(
          "Class '{}': deferred columns (orm::deferred(), orm::Deferred<T>) are not supported "
          "in inheritance hierarchies yet; load the column with the class, or move it to a "
          "related class",
          class_name()));
  mask_always_ = has_deferred_ || has_deferred_members_;
  for (std::size_t i = 0; i < rels.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j)
      if (rels[j].key == rels[i].key || rels[j].offset == rels[i].offset)
        throw ArgumentError(fmt::format(
            "Class '{}': relationship '{}' is mapped twice (by key or member)", class_name(),
            rels[i].key));
    for (std::size_t j = 0; j < inherited_rels; ++j)
      if (rels_[j]->def.key == rels[i].key || rels_[j]->def.offset == rels[i].offset)
        throw ArgumentError(fmt::format(
            "Class '{}': relationship '{}' is already mapped by class '{}'", class_name(),
            rels[i].key, parent->class_name()));
    if (attribute(rels[i].key) != nullptr)
      throw ArgumentError(fmt::format(
          "Class '{}': relationship '{}' has the key of a column; give it another name",
          class_name(), rels[i].key));
    rels_.push_back(std::make_unique<RelationshipProperty>(*this, rels_.size(), std::move(rels[i])));
  }
  build_statements();
}

bool Mapper::isa(const Mapper& other) const noexcept {
  for (const Mapper* m = this; m != nullptr; m = m->inherits_)
    if (m == &other) return true;
  return false;
}

const Mapper* Mapper::polymorphic_mapper(const Value& v) const noexcept {
  for (const auto& [id, m] : base_mapper_->polymorphic_map_)
    if (id == v) return m;
  return nullptr;
}

const Mapper& Mapper::mapper_for_type(const std::type_info& type) const noexcept {
  for (const Mapper* m : family_)
    if (*m->class_.type == type) return *m;
  return *this;
}

namespace {
ColumnElement inherit_condition(const std::vector<Mapper::MapperTable>& tables, std::size_t t) {
  std::vector<ColumnElement> on;
  const auto& root = tables.front();
  for (std::size_t k = 0; k < tables[t].key_columns.size(); ++k)
    on.push_back(tables[t].key_columns[k] == root.key_columns[tables[t].key_pos[k]]);
  return and_(std::move(on));
}
}  // namespace

Mapper::EntityParts Mapper::entity_parts(const std::vector<const Mapper*>& inline_subclasses,
                                         bool with_descendants) const {
  EntityParts out;
  out.columns.reserve(attrs_.size());
  for (const auto& a : attrs_) out.columns.emplace_back(a.column);
  std::vector<const alchemy::detail::TableNode*> present;
  for (const auto& t : tables_) present.push_back(&t.table.impl());
  std::optional<FromClause> from;
  if (tables_.size() > 1) {
    from = tables_.front().table;
    for (std::size_t t = 1; t < tables_.size(); ++t)
      from = from->join(tables_[t].table, inherit_condition(tables_, t));
  }
  if (with_descendants && polymorphic()) {
    std::vector<const Mapper*> added{this};
    auto is_added = [&](const Mapper* m) {
      return std::find(added.begin(), added.end(), m) != added.end();
    };
    // Adds `d` (and the mappers between this one and it) to the statement.
    std::function<void(const Mapper*)> add = [&](const Mapper* d) {
      if (is_added(d)) return;
      add(d->inherits_);
      for (std::size_t t = 0; t < d->tables_.size(); ++t) {
        const alchemy::detail::TableNode* tn = &d->tables_[t].table.impl();
        if (std::find(present.begin(), present.end(), tn) != present.end()) continue;
        if (!from) from = tables_.front().table;
        from = from->outerjoin(d->tables_[t].table, inherit_condition(d->tables_, t));
        present.push_back(tn);
      }
      for (std::size_t i = d->inherits_->attrs_.size(); i < d->attrs_.size(); ++i)
        out.columns.emplace_back(d->attrs_[i].column);
      added.push_back(d);
    };
    const bool all = base_mapper_->with_polymorphic_all_;
    for (const Mapper* d : family_) {
      if (d == this) continue;
      bool want = all;
      // Single-table subclasses (no table the statement lacks) always load inline.
      bool own_tables = false;
      for (const auto& t : d->tables_)
        own_tables = own_tables ||
                     std::find(present.begin(), present.end(), &t.table.impl()) == present.end();
      if (!own_tables) want = true;
      for (const Mapper* m = d; m != nullptr && m != this && !want; m = m->inherits_)
        want = m->load_inline_;
      for (const Mapper* w : inline_subclasses)
        want = want || w->isa(*d);
      if (want) add(d);
    }
  }
  if (inherits_ != nullptr && tables_.size() == inherits_->tables_.size() &&
      polymorphic_on_ >= 0) {
    // A single-table subclass: only rows of its own identities.
    std::vector<Value> ids;
    for (const Mapper* d : family_)
      if (d->identity_) ids.push_back(*d->identity_);
    if (!ids.empty()) out.where = attrs_[static_cast<std::size_t>(polymorphic_on_)].column.in_(ids);
  }
  out.from = std::move(from);
  return out;
}

void Mapper::build_statements() {
  std::vector<ColumnElement> crit;
  for (std::size_t k = 0; k < pk_.size(); ++k)
    crit.push_back(attrs_[pk_[k]].column == bindparam(fmt::format("pk_{}", k)));
  get_pos_.clear();
  if (has_deferred_) {
    // get() loads what a default query loads: deferred columns stay out
    // (such classes are outside inheritance hierarchies: one table).
    std::vector<SelectItem> items;
    for (const auto& a : attrs_) {
      if (a.deferred) {
        get_pos_.push_back(detail::LoadPlan::kNotLoaded);
        continue;
      }
      get_pos_.push_back(items.size());
      items.emplace_back(a.column);
    }
    get_stmt_ = alchemy::select(std::move(items)).where(and_(std::move(crit)));
    return;
  }
  for (std::size_t i = 0; i < attrs_.size(); ++i) get_pos_.push_back(i);
  EntityParts parts = entity_parts();
  if (parts.where) crit.push_back(*parts.where);
  alchemy::Select stmt = alchemy::select(std::move(parts.columns));
  if (parts.from) stmt = stmt.select_from(*parts.from);
  get_stmt_ = stmt.where(and_(std::move(crit)));
}

Mapper::~Mapper() = default;

void Mapper::validate(void* obj, const std::vector<std::size_t>* attrs) const {
  for (const auto& v : validators_) {
    for (std::size_t i : v.attrs) {
      if (attrs && std::find(attrs->begin(), attrs->end(), i) == attrs->end()) continue;
      const Attribute& a = attrs_[i];
      Value out = v.fn(a.key, a.ops.get(obj), obj);
      a.ops.set(obj, out);
    }
  }
}

const Mapper::Attribute* Mapper::attribute_at(std::ptrdiff_t offset) const noexcept {
  for (const auto& a : attrs_)
    if (a.offset == offset) return &a;
  return nullptr;
}

const Mapper::Attribute* Mapper::attribute(std::string_view key) const noexcept {
  for (const auto& a : attrs_)
    if (a.key == key) return &a;
  return nullptr;
}

ColumnElement Mapper::column_at(std::ptrdiff_t offset) const {
  if (const Attribute* a = attribute_at(offset)) return a->column;
  throw InvalidRequestError(fmt::format(
      "This member of class '{}' is not mapped to a column; add it with orm::column<...>() "
      "in registry::map<{}>()",
      class_name(), class_name()));
}

// ---- registry ---------------------------------------------------------------------------

registry::registry(RegistryOptions options)
    : metadata(options.naming_convention, options.schema), options_(std::move(options)) {}

registry::~registry() {
  // Classes mapped here must not point at freed mappers; a later registry may
  // map them again.
  for (auto& m : mappers_)
    if (m->class_.slot && *m->class_.slot == m.get()) *m->class_.slot = nullptr;
}

std::string registry::table_name_for(std::string_view class_name) const {
  if (!options_.table_name)
    throw ArgumentError(fmt::format(
        "Class '{}' was mapped without a table name and the registry has no table_name hook; "
        "pass the name to map<{}>(\"table\", ...) or set RegistryOptions::table_name (e.g. "
        "orm::snake_case_plural)",
        class_name, class_name));
  return options_.table_name(class_name);
}

const Mapper& registry::map_impl(detail::ClassOps cls, std::optional<std::string> tablename,
                                 std::vector<detail::MappedColumn> cols,
                                 std::vector<detail::MappedRelationship> rels,
                                 std::vector<SchemaItem> items, detail::MapperArgs args) {
  if (cls.slot && *cls.slot != nullptr)
    throw ArgumentError(fmt::format(
        "Class '{}' is already mapped by another registry (to table '{}'); a class has one "
        "mapping per program",
        cls.name, (*cls.slot)->table().name()));
  for (const auto& m : mappers_)
    if (*m->class_.type == *cls.type)
      throw ArgumentError(fmt::format("Class '{}' is already mapped (to table '{}')", cls.name,
                                      m->table().name()));
  // ---- inheritance arguments, checked before anything changes ----
  Mapper* parent = nullptr;
  if (args.inherits != nullptr) {
    const Mapper* p = args.inherits();
    if (p == nullptr)
      throw ArgumentError(fmt::format(
          "Class '{}' inherits from class '{}', which is not mapped; map {} first",
          cls.name, args.inherits_name, args.inherits_name));
    for (auto& m : mappers_)
      if (m.get() == p) parent = m.get();
    if (parent == nullptr)
      throw ArgumentError(fmt::format(
          "Class '{}' inherits from class '{}', which is mapped by another registry; map a "
          "hierarchy in one registry",
          cls.name, args.inherits_name));
    if (args.base_offset != 0)
      throw ArgumentError(fmt::format(
          "Class '{}' inherits from '{}', but its '{}' part is not at the start of the object "
          "(offset {}): the ORM shares one object between the classes of a hierarchy, so the "
          "mapped base must be the first base class and the class may not add virtual "
          "functions to a base without them",
          cls.name, args.inherits_name, args.inherits_name, args.base_offset));
    if (args.polymorphic_on)
      throw ArgumentError(fmt::format(
          "Class '{}': polymorphic_on is given on the base class of a hierarchy ('{}' inherits "
          "it from '{}')",
          cls.name, cls.name, parent->base_mapper().class_name()));
    if (!args.with_polymorphic.empty())
      throw ArgumentError(fmt::format(
          "Class '{}': with_polymorphic(\"*\") is given on the base class of a hierarchy",
          cls.name));
  } else if (!tablename) {
    throw ArgumentError(fmt::format("Class '{}' is mapped without a table", cls.name));
  }
  if (!args.polymorphic_load.empty()) {
    if (args.polymorphic_load != "inline" && args.polymorphic_load != "selectin")
      throw ArgumentError(fmt::format(
          "Class '{}': polymorphic_load must be \"inline\" or \"selectin\", not \"{}\"",
          cls.name, args.polymorphic_load));
    if (parent == nullptr)
      throw ArgumentError(fmt::format(
          "Class '{}': polymorphic_load is for a subclass (it says how queries of its base "
          "class load it)",
          cls.name));
  }
  if (!args.with_polymorphic.empty() && args.with_polymorphic != "*")
    throw ArgumentError(fmt::format(
        "Class '{}': the mapping's with_polymorphic takes \"*\" (every subclass); name "
        "subclasses per query with orm::with_polymorphic<Base, Sub...>()",
        cls.name));
  const bool single = parent != nullptr && !tablename;
  const bool joined = parent != nullptr && tablename.has_value();
  if (cols.empty() && parent == nullptr)
    throw ArgumentError(fmt::format("Class '{}' is mapped without columns", cls.name));
  if (args.polymorphic_identity) {
    if (args.polymorphic_identity->is_null())
      throw ArgumentError(
          fmt::format("Class '{}': polymorphic_identity cannot be NULL", cls.name));
    const bool has_on = parent != nullptr ? parent->polymorphic_on() >= 0
                                          : args.polymorphic_on.has_value();
    if (!has_on)
      throw ArgumentError(fmt::format(
          "Class '{}' has a polymorphic_identity but no polymorphic_on is given in its "
          "hierarchy; name the discriminator column on the base class's mapping: "
          "orm::polymorphic_on<&Base::type>()",
          cls.name));
    if (parent != nullptr)
      if (const Mapper* other = parent->polymorphic_mapper(*args.polymorphic_identity))
        throw ArgumentError(fmt::format(
            "Class '{}': polymorphic_identity {} is already the identity of class '{}'; each "
            "class of a hierarchy needs its own",
            cls.name, args.polymorphic_identity->repr(), other->class_name()));
  }
  for (std::size_t i = 0; i < cols.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      if (cols[i].offset == cols[j].offset)
        throw ArgumentError(fmt::format(
            "Class '{}': columns '{}' and '{}' are mapped to the same member", cls.name,
            cols[j].name, cols[i].name));
      if (cols[i].name == cols[j].name)
        throw ArgumentError(
            fmt::format("Class '{}': column '{}' is mapped twice", cls.name, cols[i].name));
    }
  if (single) {
    for (const auto& c : cols) {
      if (parent->table().impl().find(c.name) != nullptr)
        throw ArgumentError(fmt::format(
            "Single-table subclass '{}': table '{}' already has a column '{}'", cls.name,
            parent->table().name(), c.name));
      if (parent->attribute_at(c.offset) != nullptr)
        throw ArgumentError(fmt::format(
            "Single-table subclass '{}': column '{}' maps a member that class '{}' already "
            "maps",
            cls.name, c.name, parent->class_name()));
    }
  }
  std::vector<Column> columns;
  columns.reserve(cols.size());
  for (auto& c : cols) {
    std::vector<ColumnOption> opts;
    opts.reserve(c.options.size() + 1);
    // Inferred (single-table subclass columns are nullable: rows of the other
    // classes have none); the user's options come after and win.
    opts.push_back(nullable(single ? true : c.nullable));
    for (auto& o : c.options) opts.push_back(o);
    columns.emplace_back(c.name, c.type, std::move(opts));
  }
  std::optional<Table> table;
  if (single) {
    table = parent->table_;
  } else {
    std::vector<SchemaItem> all;
    all.reserve(columns.size() + items.size());
    for (auto& c : columns) all.emplace_back(c);
    for (auto& i : items) all.push_back(std::move(i));
    table.emplace(std::move(*tablename), metadata, std::move(all));
  }
  std::unique_ptr<Mapper> m;
  try {
    m = std::make_unique<Mapper>(*this, std::move(cls), *table, std::move(cols), columns,
                                 std::move(rels), parent, joined);
    if (args.polymorphic_on) {
      const Mapper::Attribute* a = m->attribute_at(*args.polymorphic_on);
      if (a == nullptr)
        throw ArgumentError(fmt::format(
            "Class '{}': the polymorphic_on member is not mapped; map it with "
            "orm::column<...>() in the same mapping",
            m->class_name()));
      m->polymorphic_on_ = a - m->attrs_.data();
    }
  } catch (...) {
    if (!single) metadata.remove(*table);
    throw;
  }
  if (single) {
    for (auto& c : columns) parent->table_.append_column(c);
    for (auto& i : items) parent->table_.append_constraint(i);
  }
  m->identity_ = std::move(args.polymorphic_identity);
  m->load_inline_ = args.polymorphic_load == "inline";
  m->with_polymorphic_all_ = args.with_polymorphic == "*";
  Mapper& ref = *m;
  {
    std::lock_guard lock(configure_mu_);
    mappers_.push_back(std::move(m));
    configured_ = false;  // relationships may point at this class now
  }
  // backref(): the reverse relationships, on the related class now or once it is mapped.
  for (std::size_t i = 0; i < ref.rels_.size(); ++i) {
    auto spec = ref.rels_[i]->def.options.backref;
    if (!spec) continue;
    detail::MappedRelationship back = spec->rel;
    back.options.back_populates = ref.rels_[i]->def.key;
    if (ref.rels_[i]->def.options.back_populates.empty())
      ref.rels_[i]->def.options.back_populates = back.key;
    if (!back.options.secondary && back.options.secondary_name.empty()) {
      back.options.secondary = ref.rels_[i]->def.options.secondary;
      back.options.secondary_name = ref.rels_[i]->def.options.secondary_name;
    }
    Mapper* target = nullptr;
    if (spec->slot == ref.class_.slot) target = &ref;
    for (auto& mp : mappers_)
      if (mp->class_.slot == spec->slot) target = mp.get();
    if (target != nullptr)
      add_relationship(*target, std::move(back));
    else
      pending_backrefs_.emplace_back(spec->slot, std::move(back));
  }
  for (auto it = pending_backrefs_.begin(); it != pending_backrefs_.end();) {
    if (it->first != ref.class_.slot) {
      ++it;
      continue;
    }
    add_relationship(ref, std::move(it->second));
    it = pending_backrefs_.erase(it);
  }
  // Dependency order: the position of each table in metadata.sorted_tables().
  if (ref.identity_) const_cast<Mapper*>(ref.base_mapper_)->polymorphic_map_.emplace_back(*ref.identity_, &ref);
  for (Mapper* a = parent; a != nullptr; a = const_cast<Mapper*>(a->inherits_)) {
    a->family_.push_back(&ref);
    a->build_statements();  // its queries now load this class too
  }
  ref.build_statements();
  // Dependency order: each mapper after the tables its tables reference (the
  // tables of a hierarchy count as one), from the position of each table in
  // metadata.sorted_tables().
  const auto sorted = metadata.sorted_tables();
  auto position = [&](const Table& t) -> std::size_t {
    for (std::size_t i = 0; i < sorted.size(); ++i)
      if (sorted[i].node() == t.node()) return i;
    return 0;
  };
  auto has_table = [](const Mapper& mp, const alchemy::detail::TableNode* t) {
    for (const auto& mt : mp.tables_)
      if (&mt.table.impl() == t) return true;
    return false;
  };
  for (auto& mp : mappers_) {
    mp->sort_order_ = 0;
    for (const auto& mt : mp->tables_) mp->sort_order_ = std::max(mp->sort_order_, position(mt.table));
  }
  for (std::size_t pass = 0; pass < mappers_.size(); ++pass) {
    bool changed = false;
    for (auto& x : mappers_) {
      for (const auto& mt : x->tables_) {
        for (const auto& c : mt.table.impl().constraints) {
          if (c->type != alchemy::detail::ConstraintNode::Type::foreign_key) continue;
          const alchemy::detail::TableNode* r = nullptr;
          try {
            r = c->referred_table();
          } catch (const std::exception&) {
            continue;
          }
          if (r == nullptr || has_table(*x, r)) continue;
          // After every class of each hierarchy with table r (a hierarchy's
          // rows are inserted together).
          for (auto& y : mappers_) {
            if (y == x || !has_table(*y, r)) continue;
            for (const Mapper* z : y->base_mapper_->family_)
              if (z != x.get() && x->sort_order_ <= z->sort_order_) {
                x->sort_order_ = z->sort_order_ + 1;
                changed = true;
              }
          }
        }
      }
    }
    if (!changed) break;
  }
  return ref;
}

void registry::add_relationship(Mapper& m, detail::MappedRelationship r) {
  for (const auto& e : m.rels_)
    if (e->def.key == r.key)
      throw ArgumentError(fmt::format(
          "backref '{}': class '{}' already has a relationship '{}'; use back_populates on both "
          "sides instead",
          r.key, m.class_name(), r.key));
  std::lock_guard lock(configure_mu_);
  m.rels_.push_back(std::make_unique<RelationshipProperty>(m, m.rels_.size(), std::move(r)));
  // Classes inheriting from m have it too.
  const RelationshipProperty* added = m.rels_.back().get();
  for (const Mapper* d : m.family_) {
    if (d == &m) continue;
    auto* dm = const_cast<Mapper*>(d);
    auto copy = std::make_unique<RelationshipProperty>(*dm, dm->rels_.size(), added->def);
    copy->inherited_from_ = added;
    dm->rels_.push_back(std::move(copy));
  }
  configured_ = false;
}

void registry::add_validator(const Mapper& m, std::vector<std::string> keys,
                             std::function<Value(std::string_view, const Value&, const void*)> fn) {
  for (auto& mp : mappers_) {
    if (mp.get() != &m) continue;
    detail::Validator v;
    for (const auto& k : keys) {
      const Mapper::Attribute* a = m.attribute(k);
      if (a == nullptr)
        throw ArgumentError(fmt::format("validates(): class '{}' has no attribute '{}'",
                                        m.class_name(), k));
      v.attrs.push_back(static_cast<std::size_t>(a - m.attributes().data()));
    }
    v.fn = std::move(fn);
    mp->validators_.push_back(std::move(v));
    return;
  }
  throw ArgumentError(fmt::format(
      "validates(): class '{}' is mapped by another registry; register the validator there",
      m.class_name()));
}

std::vector<const Mapper*> registry::mappers() const {
  std::vector<const Mapper*> out;
  for (const auto& m : mappers_) out.push_back(m.get());
  std::stable_sort(out.begin(), out.end(), [](const Mapper* a, const Mapper* b) {
    return a->sort_order() < b->sort_order();
  });
  return out;
}

std::string snake_case_plural(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char ch = name[i];
    if (std::isupper(static_cast<unsigned char>(ch))) {
      // A boundary before an upper-case letter that follows a lower-case letter or
      // digit, or that starts a new word after an acronym ("HTTPServer" -> http_server).
      const bool after_lower = i > 0 && (std::islower(static_cast<unsigned char>(name[i - 1])) ||
                                         std::isdigit(static_cast<unsigned char>(name[i - 1])));
      const bool word_start = i > 0 && i + 1 < name.size() &&
                              std::isupper(static_cast<unsigned char>(name[i - 1])) &&
                              std::islower(static_cast<unsigned char>(name[i + 1]));
      if (after_lower || word_start) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else {
      out += ch;
    }
  }
  // English plurals for the common endings: category -> categories,
  // address -> addresses, box -> boxes, match -> matches; else add "s".
  auto ends = [&](std::string_view suf) {
    return out.size() >= suf.size() && out.compare(out.size() - suf.size(), suf.size(), suf) == 0;
  };
  if (out.size() >= 2 && out.back() == 'y' &&
      std::string_view("aeiou").find(out[out.size() - 2]) == std::string_view::npos) {
    out.back() = 'i';
    out += "es";
  } else if (ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh")) {
    out += "es";
  } else {
    out += 's';
  }
  return out;
}

namespace detail {

SessionEventLists& global_session_events() {
  static SessionEventLists* lists = new SessionEventLists();
  return *lists;
}

event::ListenerId add_mapper_listener(const Mapper& m, MapperEvent e, MapperFn fn) {
  return m.events()[e].add(std::move(fn));
}
bool remove_mapper_listener(const Mapper& m, MapperEvent e, event::ListenerId id) {
  return m.events()[e].remove(id);
}
event::ListenerId add_session_listener(Session* session, SessionEvent e, SessionFn fn) {
  if (session == nullptr) return global_session_events()[e].add(std::move(fn));
  return session->impl().events[e].add(std::move(fn));
}
bool remove_session_listener(Session* session, SessionEvent e, event::ListenerId id) {
  if (session == nullptr) return global_session_events()[e].remove(id);
  return session->impl().events[e].remove(id);
}

}  // namespace detail

}  // namespace alchemy::orm
