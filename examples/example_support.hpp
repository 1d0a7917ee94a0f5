// Helpers shared by the examples: which database to run against.
//
// Every example takes the database URL as its first argument (default: an
// embedded SQLite file in the current directory). CTest runs each example on
// SQLite and on the test PostgreSQL server; `--postgresql` means "the URL in
// ALCHEMY_TEST_POSTGRESQL_URL" and exits with 77 (skipped) when it is unset,
// except under CI where that is a failure.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace examples {

/// Thrown by check(): a result is not what the guide says it should be.
struct CheckFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Checks a result the example shows; a wrong one throws CheckFailed, which
/// main() turns into exit code 1, so that CTest fails instead of printing on.
inline void check(bool ok, std::string_view what) {
  if (!ok) throw CheckFailed("check failed: " + std::string(what));
}

/// main() of an example whose body is `run(argc, argv)`: an exception (a
/// failed check(), a database error) is printed and becomes exit code 1.
template <class Run>
int guarded_main(Run run, int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}

inline std::string database_url(int argc, char** argv, const char* default_url) {
  if (argc < 2) return default_url;
  std::string_view arg = argv[1];
  if (arg != "--postgresql") return std::string(arg);
  const char* url = std::getenv("ALCHEMY_TEST_POSTGRESQL_URL");
  if (url == nullptr || *url == '\0') {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && (std::string_view(ci) == "true" || std::string_view(ci) == "1")) {
      std::fprintf(stderr, "ALCHEMY_TEST_POSTGRESQL_URL is unset but CI=true\n");
      std::exit(1);
    }
    std::fprintf(stderr, "skipped: no PostgreSQL (set ALCHEMY_TEST_POSTGRESQL_URL)\n");
    std::exit(77);
  }
  return url;
}

}  // namespace examples
