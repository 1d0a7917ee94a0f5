// The smallest useful alchemy program: evaluate `SELECT 1 + :x` with x = 41 on
// an in-memory SQLite database. Exits 0 only when the answer is 42.
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <exception>
#include <iostream>

int main() {
  try {
    auto engine = alchemy::create_engine("sqlite:///:memory:");
    auto conn = engine.connect();
    auto answer = conn.execute(alchemy::text("SELECT 1 + :x"), {{"x", 41}}).scalar<std::int64_t>();
    std::cout << answer << '\n';
    return answer == 42 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "consumer: " << e.what() << '\n';
    return 2;
  }
}
