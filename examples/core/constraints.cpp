// Guide: "SQLAlchemy Core -> Constraints", plus the basics guide's "Column
// Constraints -> All Constraint Options" and "Foreign Key Options", written as
// Core Table objects.
//
// Python (the guide):
//   users = Table('users', metadata,
//       Column('id', Integer, primary_key=True),
//       Column('name', String(50), nullable=False),
//       Column('email', String(100), unique=True),
//       Column('age', Integer),
//       CheckConstraint('age >= 18', name='age_check'),
//       UniqueConstraint('email', 'name', name='unique_email_name'))
//   orders = Table('orders', metadata,
//       Column('id', Integer, primary_key=True),
//       Column('user_id', Integer, ForeignKey('users.id')),
//       Column('total', Float))
//
// Python (the basics guide, declarative; here as a Table):
//   id = Column(Integer, primary_key=True, autoincrement=True)
//   email = Column(String(100), unique=True)
//   username = Column(String(50), nullable=False)
//   role = Column(String(20), default="user")
//   created_at = Column(DateTime, server_default=func.now())
//   name = Column(String(100), index=True)
//   department_id = Column(Integer, ForeignKey("departments.id"))
//   age = Column(Integer, CheckConstraint("age >= 0 AND age <= 150"))
//   updated_at = Column(DateTime, onupdate=datetime.utcnow)
//   UniqueConstraint('email', 'username', name='uq_user_email_username')
//   CheckConstraint('age >= 18', name='check_adult')
//
//   category_id = Column(Integer, ForeignKey("categories.id",
//                                            ondelete="CASCADE", onupdate="CASCADE"))
//
// The database enforces the constraints: a violating statement raises
// IntegrityError. SQLite checks foreign keys only with PRAGMA foreign_keys=ON,
// which the `connect` listener below turns on for every new connection.
#include <alchemy/alchemy.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

// Runs `stmt` in its own transaction and reports whether the database refused it.
void attempt(const Engine& engine, const char* what, const Executable& stmt) {
  try {
    engine.begin([&](Connection& conn) { conn.execute(stmt); });
    std::cout << what << ": accepted\n";
  } catch (const IntegrityError&) {
    std::cout << what << ": IntegrityError\n";
  }
}

std::int64_t count(const Engine& engine, const Table& t) {
  return engine.connect().execute(select(func.count()).select_from(t)).scalar<std::int64_t>();
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///constraints.db"));
  event::listen(engine, event::connect, [&engine](DBAPIConnection& dbapi, ConnectionRecord&) {
    if (engine.name() == "sqlite") dbapi.exec("PRAGMA foreign_keys=ON");
  });
  const SQLCompiler& dialect = engine.dialect().statement_compiler();

  // ---- 1. The guide's tables ------------------------------------------------------
  {
    MetaData metadata;
    Table users("users", metadata, Column("id", Integer, primary_key()),
                Column("name", String(50), nullable(false)), Column("email", String(100), unique()),
                Column("age", Integer),
                // Check constraint
                CheckConstraint("age >= 18", "age_check"),
                // Unique constraint
                UniqueConstraint({"email", "name"}, "unique_email_name"));
    // orders table with Foreign Key
    Table orders("orders", metadata, Column("id", Integer, primary_key()),
                 Column("user_id", Integer, ForeignKey("users.id")), Column("total", Float));
    std::cout << CreateTable(users).str(dialect) << "\n"
              << CreateTable(orders).str(dialect) << "\n";

    metadata.drop_all(engine);
    metadata.create_all(engine);
    attempt(engine, "Ali, 30",
            users.insert().values({{"name", "Ali"}, {"email", "ali@test.com"}, {"age", 30}}));
    attempt(engine, "no name (NOT NULL)", users.insert().values({{"email", "x@test.com"}}));
    attempt(engine, "age 16 (age_check)",
            users.insert().values({{"name", "Reza"}, {"email", "reza@test.com"}, {"age", 16}}));
    attempt(engine, "same email (unique)",
            users.insert().values({{"name", "Sara"}, {"email", "ali@test.com"}, {"age", 20}}));
    attempt(engine, "order of user 1", orders.insert().values({{"user_id", 1}, {"total", 9.5}}));
    attempt(engine, "order of user 99 (foreign key)",
            orders.insert().values({{"user_id", 99}, {"total", 9.5}}));
    std::cout << count(engine, users) << " users, " << count(engine, orders) << " orders\n\n";
    metadata.drop_all(engine);
  }

  // ---- 2. All constraint options (the basics guide's User model) --------------------
  {
    MetaData metadata;
    Table departments("departments", metadata, Column("id", Integer, primary_key()),
                      Column("name", String(50)));
    Table users(
        "users", metadata,
        // Primary key
        Column("id", Integer, primary_key(), autoincrement(true)),
        // Unique constraint
        Column("email", String(100), unique()),
        // Not null
        Column("username", String(50), nullable(false)),
        // Default value (filled in by alchemy when an INSERT leaves it out)
        Column("role", String(20), default_("user")),
        // Server default (database-level: part of CREATE TABLE)
        Column("created_at", types::DateTime, server_default(func.now())),
        // Index for faster queries
        Column("name", String(100), index()),
        // Foreign key
        Column("department_id", Integer, ForeignKey("departments.id")),
        // Check constraint on one column
        Column("age", Integer, CheckConstraint("age >= 0 AND age <= 150")),
        // On update: set by every UPDATE that does not set it itself
        Column("updated_at", types::DateTime, onupdate([] { return Value(DateTime::utcnow()); })),
        // Table-level constraints
        UniqueConstraint({"email", "username"}, "uq_user_email_username"),
        CheckConstraint("age >= 18", "check_adult"));
    std::cout << CreateTable(users).str(dialect) << "\n";

    metadata.drop_all(engine);
    metadata.create_all(engine);
    engine.begin([&](Connection& conn) {
      conn.execute(departments.insert().values({{"name", "Sales"}}));
      conn.execute(users.insert().values({{"email", "ahmad@test.com"},
                                          {"username", "ahmad"},
                                          {"name", "Ahmad"},
                                          {"department_id", 1},
                                          {"age", 30}}));
    });
    attempt(engine, "age 200 (column CHECK)",
            users.insert().values({{"username", "old"}, {"age", 200}}));
    attempt(engine, "age 16 (check_adult)",
            users.insert().values({{"username", "young"}, {"age", 16}}));
    attempt(engine, "department 7 (foreign key)",
            users.insert().values({{"username", "lost"}, {"department_id", 7}}));

    auto conn = engine.connect();
    auto who =
        select(users.c["username"], users.c["role"], users.c["created_at"], users.c["updated_at"])
            .where(users.c["username"] == "ahmad");
    Row row = conn.execute(who).one();
    std::cout << "role default: " << row.get<std::string>("role")
              << ", created_at from the server: " << (row.is_null(2) ? "no" : "yes")
              << ", updated_at: " << (row.is_null(3) ? "None" : "set") << "\n";
    conn.execute(users.update().where(users.c["username"] == "ahmad").values({{"age", 31}}));
    conn.commit();
    row = conn.execute(who).one();
    std::cout << "after an UPDATE, updated_at: " << (row.is_null(3) ? "None" : "set") << "\n\n";
    conn.close();
    metadata.drop_all(engine);
  }

  // ---- 3. Foreign key options ---------------------------------------------------------
  {
    MetaData metadata;
    Table users("users", metadata, Column("id", Integer, primary_key()),
                Column("name", String(50)));
    Table categories("categories", metadata, Column("id", Integer, primary_key()),
                     Column("name", String(50)));
    Table posts("posts", metadata, Column("id", Integer, primary_key()),
                // Basic foreign key
                Column("user_id", Integer, ForeignKey("users.id")),
                // With cascade options
                Column("category_id", Integer,
                       ForeignKey("categories.id", {.ondelete = "CASCADE", .onupdate = "CASCADE"})),
                // Another option: forget the editor when the user is deleted
                Column("editor_id", Integer, ForeignKey("users.id", {.ondelete = "SET NULL"})));
    std::cout << CreateTable(posts).str(dialect) << "\n";

    metadata.drop_all(engine);
    metadata.create_all(engine);
    engine.begin([&](Connection& conn) {
      conn.execute(users.insert(), std::vector<Params>{{{"id", 1}, {"name", "Ahmad"}},
                                                       {{"id", 2}, {"name", "Ali"}}});
      conn.execute(categories.insert(), std::vector<Params>{{{"id", 1}, {"name", "News"}},
                                                            {{"id", 2}, {"name", "Sport"}}});
      conn.execute(
          posts.insert(),
          std::vector<Params>{{{"id", 1}, {"user_id", 1}, {"category_id", 1}, {"editor_id", 2}},
                              {{"id", 2}, {"user_id", 1}, {"category_id", 1}, {"editor_id", 2}},
                              {{"id", 3}, {"user_id", 2}, {"category_id", 2}, {"editor_id", 1}}});
    });
    auto show_posts = [&] {
      auto conn = engine.connect();
      for (const Row& row : conn.execute(select(posts).order_by(posts.c["id"])))
        std::cout << "  post " << row.repr() << "\n";
    };
    show_posts();

    // ON UPDATE CASCADE: renumbering category 2 follows into posts.
    attempt(engine, "renumber category 2 -> 20",
            categories.update().where(categories.c["id"] == 2).values({{"id", 20}}));
    // ON DELETE CASCADE: deleting category 1 deletes its posts.
    attempt(engine, "delete category 1", categories.delete_().where(categories.c["id"] == 1));
    // ON DELETE SET NULL: user 1 edited post 3, which keeps the post and forgets the editor.
    attempt(engine, "delete user 1", users.delete_().where(users.c["id"] == 1));
    // No action given (the default): user 2 still wrote post 3, so the delete is refused.
    attempt(engine, "delete user 2", users.delete_().where(users.c["id"] == 2));
    show_posts();
    metadata.drop_all(engine);
  }
  return 0;
}
