// A connect listener with the wrong parameters must not compile.
// EXPECT: a connect/checkout listener takes (alchemy::DBAPIConnection&, alchemy::ConnectionRecord&)
#include <alchemy/alchemy.hpp>

int main() {
  auto engine = alchemy::create_engine("sqlite://");
  alchemy::event::listen(engine, alchemy::event::connect, [](int) {});
}
