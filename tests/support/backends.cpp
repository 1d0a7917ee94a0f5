#include "support/backends.hpp"

#include <alchemy/alchemy.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string_view>

namespace alchemy::testing {

std::optional<std::string> postgresql_url() {
  const char* v = std::getenv("ALCHEMY_TEST_POSTGRESQL_URL");
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

bool under_ci() {
  const char* v = std::getenv("CI");
  if (v == nullptr) return false;
  std::string_view s(v);
  return s == "true" || s == "1" || s == "TRUE" || s == "yes";
}

namespace {
const std::filesystem::path& temp_dir() {
  static const std::filesystem::path dir = [] {
    auto base = std::filesystem::temp_directory_path() /
                ("alchemy-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(base);
    // Removed at exit: tests leave no files behind.
    static struct Cleanup {
      std::filesystem::path p;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(p, ec);
      }
    } cleanup{base};
    return base;
  }();
  return dir;
}
}  // namespace

std::string temp_db_path(const std::string& stem) {
  static std::atomic<int> counter{0};
  auto p = temp_dir() / (stem + "-" + std::to_string(counter++) + ".db");
  std::error_code ec;
  std::filesystem::remove(p, ec);
  return p.string();
}

std::vector<Backend> all_backends() {
  std::vector<Backend> out;
  out.push_back({"sqlite_memory", "sqlite:///:memory:"});
  out.push_back({"sqlite_file", "sqlite:///" + temp_db_path("suite")});
  out.push_back({"postgresql", postgresql_url().value_or("")});
  return out;
}

namespace {
// PostgreSQL schemas created for this process's tests; dropped at exit.
struct PgSchemas {
  std::string base_url;
  std::vector<std::string> names;
  ~PgSchemas() {
    if (names.empty()) return;
    try {
      auto engine = create_engine(base_url, {.poolclass = PoolClass::null});
      auto conn = engine.connect();
      for (const auto& n : names) conn.exec_driver_sql("DROP SCHEMA IF EXISTS " + n + " CASCADE");
      conn.commit();
    } catch (...) {
    }
  }
};
}  // namespace

std::string url_for(const Backend& b) {
  if (b.name == "sqlite_memory") return "sqlite:///:memory:";
  if (b.name == "sqlite_file") return "sqlite:///" + temp_db_path("t");
  static PgSchemas schemas;
  schemas.base_url = b.url;
  std::string name = "t_" + std::to_string(::getpid()) + "_" + std::to_string(schemas.names.size());
  {
    auto engine = create_engine(b.url, {.poolclass = PoolClass::null});
    auto conn = engine.connect();
    conn.exec_driver_sql("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    conn.exec_driver_sql("CREATE SCHEMA " + name);
    conn.commit();
  }
  schemas.names.push_back(name);
  std::string sep = b.url.find('?') == std::string::npos ? "?" : "&";
  return b.url + sep + "options=-c%20search_path%3D" + name;
}

}  // namespace alchemy::testing
