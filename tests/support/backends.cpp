#include "support/backends.hpp"

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

}  // namespace alchemy::testing
