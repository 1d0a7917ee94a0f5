// The cache key of a statement: its structure without bind values (SQLAlchemy's
// _generate_cache_key). Tables, columns, aliases and types are identified by
// address; a cached Compiled keeps its statement (and so those objects) alive,
// so an address cannot be reused while an entry refers to it.
//
// The walk also lists the bind nodes in a fixed order: a Compiled's
// BindSlot::literal indexes this list, so a cache hit for another statement of
// the same shape takes the values from that statement's own walk.
#include <cstring>

#include "core/compiler/compiler.hpp"

namespace alchemy::detail {

namespace {

class KeyWriter {
 public:
  KeyWriter(std::string& key, std::vector<const BindNode*>& binds) : k_(key), binds_(binds) {}

  void byte(std::uint8_t b) { k_ += static_cast<char>(b); }
  void ptr(const void* p) { k_.append(reinterpret_cast<const char*>(&p), sizeof p); }
  void num(std::uint64_t n) { k_.append(reinterpret_cast<const char*>(&n), sizeof n); }
  void str(std::string_view s) {
    num(s.size());
    k_ += s;
  }
  void list(const std::vector<NodeRef>& v) {
    num(v.size());
    for (const auto& n : v) node(*n);
  }
  void opt(const NodeRef& n) {
    if (n) {
      byte(1);
      node(*n);
    } else {
      byte(0);
    }
  }

  void node(const Node& n) {
    byte(static_cast<std::uint8_t>(n.kind));
    switch (n.kind) {
      case NodeKind::table:
      case NodeKind::column:
        ptr(&n);
        break;
      case NodeKind::derived_column: {
        // By structure: the alias, then the column's position in it (so a
        // subquery rebuilt per call still hits the cache).
        const auto& d = as<DerivedColumnNode>(n);
        node(*d.parent);
        std::uint64_t i = 0;
        for (const auto& c : d.parent->columns) {
          if (c.get() == &d) break;
          ++i;
        }
        num(i);
        break;
      }
      case NodeKind::alias: {
        const auto& a = as<AliasNode>(n);
        byte(static_cast<std::uint8_t>(static_cast<int>(a.flavor) | (a.recursive << 2) |
                                       ((a.original != nullptr) << 3)));
        str(a.name);
        if (a.name.empty()) ptr(&n);  // anonymous aliases: two are never the same
        if (a.element->kind == NodeKind::table) {
          ptr(a.element.get());
        } else {
          node(*a.element);
        }
        break;
      }
      case NodeKind::join: {
        const auto& j = as<JoinNode>(n);
        byte(static_cast<std::uint8_t>(j.isouter | (j.full << 1)));
        node(*j.left);
        node(*j.right);
        node(*j.onclause);
        break;
      }
      case NodeKind::bind: {
        const auto& b = as<BindNode>(n);
        binds_.push_back(&b);
        byte(static_cast<std::uint8_t>(b.anonymous | (b.value.has_value() << 1)));
        str(b.key);
        ptr(b.type.get());
        break;
      }
      case NodeKind::null:
      case NodeKind::true_:
      case NodeKind::false_:
        break;
      case NodeKind::literal_column:
        str(as<LiteralColumnNode>(n).text);
        ptr(as<LiteralColumnNode>(n).type.get());
        break;
      case NodeKind::text:
        str(as<TextNode>(n).clause.text());
        break;
      case NodeKind::binary: {
        const auto& b = as<BinaryNode>(n);
        byte(static_cast<std::uint8_t>(b.op));
        byte(b.escape ? static_cast<std::uint8_t>(*b.escape) : 0);
        str(b.custom);
        ptr(b.type.get());
        node(*b.left);
        node(*b.right);
        break;
      }
      case NodeKind::unary: {
        const auto& u = as<UnaryNode>(n);
        byte(static_cast<std::uint8_t>(u.op));
        node(*u.element);
        break;
      }
      case NodeKind::clause_list: {
        const auto& c = as<ClauseListNode>(n);
        byte(static_cast<std::uint8_t>(c.op));
        list(c.clauses);
        break;
      }
      case NodeKind::label:
        str(as<LabelNode>(n).name);
        node(*as<LabelNode>(n).element);
        break;
      case NodeKind::function: {
        const auto& f = as<FunctionNode>(n);
        str(f.name);
        ptr(f.type.get());
        list(f.args);
        opt(f.filter);
        break;
      }
      case NodeKind::cast:
        ptr(as<CastNode>(n).type.get());
        node(*as<CastNode>(n).element);
        break;
      case NodeKind::case_: {
        const auto& c = as<CaseNode>(n);
        opt(c.value);
        num(c.whens.size());
        for (const auto& [w, r] : c.whens) {
          node(*w);
          node(*r);
        }
        opt(c.else_);
        break;
      }
      case NodeKind::over: {
        const auto& o = as<OverNode>(n);
        node(*o.func);
        list(o.partition_by);
        list(o.order_by);
        for (const auto* f : {&o.rows, &o.range_}) {
          if (*f) {
            byte(1);
            num((*f)->start ? static_cast<std::uint64_t>(*(*f)->start) : ~0ULL);
            byte((*f)->start.has_value());
            num((*f)->end ? static_cast<std::uint64_t>(*(*f)->end) : ~0ULL);
            byte((*f)->end.has_value());
          } else {
            byte(0);
          }
        }
        break;
      }
      case NodeKind::scalar_subquery:
        node(*as<ScalarSubqueryNode>(n).select);
        break;
      case NodeKind::tuple:
        list(as<TupleNode>(n).items);
        break;
      case NodeKind::collate:
        str(as<CollateNode>(n).collation);
        node(*as<CollateNode>(n).element);
        break;
      case NodeKind::select: {
        const auto& s = as<SelectNode>(n);
        byte(static_cast<std::uint8_t>(s.distinct | (s.star << 1) | (s.correlate_none << 2) |
                                       (s.for_update.has_value() << 3)));
        list(s.columns);
        list(s.froms);
        list(s.where);
        list(s.group_by);
        list(s.having);
        list(s.order_by);
        list(s.distinct_on);
        list(s.correlate);
        opt(s.limit);
        opt(s.offset);
        if (s.for_update) {
          const auto& f = *s.for_update;
          byte(static_cast<std::uint8_t>(f.nowait | (f.read << 1) | (f.skip_locked << 2) |
                                         (f.key_share << 3)));
          num(f.of.size());
          for (const auto& o : f.of) ptr(o.node().get());
        }
        break;
      }
      case NodeKind::compound: {
        const auto& c = as<CompoundNode>(n);
        byte(static_cast<std::uint8_t>(c.op));
        list(c.selects);
        list(c.order_by);
        opt(c.limit);
        opt(c.offset);
        break;
      }
      case NodeKind::insert:
      case NodeKind::update:
      case NodeKind::delete_: {
        const auto& d = as<DMLNode>(n);
        ptr(d.table.get());
        num(d.values.size());
        for (const auto& [k, v] : d.values) {
          str(k);
          node(*v);
        }
        num(d.multi_values.size());
        for (const auto& row : d.multi_values) {
          num(row.size());
          for (const auto& [k, v] : row) {
            str(k);
            node(*v);
          }
        }
        num(d.select_keys.size());
        for (const auto& k : d.select_keys) str(k);
        opt(d.from_select);
        list(d.where);
        list(d.returning);
        if (d.on_conflict) {
          const auto& oc = *d.on_conflict;
          byte(oc.do_update ? 2 : 1);
          num(oc.index_elements.size());
          for (const auto& k : oc.index_elements) str(k);
          str(oc.constraint);
          num(oc.set.size());
          for (const auto& [k, v] : oc.set) {
            str(k);
            node(*v);
          }
          opt(oc.where);
        } else {
          byte(0);
        }
        break;
      }
    }
  }

 private:
  std::string& k_;
  std::vector<const BindNode*>& binds_;
};

}  // namespace

void cache_key(const Node& n, std::string& key, std::vector<const BindNode*>& binds) {
  key.reserve(256);
  KeyWriter w(key, binds);
  w.node(n);
}

}  // namespace alchemy::detail
