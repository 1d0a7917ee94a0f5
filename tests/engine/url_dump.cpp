// Reads database URLs (one per line) from stdin and prints how make_url()
// parsed each, one line per URL: tab-separated fields, "ERR" on ArgumentError.
// Driven by url_differential.py, which compares with SQLAlchemy's make_url().
#include <alchemy/engine/url.hpp>
#include <alchemy/exc.hpp>

#include <iostream>
#include <string>

namespace {
std::string opt(const std::optional<std::string>& v) { return v ? "=" + *v : "None"; }
}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    try {
      alchemy::URL u = alchemy::make_url(line);
      std::cout << u.drivername() << '\t' << opt(u.username()) << '\t' << opt(u.password()) << '\t'
                << opt(u.host()) << '\t' << (u.port() ? std::to_string(*u.port()) : "None")
                << '\t' << opt(u.database());
      for (const auto& [k, v] : u.query()) std::cout << '\t' << k << '=' << v;
      std::cout << '\n';
    } catch (const alchemy::ArgumentError&) {
      std::cout << "ERR\n";
    }
  }
  return 0;
}
