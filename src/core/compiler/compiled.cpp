#include "alchemy/core/compiler/compiled.hpp"

#include <atomic>
#include <charconv>

namespace alchemy {

namespace {
std::atomic<std::uint64_t> g_next_compiler{1};
}  // namespace

SQLCompiler::SQLCompiler() noexcept
    : identity_(g_next_compiler.fetch_add(1, std::memory_order_relaxed)) {}

SQLCompiler::~SQLCompiler() = default;

void SQLCompiler::render_bind(std::string& out, std::size_t position) const {
  render_bind(out, position, paramstyle());
}

void SQLCompiler::render_bind(std::string& out, std::size_t position, ParamStyle style) const {
  char buf[24];
  auto number = [&] {
    auto r = std::to_chars(buf, buf + sizeof buf, position);
    out.append(buf, r.ptr);
  };
  switch (style) {
    case ParamStyle::qmark:
      out += '?';
      break;
    case ParamStyle::numeric:
      out += '?';
      number();
      break;
    case ParamStyle::numeric_dollar:
      out += '$';
      number();
      break;
    case ParamStyle::format:
      out += "%s";
      break;
    case ParamStyle::named:
      out += ":param_";
      number();
      break;
  }
}

}  // namespace alchemy
