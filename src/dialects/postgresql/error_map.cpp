#include "dialects/postgresql/error_map.hpp"

#include <libpq-fe.h>

#include <array>
#include <utility>

namespace alchemy::dialects::postgresql {

namespace {

struct ClassKind {
  std::string_view sqlstate_class;
  DBAPIErrorKind kind;
};

// psycopg2's table (pqpath.c, base_exception_from_sqlstate); the first two
// characters of a SQLSTATE are its class.
// clang-format off
constexpr std::array<ClassKind, 31> kClassKinds{{
    {"0A", DBAPIErrorKind::not_supported_error},
    {"08", DBAPIErrorKind::operational_error},
    {"20", DBAPIErrorKind::programming_error},
    {"21", DBAPIErrorKind::programming_error},
    {"22", DBAPIErrorKind::data_error},
    {"23", DBAPIErrorKind::integrity_error},
    {"24", DBAPIErrorKind::internal_error},
    {"25", DBAPIErrorKind::internal_error},
    {"26", DBAPIErrorKind::operational_error},
    {"27", DBAPIErrorKind::operational_error},
    {"28", DBAPIErrorKind::operational_error},
    {"2B", DBAPIErrorKind::internal_error},
    {"2D", DBAPIErrorKind::internal_error},
    {"2F", DBAPIErrorKind::internal_error},
    {"34", DBAPIErrorKind::operational_error},
    {"38", DBAPIErrorKind::internal_error},
    {"39", DBAPIErrorKind::internal_error},
    {"3B", DBAPIErrorKind::internal_error},
    {"3D", DBAPIErrorKind::programming_error},
    {"3F", DBAPIErrorKind::programming_error},
    {"40", DBAPIErrorKind::operational_error},
    {"42", DBAPIErrorKind::programming_error},
    {"44", DBAPIErrorKind::programming_error},
    {"53", DBAPIErrorKind::operational_error},
    {"54", DBAPIErrorKind::operational_error},
    {"55", DBAPIErrorKind::operational_error},
    {"57", DBAPIErrorKind::operational_error},
    {"58", DBAPIErrorKind::operational_error},
    {"F0", DBAPIErrorKind::internal_error},
    {"HV", DBAPIErrorKind::operational_error},
    {"P0", DBAPIErrorKind::internal_error},
}};
// clang-format on

std::string_view trim_right(std::string_view s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string_view field(const PGresult* res, int code) {
  if (res == nullptr) return {};
  const char* v = PQresultErrorField(res, code);
  return v == nullptr ? std::string_view{} : std::string_view(v);
}

// libpq prefixes errors it reports itself with nothing, and server errors that
// only survive as text (no fields) with "ERROR:  "/"FATAL:  "; drop the prefix so
// the message reads like the server's primary message.
std::string_view strip_severity(std::string_view s) {
  for (std::string_view p : {"ERROR:  ", "FATAL:  ", "PANIC:  "})
    if (s.substr(0, p.size()) == p) return s.substr(p.size());
  return s;
}

std::string mask(std::string message, std::string_view secret) {
  // Short secrets would mangle ordinary words; libpq does not echo passwords
  // anyway, this is a second line of defence for long ones.
  if (secret.size() < 8) return message;
  for (auto pos = message.find(secret); pos != std::string::npos;
       pos = message.find(secret, pos + 3))
    message.replace(pos, secret.size(), "***");
  return message;
}

std::string connection_message(const PGconn* conn, std::string_view fallback) {
  std::string_view m = conn == nullptr ? std::string_view{} : PQerrorMessage(conn);
  m = trim_right(strip_severity(m));
  return std::string(m.empty() ? fallback : m);
}

bool connection_broken(const PGconn* conn) {
  return conn == nullptr || PQstatus(conn) == CONNECTION_BAD;
}

}  // namespace

DBAPIErrorKind error_kind_for_sqlstate(std::string_view sqlstate) noexcept {
  if (sqlstate.size() < 2) return DBAPIErrorKind::database_error;
  // Classes 'XX' (internal error) and the rest of the table.
  std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "XX") return DBAPIErrorKind::internal_error;
  for (const auto& ck : kClassKinds)
    if (ck.sqlstate_class == cls) return ck.kind;
  return DBAPIErrorKind::database_error;
}

bool is_disconnect_sqlstate(std::string_view sqlstate) noexcept {
  return sqlstate.substr(0, 2) == "08" || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

std::string_view result_sqlstate(const PGresult* res) noexcept {
  return field(res, PG_DIAG_SQLSTATE);
}

std::string_view result_primary_message(const PGresult* res) noexcept {
  return field(res, PG_DIAG_MESSAGE_PRIMARY);
}

void raise_result_error(const PGconn* conn, const PGresult* res) {
  std::string_view sqlstate = result_sqlstate(res);
  std::string message;
  if (std::string_view primary = result_primary_message(res); !primary.empty()) {
    // The layout psql and psycopg2 use, which SQLAlchemy users recognise.
    message = primary;
    if (std::string_view detail = field(res, PG_DIAG_MESSAGE_DETAIL); !detail.empty()) {
      message += "\nDETAIL:  ";
      message += detail;
    }
    if (std::string_view hint = field(res, PG_DIAG_MESSAGE_HINT); !hint.empty()) {
      message += "\nHINT:  ";
      message += hint;
    }
  } else if (res != nullptr) {
    message = trim_right(strip_severity(PQresultErrorMessage(res)));
  }
  if (message.empty()) message = connection_message(conn, "unknown libpq error");

  const bool broken = connection_broken(conn);
  const bool disconnect = broken || is_disconnect_sqlstate(sqlstate);
  DBAPIErrorKind kind;
  if (!sqlstate.empty())
    kind = error_kind_for_sqlstate(sqlstate);
  else
    // No SQLSTATE: libpq itself failed. A dead socket is an operational problem
    // ("server closed the connection unexpectedly"); anything else is the
    // client library refusing the call.
    kind = broken ? DBAPIErrorKind::operational_error : DBAPIErrorKind::interface_error;
  throw_dbapi_error(kind, std::move(message), std::string(sqlstate), 0, disconnect);
}

void raise_connection_error(const PGconn* conn, std::string_view fallback,
                            std::string_view secret) {
  const bool broken = connection_broken(conn);
  throw_dbapi_error(broken ? DBAPIErrorKind::operational_error : DBAPIErrorKind::interface_error,
                    mask(connection_message(conn, fallback), secret), {}, 0, broken);
}

}  // namespace alchemy::dialects::postgresql
