// Logging: where `echo` output and warnings go.
//
// alchemy logs through one pluggable handler, by default a line on stderr such
// as "INFO alchemy.engine.Engine: SELECT 1". Install your own with
// set_log_handler() (process-wide) or create_engine's `logger` option (one
// engine). Handlers may be called from several threads at once.
#pragma once

#include <functional>
#include <string_view>

#include "alchemy/export.hpp"

namespace alchemy {

enum class LogLevel { debug, info, warning, error };

/// One log message. The views are valid only during the handler call.
struct LogRecord {
  LogLevel level;
  std::string_view logger;   ///< "alchemy.engine.Engine", "alchemy.pool"
  std::string_view message;
};

using LogHandler = std::function<void(const LogRecord&)>;

/// Replaces the process-wide handler; an empty function restores the stderr default.
ALCHEMY_EXPORT void set_log_handler(LogHandler handler);

/// Sends a record to the process-wide handler.
ALCHEMY_EXPORT void log(LogLevel level, std::string_view logger, std::string_view message);

ALCHEMY_EXPORT std::string_view to_string(LogLevel level);

}  // namespace alchemy
