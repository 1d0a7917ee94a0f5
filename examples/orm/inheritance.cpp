// Guide: "Relationships and Advanced ORM -> Polymorphic relationships"
// (Person / Employee / Customer sharing one table, told apart by a `type`
// column), plus joined-table inheritance (each subclass with its own table).
//
// Python:
//   class Person(Base):
//       __tablename__ = "people"
//       id = Column(Integer, primary_key=True)
//       name = Column(String(50))
//       type = Column(String(20))
//       __mapper_args__ = {"polymorphic_on": type, "polymorphic_identity": "person"}
//   class Employee(Person):
//       salary = Column(Float)
//       __mapper_args__ = {"polymorphic_identity": "employee"}
//   class Customer(Person):
//       credit_limit = Column(Float)
//       __mapper_args__ = {"polymorphic_identity": "customer"}
//
//   class Engineer(Staff):
//       __tablename__ = "engineers"
//       id = Column(Integer, ForeignKey("staff.id"), primary_key=True)
//       language = Column(String(30))
//       __mapper_args__ = {"polymorphic_identity": "engineer"}
//
//   session.scalars(select(Person)).all()        # Employee and Customer objects
//   session.scalars(select(with_polymorphic(Staff, [Engineer, Manager]))).all()
//
// In C++ a subclass is a struct deriving from the mapped base, mapped with
// orm::inherits<Base>(): without a table name its columns join the base
// table (single-table inheritance), with one it gets its own table whose key
// maps the inherited key member (joined-table inheritance).
#include <alchemy/orm.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "example_support.hpp"

using namespace alchemy;

namespace {

// ---- single-table: the guide's Person / Employee / Customer ----
struct Person {
  std::int64_t id = 0;
  std::string name;
  std::string type;  // the discriminator: set by the ORM
};
struct Employee : Person {
  std::optional<double> salary;
};
struct Customer : Person {
  std::optional<double> credit_limit;
};

// ---- joined-table: a base with a virtual destructor (std::dynamic_pointer_cast works) ----
struct Staff {
  virtual ~Staff() = default;
  std::int64_t id = 0;
  std::string name;
  std::string kind;
};
struct Engineer : Staff {
  std::string language;
};
struct Manager : Staff {
  std::int64_t reports = 0;
};

void map_models(orm::registry& Base) {
  Base.map<Person>("people", orm::column<&Person::id>("id", primary_key()),
                   orm::column<&Person::name>("name", String(50)),
                   orm::column<&Person::type>("type", String(20)),
                   orm::polymorphic_on<&Person::type>(), orm::polymorphic_identity("person"));
  Base.map<Employee>(orm::inherits<Person>(), orm::column<&Employee::salary>("salary"),
                     orm::polymorphic_identity("employee"));
  Base.map<Customer>(orm::inherits<Person>(), orm::column<&Customer::credit_limit>("credit_limit"),
                     orm::polymorphic_identity("customer"));

  Base.map<Staff>("staff", orm::column<&Staff::id>("id", primary_key()),
                  orm::column<&Staff::name>("name", String(50)),
                  orm::column<&Staff::kind>("kind", String(20)),
                  orm::polymorphic_on<&Staff::kind>(), orm::polymorphic_identity("staff"));
  // The subclass table's key column maps the inherited member &Staff::id.
  Base.map<Engineer>("engineers", orm::inherits<Staff>(),
                     orm::column<&Staff::id>("id", ForeignKey("staff.id"), primary_key()),
                     orm::column<&Engineer::language>("language", String(30)),
                     orm::polymorphic_identity("engineer"));
  Base.map<Manager>("managers", orm::inherits<Staff>(),
                    orm::column<&Staff::id>("id", ForeignKey("staff.id"), primary_key()),
                    orm::column<&Manager::reports>("reports"),
                    orm::polymorphic_identity("manager"));
}

std::string class_of(const std::shared_ptr<Person>& p) {
  if (orm::isinstance<Employee>(p)) return "Employee";
  if (orm::isinstance<Customer>(p)) return "Customer";
  return "Person";
}

int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::cerr << "FAILED: " << what << "\n";
    ++failures;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Engine engine =
      create_engine(examples::database_url(argc, argv, "sqlite:///orm_inheritance.db"));
  orm::registry Base;
  map_models(Base);
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  // Statements sent, for the sections that show them.
  std::vector<std::string> sql;
  bool echo = false;
  event::listen(engine, event::before_cursor_execute,
                [&](Connection&, const CursorExecuteContext& ctx) {
                  if (echo) std::cout << "  SQL: " << ctx.statement << "\n";
                  sql.emplace_back(ctx.statement);
                });

  // ---- Single-table inheritance -----------------------------------------------------------
  std::cout << "== Single-table inheritance (one table: people) ==\n";
  std::int64_t ali_id = 0;
  {
    orm::Session session(engine);
    auto ali = orm::make<Employee>();
    ali->name = "Ali";
    ali->salary = 5000;
    auto sara = orm::make<Customer>();
    sara->name = "Sara";
    sara->credit_limit = 1200;
    auto pat = orm::make<Person>();
    pat->name = "Pat";
    session.add(ali);
    session.add(sara);
    session.add(pat);
    std::cout << "the ORM sets the discriminator: ali->type = " << ali->type << "\n";
    session.commit();
    ali_id = ali->id;
  }
  {
    auto conn = engine.connect();
    std::cout << "people rows (Core):\n";
    for (const Row& r : conn.execute(text(
             "SELECT id, name, type, salary, credit_limit FROM people ORDER BY id")))
      std::cout << "  " << r.get<Value>(0).repr() << " " << r.get<Value>(1).repr() << " "
                << r.get<Value>(2).repr() << " salary=" << r.get<Value>(3).repr()
                << " credit_limit=" << r.get<Value>(4).repr() << "\n";
  }
  {
    orm::Session session(engine);
    auto people = session.scalars(orm::select<Person>().order_by(orm::col(&Person::id))).all();
    std::cout << "select<Person>() returns each row as its class:\n";
    for (const auto& p : people) std::cout << "  " << p->name << ": " << class_of(p) << "\n";
    check(people.size() == 3 && class_of(people[0]) == "Employee" &&
              class_of(people[1]) == "Customer" && class_of(people[2]) == "Person",
          "classes from the discriminator");
    auto ali = orm::polymorphic_cast<Employee>(people[0]);
    std::cout << "polymorphic_cast<Employee>(people[0])->salary = " << *ali->salary << "\n";

    auto stmt = orm::select<Employee>().where(orm::col(&Employee::salary) > 1000);
    std::cout << "select<Employee>() adds the identity criteria:\n  " << stmt.str() << "\n";
    auto rich = session.scalars(stmt).all();
    check(rich.size() == 1 && rich[0] == ali, "subclass query");

    // One identity map per hierarchy: the same object through either class.
    auto as_person = session.get<Person>(ali_id);
    auto as_employee = session.get<Employee>(ali_id);
    std::cout << "get<Person>(id) and get<Employee>(id) are one object: "
              << (static_cast<Person*>(as_employee.get()) == as_person.get()) << "\n";
    std::cout << "get<Customer>(ali's id) is null (Ali is not a Customer): "
              << (session.get<Customer>(ali_id) == nullptr) << "\n";
    check(static_cast<Person*>(as_employee.get()) == as_person.get(), "one identity map");
  }

  // ---- Joined-table inheritance -----------------------------------------------------------
  std::cout << "\n== Joined-table inheritance (staff + engineers / managers) ==\n";
  {
    orm::Session session(engine);
    auto ada = orm::make<Engineer>();
    ada->name = "Ada";
    ada->language = "C++";
    // A plain std::make_shared object added through its base class: Staff has
    // virtual functions, so the ORM finds its real class with typeid.
    std::shared_ptr<Staff> meg = std::make_shared<Manager>();
    meg->name = "Meg";
    std::dynamic_pointer_cast<Manager>(meg)->reports = 7;
    auto bob = orm::make<Engineer>();
    bob->name = "Bob";
    bob->language = "Rust";
    session.add(ada);
    session.add(meg);
    session.add(bob);
    echo = true;
    std::cout << "flush: the base table first, its generated key copied to the subclass table\n";
    session.commit();
    echo = false;
  }
  {
    orm::Session session(engine);
    sql.clear();
    auto staff = session.scalars(orm::select<Staff>().order_by(orm::col(&Staff::id))).all();
    std::cout << "select<Staff>(): " << sql.size()
              << " statements (the base table, then one SELECT ... IN per subclass found)\n";
    for (const auto& s : staff) {
      if (auto e = std::dynamic_pointer_cast<Engineer>(s))
        std::cout << "  Engineer " << e->name << " writes " << e->language << "\n";
      else if (auto m = std::dynamic_pointer_cast<Manager>(s))
        std::cout << "  Manager " << m->name << " has " << m->reports << " reports\n";
    }
    check(sql.size() == 3, "selectin polymorphic loading");
  }
  {
    orm::Session session(engine);
    sql.clear();
    echo = true;
    auto staff = session.scalars(orm::select(orm::with_polymorphic<Staff, Engineer, Manager>())
                                     .where(or_(orm::col(&Engineer::language) == "Rust",
                                                orm::col(&Manager::reports) > 5)))
                     .all();
    echo = false;
    std::cout << "with_polymorphic: " << sql.size() << " statement, " << staff.size()
              << " objects\n";
    check(sql.size() == 1 && staff.size() == 2, "with_polymorphic");

    auto bob = std::dynamic_pointer_cast<Engineer>(staff[0]->name == "Bob" ? staff[0] : staff[1]);
    bob->language = "Zig";  // only the engineers table changes
    echo = true;
    std::cout << "UPDATE touches only the changed table:\n";
    session.flush();
    std::cout << "DELETE removes the subclass row, then the base row:\n";
    session.delete_(bob);
    session.commit();
    echo = false;
  }
  {
    orm::Session session(engine);
    const auto engineers = session.scalar<std::int64_t>(
        select(func.count()).select_from(orm::table_of<Engineer>()));
    const auto staff = session.scalar<std::int64_t>(
        select(func.count()).select_from(orm::table_of<Staff>()));
    std::cout << "rows left: staff " << staff << ", engineers " << engineers << "\n";
    check(staff == 2 && engineers == 1, "joined delete");
  }
  Base.metadata.drop_all(engine);
  return failures == 0 ? 0 : 1;
}
