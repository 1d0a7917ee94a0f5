// Builders of expression nodes: operators, functions, CASE, CAST, labels.
#include "alchemy/core/sql/elements.hpp"

#include <fmt/format.h>

#include "alchemy/exc.hpp"
#include "core/sql/nodes.hpp"

namespace alchemy {

using namespace detail;

namespace {

const TypeRef& boolean_type() {
  static const TypeRef t = types::Boolean;
  return t;
}

NodeRef need(const ColumnElement& e, std::string_view what) {
  if (!e.node())
    throw ArgumentError(
        fmt::format("{} got an empty expression (a default-constructed handle)", what));
  return e.node();
}

bool is_untyped_bind(const Node& n) { return n.kind == NodeKind::bind && as<BindNode>(n).untyped; }

// A copy of an untyped literal that takes `type` and is named after `key`
// (SQLAlchemy names anonymous binds after the column they are compared with).
NodeRef adopt(const NodeRef& bind, const TypeRef& type, std::string_view key) {
  auto b = std::make_shared<BindNode>(as<BindNode>(*bind));
  if (type && type->kind() != TypeKind::null) {
    b->type = type;
    b->untyped = false;
  }
  if (b->anonymous && b->key == "param" && !key.empty()) b->key = std::string(key);
  return b;
}

bool is_null_literal(const Node& n) {
  if (n.kind == NodeKind::null) return true;
  return n.kind == NodeKind::bind && as<BindNode>(n).value && as<BindNode>(n).value->is_null() &&
         as<BindNode>(n).anonymous;
}

bool is_comparison(Op op) {
  switch (op) {
    case Op::eq:
    case Op::ne:
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge:
    case Op::like:
    case Op::not_like:
    case Op::ilike:
    case Op::not_ilike:
    case Op::in:
    case Op::not_in:
    case Op::is:
    case Op::is_not:
    case Op::between:
    case Op::not_between:
    case Op::and_:
    case Op::or_:
      return true;
    default:
      return false;
  }
}

NodeRef make_binary(Op op, NodeRef l, NodeRef r, TypeRef type, std::string custom = {},
                    std::optional<char> escape = {}) {
  auto b = std::make_shared<BinaryNode>();
  b->op = op;
  b->left = std::move(l);
  b->right = std::move(r);
  b->type = std::move(type);
  b->custom = std::move(custom);
  b->escape = escape;
  return b;
}

NodeRef make_unary(UnaryOp op, NodeRef e, TypeRef t) {
  return std::make_shared<UnaryNode>(op, std::move(e), std::move(t));
}

ColumnElement clause_list(Op op, std::vector<ColumnElement> items) {
  std::vector<NodeRef> flat;
  for (const auto& it : items) {
    const NodeRef& n = need(it, op == Op::and_ ? "and_()" : "or_()");
    if (n->kind == NodeKind::clause_list && as<ClauseListNode>(*n).op == op) {
      for (const auto& c : as<ClauseListNode>(*n).clauses) flat.push_back(c);
    } else {
      flat.push_back(n);
    }
  }
  if (flat.size() == 1) return ColumnElement(flat.front());
  return ColumnElement(std::make_shared<ClauseListNode>(op, std::move(flat), boolean_type()));
}

// Escapes LIKE wildcards in a literal with '/' as the escape character.
std::string like_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '/') out += '/';
    out += c;
  }
  return out;
}

enum class Anchor { contains, starts, ends };

ColumnElement like_pattern(const ColumnElement& self, const ColumnElement& other, bool autoescape,
                           Anchor anchor) {
  NodeRef l = need(self, "contains()/startswith()/endswith()");
  NodeRef r = need(other, "contains()/startswith()/endswith()");
  if (r->kind == NodeKind::bind && as<BindNode>(*r).value &&
      as<BindNode>(*r).value->kind() == ValueKind::text) {
    const auto& b = as<BindNode>(*r);
    std::string v =
        autoescape ? like_escape(b.value->get<std::string>()) : b.value->get<std::string>();
    if (anchor != Anchor::starts) v = "%" + v;
    if (anchor != Anchor::ends) v += "%";
    auto nb = std::make_shared<BindNode>(b);
    nb->value = Value(std::move(v));
    nb->type = types::String;
    nb->untyped = false;
    if (nb->anonymous && nb->key == "param") nb->key = std::string(column_key(*l));
    return ColumnElement(make_binary(Op::like, l, nb, boolean_type(), {},
                                     autoescape ? std::optional<char>('/') : std::nullopt));
  }
  // An expression operand: '%' || expr || '%'.
  static const NodeRef pct = std::make_shared<LiteralColumnNode>("'%'", types::String);
  NodeRef pattern = r;
  const TypeRef& st = types::String;
  if (anchor != Anchor::starts) pattern = make_binary(Op::concat, pct, pattern, st);
  if (anchor != Anchor::ends) pattern = make_binary(Op::concat, pattern, pct, st);
  return ColumnElement(make_binary(Op::like, l, pattern, boolean_type()));
}

ColumnElement in_values(const ColumnElement& self, const std::vector<Value>& values, bool negate) {
  NodeRef l = need(self, "in_()");
  const TypeRef& t = node_type(*l);
  const std::string_view key = column_key(*l);
  std::vector<NodeRef> items;
  items.reserve(values.size());
  for (const Value& v : values) {
    auto b = std::make_shared<BindNode>();
    b->key = key.empty() ? "param" : std::string(key);
    b->value = v;
    if (t && t->kind() != TypeKind::null) {
      b->type = t;
      b->untyped = false;
    } else {
      b->type = type_for(v.kind());
    }
    items.push_back(std::move(b));
  }
  return ColumnElement(make_binary(negate ? Op::not_in : Op::in, l,
                                   std::make_shared<TupleNode>(std::move(items)), boolean_type()));
}

}  // namespace

// ---- ClauseElement / ColumnElement ----------------------------------------------------

ColumnElement::ColumnElement(const TextClause& t) : ClauseElement(std::make_shared<TextNode>(t)) {}

NodeRef ColumnElement::make_literal(Value v) {
  auto b = std::make_shared<BindNode>();
  b->key = "param";
  b->type = type_for(v.kind());
  b->value = std::move(v);
  return b;
}

const TypeRef& ColumnElement::type() const { return node_ ? node_type(*node_) : null_type(); }
std::string_view ColumnElement::key() const {
  return node_ ? column_key(*node_) : std::string_view();
}

namespace {
ColumnElement like_op(Op op, const ColumnElement& self, const ColumnElement& p,
                      std::optional<char> esc) {
  NodeRef l = need(self, "like()");
  NodeRef r = need(p, "like()");
  if (is_untyped_bind(*r)) r = adopt(r, types::String, column_key(*l));
  return ColumnElement(make_binary(op, l, r, boolean_type(), {}, esc));
}
}  // namespace

ColumnElement ColumnElement::like(const ColumnElement& p, std::optional<char> esc) const {
  return like_op(Op::like, *this, p, esc);
}
ColumnElement ColumnElement::not_like(const ColumnElement& p, std::optional<char> esc) const {
  return like_op(Op::not_like, *this, p, esc);
}
ColumnElement ColumnElement::ilike(const ColumnElement& p, std::optional<char> esc) const {
  return like_op(Op::ilike, *this, p, esc);
}
ColumnElement ColumnElement::not_ilike(const ColumnElement& p, std::optional<char> esc) const {
  return like_op(Op::not_ilike, *this, p, esc);
}
ColumnElement ColumnElement::contains(const ColumnElement& o, bool autoescape) const {
  return like_pattern(*this, o, autoescape, Anchor::contains);
}
ColumnElement ColumnElement::startswith(const ColumnElement& o, bool autoescape) const {
  return like_pattern(*this, o, autoescape, Anchor::starts);
}
ColumnElement ColumnElement::endswith(const ColumnElement& o, bool autoescape) const {
  return like_pattern(*this, o, autoescape, Anchor::ends);
}
ColumnElement ColumnElement::in_(std::initializer_list<Value> values) const {
  return in_values(*this, std::vector<Value>(values), false);
}
ColumnElement ColumnElement::in_(const std::vector<Value>& values) const {
  return in_values(*this, values, false);
}
ColumnElement ColumnElement::not_in(std::initializer_list<Value> values) const {
  return in_values(*this, std::vector<Value>(values), true);
}
ColumnElement ColumnElement::not_in(const std::vector<Value>& values) const {
  return in_values(*this, values, true);
}
ColumnElement ColumnElement::between(const ColumnElement& lower, const ColumnElement& upper,
                                     bool symmetric) const {
  NodeRef l = need(*this, "between()");
  auto lo = as<BinaryNode>(*binary(Op::ge, *this, lower).node()).right;
  auto hi = as<BinaryNode>(*binary(Op::le, *this, upper).node()).right;
  return ColumnElement(make_binary(Op::between, l,
                                   std::make_shared<TupleNode>(std::vector<NodeRef>{lo, hi}),
                                   boolean_type(), symmetric ? "SYMMETRIC" : ""));
}
ColumnElement ColumnElement::is_(const ColumnElement& o) const { return binary(Op::is, *this, o); }
ColumnElement ColumnElement::is_not(const ColumnElement& o) const {
  return binary(Op::is_not, *this, o);
}
ColumnElement ColumnElement::concat(const ColumnElement& o) const {
  return binary(Op::concat, *this, o);
}
ColumnElement ColumnElement::op(std::string opstring, const ColumnElement& other,
                                bool is_comparison_op) const {
  auto e = binary(Op::eq, *this, other);
  auto b = std::make_shared<BinaryNode>(as<BinaryNode>(*e.node()));
  b->op = Op::custom;
  b->custom = std::move(opstring);
  b->type = is_comparison_op ? boolean_type() : node_type(*b->left);
  return ColumnElement(b);
}
ColumnElement ColumnElement::collate(std::string collation) const {
  NodeRef e = need(*this, "collate()");
  return ColumnElement(std::make_shared<CollateNode>(e, std::move(collation), node_type(*e)));
}
ColumnElement ColumnElement::label(std::string name) const {
  NodeRef e = need(*this, "label()");
  if (name.empty()) throw ArgumentError("label() needs a non-empty name");
  return ColumnElement(std::make_shared<LabelNode>(std::move(name), e, node_type(*e)));
}
ColumnElement ColumnElement::asc() const { return alchemy::asc(*this); }
ColumnElement ColumnElement::desc() const { return alchemy::desc(*this); }
ColumnElement ColumnElement::nulls_first() const { return alchemy::nulls_first(*this); }
ColumnElement ColumnElement::nulls_last() const { return alchemy::nulls_last(*this); }
ColumnElement ColumnElement::distinct() const { return alchemy::distinct(*this); }
ColumnElement ColumnElement::cast(TypeArg type) const {
  return alchemy::cast(*this, std::move(type));
}

// ---- operators ---------------------------------------------------------------------

namespace detail {

NodeRef adopt_type(const NodeRef& n, const TypeRef& type, std::string_view key) {
  if (!n || !is_untyped_bind(*n)) return n;
  return adopt(n, type, key);
}

ColumnElement binary(Op op, const ColumnElement& le, const ColumnElement& re) {
  NodeRef l = need(le, "a SQL operator");
  NodeRef r = need(re, "a SQL operator");
  if (op == Op::and_ || op == Op::or_) return clause_list(op, {le, re});
  // Untyped literals take the other side's type and name.
  if (is_untyped_bind(*r) && !is_untyped_bind(*l))
    r = adopt(r, node_type(*l), column_key(*l));
  else if (is_untyped_bind(*l) && !is_untyped_bind(*r))
    l = adopt(l, node_type(*r), column_key(*r));
  // x == NULL is x IS NULL, as in SQLAlchemy.
  if ((op == Op::eq || op == Op::ne) && is_null_literal(*r)) {
    static const NodeRef null_node = std::make_shared<SimpleNode>(NodeKind::null, null_type());
    return ColumnElement(
        make_binary(op == Op::eq ? Op::is : Op::is_not, l, null_node, boolean_type()));
  }
  if ((op == Op::is || op == Op::is_not) && is_null_literal(*r)) {
    static const NodeRef null_node = std::make_shared<SimpleNode>(NodeKind::null, null_type());
    r = null_node;
  }
  const TypeRef& lt = node_type(*l);
  const TypeRef& rt = node_type(*r);
  TypeRef result;
  if (is_comparison(op)) {
    result = boolean_type();
  } else if (op == Op::add &&
             (lt->is_string() || (lt->kind() == TypeKind::null && rt->is_string()))) {
    op = Op::concat;
    result = types::String;
  } else if (op == Op::concat) {
    result = types::String;
  } else if (op == Op::div && lt->is_integer() && rt->is_integer()) {
    result = types::Numeric;  // true division, as SQLAlchemy 2.0
  } else {
    result = lt->kind() != TypeKind::null ? lt : rt;
  }
  return ColumnElement(make_binary(op, l, r, result));
}

ColumnElement negate(const ColumnElement& e) {
  NodeRef n = need(e, "not_()");
  if (n->kind == NodeKind::binary) {
    const auto& b = as<BinaryNode>(*n);
    std::optional<Op> inv;
    switch (b.op) {
      case Op::eq:
        inv = Op::ne;
        break;
      case Op::ne:
        inv = Op::eq;
        break;
      case Op::lt:
        inv = Op::ge;
        break;
      case Op::ge:
        inv = Op::lt;
        break;
      case Op::gt:
        inv = Op::le;
        break;
      case Op::le:
        inv = Op::gt;
        break;
      case Op::like:
        inv = Op::not_like;
        break;
      case Op::not_like:
        inv = Op::like;
        break;
      case Op::ilike:
        inv = Op::not_ilike;
        break;
      case Op::not_ilike:
        inv = Op::ilike;
        break;
      case Op::in:
        inv = Op::not_in;
        break;
      case Op::not_in:
        inv = Op::in;
        break;
      case Op::is:
        inv = Op::is_not;
        break;
      case Op::is_not:
        inv = Op::is;
        break;
      case Op::between:
        inv = Op::not_between;
        break;
      case Op::not_between:
        inv = Op::between;
        break;
      default:
        break;
    }
    if (inv) {
      auto c = std::make_shared<BinaryNode>(b);
      c->op = *inv;
      return ColumnElement(c);
    }
  }
  if (n->kind == NodeKind::unary && as<UnaryNode>(*n).op == UnaryOp::not_)
    return ColumnElement(as<UnaryNode>(*n).element);
  return ColumnElement(make_unary(UnaryOp::not_, n, boolean_type()));
}

ColumnElement unary_minus(const ColumnElement& e) {
  NodeRef n = need(e, "unary minus");
  return ColumnElement(make_unary(UnaryOp::neg, n, node_type(*n)));
}

}  // namespace detail

// ---- constructors --------------------------------------------------------------------

ColumnElement and_(std::vector<ColumnElement> criteria) {
  if (criteria.empty())
    return ColumnElement(
        std::make_shared<ClauseListNode>(Op::and_, std::vector<NodeRef>{}, boolean_type()));
  return clause_list(Op::and_, std::move(criteria));
}
ColumnElement or_(std::vector<ColumnElement> criteria) {
  if (criteria.empty())
    return ColumnElement(
        std::make_shared<ClauseListNode>(Op::or_, std::vector<NodeRef>{}, boolean_type()));
  return clause_list(Op::or_, std::move(criteria));
}
ColumnElement not_(const ColumnElement& e) { return detail::negate(e); }

namespace {
ColumnElement order_modifier(UnaryOp op, const ColumnElement& e, const char* what) {
  NodeRef n = need(e, what);
  return ColumnElement(make_unary(op, n, node_type(*n)));
}
}  // namespace

ColumnElement asc(const ColumnElement& e) { return order_modifier(UnaryOp::asc, e, "asc()"); }
ColumnElement desc(const ColumnElement& e) { return order_modifier(UnaryOp::desc, e, "desc()"); }
ColumnElement nulls_first(const ColumnElement& e) {
  return order_modifier(UnaryOp::nulls_first, e, "nulls_first()");
}
ColumnElement nulls_last(const ColumnElement& e) {
  return order_modifier(UnaryOp::nulls_last, e, "nulls_last()");
}
ColumnElement distinct(const ColumnElement& e) {
  return order_modifier(UnaryOp::distinct, e, "distinct()");
}

ColumnElement cast(const ColumnElement& e, TypeArg type) {
  NodeRef n = need(e, "cast()");
  if (is_untyped_bind(*n)) n = adopt(n, type.get(), "param");
  return ColumnElement(std::make_shared<CastNode>(n, type.get()));
}

ColumnElement literal(Value v, std::optional<TypeArg> type) {
  auto b = std::make_shared<BindNode>();
  b->key = "param";
  b->type = type ? type->get() : type_for(v.kind());
  b->value = std::move(v);
  b->untyped = false;
  return ColumnElement(b);
}

ColumnElement literal_column(std::string text, std::optional<TypeArg> type) {
  return ColumnElement(
      std::make_shared<LiteralColumnNode>(std::move(text), type ? type->get() : null_type()));
}

ColumnElement bindparam(std::string key, std::optional<Value> value, std::optional<TypeArg> type) {
  if (key.empty()) throw ArgumentError("bindparam() needs a key: bindparam(\"id\")");
  auto b = std::make_shared<BindNode>();
  b->key = std::move(key);
  b->anonymous = false;
  b->value = std::move(value);
  if (type) {
    b->type = type->get();
    b->untyped = false;
  } else {
    b->type = b->value ? type_for(b->value->kind()) : null_type();
    b->untyped = true;
  }
  return ColumnElement(b);
}

ColumnElement null() {
  static const NodeRef n = std::make_shared<SimpleNode>(NodeKind::null, null_type());
  return ColumnElement(n);
}
ColumnElement true_() {
  static const NodeRef n = std::make_shared<SimpleNode>(NodeKind::true_, types::Boolean);
  return ColumnElement(n);
}
ColumnElement false_() {
  static const NodeRef n = std::make_shared<SimpleNode>(NodeKind::false_, types::Boolean);
  return ColumnElement(n);
}

ColumnElement tuple_(std::vector<ColumnElement> items) {
  std::vector<NodeRef> nodes;
  for (const auto& i : items) nodes.push_back(need(i, "tuple_()"));
  return ColumnElement(std::make_shared<TupleNode>(std::move(nodes)));
}

namespace {
ColumnElement make_case(NodeRef value, std::vector<When> whens,
                        std::optional<ColumnElement> else_) {
  if (whens.empty()) throw ArgumentError("case_() needs at least one {condition, result} pair");
  auto c = std::make_shared<CaseNode>();
  c->value = std::move(value);
  TypeRef t;
  for (auto& w : whens) {
    NodeRef cond = need(w.condition, "case_()");
    NodeRef res = need(w.result, "case_()");
    if (c->value && is_untyped_bind(*cond)) cond = adopt(cond, node_type(*c->value), "param");
    if ((!t || t->kind() == TypeKind::null) && !is_untyped_bind(*res)) t = node_type(*res);
    c->whens.emplace_back(std::move(cond), std::move(res));
  }
  if (!t || t->kind() == TypeKind::null) t = node_type(*c->whens.front().second);
  if (else_) c->else_ = need(*else_, "case_() else");
  c->type = t ? t : null_type();
  return ColumnElement(c);
}
}  // namespace

ColumnElement case_(std::vector<When> whens, std::optional<ColumnElement> else_) {
  return make_case(nullptr, std::move(whens), std::move(else_));
}
ColumnElement case_(const ColumnElement& value, std::vector<When> whens,
                    std::optional<ColumnElement> else_) {
  return make_case(need(value, "case_()"), std::move(whens), std::move(else_));
}

// ---- functions ----------------------------------------------------------------------

FunctionElement NamedFunction::call(std::vector<ColumnElement> args) const {
  return FunctionGenerator::make(name_, std::move(args));
}

FunctionElement FunctionGenerator::make(std::string_view name, std::vector<ColumnElement> args) {
  if (name.empty()) throw ArgumentError("func[...] needs a function name");
  auto f = std::make_shared<FunctionNode>();
  f->name = std::string(name);
  for (const auto& a : args) f->args.push_back(need(a, fmt::format("func.{}()", name)));
  auto first_type = [&]() -> TypeRef {
    for (const auto& a : f->args)
      if (node_type(*a)->kind() != TypeKind::null) return node_type(*a);
    return null_type();
  };
  // Return types of SQLAlchemy's generic functions.
  if (name == "count" || name == "char_length" || name == "row_number" || name == "rank" ||
      name == "dense_rank" || name == "ntile" || name == "length") {
    f->type = types::Integer;
  } else if (name == "max" || name == "min" || name == "sum" || name == "coalesce" ||
             name == "lag" || name == "lead" || name == "first_value" || name == "last_value" ||
             name == "nth_value" || name == "lower" || name == "upper" || name == "trim" ||
             name == "abs" || name == "round") {
    f->type = first_type();
  } else if (name == "concat") {
    f->type = types::String;
  } else if (name == "now" || name == "current_timestamp") {
    f->type = types::DateTime;
  } else if (name == "current_date") {
    f->type = types::Date;
  } else if (name == "percent_rank" || name == "cume_dist") {
    f->type = types::Numeric;
  } else if (name == "random" || name == "avg") {
    f->type = null_type();
  } else {
    f->type = null_type();
  }
  // Literal arguments of lag/lead offsets etc. keep their own types; untyped
  // literals in coalesce take the first typed argument's type.
  if (name == "coalesce") {
    for (auto& a : f->args)
      if (is_untyped_bind(*a)) a = adopt(a, f->type, "coalesce");
  }
  return FunctionElement(f);
}

ColumnElement FunctionElement::over(const Over& spec) const {
  auto o = std::make_shared<OverNode>();
  o->func = need(*this, "over()");
  o->type = node_type(*o->func);
  for (const auto& p : spec.partition_by) o->partition_by.push_back(need(p, "over(partition_by)"));
  for (const auto& p : spec.order_by) o->order_by.push_back(need(p, "over(order_by)"));
  if (spec.rows && spec.range_) throw ArgumentError("over() takes rows or range_, not both");
  o->rows = spec.rows;
  o->range_ = spec.range_;
  return ColumnElement(o);
}

FunctionElement FunctionElement::filter(const ColumnElement& criterion) const {
  auto f = std::make_shared<FunctionNode>(as<FunctionNode>(*need(*this, "filter()")));
  f->filter = need(criterion, "filter()");
  return FunctionElement(f);
}

}  // namespace alchemy

namespace alchemy::detail {

void check_typed(const ColumnElement& column, ValueKind kind, bool nullable_cpp) {
  (void)nullable_cpp;
  if (!column.node()) throw ArgumentError("typed<T>() got an empty column handle");
  const TypeRef& t = column.type();
  const ValueKind have = t->value_kind();
  if (have == ValueKind::null || have == kind) return;
  const bool numeric_ok =
      (kind == ValueKind::floating || kind == ValueKind::decimal) &&
      (have == ValueKind::integer || have == ValueKind::floating || have == ValueKind::decimal);
  if (numeric_ok) return;
  throw ArgumentError(fmt::format(
      "typed<{}>(): column '{}' has SQL type {}, which holds {} values; use typed<> with a "
      "matching C++ type",
      to_string(kind), column.key(), t->repr(), to_string(have)));
}

}  // namespace alchemy::detail
