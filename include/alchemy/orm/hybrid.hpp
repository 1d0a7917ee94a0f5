// Hybrid attributes (SQLAlchemy's sqlalchemy.ext.hybrid): one name, two
// meanings — a C++ computation on an object, and a SQL expression in queries.
//
//   const orm::hybrid_property<User, std::string> full_name(
//       [](const User& u) { return u.first_name + " " + u.last_name; },
//       [] { return func.concat(orm::col(&User::first_name), " ", orm::col(&User::last_name)); });
//   full_name(*user);                                        // "Ahmad Ali"
//   session.query<User>().filter(full_name == "Ahmad Ali");  // WHERE users.first_name || ...
//
//   const orm::hybrid_method<Product, bool, double> is_affordable(
//       [](const Product& p, double max) { return p.price <= max; },
//       [](double max) { return orm::col(&Product::price) <= max; });
//   is_affordable(*product, 100);                            // C++
//   session.query<Product>().filter(is_affordable(100));     // SQL
//
// The SQL side of a hybrid_property is built when the hybrid is constructed, so
// construct it after the class is mapped (a function-local static, or a member
// of the code that queries). Both are immutable and thread-safe to use.
#pragma once

#include <functional>
#include <type_traits>
#include <utility>

#include "alchemy/orm/mapping.hpp"

namespace alchemy::orm {

/// A computed attribute usable on objects and in SQL. It is an Expr<R>, so it
/// compares, sorts and labels like a column.
template <class T, class R>
class hybrid_property : public Expr<R> {
 public:
  template <class Get, class Sql>
  hybrid_property(Get get, Sql sql)
      : Expr<R>(ColumnElement(sql())), get_(std::move(get)) {}
  /// The value for one object.
  R operator()(const T& obj) const { return get_(obj); }
  /// The SQL expression (also available through the Expr<R> base).
  const Expr<R>& expression() const noexcept { return *this; }

 private:
  std::function<R(const T&)> get_;
};

/// A method usable on objects and in SQL: called with an object first it runs
/// the C++ function; called with the arguments alone it builds the SQL expression.
template <class T, class R, class... Args>
class hybrid_method {
 public:
  template <class Get, class Sql>
  hybrid_method(Get get, Sql sql) : get_(std::move(get)), sql_(std::move(sql)) {}
  R operator()(const T& obj, Args... args) const { return get_(obj, std::move(args)...); }
  Expr<R> operator()(Args... args) const { return Expr<R>(ColumnElement(sql_(std::move(args)...))); }

 private:
  std::function<R(const T&, Args...)> get_;
  std::function<ColumnElement(Args...)> sql_;
};

}  // namespace alchemy::orm
