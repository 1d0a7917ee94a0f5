// Translation of libpq failures into alchemy's exception hierarchy.
//
// Private to the PostgreSQL dialect. libpq_driver.cpp calls it for every failed
// PGresult or libpq call, base.cpp for failed connection attempts. It is the only
// place that maps SQLSTATE classes onto exception classes and decides whether a
// failure means the connection is gone, so the rules live in one table.
//
// The libpq handle types are forward-declared (the same typedefs libpq-fe.h
// makes) so tests can include this header without libpq's include path.
#pragma once

#include <string>
#include <string_view>

#include "alchemy/exc.hpp"
#include "alchemy/export.hpp"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace alchemy::dialects::postgresql {

/// The exception class for a SQLSTATE, following psycopg2's mapping of SQLSTATE
/// classes (psycopg2/errorcodes + pqpath.c); unknown classes are DatabaseError.
/// Exported only so the tests can check the table.
ALCHEMY_EXPORT DBAPIErrorKind error_kind_for_sqlstate(std::string_view sqlstate) noexcept;

/// Whether a SQLSTATE says the session is over: class 08 (connection exception)
/// or 57P01/57P02/57P03 (admin shutdown, crash shutdown, cannot connect now).
ALCHEMY_EXPORT bool is_disconnect_sqlstate(std::string_view sqlstate) noexcept;

/// The SQLSTATE of a failed result, or "" when libpq made the error itself.
std::string_view result_sqlstate(const PGresult* res) noexcept;

/// The primary message of a failed result, for the driver's checks of specific
/// errors ("cached plan must not change result type"); "" when absent.
std::string_view result_primary_message(const PGresult* res) noexcept;

/// Throws the DBAPIError subclass for a failed result: the server's primary
/// message plus DETAIL and HINT lines, its SQLSTATE, and is_disconnect() when
/// the connection broke. `res` may be null (no result came back), in which case
/// the connection's error message is used.
[[noreturn]] void raise_result_error(const PGconn* conn, const PGresult* res);

/// Throws for a failed libpq call that produced no result (sending a query,
/// connecting): the connection's error message, or `fallback` when libpq gave
/// none. `secret` (the password) is masked should libpq ever echo it.
[[noreturn]] void raise_connection_error(const PGconn* conn, std::string_view fallback,
                                         std::string_view secret = {});

}  // namespace alchemy::dialects::postgresql
