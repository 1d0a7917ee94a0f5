// Rendering of INSERT, UPDATE and DELETE (with RETURNING and ON CONFLICT).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "alchemy/exc.hpp"
#include "core/compiler/compiler.hpp"

namespace alchemy {

using namespace detail;

namespace detail {

namespace {

const NodeRef* find_value(const std::vector<std::pair<std::string, NodeRef>>& values,
                          const std::string& key) {
  for (const auto& [k, v] : values)
    if (k == key) return &v;
  return nullptr;
}

}  // namespace

bool is_integer_autoinc(const TableNode& t, const ColumnNode& c) {
  if (!t.primary_key || t.primary_key->columns.size() != 1 || t.primary_key->columns[0] != &c)
    return false;
  if (c.autoincrement) return *c.autoincrement && c.type->is_integer();
  // "auto": a single integer primary key without a foreign key or default.
  // Foreign keys declared at table level (ForeignKeyConstraint, and every
  // reflected one) count too, as in SQLAlchemy's Column.foreign_keys.
  const bool in_foreign_key =
      std::any_of(t.constraints.begin(), t.constraints.end(), [&](const auto& k) {
        return k->type == ConstraintNode::Type::foreign_key &&
               std::find(k->columns.begin(), k->columns.end(), &c) != k->columns.end();
      });
  return c.type->is_integer() && c.foreign_keys.empty() && !in_foreign_key &&
         !c.default_.is_set() && !c.server_default && !c.server_default_literal;
}

void StatementCompiler::column_slot(std::string& out, std::string name, const ColumnNode& c,
                                    const ColumnDefault* default_value) {
  BindSlot slot;
  slot.name = std::move(name);
  slot.type = c.type && c.type->kind() != TypeKind::null ? c.type : nullptr;
  slot.default_value = default_value;
  slot.required = default_value == nullptr;
  emit_slot(out, std::move(slot));
}

void StatementCompiler::returning(std::string& out, const std::vector<NodeRef>& cols, bool record) {
  if (!d.supports_returning())
    throw CompileError(
        fmt::format("RETURNING is not supported by the {} dialect", d.dialect_name()));
  out += " RETURNING ";
  SelectNode tmp;
  tmp.columns = cols;
  const auto names = select_column_names(tmp);
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (i) out += ", ";
    expr(out, *cols[i]);
    const Node& c = *cols[i];
    if (c.kind != NodeKind::column || as<ColumnNode>(c).name != names[i]) {
      out += " AS ";
      quote(out, names[i]);
    }
    if (record) {
      ResultColumn rc;
      rc.key = names[i];
      rc.type = node_type(c);
      rc.processes = rc.type && rc.type->needs_result_processing(d);
      if (rc.processes) result->result_processing = true;
      result->result_columns.push_back(std::move(rc));
    }
  }
}

void StatementCompiler::insert(std::string& out, const DMLNode& dm) {
  const TableNode& t = dm.tbl();
  out += "INSERT INTO ";
  table_name(out, t);
  const Params* params = opt.first_params;
  // Compiled without execution parameters (str(), compile()) and without
  // values(): every column gets a placeholder, as SQLAlchemy's
  // str(users.insert()) shows "INSERT INTO users (id, name, ...) VALUES (:id, :name, ...)".
  // An execution always passes its parameters, so only their keys are used then.
  const bool all_columns = params == nullptr && dm.values.empty() && dm.multi_values.empty();
  auto has_param = [&](const ColumnNode& c) {
    if (all_columns) return true;
    return params && (params->find(c.key) != nullptr || (c.key != c.name && params->find(c.name)));
  };
  auto param_name = [&](const ColumnNode& c) {
    return params && params->find(c.key) == nullptr && params->find(c.name) ? c.name : c.key;
  };
  enclosing.push_back({dm.table});
  std::vector<bool> provided(t.columns.size(), false);

  // The value of column `c` in a row (values() entry, parameter, or default).
  auto render_value = [&](std::string& o, const ColumnNode& c, const NodeRef* v) {
    if (v) {
      const Node& n = **v;
      if (n.kind == NodeKind::bind && as<BindNode>(n).anonymous &&
          !bind_names.count(&as<BindNode>(n)) && !opt.literal_binds) {
        bind_names.emplace(&as<BindNode>(n), c.key);  // named after the column, as SQLAlchemy
      }
      expr(o, n);
      return;
    }
    if (c.default_.sql && !has_param(c)) {
      expr(o, *c.default_.sql);
      return;
    }
    const bool has_default = c.default_.scalar || c.default_.callable;
    column_slot(o, param_name(c), c, has_default ? &c.default_ : nullptr);
  };

  std::vector<const ColumnNode*> cols;
  if (dm.from_select) {
    out += " (";
    for (std::size_t i = 0; i < dm.select_keys.size(); ++i) {
      if (i) out += ", ";
      const ColumnNode* c = t.find(dm.select_keys[i]);
      if (!c)
        for (const auto& col : t.columns)
          if (col->name == dm.select_keys[i]) c = col.get();
      quote(out, c->name);
    }
    out += ") ";
    ++depth;
    enclosing.emplace_back();
    select_any(out, *dm.from_select, false, false);
    enclosing.pop_back();
    --depth;
  } else if (!dm.multi_values.empty()) {
    const auto& first = dm.multi_values.front();
    for (const auto& c : t.columns)
      if (find_value(first, c->key) || c->default_.is_set()) cols.push_back(c.get());
    out += " (";
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) out += ", ";
      quote(out, cols[i]->name);
    }
    out += ") VALUES ";
    for (std::size_t r = 0; r < dm.multi_values.size(); ++r) {
      if (r) out += ", ";
      out += '(';
      for (std::size_t i = 0; i < cols.size(); ++i) {
        if (i) out += ", ";
        const NodeRef* v = find_value(dm.multi_values[r], cols[i]->key);
        if (!v && cols[i]->default_.sql) {
          expr(out, *cols[i]->default_.sql);
        } else if (!v) {
          column_slot(out, fmt::format("{}_m{}", cols[i]->key, r), *cols[i], &cols[i]->default_);
        } else {
          // Row r's value for a column is named <key>_m<r>, as SQLAlchemy names them.
          const Node& n = **v;
          if (n.kind == NodeKind::bind && as<BindNode>(n).anonymous &&
              !bind_names.count(&as<BindNode>(n)) && !opt.literal_binds)
            bind_names.emplace(&as<BindNode>(n), fmt::format("{}_m{}", cols[i]->key, r));
          expr(out, n);
        }
      }
      out += ')';
    }
    for (std::size_t i = 0; i < t.columns.size(); ++i)
      if (find_value(first, t.columns[i]->key)) provided[i] = true;
  } else {
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const ColumnNode& c = *t.columns[i];
      if (find_value(dm.values, c.key) || has_param(c) || c.default_.is_set()) {
        cols.push_back(&c);
        provided[i] = true;
      }
    }
    if (cols.empty()) {
      out += " DEFAULT VALUES";
    } else {
      out += " (";
      for (std::size_t i = 0; i < cols.size(); ++i) {
        if (i) out += ", ";
        quote(out, cols[i]->name);
      }
      out += ") VALUES ";
      result->values_begin = out.size();
      out += '(';
      for (std::size_t i = 0; i < cols.size(); ++i) {
        if (i) out += ", ";
        render_value(out, *cols[i], find_value(dm.values, cols[i]->key));
      }
      out += ')';
      result->values_end = out.size();
    }
  }

  if (dm.on_conflict) {
    const OnConflictSpec& oc = *dm.on_conflict;
    out += " ON CONFLICT";
    if (!oc.constraint.empty()) {
      if (d.dialect_name() == "sqlite")
        throw CompileError(
            "SQLite's ON CONFLICT has no ON CONSTRAINT form; give index_elements (the unique "
            "columns) instead of a constraint name");
      out += " ON CONSTRAINT ";
      quote(out, oc.constraint);
    } else if (!oc.index_elements.empty()) {
      out += " (";
      for (std::size_t i = 0; i < oc.index_elements.size(); ++i) {
        if (i) out += ", ";
        const ColumnNode* c = t.find(oc.index_elements[i]);
        quote(out, c ? c->name : oc.index_elements[i]);
      }
      out += ')';
    }
    if (!oc.do_update) {
      out += " DO NOTHING";
    } else {
      out += " DO UPDATE SET ";
      const bool saved = include_table;
      for (std::size_t i = 0; i < oc.set.size(); ++i) {
        if (i) out += ", ";
        const ColumnNode* c = t.find(oc.set[i].first);
        quote(out, c->name);
        out += " = ";
        expr(out, *oc.set[i].second);
      }
      include_table = saved;
      if (oc.where) {
        out += " WHERE ";
        expr(out, *oc.where);
      }
    }
  }

  // inserted_primary_key: which primary key columns the database generates.
  if (t.primary_key) {
    bool missing = false;
    for (const auto* c : t.primary_key->columns) {
      result->pk_keys.push_back(c->key);
      const auto idx = static_cast<std::size_t>(c->position);
      if (is_integer_autoinc(t, *c))
        result->autoinc_pk = static_cast<std::int32_t>(result->pk_keys.size() - 1);
      if (idx < provided.size() && !provided[idx] && !dm.from_select) missing = true;
    }
    result->user_returning = !dm.returning.empty();
    if (!dm.returning.empty()) {
      result->returning_begin = out.size();
      returning(out, dm.returning, true);
    } else if (missing && !opt.executemany && dm.multi_values.empty() && !dm.from_select &&
               d.implicit_returning() && d.supports_returning()) {
      std::vector<NodeRef> pk;
      for (const auto* c : t.primary_key->columns) pk.push_back(t.column_ref(c));
      returning(out, pk, true);
      result->returning_pk = true;
    }
  } else if (!dm.returning.empty()) {
    result->user_returning = true;
    returning(out, dm.returning, true);
  }
  enclosing.pop_back();
}

namespace {
void explicit_bind_names(const StatementCompiler& c, std::set<std::string>& out) {
  for (const auto& [b, i] : c.ordinal)
    if (!b->anonymous) out.insert(b->key);
}
}  // namespace

void StatementCompiler::update(std::string& out, const DMLNode& dm) {
  const TableNode& t = dm.tbl();
  out += "UPDATE ";
  table_name(out, t);
  out += " SET ";
  std::set<std::string> explicit_names;
  explicit_bind_names(*this, explicit_names);
  const Params* params = opt.first_params;
  enclosing.push_back({dm.table});
  bool any = false;
  for (const auto& cp : t.columns) {
    const ColumnNode& c = *cp;
    const NodeRef* v = find_value(dm.values, c.key);
    // Without parameters and values() (str(users.update())), every column is
    // SET from a placeholder, as in SQLAlchemy.
    const bool all_columns = params == nullptr && dm.values.empty();
    const bool from_params =
        !v && ((params && params->find(c.key)) || all_columns) && !explicit_names.count(c.key);
    const bool onupd = !v && !from_params && c.onupdate.is_set();
    if (!v && !from_params && !onupd) continue;
    if (any) out += ", ";
    any = true;
    quote(out, c.name);
    out += '=';
    if (v) {
      const Node& n = **v;
      if (n.kind == NodeKind::bind && as<BindNode>(n).anonymous &&
          !bind_names.count(&as<BindNode>(n)))
        bind_names.emplace(&as<BindNode>(n), c.key);
      expr(out, n);
    } else if (onupd && c.onupdate.sql) {
      expr(out, *c.onupdate.sql);
    } else {
      column_slot(out, c.key, c, onupd ? &c.onupdate : nullptr);
    }
  }
  if (!any)
    throw ArgumentError(fmt::format(
        "update() of table '{}' has no SET values: call values() or pass parameters named after "
        "columns",
        t.name));
  // Other tables in WHERE: UPDATE ... FROM (PostgreSQL, SQLite 3.33+).
  dml_tail(out, dm, " FROM ");
}

void StatementCompiler::delete_(std::string& out, const DMLNode& dm) {
  const TableNode& t = dm.tbl();
  out += "DELETE FROM ";
  table_name(out, t);
  enclosing.push_back({dm.table});
  // Other tables in WHERE: DELETE ... USING (PostgreSQL; SQLite has none).
  dml_tail(out, dm, " USING ");
}

void StatementCompiler::dml_tail(std::string& out, const DMLNode& dm, const char* extra_keyword) {
  std::vector<NodeRef> extra;
  for (const auto& w : dm.where) froms_of_expression(w, extra);
  std::erase_if(extra, [&](const NodeRef& f) { return f.get() == dm.table.get(); });
  if (!extra.empty()) {
    if (dm.kind == NodeKind::delete_ && d.dialect_name() == "sqlite")
      throw CompileError(
          "SQLite has no multiple-table DELETE (DELETE ... USING); refer to the other table "
          "through a subquery, e.g. where(t.c[\"id\"].in_(select(...)))");
    out += extra_keyword;
    for (std::size_t i = 0; i < extra.size(); ++i) {
      if (i) out += ", ";
      from(out, extra[i]);
    }
  }
  if (!dm.where.empty()) {
    out += " WHERE ";
    for (std::size_t i = 0; i < dm.where.size(); ++i) {
      if (i) out += " AND ";
      expr(out, *dm.where[i], dm.where.size() > 1 ? prec_and : prec_none);
    }
  }
  if (!dm.returning.empty()) {
    result->user_returning = true;
    returning(out, dm.returning, true);
  }
  enclosing.pop_back();
}

}  // namespace detail

// ---- public compile()/str() of DML --------------------------------------------------------

std::shared_ptr<const Compiled> UpdateBase::compile(const SQLCompiler& compiler) const {
  return compile_node(node_, compiler);
}

std::shared_ptr<const Compiled> UpdateBase::compile_for(const SQLCompiler& compiler,
                                                        CompiledCache* cache,
                                                        const Params* first_params,
                                                        bool executemany,
                                                        std::vector<const Value*>& literals) const {
  return compile_node_for(node_, compiler, cache, first_params, executemany, literals);
}

std::string UpdateBase::str() const { return render_node(node_, default_compiler(), false); }

std::string UpdateBase::str(const SQLCompiler& compiler, bool literal_binds) const {
  return render_node(node_, compiler, literal_binds);
}

}  // namespace alchemy
