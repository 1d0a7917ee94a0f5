// Executing DDL: MetaData::create_all/drop_all, Table::create/drop and
// Index::create/drop (declared in <alchemy/core/schema.hpp>, implemented here
// because they need a connection). The SQL comes from the core DDL compiler.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "alchemy/core/schema.hpp"
#include "alchemy/engine/connection.hpp"
#include "alchemy/engine/engine.hpp"
#include "alchemy/exc.hpp"
#include "core/compiler/compiler.hpp"
#include "engine/internal.hpp"

namespace alchemy {

using namespace detail;

namespace {

const Dialect& dialect_of(Connection& c) { return c.engine().dialect(); }

void run(Connection& conn, const std::string& sql) { conn.exec_driver_sql(sql); }

// Foreign keys that must be added after their tables exist: use_alter ones and
// those closing a cycle (pointing at a table created later), when the dialect
// can ALTER TABLE ADD CONSTRAINT. SQLite cannot; it does not check foreign keys
// at CREATE time, so they stay inline there.
std::map<const TableNode*, std::set<const ConstraintNode*>> deferred_fks(
    const SQLCompiler& d, const std::vector<Table>& order) {
  std::map<const TableNode*, std::set<const ConstraintNode*>> out;
  if (!d.supports_alter()) return out;
  std::map<const TableNode*, std::size_t> pos;
  for (std::size_t i = 0; i < order.size(); ++i) pos[&order[i].impl()] = i;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const TableNode& t = order[i].impl();
    for (const auto& c : t.constraints) {
      if (c->type != ConstraintNode::Type::foreign_key) continue;
      const TableNode* r = c->referred_table();
      auto it = pos.find(r);
      if (c->fk.use_alter || (r != &t && it != pos.end() && it->second > i))
        out[&t].insert(c.get());
    }
  }
  return out;
}

void create_tables(Connection& conn, const std::vector<Table>& tables, bool checkfirst) {
  const Dialect& dialect = dialect_of(conn);
  const SQLCompiler& d = dialect.statement_compiler();
  std::vector<Table> todo;
  for (const auto& t : tables)
    if (!checkfirst || !dialect.has_table(conn, t.name(), t.schema())) todo.push_back(t);
  auto deferred = deferred_fks(d, todo);
  std::set<std::string> types_done;
  for (const auto& t : todo) {
    const TableNode& tn = t.impl();
    for (const auto* e : native_enums(d, tn)) {
      const std::string key = (tn.schema ? *tn.schema + "." : "") + e->name();
      if (types_done.count(key)) continue;
      types_done.insert(key);
      if (checkfirst && dialect.has_type(conn, e->name(), tn.schema)) continue;
      run(conn, create_enum_ddl(d, *e, tn.schema));
    }
    static const std::set<const ConstraintNode*> none;
    auto it = deferred.find(&tn);
    for (const auto& sql : create_table_ddl(d, tn, it == deferred.end() ? none : it->second))
      run(conn, sql);
    for (const auto& i : tn.indexes) run(conn, create_index_ddl(d, *i));
  }
  for (const auto& [tn, fks] : deferred)
    for (const auto* fk : fks) run(conn, add_constraint_ddl(d, *tn, *fk));
}

void drop_tables(Connection& conn, std::vector<Table> tables, bool checkfirst) {
  const Dialect& dialect = dialect_of(conn);
  const SQLCompiler& d = dialect.statement_compiler();
  std::vector<Table> todo;
  for (const auto& t : tables)
    if (!checkfirst || dialect.has_table(conn, t.name(), t.schema())) todo.push_back(t);
  // Cycles: drop the deferred foreign keys first (computed on creation order).
  auto deferred = deferred_fks(d, todo);
  for (const auto& [tn, fks] : deferred)
    for (const auto* fk : fks) run(conn, drop_constraint_ddl(d, *tn, *fk));
  std::reverse(todo.begin(), todo.end());
  std::vector<std::pair<const types::EnumType*, std::optional<std::string>>> enums;
  for (const auto& t : todo) {
    run(conn, drop_table_ddl(d, t.impl(), false));
    for (const auto* e : native_enums(d, t.impl())) enums.emplace_back(e, t.schema());
  }
  std::set<std::string> types_done;
  for (const auto& [e, schema] : enums) {
    const std::string key = (schema ? *schema + "." : "") + e->name();
    if (types_done.count(key)) continue;
    types_done.insert(key);
    if (checkfirst && !dialect.has_type(conn, e->name(), schema)) continue;
    run(conn, drop_enum_ddl(d, *e, schema));
  }
}

template <class F>
void with_engine(const Engine& e, F&& f) {
  e.begin([&](Connection& conn) { f(conn); });
}

}  // namespace

void MetaData::create_all(Connection& bind, bool checkfirst) const {
  create_tables(bind, sorted_tables(), checkfirst);
}
void MetaData::create_all(const Engine& bind, bool checkfirst) const {
  with_engine(bind, [&](Connection& c) { create_all(c, checkfirst); });
}
void MetaData::drop_all(Connection& bind, bool checkfirst) const {
  drop_tables(bind, sorted_tables(), checkfirst);
}
void MetaData::drop_all(const Engine& bind, bool checkfirst) const {
  with_engine(bind, [&](Connection& c) { drop_all(c, checkfirst); });
}

void Table::create(Connection& bind, bool checkfirst) const {
  create_tables(bind, {*this}, checkfirst);
}
void Table::create(const Engine& bind, bool checkfirst) const {
  with_engine(bind, [&](Connection& c) { create(c, checkfirst); });
}
void Table::drop(Connection& bind, bool checkfirst) const {
  drop_tables(bind, {*this}, checkfirst);
}
void Table::drop(const Engine& bind, bool checkfirst) const {
  with_engine(bind, [&](Connection& c) { drop(c, checkfirst); });
}

void Index::create(const Engine& bind, bool checkfirst) const {
  (void)checkfirst;
  const SQLCompiler& d = bind.dialect().statement_compiler();
  with_engine(bind, [&](Connection& c) { run(c, create_index_ddl(d, *node_)); });
}
void Index::drop(const Engine& bind, bool checkfirst) const {
  const SQLCompiler& d = bind.dialect().statement_compiler();
  with_engine(bind, [&](Connection& c) { run(c, drop_index_ddl(d, *node_, checkfirst)); });
}

}  // namespace alchemy
