// Translation of SQLite result codes into alchemy's exception hierarchy.
//
// Private to the SQLite dialect: called only by sqlite3_driver.cpp (and base.cpp
// for connection-open failures). This is the one place where a SQLite result
// code decides which DBAPIError subclass is raised; the classification mirrors
// CPython's Modules/_sqlite/util.c (_pysqlite_seterror), so code ported from
// SQLAlchemy + pysqlite catches the same classes. The extended result code is
// kept as the exception's native_code() (e.g. 2067 for SQLITE_CONSTRAINT_UNIQUE).
#pragma once

#include <string>

#include "alchemy/exc.hpp"

struct sqlite3;

namespace alchemy::dialects::sqlite {

/// The DBAPIError subclass for a SQLite (extended or primary) result code,
/// classified by its primary code (`code & 0xff`).
DBAPIErrorKind error_kind_for(int result_code) noexcept;

/// Throws the mapped DBAPIError for `extended_code` with `message` (the
/// sqlite3_errmsg text). Messages that mean the connection is unusable
/// ("cannot operate on a closed database") set is_disconnect().
[[noreturn]] void raise_sqlite_error(int extended_code, std::string message);

/// Captures sqlite3_extended_errcode()/sqlite3_errmsg() of `db` and throws the
/// mapped error. Call before anything (sqlite3_reset, another statement) can
/// overwrite the connection's error state.
[[noreturn]] void raise_from_db(sqlite3* db);

/// ProgrammingError "Cannot operate on a closed database." (as pysqlite raises
/// it), with is_disconnect() set so the engine invalidates the connection.
[[noreturn]] void raise_closed_database();

/// ProgrammingError for misuse detected by the driver itself (bind count,
/// several statements with parameters); no native code.
[[noreturn]] void raise_programming_error(std::string message);

/// DataError for a value SQLite cannot store faithfully (detected before binding).
[[noreturn]] void raise_data_error(std::string message);

}  // namespace alchemy::dialects::sqlite
