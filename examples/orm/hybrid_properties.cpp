// The guides' "Hybrid properties" (guide: full_name; basics: Product.total_value
// and is_affordable): one name, usable on an object and in a query.
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

namespace {
struct User {
  std::int64_t id = 0;
  std::string first_name;
  std::string last_name;
};
struct Product {
  std::int64_t id = 0;
  std::string name;
  double price = 0;
  std::int64_t quantity = 0;
};
}  // namespace

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_hybrids.db"));
  orm::registry Base;
  Base.map<User>("hybrid_users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::first_name>("first_name", String(30)),
                 orm::column<&User::last_name>("last_name", String(30)));
  Base.map<Product>("hybrid_products", orm::column<&Product::id>("id", primary_key()),
                    orm::column<&Product::name>("name", String(100)),
                    orm::column<&Product::price>("price", Float),
                    orm::column<&Product::quantity>("quantity"));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);

  // @hybrid_property def full_name(self): ...   @full_name.expression def full_name(cls): ...
  const orm::hybrid_property<User, std::string> full_name(
      [](const User& u) { return u.first_name + " " + u.last_name; },
      [] { return func.concat(orm::col(&User::first_name), " ", orm::col(&User::last_name)); });
  // @hybrid_property def total_value(self): return self.price * self.quantity
  const orm::hybrid_property<Product, double> total_value(
      [](const Product& p) { return p.price * static_cast<double>(p.quantity); },
      [] { return orm::col(&Product::price) * orm::col(&Product::quantity); });
  // @hybrid_method def is_affordable(self, max_price): return self.price <= max_price
  const orm::hybrid_method<Product, bool, double> is_affordable(
      [](const Product& p, double max_price) { return p.price <= max_price; },
      [](double max_price) { return orm::col(&Product::price) <= max_price; });

  orm::Session session(engine);
  session.add(orm::make<User>(User{0, "Ahmad", "Ali"}));
  session.add(orm::make<User>(User{0, "علی", "رضایی"}));
  session.add(orm::make<Product>(Product{0, "laptop", 900, 3}));
  session.add(orm::make<Product>(Product{0, "pen", 2, 1000}));
  session.add(orm::make<Product>(Product{0, "mug", 100, 5}));
  session.commit();

  auto user = session.query<User>().order_by(orm::col(&User::id)).first();
  std::cout << full_name(*user) << "\n";  // "Ahmad Ali"
  // session.query(User).filter(User.full_name == 'Ahmad Ali')  -- @full_name.expression is used
  auto found = session.query<User>().filter(full_name == "Ahmad Ali").all();
  std::cout << "found " << found.size() << ": " << full_name(*found.front()) << "\n";
  auto persian = session.query<User>().filter(full_name == "علی رضایی").one();
  std::cout << full_name(*persian) << "\n";

  auto product = std::make_shared<Product>(Product{0, "demo", 100, 5});
  std::cout << total_value(*product) << "\n";  // 500
  // db.query(Product).filter(Product.total_value > 1000).all()
  for (const auto& p : session.query<Product>().filter(total_value > 1000.0).order_by(orm::col(&Product::name)).all())
    std::cout << "expensive: " << p->name << " " << total_value(*p) << "\n";
  // db.query(Product).filter(Product.is_affordable(100)).all()
  for (const auto& p : session.query<Product>().filter(is_affordable(100.0)).order_by(orm::col(&Product::name)).all())
    std::cout << "affordable: " << p->name << " " << is_affordable(*p, 100.0) << "\n";

  session.close();
  Base.metadata.drop_all(engine);
  return 0;
}
