// Converting a Value to an unsupported type must not compile.
// EXPECT: Value::as<T>: T must be bool, an integer, double, std::string
#include <alchemy/alchemy.hpp>

struct NotAValue {};

int main() {
  alchemy::Value v(1);
  (void)v.as<NotAValue>();
}
