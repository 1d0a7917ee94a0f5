// Private to the PostgreSQL dialect: how values travel to and from libpq in
// text format. Implemented in type_codec.cpp; called by libpq_driver.cpp.
#pragma once

#include <cstring>
#include <span>
#include <string_view>

#include "alchemy/core/value.hpp"
#include "dialects/postgresql/libpq_driver.hpp"

namespace alchemy::dialects::postgresql {

/// Whether `s` holds a NUL byte (PostgreSQL text cannot).
inline bool contains_nul(std::string_view s) noexcept {
  return !s.empty() && std::memchr(s.data(), 0, s.size()) != nullptr;
}

/// Renders `values` for PQsendQueryPrepared into `b` (text format; Bytes as
/// binary bytea). With `set_types`, also chooses the parameter type OIDs.
/// Throws DataError for text containing NUL.
void encode_params(ParamBuffers& b, std::span<const Value* const> values, bool set_types);

/// The statement cache key for `sql` with the types chosen by encode_params().
void build_key(ParamBuffers& b, std::string_view sql);

/// Parses one text-format result cell of type OID `type` into a Value.
Value parse_cell(unsigned int type, const char* s, int len);

}  // namespace alchemy::dialects::postgresql
