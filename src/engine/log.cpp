#include "alchemy/engine/log.hpp"

#include <cstdio>
#include <mutex>
#include <string>

#include "engine/internal.hpp"

namespace alchemy {

namespace {
std::mutex& handler_mu() {
  static std::mutex mu;
  return mu;
}
LogHandler& handler() {
  static LogHandler h;
  return h;
}
void default_handler(const LogRecord& r) {
  // One fwrite per record keeps lines from different threads whole.
  std::string line;
  line.reserve(r.logger.size() + r.message.size() + 16);
  line += to_string(r.level);
  line += ' ';
  line += r.logger;
  line += ": ";
  line += r.message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}
}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "DEBUG";
    case LogLevel::info:
      return "INFO";
    case LogLevel::warning:
      return "WARNING";
    case LogLevel::error:
      return "ERROR";
  }
  return "INFO";
}

void set_log_handler(LogHandler h) {
  std::lock_guard lock(handler_mu());
  handler() = std::move(h);
}

void log(LogLevel level, std::string_view logger, std::string_view message) {
  LogHandler h;
  {
    std::lock_guard lock(handler_mu());
    h = handler();
  }
  LogRecord r{level, logger, message};
  if (h) {
    h(r);
  } else {
    default_handler(r);
  }
}

void detail::EngineLogger::emit(LogLevel level, std::string_view logger,
                                std::string_view msg) const {
  if (handler) {
    handler(LogRecord{level, logger, msg});
  } else {
    alchemy::log(level, logger, msg);
  }
}

}  // namespace alchemy
