// The expression tree's node types (private to the core library and the
// dialects' compilers).
//
// Nodes are immutable once shared: builders (select().where() ...) copy a node
// before changing it unless they hold the only reference. Schema nodes (tables,
// columns) are mutable while the Table is being built and read-only afterwards.
//
// Ownership: a table owns its columns, constraints and indexes; handles to a
// column share the table's control block (aliasing shared_ptr), so an
// expression keeps its tables alive. A column's `table` pointer is cleared
// when the table is destroyed. Aliases/subqueries own their derived columns the
// same way.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alchemy/core/compiler/compiled.hpp"
#include "alchemy/core/schema.hpp"
#include "alchemy/core/sql/elements.hpp"
#include "alchemy/core/sql/selectable.hpp"
#include "alchemy/core/sql/text.hpp"
#include "alchemy/core/types.hpp"
#include "alchemy/export.hpp"

namespace alchemy::detail {

using types::null_type;
using types::type_for;

enum class NodeKind : std::uint8_t {
  // FROM clauses
  table,
  alias,  // alias / subquery / cte (see AliasNode::flavor)
  join,
  // column expressions
  column,
  derived_column,  // a column of an alias/subquery/cte
  bind,
  null,
  true_,
  false_,
  literal_column,
  text,
  binary,
  unary,
  clause_list,
  label,
  function,
  cast,
  case_,
  over,
  scalar_subquery,
  tuple,
  collate,
  // statements
  select,
  compound,
  insert,
  update,
  delete_,
};

struct Node {
  explicit Node(NodeKind k) : kind(k) {}
  virtual ~Node() = default;
  Node(const Node&) = default;
  NodeKind kind;
};

/// Column-valued nodes carry a type.
struct ExprNode : Node {
  ExprNode(NodeKind k, TypeRef t) : Node(k), type(std::move(t)) {}
  TypeRef type;
};

template <class T>
const T& as(const Node& n) {
  return static_cast<const T&>(n);
}

struct TableNode;
struct AliasNode;
struct SelectNode;

struct ForeignKeySpec {
  std::string target;   // "table.col" or "schema.table.col"
  NodeRef target_node;  // or a column given directly
  ForeignKeyOptions options;
};

struct ColumnNode : ExprNode {
  ColumnNode() : ExprNode(NodeKind::column, nullptr) {}
  std::string name;
  std::string key;
  TableNode* table = nullptr;  // cleared by ~TableNode
  bool primary_key = false;
  std::optional<bool> nullable_;  // unset: !primary_key
  bool unique = false;
  bool index = false;
  std::optional<bool> autoincrement;  // unset: "auto"
  ColumnDefault default_;
  ColumnDefault onupdate;
  NodeRef server_default;  // text / expression
  std::optional<std::string> server_default_literal;
  NodeRef server_onupdate;
  std::string comment;
  std::vector<ForeignKeySpec> foreign_keys;
  std::vector<std::shared_ptr<struct ConstraintNode>> inline_checks;
  int position = 0;

  bool nullable() const { return nullable_ ? *nullable_ : !primary_key; }
};

struct ALCHEMY_EXPORT ConstraintNode {
  enum class Type : std::uint8_t { primary_key, foreign_key, unique, check };
  Type type;
  std::string name;  // explicit or from the naming convention
  bool name_explicit = false;
  std::vector<std::string> column_keys;  // as given (resolved at attach)
  std::vector<ColumnNode*> columns;
  TableNode* table = nullptr;
  // foreign key
  std::vector<std::string> refcolumns;  // "table.col" strings
  NodeRef ref_node;                     // a column object given directly (single column)
  ForeignKeyOptions fk;
  // check
  std::string sqltext;
  NodeRef check_expr;
  bool from_column = false;  // created by Column(unique/ForeignKey/CheckConstraint)
  bool from_enum = false;    // the CHECK of a non-native Enum

  /// Resolved referenced columns (foreign keys); throws NoReferencedTableError /
  /// NoReferencedColumnError naming what is missing.
  std::vector<const ColumnNode*> referred_columns() const;
  const TableNode* referred_table() const;
};

struct IndexNode {
  std::string name;
  bool name_explicit = false;
  bool unique = false;
  std::vector<Index::Element> elements;
  std::vector<NodeRef> exprs;  // resolved: columns or expressions
  TableNode* table = nullptr;
  bool from_column = false;
};

struct MetaDataImpl {
  std::map<std::string, std::string> naming_convention;
  std::optional<std::string> schema;
  std::map<std::string, std::shared_ptr<TableNode>> tables;  // by fullname
  std::vector<std::string> order;                            // insertion order
};

struct ALCHEMY_EXPORT TableNode : Node {
  TableNode() : Node(NodeKind::table) {}
  ~TableNode() override;
  std::string name;
  std::optional<std::string> schema;
  std::weak_ptr<MetaDataImpl> metadata;
  std::vector<std::shared_ptr<ColumnNode>> columns;
  std::shared_ptr<ConstraintNode> primary_key;               // always present (maybe no columns)
  std::vector<std::shared_ptr<ConstraintNode>> constraints;  // fk, unique, check
  std::vector<std::shared_ptr<IndexNode>> indexes;
  std::string comment;
  /// Run once the table is registered (autoload_with reflects here).
  std::vector<std::function<void(TableNode&)>> after_init;
  /// Weak self-reference so column handles can share the table's control block.
  std::weak_ptr<TableNode> self;

  const ColumnNode* find(std::string_view key) const;
  std::string fullname() const { return schema ? *schema + "." + name : name; }
  /// A handle to column `c` that keeps the table alive.
  NodeRef column_ref(const ColumnNode* c) const;
};

struct DerivedColumnNode : ExprNode {
  DerivedColumnNode(const AliasNode* p, std::string n, std::string k, TypeRef t, NodeRef o)
      : ExprNode(NodeKind::derived_column, std::move(t)),
        parent(p),
        name(std::move(n)),
        key(std::move(k)),
        origin(std::move(o)) {}
  const AliasNode* parent;
  std::string name;  // rendered
  std::string key;   // in .c
  NodeRef origin;    // the underlying column / expression (foreign keys, types)
};

struct ALCHEMY_EXPORT AliasNode : Node {
  enum class Flavor : std::uint8_t { alias, subquery, cte };
  AliasNode() : Node(NodeKind::alias) {}
  Flavor flavor = Flavor::alias;
  NodeRef element;   // a table, select or compound
  std::string name;  // empty: anonymous
  bool recursive = false;
  const AliasNode* original = nullptr;  // a recursive CTE's first half
  std::vector<std::shared_ptr<DerivedColumnNode>> columns;
  std::weak_ptr<AliasNode> self;
  NodeRef column_ref(const DerivedColumnNode* c) const;
};

struct JoinNode : Node {
  JoinNode() : Node(NodeKind::join) {}
  NodeRef left, right, onclause;
  bool isouter = false;
  bool full = false;
};

struct BindNode : ExprNode {
  BindNode() : ExprNode(NodeKind::bind, nullptr) {}
  std::string key;        // user key, or a base name for anonymous binds ("age")
  bool anonymous = true;  // key gets a _N suffix at compile time
  std::optional<Value> value;
  bool untyped = true;  // a literal whose type comes from the other operand
};

struct SimpleNode : ExprNode {  // null, true_, false_
  SimpleNode(NodeKind k, TypeRef t) : ExprNode(k, std::move(t)) {}
};

struct LiteralColumnNode : ExprNode {
  LiteralColumnNode(std::string t, TypeRef ty)
      : ExprNode(NodeKind::literal_column, std::move(ty)), text(std::move(t)) {}
  std::string text;
};

struct TextNode : ExprNode {
  explicit TextNode(TextClause t) : ExprNode(NodeKind::text, nullptr), clause(std::move(t)) {}
  TextClause clause;
};

struct BinaryNode : ExprNode {
  BinaryNode() : ExprNode(NodeKind::binary, nullptr) {}
  Op op = Op::eq;
  NodeRef left, right;
  std::string custom;  // Op::custom
  std::optional<char> escape;
};

enum class UnaryOp : std::uint8_t {
  not_,
  neg,
  distinct,
  exists,
  asc,
  desc,
  nulls_first,
  nulls_last,
};
struct UnaryNode : ExprNode {
  UnaryNode(UnaryOp o, NodeRef e, TypeRef t)
      : ExprNode(NodeKind::unary, std::move(t)), op(o), element(std::move(e)) {}
  UnaryOp op;
  NodeRef element;
};

struct ClauseListNode : ExprNode {
  ClauseListNode(Op o, std::vector<NodeRef> c, TypeRef t)
      : ExprNode(NodeKind::clause_list, std::move(t)), op(o), clauses(std::move(c)) {}
  Op op;  // and_ / or_
  std::vector<NodeRef> clauses;
};

struct LabelNode : ExprNode {
  LabelNode(std::string n, NodeRef e, TypeRef t)
      : ExprNode(NodeKind::label, std::move(t)), name(std::move(n)), element(std::move(e)) {}
  std::string name;
  NodeRef element;
};

struct FunctionNode : ExprNode {
  FunctionNode() : ExprNode(NodeKind::function, nullptr) {}
  std::string name;
  std::vector<NodeRef> args;
  NodeRef filter;
  bool packagenames = false;
};

struct CastNode : ExprNode {
  CastNode(NodeRef e, TypeRef t) : ExprNode(NodeKind::cast, std::move(t)), element(std::move(e)) {}
  NodeRef element;
};

struct CaseNode : ExprNode {
  CaseNode() : ExprNode(NodeKind::case_, nullptr) {}
  NodeRef value;
  std::vector<std::pair<NodeRef, NodeRef>> whens;
  NodeRef else_;
};

struct OverNode : ExprNode {
  OverNode() : ExprNode(NodeKind::over, nullptr) {}
  NodeRef func;
  std::vector<NodeRef> partition_by, order_by;
  std::optional<Frame> rows, range_;
};

struct ScalarSubqueryNode : ExprNode {
  ScalarSubqueryNode(NodeRef s, TypeRef t)
      : ExprNode(NodeKind::scalar_subquery, std::move(t)), select(std::move(s)) {}
  NodeRef select;  // select or compound
};

struct TupleNode : ExprNode {
  explicit TupleNode(std::vector<NodeRef> i)
      : ExprNode(NodeKind::tuple, nullptr), items(std::move(i)) {}
  std::vector<NodeRef> items;
};

struct CollateNode : ExprNode {
  CollateNode(NodeRef e, std::string c, TypeRef t)
      : ExprNode(NodeKind::collate, std::move(t)), element(std::move(e)), collation(std::move(c)) {}
  NodeRef element;
  std::string collation;
};

/// Memo of a statement's compiled forms, per dialect compiler (reusing the same
/// statement object skips the cache-key walk).
struct CompileMemo {
  mutable std::mutex mu;
  struct Entry {
    std::uint64_t compiler;  // SQLCompiler::identity()
    std::string keys_signature;  // DML: the parameter keys it was compiled for
    std::shared_ptr<const Compiled> compiled;
    std::vector<const BindNode*> binds;
  };
  mutable std::vector<Entry> entries;
  CompileMemo() = default;
  CompileMemo(const CompileMemo&) {}  // copies start empty
  CompileMemo& operator=(const CompileMemo&) { return *this; }
};

struct StatementNode : Node {
  explicit StatementNode(NodeKind k) : Node(k) {}
  CompileMemo memo;
};

struct SelectNode : StatementNode {
  SelectNode() : StatementNode(NodeKind::select) {}
  std::vector<NodeRef> columns;  // expanded: FROM entries become their columns
  std::vector<NodeRef> where, having, group_by, order_by;
  std::vector<NodeRef> froms;  // explicit: select_from() and joins
  std::vector<NodeRef> distinct_on;
  bool distinct = false;
  NodeRef limit, offset;  // BindNodes (values are bound, as in SQLAlchemy)
  std::optional<ForUpdate> for_update;
  std::vector<NodeRef> correlate;
  bool correlate_none = false;
  bool star = false;  // exists(): SELECT *
};

enum class CompoundOp : std::uint8_t {
  union_,
  union_all,
  intersect,
  intersect_all,
  except_,
  except_all
};
struct CompoundNode : StatementNode {
  CompoundNode() : StatementNode(NodeKind::compound) {}
  CompoundOp op = CompoundOp::union_;
  std::vector<NodeRef> selects;
  std::vector<NodeRef> order_by;
  NodeRef limit, offset;
};

struct OnConflictSpec {
  bool do_update = false;
  std::vector<std::string> index_elements;
  std::string constraint;
  std::vector<std::pair<std::string, NodeRef>> set;
  NodeRef where;
};

struct DMLNode : StatementNode {
  explicit DMLNode(NodeKind k) : StatementNode(k) {}
  NodeRef table;                                        // TableNode
  std::vector<std::pair<std::string, NodeRef>> values;  // key -> expression (one row)
  std::vector<std::vector<std::pair<std::string, NodeRef>>> multi_values;
  std::vector<std::string> select_keys;
  NodeRef from_select;
  std::vector<NodeRef> where;
  std::vector<NodeRef> returning;
  std::optional<OnConflictSpec> on_conflict;
  const TableNode& tbl() const { return as<TableNode>(*table); }
};

// ---- helpers shared by the builders and the compiler --------------------------------

/// The columns a FROM clause exports (table columns, derived columns, both
/// sides of a join), as NodeRefs that keep their owner alive.
ALCHEMY_EXPORT std::vector<NodeRef> exported_columns(const NodeRef& from);
/// An untyped literal given `type` and named after `key`; other nodes unchanged.
ALCHEMY_EXPORT NodeRef adopt_type(const NodeRef& n, const TypeRef& type, std::string_view key);
/// The tables/aliases of a FROM clause, joins flattened, left to right.
void leaf_froms(const NodeRef& f, std::vector<NodeRef>& out);
/// Adds the FROMs an expression refers to (tables, aliases), in order, without
/// descending into nested selects.
ALCHEMY_EXPORT void froms_of_expression(const NodeRef& n, std::vector<NodeRef>& out);
/// The key of an exported column (column key, derived name, label name).
ALCHEMY_EXPORT std::string_view column_key(const Node& n);
/// The result column names of a select, as the compiler labels them: column
/// names, "<func>_N" for functions, "anon_N" for other expressions, "_N"
/// suffixes for duplicates (SQLAlchemy 2.0's disambiguating labels).
ALCHEMY_EXPORT std::vector<std::string> select_column_names(const SelectNode& s);
/// The type of an expression node (null_type() when unknown).
ALCHEMY_EXPORT const TypeRef& node_type(const Node& n);
/// The table a (possibly aliased) column comes from, for join inference.
ALCHEMY_EXPORT const TableNode* base_table(const Node& from);
/// ON clause from foreign keys between two FROMs; throws ArgumentError when there
/// is no or more than one way to join.
ALCHEMY_EXPORT NodeRef infer_onclause(const NodeRef& left, const NodeRef& right);

/// Whether `c` is the table's generated integer key (SQLAlchemy's autoincrement="auto" rule).
ALCHEMY_EXPORT bool is_integer_autoinc(const TableNode& t, const ColumnNode& c);
/// Copies `n` (a statement node) for a builder that must not change a shared node.
template <class T>
std::shared_ptr<T> clone_node(const NodeRef& n) {
  return std::make_shared<T>(as<T>(*n));
}

/// Applies the MetaData's naming convention to an unnamed constraint / index.
ALCHEMY_EXPORT void apply_naming_convention(TableNode& t, ConstraintNode& c);
ALCHEMY_EXPORT void apply_naming_convention(TableNode& t, IndexNode& i);

}  // namespace alchemy::detail
