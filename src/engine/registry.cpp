// The dialect registry: dialect libraries register themselves at static
// initialization; create_engine() looks them up by URL drivername.
#include <algorithm>
#include <mutex>

#include "alchemy/engine/interfaces.hpp"
#include "alchemy/exc.hpp"

namespace alchemy {

ParamBatch::~ParamBatch() = default;
DriverCursor::~DriverCursor() = default;
DriverConnection::~DriverConnection() = default;
Dialect::~Dialect() = default;

namespace {

struct Entry {
  std::string name;
  std::vector<std::string> drivers;
  DialectFactory factory;
};

struct Registry {
  std::mutex mu;
  std::vector<Entry> entries;
};

// Function-local static: safe to use from other libraries' static initializers.
Registry& registry() {
  static Registry r;
  return r;
}

// Backends SQLAlchemy knows that alchemy does not (yet) provide.
bool is_planned(std::string_view backend) {
  return backend == "mysql" || backend == "mariadb";
}

}  // namespace

void register_dialect(std::string name, std::vector<std::string> drivers, DialectFactory factory) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  std::erase_if(r.entries, [&](const Entry& e) { return e.name == name; });
  r.entries.push_back({std::move(name), std::move(drivers), std::move(factory)});
}

std::vector<std::string> registered_dialects() {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  std::vector<std::string> names;
  for (const auto& e : r.entries) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::shared_ptr<const Dialect> load_dialect(std::string_view backend, std::string_view driver) {
  DialectFactory factory;
  std::string available;
  {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    for (const auto& e : r.entries) {
      if (e.name == backend) {
        if (std::find(e.drivers.begin(), e.drivers.end(), driver) != e.drivers.end()) {
          factory = e.factory;
          break;
        }
        std::string drivers;
        for (const auto& d : e.drivers)
          if (!d.empty()) drivers += (drivers.empty() ? "" : ", ") + d;
        throw NoSuchModuleError("Can't load plugin: " + std::string(backend) + "+" +
                                std::string(driver) + ": the " + std::string(backend) +
                                " dialect has the drivers " + drivers + " (or none: '" +
                                std::string(backend) + "://...')");
      }
    }
    for (const auto& e : r.entries) available += (available.empty() ? "" : ", ") + e.name;
  }
  if (factory) return factory();
  std::string full(backend);
  if (!driver.empty()) full += "+" + std::string(driver);
  if (is_planned(backend))
    throw NoSuchModuleError("Can't load plugin: " + full + ": the MySQL/MariaDB dialect is not "
                            "available yet in alchemy (it is planned); use sqlite:// or "
                            "postgresql:// meanwhile");
  if (backend == "postgres")
    throw NoSuchModuleError("Can't load plugin: postgres: the dialect is named 'postgresql' (as in "
                            "SQLAlchemy 1.4+); write postgresql://...");
  if (available.empty())
    throw NoSuchModuleError("Can't load plugin: " + full + ": no dialect is linked into this "
                            "program; link alchemy::sqlite and/or alchemy::postgresql");
  throw NoSuchModuleError("Can't load plugin: " + full + ": unknown dialect; available: " +
                          available);
}

}  // namespace alchemy
