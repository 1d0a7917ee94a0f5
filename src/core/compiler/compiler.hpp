// The statement compiler's working state (private). One StatementCompiler
// renders one statement for one dialect; the dialect's SQLCompiler supplies the
// flavour (quoting, paramstyle, type names, capability flags).
//
// Called by SelectBase/UpdateBase::compile*(), DDLElement and str(); the
// methods live in compile_elements.cpp, compile_select.cpp, compile_dml.cpp
// and compile_ddl.cpp.
#pragma once

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "alchemy/core/compiler/compiled.hpp"
#include "core/sql/nodes.hpp"

namespace alchemy::detail {

/// Operator precedence (higher binds tighter), as SQLAlchemy's operators._PRECEDENCE.
enum Prec : int {
  prec_none = 0,
  prec_or = 2,
  prec_and = 3,
  prec_not = 4,
  prec_comparison = 5,
  prec_concat = 6,
  prec_add = 7,
  prec_mul = 8,
  prec_unary = 9,
  prec_atom = 100,
};

struct CompileOptions {
  ParamStyle style = ParamStyle::named;
  bool literal_binds = false;
  const Params* first_params = nullptr;  // DML: the execution's parameter keys
  bool executemany = false;
};

class StatementCompiler {
 public:
  StatementCompiler(const SQLCompiler& dialect, CompileOptions options,
                    const std::vector<const BindNode*>* ordinals);

  /// Compiles a statement node (select, compound, insert, update, delete).
  std::shared_ptr<Compiled> compile(const NodeRef& stmt);

  // ---- elements (compile_elements.cpp)
  void expr(std::string& out, const Node& n, int parent_prec = prec_none, bool right = false);
  void bind(std::string& out, const BindNode& b);
  void named_bind(std::string& out, const std::string& name);
  /// Records `slot` and renders its placeholder (plus the dialect's bind cast).
  void emit_slot(std::string& out, BindSlot slot);
  /// A placeholder for column `c`'s value, from the parameters or its default.
  void column_slot(std::string& out, std::string name, const ColumnNode& c,
                   const ColumnDefault* default_value);
  void column(std::string& out, const ColumnNode& c);
  void quote(std::string& out, std::string_view name) const { d.quote_identifier(out, name); }
  void table_name(std::string& out, const TableNode& t) const;
  std::string alias_name(const AliasNode& a);
  int precedence(const Node& n) const;

  // ---- select (compile_select.cpp)
  /// Renders a SELECT; `nested` when inside an expression (auto-correlates).
  void select(std::string& out, const SelectNode& s, bool toplevel, bool nested);
  void compound(std::string& out, const CompoundNode& c, bool toplevel, bool nested);
  void select_any(std::string& out, const Node& s, bool toplevel, bool nested);
  void from(std::string& out, const NodeRef& f);
  void with_clause(std::string& out, const NodeRef& stmt);
  std::vector<NodeRef> froms_for(const SelectNode& s, bool nested);

  // ---- dml (compile_dml.cpp)
  void insert(std::string& out, const DMLNode& d);
  void update(std::string& out, const DMLNode& d);
  void delete_(std::string& out, const DMLNode& d);
  void returning(std::string& out, const std::vector<NodeRef>& cols, bool record);
  /// UPDATE/DELETE after SET: other tables of WHERE (after `extra_keyword`),
  /// WHERE, RETURNING; ends the statement's correlation scope.
  void dml_tail(std::string& out, const DMLNode& dm, const char* extra_keyword);

  const SQLCompiler& d;
  CompileOptions opt;
  std::shared_ptr<Compiled> result;
  /// Bind node -> its index in the statement's literal list.
  std::unordered_map<const BindNode*, std::int32_t> ordinal;
  std::map<std::string, int> bind_counters;
  std::unordered_map<const BindNode*, std::string> bind_names;
  std::unordered_map<const AliasNode*, std::string> alias_names;
  int anon_alias = 0;
  /// FROMs of the enclosing selects (for correlation), innermost last.
  std::vector<std::vector<NodeRef>> enclosing;
  /// Columns clause labels of the select being rendered (ORDER BY by label).
  std::vector<const std::vector<NodeRef>*> columns_stack;
  /// Whether columns are rendered with their table (off inside DDL / single-table contexts).
  bool include_table = true;
  int depth = 0;
  std::set<std::string> rendered_ctes;
};

/// The dialect-neutral compiler used by str() (`:name` placeholders).
const SQLCompiler& default_compiler();

/// Walks a statement's structure: appends its cache key to `key` and the bind
/// nodes (literal values) in a fixed order to `binds`.
void cache_key(const Node& n, std::string& key, std::vector<const BindNode*>& binds);

/// Every CTE a statement refers to, dependencies first.
void collect_ctes(const Node& n, std::vector<const AliasNode*>& out);

// ---- DDL (compile_ddl.cpp); also used by the engine's create_all/drop_all ----------

/// CREATE TABLE (plus COMMENT ON statements where supported), leaving out the
/// constraints in `skip` (foreign keys added later with ALTER for cycles).
ALCHEMY_EXPORT std::vector<std::string> create_table_ddl(
    const SQLCompiler& d, const TableNode& t, const std::set<const ConstraintNode*>& skip = {});
ALCHEMY_EXPORT std::string drop_table_ddl(const SQLCompiler& d, const TableNode& t, bool if_exists);
ALCHEMY_EXPORT std::string create_index_ddl(const SQLCompiler& d, const IndexNode& i);
ALCHEMY_EXPORT std::string drop_index_ddl(const SQLCompiler& d, const IndexNode& i, bool if_exists);
ALCHEMY_EXPORT std::string add_constraint_ddl(const SQLCompiler& d, const TableNode& t,
                                              const ConstraintNode& c);
ALCHEMY_EXPORT std::string drop_constraint_ddl(const SQLCompiler& d, const TableNode& t,
                                               const ConstraintNode& c);
/// The native ENUM types a table's columns need on this dialect (PostgreSQL).
ALCHEMY_EXPORT std::vector<const types::EnumType*> native_enums(const SQLCompiler& d,
                                                                const TableNode& t);
ALCHEMY_EXPORT std::string create_enum_ddl(const SQLCompiler& d, const types::EnumType& e,
                                           const std::optional<std::string>& schema);
ALCHEMY_EXPORT std::string drop_enum_ddl(const SQLCompiler& d, const types::EnumType& e,
                                         const std::optional<std::string>& schema);
/// A constraint's name after the naming convention ("" when unnamed).
ALCHEMY_EXPORT std::string constraint_name(const TableNode& t, const ConstraintNode& c);
/// An index's name after the naming convention; CompileError when it has none.
ALCHEMY_EXPORT std::string index_name(const TableNode& t, const IndexNode& i);

/// Shared implementation of compile_for() for statements.
std::shared_ptr<const Compiled> compile_statement_for(const NodeRef& stmt, CompileMemo& memo,
                                                      const SQLCompiler& compiler,
                                                      CompiledCache* cache,
                                                      const Params* first_params, bool executemany,
                                                      std::vector<const Value*>& literals);
std::shared_ptr<const Compiled> compile_statement(const NodeRef& stmt, const SQLCompiler& compiler,
                                                  CompileOptions options);
/// What Executable::compile/compile_for/str do for a statement node (shared by
/// SelectBase and UpdateBase).
std::shared_ptr<const Compiled> compile_node(const NodeRef& node, const SQLCompiler& compiler);
std::shared_ptr<const Compiled> compile_node_for(const NodeRef& node, const SQLCompiler& compiler,
                                                 CompiledCache* cache, const Params* first_params,
                                                 bool executemany,
                                                 std::vector<const Value*>& literals);
std::string render_node(const NodeRef& node, const SQLCompiler& compiler, bool literal_binds);

}  // namespace alchemy::detail
