// Basics guide: "Column Types -> Custom Types", with a Core Table.
//
// Python:
//   class JSONEncodedDict(TypeDecorator):
//       """Store dict as JSON string"""
//       impl = String(500)
//       cache_ok = True
//       def process_bind_param(self, value, dialect):
//           if value is not None:
//               return json.dumps(value)
//           return None
//       def process_result_value(self, value, dialect):
//           if value is not None:
//               return json.loads(value)
//           return None
//
//   class Product(Base):
//       __tablename__ = "products"
//       id = Column(Integer, primary_key=True)
//       metadata = Column(JSONEncodedDict)  # Custom type
//
// In C++ the "dict" is a Json value (the document's text); binding turns it
// into the VARCHAR(500) text the database stores, reading turns the text back
// into Json. (Declarative SQLAlchemy reserves the attribute name `metadata`;
// a Core column may use it.) The second decorator shows that values compared
// with a decorated column in WHERE go through process_bind_param too.
#include <alchemy/alchemy.hpp>
#include <algorithm>
#include <cctype>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

/// Store a JSON document as a string.
struct JSONEncodedDict : types::TypeDecorator {
  JSONEncodedDict() : TypeDecorator(String(500)) {}

  Value process_bind_param(Value value, const SQLCompiler&) const override {
    if (!value.is_null()) return Value(value.as<Json>().text);  // json.dumps(value)
    return nullptr;
  }
  Value process_result_value(Value value, const SQLCompiler&) const override {
    if (!value.is_null()) return Value(Json{value.as<std::string>()});  // json.loads(value)
    return nullptr;
  }
};

/// A string stored lower-case: 'ABC-1' and 'abc-1' are the same SKU.
struct LowerCaseString : types::TypeDecorator {
  LowerCaseString() : TypeDecorator(String(50)) {}

  Value process_bind_param(Value value, const SQLCompiler&) const override {
    if (value.is_null()) return value;
    std::string s = value.as<std::string>();
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return Value(std::move(s));
  }
};

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///custom_types.db"));
  MetaData metadata;
  Table products("products", metadata, Column("id", Integer, primary_key()),
                 Column("sku", LowerCaseString{}, unique()),
                 Column("metadata", JSONEncodedDict{}));  // Custom type
  // The decorated columns are their impl types in DDL.
  std::cout << CreateTable(products).str(engine.dialect().statement_compiler()) << "\n";
  metadata.drop_all(engine);
  metadata.create_all(engine);

  engine.begin([&](Connection& conn) {
    conn.execute(products.insert(),
                 std::vector<Params>{{{"sku", "ABC-1"},
                                      {"metadata", Json{R"({"color": "red", "sizes": [38, 40]})"}}},
                                     {{"sku", "XYZ-9"}, {"metadata", nullptr}}});
  });

  auto conn = engine.connect();
  // What the database holds: plain text (a VARCHAR), lower-case SKUs.
  for (const Row& row : conn.execute(text("SELECT sku, metadata FROM products ORDER BY id")))
    std::cout << "stored: " << row.repr() << "\n";

  // What a Core select returns: process_result_value() has made Json again.
  // The literal 'abc-1' in WHERE is bound through LowerCaseString as well.
  auto stmt = select(products.c["sku"], products.c["metadata"])
                  .where(products.c["sku"].in_({"ABC-1", "xyz-9"}))
                  .order_by(products.c["id"]);
  std::cout << stmt.str() << "\n";
  for (const Row& row : conn.execute(stmt)) {
    Value m = row["metadata"];
    std::cout << row.get<std::string>("sku") << ": "
              << (m.is_null() ? std::string("None")
                              : std::string(to_string(m.kind())) + " " + m.get<Json>().text)
              << "\n";
  }
  conn.close();
  metadata.drop_all(engine);
  return 0;
}
