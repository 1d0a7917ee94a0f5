// SQLite result code -> exception class. See error_map.hpp.
#include "dialects/sqlite/error_map.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

namespace alchemy::dialects::sqlite {

namespace {

bool contains_case_insensitive(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

}  // namespace

DBAPIErrorKind error_kind_for(int result_code) noexcept {
  // Same table as CPython's _pysqlite_seterror (Modules/_sqlite/util.c).
  switch (result_code & 0xff) {
    case SQLITE_INTERNAL:
    case SQLITE_NOTFOUND:
      return DBAPIErrorKind::internal_error;
    case SQLITE_NOMEM:
      return DBAPIErrorKind::operational_error;
    case SQLITE_ERROR:
    case SQLITE_PERM:
    case SQLITE_ABORT:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:
    case SQLITE_INTERRUPT:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_EMPTY:
    case SQLITE_SCHEMA:
      return DBAPIErrorKind::operational_error;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DBAPIErrorKind::database_error;
    case SQLITE_TOOBIG:
      return DBAPIErrorKind::data_error;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
      return DBAPIErrorKind::integrity_error;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
      return DBAPIErrorKind::interface_error;
    default:
      return DBAPIErrorKind::database_error;
  }
}

void raise_sqlite_error(int extended_code, std::string message) {
  // SQLAlchemy's SQLiteDialect_pysqlite.is_disconnect() looks for this text.
  const bool disconnect = (extended_code & 0xff) == SQLITE_MISUSE &&
                          contains_case_insensitive(message, "closed database");
  if (message.empty()) message = sqlite3_errstr(extended_code);
  throw_dbapi_error(error_kind_for(extended_code), std::move(message), /*sqlstate=*/"",
                    extended_code, disconnect);
}

void raise_from_db(sqlite3* db) {
  const int code = sqlite3_extended_errcode(db);
  const char* msg = sqlite3_errmsg(db);
  raise_sqlite_error(code, msg != nullptr ? std::string(msg) : std::string());
}

void raise_closed_database() {
  throw_dbapi_error(DBAPIErrorKind::programming_error, "Cannot operate on a closed database.",
                    /*sqlstate=*/"", SQLITE_MISUSE, /*is_disconnect=*/true);
}

void raise_programming_error(std::string message) {
  throw_dbapi_error(DBAPIErrorKind::programming_error, std::move(message), /*sqlstate=*/"", 0,
                    /*is_disconnect=*/false);
}

void raise_data_error(std::string message) {
  throw_dbapi_error(DBAPIErrorKind::data_error, std::move(message), /*sqlstate=*/"", 0,
                    /*is_disconnect=*/false);
}

}  // namespace alchemy::dialects::sqlite
