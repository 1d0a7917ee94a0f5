// Guide: "Advanced ORM -> Mixins"; basics guide: "Mixins & Base Classes ->
// Timestamp Mixin, Multiple Mixins".
//
// Python:
//   class TimestampMixin:
//       created_at = Column(DateTime, default=datetime.utcnow, nullable=False)
//       updated_at = Column(DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)
//   class SoftDeleteMixin:
//       is_deleted = Column(Boolean, default=False); deleted_at = Column(DateTime, nullable=True)
//       def soft_delete(self): self.is_deleted = True; self.deleted_at = datetime.utcnow()
//   class AuditMixin:
//       created_by = Column(Integer, ForeignKey("users.id"))
//       updated_by = Column(Integer, ForeignKey("users.id"))
//   class User(TimestampMixin, SoftDeleteMixin, Base): ...   # id, name
//   class Post(TimestampMixin, SoftDeleteMixin, AuditMixin, Base): ...   # id, title
//
// C++: a mixin is a base struct with columns<T>(), a tuple of column definitions
// for map(). In expressions, name the mapped class: orm::col<Post>(&Mixin::m).
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

const auto utcnow = [] { return Value(DateTime::utcnow()); };

struct TimestampMixin {
  std::optional<DateTime> created_at;
  std::optional<DateTime> updated_at;
  template <class T>
  static auto columns() {
    return std::tuple(
        orm::column<&TimestampMixin::created_at>("created_at", default_(utcnow), nullable(false)),
        orm::column<&TimestampMixin::updated_at>("updated_at", default_(utcnow), onupdate(utcnow)));
  }
};

struct SoftDeleteMixin {
  std::optional<bool> is_deleted;
  std::optional<DateTime> deleted_at;
  void soft_delete() {
    is_deleted = true;
    deleted_at = DateTime::utcnow();
  }
  template <class T>
  static auto columns() {
    return std::tuple(orm::column<&SoftDeleteMixin::is_deleted>("is_deleted", default_(false)),
                      orm::column<&SoftDeleteMixin::deleted_at>("deleted_at"));
  }
};

struct AuditMixin {
  std::optional<std::int64_t> created_by;
  std::optional<std::int64_t> updated_by;
  template <class T>
  static auto columns() {
    return std::tuple(orm::column<&AuditMixin::created_by>("created_by", ForeignKey("users.id")),
                      orm::column<&AuditMixin::updated_by>("updated_by", ForeignKey("users.id")));
  }
};

struct User : TimestampMixin, SoftDeleteMixin {
  std::int64_t id = 0;
  std::optional<std::string> name;
};

struct Post : TimestampMixin, SoftDeleteMixin, AuditMixin {
  std::int64_t id = 0;
  std::optional<std::string> title;
};

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_mixins.db"));
  orm::registry Base;
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(100)), TimestampMixin::columns<User>(),
                 SoftDeleteMixin::columns<User>());
  Base.map<Post>("posts", orm::column<&Post::id>("id", primary_key()),
                 orm::column<&Post::title>("title", String(200)), TimestampMixin::columns<Post>(),
                 SoftDeleteMixin::columns<Post>(), AuditMixin::columns<Post>());
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  std::cout << CreateTable(orm::table_of<Post>()).str(engine.dialect().statement_compiler());

  orm::Session session(engine);
  auto ali = std::make_shared<User>();
  ali->name = "علی";
  session.add(ali);
  session.flush();  // ali->id for created_by
  auto new_post = [&](const char* title) {
    auto p = std::make_shared<Post>();
    p->title = title;
    p->created_by = ali->id;
    return p;
  };
  auto post = new_post("Hello"), draft = new_post("Draft");
  session.add_all(std::vector{post, draft});
  session.commit();
  std::cout << std::boolalpha << "\nUser " << *ali->name << ": created_at set "
            << ali->created_at.has_value() << ", is_deleted " << *ali->is_deleted << "\n";

  const DateTime created = *post->created_at, first_update = *post->updated_at;
  post->title = "Hello, world";
  post->updated_by = ali->id;
  session.commit();  // onupdate refreshes updated_at
  std::cout << "Post updated: updated_at changed " << !(*post->updated_at == first_update)
            << ", created_at kept " << (*post->created_at == created) << "\n";

  draft->soft_delete();
  session.commit();
  std::cout << "Draft soft-deleted: is_deleted " << *draft->is_deleted << ", deleted_at set "
            << draft->deleted_at.has_value() << "\n";

  for (const auto& p :
       session.query<Post>().filter(orm::col<Post>(&SoftDeleteMixin::is_deleted) == false).all())
    std::cout << "Not deleted: '" << *p->title << "' by user " << *p->created_by << "\n";
  session.close();

  Base.metadata.drop_all(engine);
  return 0;
}
