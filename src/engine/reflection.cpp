// Reflection: the Inspector (include/alchemy/engine/reflection.hpp), and
// MetaData::reflect / autoload_with (declared in <alchemy/core/schema.hpp>,
// implemented here because they need a connection), which turn what the
// Inspector reports into Table objects the way SQLAlchemy's
// Inspector.reflect_table does: columns, primary key, foreign keys (reflecting
// the referred tables too), indexes, unique and check constraints, comment.
#include "alchemy/engine/reflection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "alchemy/core/schema.hpp"
#include "alchemy/engine/connection.hpp"
#include "alchemy/engine/engine.hpp"
#include "alchemy/exc.hpp"
#include "core/sql/nodes.hpp"

namespace alchemy {

using namespace detail;

// ---- reflected structs ----------------------------------------------------------------------

bool operator==(const ReflectedColumn& a, const ReflectedColumn& b) {
  auto same_type = [](const TypeRef& x, const TypeRef& y) {
    if (!x || !y) return !x && !y;
    return x->kind() == y->kind() && x->repr() == y->repr();
  };
  return a.name == b.name && same_type(a.type, b.type) && a.nullable == b.nullable &&
         a.default_ == b.default_ && a.autoincrement == b.autoincrement && a.comment == b.comment;
}

ReflectedTableComment Dialect::get_table_comment(Connection& conn, std::string_view table,
                                                 const std::optional<std::string>& schema) const {
  get_pk_constraint(conn, table, schema);  // NoSuchTableError for a missing table
  return {};
}

// ---- Inspector ------------------------------------------------------------------------------

struct Inspector::Impl {
  std::optional<Engine> engine;
  Connection* conn = nullptr;
  const Dialect* dialect = nullptr;  // owned by the engine's state, which `engine` keeps

  template <class F>
  auto run(F&& f) const {
    if (conn != nullptr) return f(*conn, *dialect);
    Connection c = engine->connect();
    return f(c, *dialect);  // the scope's end rolls back: reflection only reads
  }
};

Inspector::Inspector(const Engine& bind) : impl_(std::make_shared<Impl>()) {
  impl_->engine = bind;
  impl_->dialect = &bind.dialect();
}

Inspector::Inspector(Connection& bind) : impl_(std::make_shared<Impl>()) {
  impl_->conn = &bind;
  impl_->engine = bind.engine();  // keeps the dialect alive
  impl_->dialect = &impl_->engine->dialect();
}

const Dialect& Inspector::dialect() const { return *impl_->dialect; }

std::string Inspector::default_schema_name() const {
  return impl_->run([](Connection& c, const Dialect& d) { return d.default_schema_name(c); });
}

std::vector<std::string> Inspector::get_table_names(
    const std::optional<std::string>& schema) const {
  return impl_->run([&](Connection& c, const Dialect& d) { return d.get_table_names(c, schema); });
}

bool Inspector::has_table(std::string_view table_name,
                          const std::optional<std::string>& schema) const {
  return impl_->run(
      [&](Connection& c, const Dialect& d) { return d.has_table(c, table_name, schema); });
}

std::vector<ReflectedColumn> Inspector::get_columns(
    std::string_view table_name, const std::optional<std::string>& schema) const {
  return impl_->run(
      [&](Connection& c, const Dialect& d) { return d.get_columns(c, table_name, schema); });
}

ReflectedPrimaryKeyConstraint Inspector::get_pk_constraint(
    std::string_view table_name, const std::optional<std::string>& schema) const {
  return impl_->run(
      [&](Connection& c, const Dialect& d) { return d.get_pk_constraint(c, table_name, schema); });
}

std::vector<ReflectedForeignKeyConstraint> Inspector::get_foreign_keys(
    std::string_view table_name, const std::optional<std::string>& schema) const {
  return impl_->run(
      [&](Connection& c, const Dialect& d) { return d.get_foreign_keys(c, table_name, schema); });
}

std::vector<ReflectedIndex> Inspector::get_indexes(std::string_view table_name,
                                                   const std::optional<std::string>& schema) const {
  return impl_->run(
      [&](Connection& c, const Dialect& d) { return d.get_indexes(c, table_name, schema); });
}

std::vector<ReflectedUniqueConstraint> Inspector::get_unique_constraints(
    std::string_view table_name, const std::optional<std::string>& schema) const {
  return impl_->run([&](Connection& c, const Dialect& d) {
    return d.get_unique_constraints(c, table_name, schema);
  });
}

std::vector<ReflectedCheckConstraint> Inspector::get_check_constraints(
    std::string_view table_name, const std::optional<std::string>& schema) const {
  return impl_->run([&](Connection& c, const Dialect& d) {
    return d.get_check_constraints(c, table_name, schema);
  });
}

ReflectedTableComment Inspector::get_table_comment(std::string_view table_name,
                                                   const std::optional<std::string>& schema) const {
  return impl_->run(
      [&](Connection& c, const Dialect& d) { return d.get_table_comment(c, table_name, schema); });
}

Inspector inspect(const Engine& bind) { return Inspector(bind); }
Inspector inspect(Connection& bind) { return Inspector(bind); }

// ---- building Tables from reflection ------------------------------------------------------------

namespace {

std::string table_key(const std::string& name, const std::optional<std::string>& schema) {
  return schema ? *schema + "." + name : name;
}

// One reflection run: the connection, the MetaData the tables go into, and the
// tables being reflected right now (so foreign-key cycles end).
struct ReflectContext {
  Connection& conn;
  std::shared_ptr<MetaDataImpl> metadata;
  std::set<std::string> in_progress;
};

void reflect_table(ReflectContext& ctx, TableNode& node);

// A TableOption that reflects the table once Table() has registered it.
SchemaItem::TableOption reflect_option(ReflectContext* ctx) {
  return {[ctx](TableNode& t) {
    t.after_init.push_back([ctx](TableNode& n) { reflect_table(*ctx, n); });
  }};
}

// Unregisters a table whose reflection failed (SQLAlchemy's Table._init does
// the same), so a retry or a plain Table() of that name is possible.
void forget(MetaDataImpl& md, const TableNode& node) {
  const std::string key = node.fullname();
  auto it = md.tables.find(key);
  if (it == md.tables.end() || it->second.get() != &node) return;
  md.tables.erase(it);
  md.order.erase(std::remove(md.order.begin(), md.order.end(), key), md.order.end());
}

// Reflects a table a foreign key refers to into ctx.metadata. Table() needs a
// MetaData object, and this one only has its contents, so the table is built
// in a scratch MetaData with the same naming convention and default schema,
// then moved over.
void reflect_referred(ReflectContext& ctx, const std::string& name,
                      const std::optional<std::string>& schema) {
  MetaData scratch(ctx.metadata->naming_convention, ctx.metadata->schema);
  std::vector<SchemaItem> items;
  if (schema) items.emplace_back(alchemy::schema(*schema));
  items.emplace_back(reflect_option(&ctx));
  Table t(name, scratch, items);
  const std::string key = t.fullname();
  auto node = scratch.impl().tables.at(key);
  node->metadata = ctx.metadata;
  ctx.metadata->tables[key] = node;
  ctx.metadata->order.push_back(key);
  scratch.remove(t);
}

bool starts_with(const std::optional<std::string>& s, std::string_view prefix) {
  return s && s->rfind(prefix, 0) == 0;
}

void fill_table(ReflectContext& ctx, TableNode& node) {
  Table table(node.self.lock());
  Inspector insp(ctx.conn);
  const std::string name = node.name;
  const std::optional<std::string> schema = node.schema;

  const auto columns = insp.get_columns(name, schema);
  const auto pk = insp.get_pk_constraint(name, schema);
  auto has_column = [&](const std::string& n) {
    return std::any_of(node.columns.begin(), node.columns.end(),
                       [&](const auto& c) { return c->name == n; });
  };
  for (const auto& c : columns) {
    if (has_column(c.name)) continue;  // a Column given to Table() wins, as in SQLAlchemy
    std::vector<ColumnOption> options{nullable(c.nullable)};
    if (c.autoincrement) options.push_back(autoincrement(*c.autoincrement));
    // A SERIAL key's nextval() default comes back with the SERIAL the DDL
    // compiler writes for it; keeping it would name a sequence that a copy of
    // the table elsewhere does not have.
    const bool serial = c.autoincrement.value_or(false) && c.type && c.type->is_integer() &&
                        pk.constrained_columns == std::vector<std::string>{c.name} &&
                        starts_with(c.default_, "nextval(");
    if (c.default_ && !serial) options.push_back(server_default(literal_column(*c.default_)));
    if (c.comment) options.push_back(comment(*c.comment));
    table.append_column(Column(c.name, c.type ? c.type : types::null_type(), options));
  }
  if (!pk.constrained_columns.empty())
    table.append_constraint(PrimaryKeyConstraint(pk.constrained_columns, pk.name.value_or("")));

  for (const auto& fk : insp.get_foreign_keys(name, schema)) {
    const std::optional<std::string> registered_schema =
        fk.referred_schema ? fk.referred_schema : ctx.metadata->schema;
    const std::string key = table_key(fk.referred_table, registered_schema);
    if (!ctx.metadata->tables.count(key) && !ctx.in_progress.count(key))
      reflect_referred(ctx, fk.referred_table, fk.referred_schema);
    const std::string prefix = table_key(fk.referred_table, fk.referred_schema) + ".";
    std::vector<std::string> refcolumns;
    for (const auto& rc : fk.referred_columns) refcolumns.push_back(prefix + rc);
    ForeignKeyOptions options;
    options.name = fk.name.value_or("");
    options.ondelete = fk.options.ondelete;
    options.onupdate = fk.options.onupdate;
    options.deferrable = fk.options.deferrable;
    options.initially = fk.options.initially;
    table.append_constraint(
        ForeignKeyConstraint(fk.constrained_columns, std::move(refcolumns), options));
  }

  for (const auto& idx : insp.get_indexes(name, schema)) {
    if (idx.duplicates_constraint) continue;  // a UNIQUE constraint's index
    std::vector<Index::Element> elements;
    bool resolvable = true;
    for (std::size_t k = 0; k < idx.column_names.size(); ++k) {
      if (const auto& col = idx.column_names[k]) {
        resolvable = resolvable && has_column(*col);
        elements.emplace_back(*col);
      } else if (k < idx.expressions.size() && !idx.expressions[k].empty()) {
        elements.emplace_back(literal_column(idx.expressions[k]));
      } else {
        resolvable = false;
      }
    }
    // Like SQLAlchemy, leave out an index on something that is not a column
    // of the table (rowid) or whose expression could not be read.
    if (!resolvable || elements.empty()) continue;
    table.append_constraint(Index(idx.name, std::move(elements), idx.unique));
  }

  for (const auto& uq : insp.get_unique_constraints(name, schema))
    if (!uq.column_names.empty())
      table.append_constraint(UniqueConstraint(uq.column_names, uq.name.value_or("")));

  for (const auto& ck : insp.get_check_constraints(name, schema))
    if (!ck.sqltext.empty())
      table.append_constraint(CheckConstraint(ck.sqltext, ck.name.value_or("")));

  node.comment = insp.get_table_comment(name, schema).text.value_or("");
}

void reflect_table(ReflectContext& ctx, TableNode& node) {
  const std::string key = node.fullname();
  ctx.in_progress.insert(key);
  try {
    fill_table(ctx, node);
  } catch (...) {
    ctx.in_progress.erase(key);
    if (auto md = node.metadata.lock()) forget(*md, node);
    throw;
  }
  ctx.in_progress.erase(key);
}

}  // namespace

SchemaItem::TableOption autoload_with(const Engine& engine) {
  return {[engine](TableNode& t) {
    t.after_init.push_back([engine](TableNode& node) {
      auto md = node.metadata.lock();
      if (!md)
        throw InvalidRequestError(fmt::format(
            "Table '{}' cannot be reflected: its MetaData no longer exists", node.name));
      Connection conn = engine.connect();
      ReflectContext ctx{conn, md, {}};
      reflect_table(ctx, node);
    });
  }};
}

void MetaData::reflect(const Engine& bind, std::vector<std::string> only,
                       std::optional<std::string> schema) {
  Connection conn = bind.connect();
  Inspector insp(conn);
  // A MetaData(schema=...) reflects from its schema unless told otherwise.
  const std::optional<std::string> effective = schema ? schema : impl().schema;
  const auto available = insp.get_table_names(effective);
  std::vector<std::string> load;
  if (only.empty()) {
    load = available;
  } else {
    std::vector<std::string> missing;
    for (const auto& name : only)
      if (std::find(available.begin(), available.end(), name) == available.end())
        missing.push_back(name);
    if (!missing.empty()) {
      std::string names;
      for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
      throw InvalidRequestError(fmt::format(
          "Could not reflect: requested table(s) not available in {} ({}): ({}); "
          "inspect(engine).get_table_names() lists the tables there",
          bind.str(), effective ? "schema '" + *effective + "'" : std::string("default schema"),
          names));
    }
    load = std::move(only);
  }
  ReflectContext ctx{conn, shared_impl(), {}};
  for (const auto& name : load) {
    // Already here: defined by the user, or reflected as a referred table.
    if (impl().tables.count(table_key(name, effective))) continue;
    std::vector<SchemaItem> items;
    if (schema) items.emplace_back(alchemy::schema(*schema));
    items.emplace_back(reflect_option(&ctx));
    const Table reflected(name, *this, std::move(items));
    (void)reflected;
  }
}

}  // namespace alchemy
