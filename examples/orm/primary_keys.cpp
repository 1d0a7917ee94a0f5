// Guide: "SQLAlchemy ORM -> Declarative Base -> Primary keys".
//
// Python:
//   class User(Base):
//       __tablename__ = "users"
//       id = Column(Integer, primary_key=True)  # Auto increment
//
//   class User(Base):
//       __tablename__ = "users"
//       id = Column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
//
//   class OrderItem(Base):
//       __tablename__ = "order_items"
//       order_id = Column(Integer, primary_key=True)
//       product_id = Column(Integer, primary_key=True)
//       quantity = Column(Integer)
//
// The UUID model is ApiUser in table api_users (one struct per table). UUID is
// PostgreSQL's uuid type, CHAR(32) on SQLite; the member is an alchemy::Uuid
// and the nil UUID means "not set", so the default runs.
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

struct User {
  std::int64_t id = 0;  // 0: let the database assign it
  std::string name;
};

struct ApiUser {
  Uuid id{};
  std::string name;
};

struct OrderItem {
  std::int64_t order_id = 0;
  std::int64_t product_id = 0;
  std::optional<std::int64_t> quantity;
};

int main(int argc, char** argv) {
  Engine engine =
      create_engine(examples::database_url(argc, argv, "sqlite:///orm_primary_keys.db"));
  orm::registry Base;
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)));
  Base.map<ApiUser>("api_users", orm::column<&ApiUser::id>("id", UUID, primary_key(), default_([] {
                                                             return Value(Uuid::uuid4());
                                                           })),
                    orm::column<&ApiUser::name>("name", String(50)));
  Base.map<OrderItem>("order_items", orm::column<&OrderItem::order_id>("order_id", primary_key()),
                      orm::column<&OrderItem::product_id>("product_id", primary_key()),
                      orm::column<&OrderItem::quantity>("quantity"));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  const auto& compiler = engine.dialect().statement_compiler();
  for (const orm::Mapper* m : Base.mappers())
    std::cout << CreateTable(m->table()).str(compiler) << "\n";

  orm::Session session(engine);
  // Simple: the database numbers the rows.
  auto ali = std::make_shared<User>(User{.name = "Ali"});
  auto sara = std::make_shared<User>(User{.name = "Sara"});
  session.add_all(std::vector{ali, sara});
  session.flush();
  std::cout << "Auto increment: Ali id=" << ali->id << ", Sara id=" << sara->id << "\n";

  // UUID: generated in C++ by the default, before the INSERT.
  auto api = std::make_shared<ApiUser>(ApiUser{.name = "علی"});
  session.add(api);
  session.flush();
  std::cout << "UUID id: " << api->id.str() << " (version " << api->id.str()[14] << ")\n";

  // Composite key: both values are given; get() takes them in key order.
  for (auto [product, qty] : {std::pair{10, 2}, std::pair{11, 1}})
    session.add(std::make_shared<OrderItem>(
        OrderItem{.order_id = 1, .product_id = product, .quantity = qty}));
  session.commit();

  orm::Session other(engine);  // a new session: get() runs a SELECT
  auto item = other.get<OrderItem>({Value(1), Value(11)});
  std::cout << "OrderItem(order_id=1, product_id=11): quantity=" << item->quantity.value_or(0)
            << "\n";
  auto again = other.get<ApiUser>(api->id);
  std::cout << "ApiUser by UUID: " << again->name << "\n";
  std::cout << "get() of a missing key: " << (other.get<User>(99) ? "found" : "None") << "\n";
  other.close();  // releases its objects; the session stays usable

  // The key is unique. The session that holds (1, 10) refuses a second object
  // with that identity before any SQL; elsewhere the database refuses the row.
  auto dup = std::make_shared<OrderItem>(OrderItem{.order_id = 1, .product_id = 10, .quantity = 5});
  for (orm::Session* s : {&session, &other}) {
    s->add(dup);
    try {
      s->commit();
    } catch (const orm::FlushError&) {
      std::cout << "Duplicate (order_id, product_id) in the same session: FlushError\n";
      s->rollback();
    } catch (const IntegrityError&) {
      std::cout << "Duplicate (order_id, product_id) in another session: IntegrityError\n";
      s->rollback();
    }
  }
  session.close();

  Base.metadata.drop_all(engine);
  return 0;
}
