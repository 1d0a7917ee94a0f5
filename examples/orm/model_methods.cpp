// Basics guide: "Model Methods -> Adding Methods to Models".
//
// Python:
//   class User(Base):
//       ...  # id, email (unique), hashed_password, created_at (default=datetime.utcnow)
//       def verify_password(self, password): return pwd_context.verify(password, ...)
//       def set_password(self, password): self.hashed_password = pwd_context.hash(password)
//       @property  post_count(self): return len(self.posts)
//       @property  is_new(self): return (datetime.utcnow() - self.created_at).days < 7
//       def to_dict(self): return {"id": ..., "email": ..., "post_count": ..., "created_at": ...}
//       @classmethod  create(cls, db, email, password): ... db.commit(); db.refresh(user)
//       @classmethod  get_by_email(cls, db, email): ... filter(cls.email == email).first()
//       def __repr__(self): return f"<User(id={self.id}, email='{self.email}')>"
//
// Mapped structs are ordinary classes: member functions and static functions
// work as in Python. The guide's posts relationship is left out (see the
// relationship examples); post_count counts the user's posts with a query.
// passlib's bcrypt is replaced by a toy hash: do not store passwords like this.
#include <alchemy/orm.hpp>
#include <functional>
#include <iostream>
#include <utility>

#include "example_support.hpp"

using namespace alchemy;

std::string toy_hash(std::string_view password) {
  return "toy$" + std::to_string(std::hash<std::string_view>{}(password));
}

struct Post {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string title;
};

struct User {
  std::int64_t id = 0;
  std::optional<std::string> email;
  std::optional<std::string> hashed_password;
  std::optional<DateTime> created_at;

  // Instance methods
  bool verify_password(std::string_view password) const {
    return hashed_password == toy_hash(password);
  }
  void set_password(std::string_view password) { hashed_password = toy_hash(password); }
  std::int64_t post_count(orm::Session& db) const {
    return db.query<Post>().filter(orm::col(&Post::user_id) == id).count();
  }
  bool is_new() const {
    return DateTime::utcnow().to_sys_time() - created_at->to_sys_time() < std::chrono::days(7);
  }
  std::vector<std::pair<std::string, Value>> to_dict(orm::Session& db) const {
    return {{"id", id},
            {"email", email},
            {"post_count", post_count(db)},
            {"created_at", created_at->isoformat('T')}};
  }

  // Class methods
  static std::shared_ptr<User> create(orm::Session& db, std::string email,
                                      std::string_view password) {
    auto user = std::make_shared<User>();
    user->email = std::move(email);
    user->set_password(password);
    db.add(user);
    db.commit();
    db.refresh(user);
    return user;
  }
  static std::shared_ptr<User> get_by_email(orm::Session& db, std::string_view email) {
    return db.query<User>().filter(orm::col(&User::email) == email).first();
  }

  // String representation
  friend std::ostream& operator<<(std::ostream& os, const User& u) {
    return os << "<User(id=" << u.id << ", email='" << u.email.value_or("None") << "')>";
  }
};

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_methods.db"));
  orm::registry Base;
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::email>("email", String(100), unique()),
                 orm::column<&User::hashed_password>("hashed_password", String(100)),
                 orm::column<&User::created_at>(
                     "created_at", default_([] { return Value(DateTime::utcnow()); })));
  Base.map<Post>("posts", orm::column<&Post::id>("id", primary_key()),
                 orm::column<&Post::user_id>("user_id", ForeignKey("users.id")),
                 orm::column<&Post::title>("title", String(200)));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  std::cout << std::boolalpha;

  orm::Session db(engine);
  auto user = User::create(db, "ali@test.com", "s3cret");
  std::cout << *user << "\n";
  for (const char* title : {"اولین پست", "Second post"})
    db.add(std::make_shared<Post>(Post{.user_id = user->id, .title = title}));
  db.commit();

  auto found = User::get_by_email(db, "ali@test.com");
  std::cout << "get_by_email: " << *found << " (same object: " << (found == user) << ")\n";
  std::cout << "verify_password('s3cret'): " << found->verify_password("s3cret") << "\n";
  std::cout << "verify_password('wrong'): " << found->verify_password("wrong") << "\n";
  std::cout << "post_count: " << found->post_count(db) << "\n";
  std::cout << "is_new: " << found->is_new() << "\n";
  std::cout << "to_dict: {";
  for (const char* sep = ""; const auto& [key, value] : found->to_dict(db))
    std::cout << std::exchange(sep, ", ") << "'" << key << "': " << value.repr();
  std::cout << "}\n";
  std::cout << "get_by_email('nobody@test.com'): "
            << (User::get_by_email(db, "nobody@test.com") ? "found" : "None") << "\n";
  std::cout << "first post: " << db.query<Post>().order_by(orm::col(&Post::id)).first()->title
            << "\n";
  db.close();

  Base.metadata.drop_all(engine);
  return 0;
}
