// Beyond the guide: "upserts" -- INSERT ... ON CONFLICT DO NOTHING / DO UPDATE,
// from <alchemy/dialects/postgresql/dml.hpp> and <alchemy/dialects/sqlite/dml.hpp>
// (SQLAlchemy's sqlalchemy.dialects.postgresql.insert and .sqlite.insert).
//
// Python (PostgreSQL; the SQLite version only changes the import):
//   from sqlalchemy.dialects.postgresql import insert
//   stmt = insert(page_views).values(path="/home", views=1)
//   stmt = stmt.on_conflict_do_update(
//       index_elements=["path"], set_={"views": page_views.c.views + stmt.excluded.views})
//   conn.execute(stmt)
//
// Both dialect headers spell it the same way, so one generic function serves
// both backends.
#include <alchemy/alchemy.hpp>
#include <alchemy/dialects/postgresql/dml.hpp>
#include <alchemy/dialects/sqlite/dml.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;
namespace pg = alchemy::dialects::postgresql;
namespace lite = alchemy::dialects::sqlite;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///upserts.db"));
  MetaData metadata;
  Table page_views("page_views", metadata, Column("id", Integer, primary_key()),
                   Column("path", String(200), unique()), Column("views", Integer));
  Table tags("tags", metadata, Column("name", String(50), primary_key()));
  metadata.drop_all(engine);
  metadata.create_all(engine);

  // Count a page view: insert the path with 1 view, or add to the existing row.
  auto count_view = [&](auto insert, const char* path, int views) {
    auto stmt = insert(page_views).values({{"path", path}, {"views", views}});
    return stmt.on_conflict_do_update(
        {.index_elements = {"path"},
         .set_ = {{"views", page_views.c["views"] + stmt.excluded("views")}}});
  };
  // Add a tag unless it exists.
  auto add_tag = [&](auto insert, const char* name) {
    return insert(tags).values({{"name", name}}).on_conflict_do_nothing();
  };
  auto run = [&](auto insert) {
    std::cout << count_view(insert, "/home", 1).str() << "\n";
    std::cout << add_tag(insert, "sql").str() << "\n";
    engine.begin([&](Connection& conn) {
      for (const char* path : {"/home", "/about", "/home", "/home"})
        conn.execute(count_view(insert, path, 1));
      conn.execute(count_view(insert, "/about", 10));
      for (const char* name : {"sql", "cpp", "sql"}) {
        Result r = conn.execute(add_tag(insert, name));
        std::cout << "tag " << name << ": " << r.rowcount()
                  << (r.rowcount() == 1 ? " row" : " rows") << " inserted\n";
      }
    });
  };
  if (engine.name() == "postgresql") {
    run([](const Table& t) { return pg::insert(t); });
  } else {
    run([](const Table& t) { return lite::insert(t); });
  }

  auto conn = engine.connect();
  for (const Row& row : conn.execute(
           select(page_views.c["path"], page_views.c["views"]).order_by(page_views.c["path"])))
    std::cout << row.get<std::string>(0) << ": " << row.get<int>(1) << " views\n";
  conn.close();
  metadata.drop_all(engine);
  return 0;
}
