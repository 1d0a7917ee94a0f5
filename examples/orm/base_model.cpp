// Basics guide: "Mixins & Base Classes -> Complete Base Model".
//
// Python:
//   class BaseModel(Base):
//       __abstract__ = True  # Won't create table
//       id = Column(Integer, primary_key=True, index=True)
//       created_at = Column(DateTime, default=datetime.utcnow)
//       updated_at = Column(DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)
//       is_deleted = Column(Boolean, default=False)  # Soft delete
//       @declared_attr
//       def __tablename__(cls): ...  # UserProfile -> user_profiles
//       def soft_delete(self): self.is_deleted = True
//       @classmethod
//       def active(cls, db): return db.query(cls).filter(cls.is_deleted == False)
//
//   class User(BaseModel):      # __tablename__ = "users" (auto-generated)
//       name = Column(String(100)); email = Column(String(100))
//   class BlogPost(BaseModel):  # __tablename__ = "blog_posts" (auto-generated)
//       title = Column(String(200))
//
// C++: the abstract base is a base struct that is never mapped itself; its
// columns<T>() go into each subclass's map(). The declared_attr hook is the
// registry's table_name option: map<T>(orm::unnamed, ...) asks it for a name.
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

const auto utcnow = [] { return Value(DateTime::utcnow()); };

struct BaseModel {
  std::int64_t id = 0;
  std::optional<DateTime> created_at;
  std::optional<DateTime> updated_at;
  std::optional<bool> is_deleted;

  void soft_delete() { is_deleted = true; }

  template <class T>
  static auto columns() {
    return std::tuple(
        orm::column<&BaseModel::id>("id", primary_key(), index()),
        orm::column<&BaseModel::created_at>("created_at", default_(utcnow)),
        orm::column<&BaseModel::updated_at>("updated_at", default_(utcnow), onupdate(utcnow)),
        orm::column<&BaseModel::is_deleted>("is_deleted", default_(false)));
  }
  /// The rows not soft-deleted (the classmethod active()).
  template <class T>
  static orm::Query<T> active(orm::Session& db) {
    return db.query<T>().filter(orm::col<T>(&BaseModel::is_deleted) == false);
  }
};

struct User : BaseModel {
  std::optional<std::string> name;
  std::optional<std::string> email;
};
struct BlogPost : BaseModel {
  std::optional<std::string> title;
};
struct UserProfile : BaseModel {
  std::optional<std::string> bio;
};

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_base_model.db"));
  orm::registry Base(orm::RegistryOptions{.table_name = orm::snake_case_plural});
  Base.map<User>(orm::unnamed, BaseModel::columns<User>(),
                 orm::column<&User::name>("name", String(100)),
                 orm::column<&User::email>("email", String(100)));
  Base.map<BlogPost>(orm::unnamed, BaseModel::columns<BlogPost>(),
                     orm::column<&BlogPost::title>("title", String(200)));
  Base.map<UserProfile>(orm::unnamed, BaseModel::columns<UserProfile>(),
                        orm::column<&UserProfile::bio>("bio"));
  for (const orm::Mapper* m : Base.mappers())
    std::cout << m->class_name() << ".__tablename__ = \"" << m->table().name() << "\"\n";
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);

  orm::Session db(engine);
  for (const char* title : {"سلام دنیا", "SQLAlchemy in C++", "Old news"}) {
    auto post = std::make_shared<BlogPost>();
    post->title = title;
    db.add(post);
  }
  auto ali = std::make_shared<User>();
  ali->name = "Ali";
  ali->email = "ali@test.com";
  db.add(ali);
  db.commit();
  std::cout << "User id=" << ali->id << ", is_deleted=" << std::boolalpha << *ali->is_deleted
            << ", created_at set: " << ali->created_at.has_value() << "\n";

  auto old = db.query<BlogPost>().filter(orm::col(&BlogPost::title) == "Old news").one();
  old->soft_delete();
  db.commit();

  // &BlogPost::id is a member of BaseModel to C++: name the mapped class.
  auto active = BaseModel::active<BlogPost>(db).order_by(orm::col<BlogPost>(&BlogPost::id));
  std::cout << active.str() << "\n";
  for (const auto& p : active.all()) std::cout << "  " << p->id << ": " << *p->title << "\n";
  std::cout << "all posts: " << db.query<BlogPost>().count()
            << ", active: " << BaseModel::active<BlogPost>(db).count() << "\n";
  db.close();

  Base.metadata.drop_all(engine);
  return 0;
}
