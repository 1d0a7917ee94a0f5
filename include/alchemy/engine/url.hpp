// URL: the parsed form of a database URL ("dialect+driver://user:pass@host:port/db?k=v").
//
// make_url() parses the forms SQLAlchemy accepts: `sqlite:///relative.db`,
// `sqlite:////abs/path.db`, `sqlite:///:memory:` (and `sqlite://`),
// `postgresql://user:p%40ss@host:5432/db?sslmode=disable`, IPv6 hosts in
// brackets. User name and password are percent-decoded; query parameters are
// kept in order and handed to the driver. A URL is an immutable value; `set()`
// returns a modified copy. Its string form masks the password.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alchemy/export.hpp"

namespace alchemy {

class ALCHEMY_EXPORT URL {
 public:
  using Query = std::vector<std::pair<std::string, std::string>>;

  /// Builds a URL from parts (SQLAlchemy's URL.create()); nothing is decoded.
  static URL create(std::string drivername, std::optional<std::string> username = {},
                    std::optional<std::string> password = {},
                    std::optional<std::string> host = {}, std::optional<int> port = {},
                    std::optional<std::string> database = {}, Query query = {});

  /// "postgresql+libpq" as written in the URL.
  const std::string& drivername() const noexcept { return drivername_; }
  const std::optional<std::string>& username() const noexcept { return username_; }
  const std::optional<std::string>& password() const noexcept { return password_; }
  const std::optional<std::string>& host() const noexcept { return host_; }
  const std::optional<int>& port() const noexcept { return port_; }
  const std::optional<std::string>& database() const noexcept { return database_; }
  const Query& query() const noexcept { return query_; }
  /// The last value of query parameter `key`, if present.
  std::optional<std::string> query_value(std::string_view key) const;

  /// "postgresql" for "postgresql+libpq".
  std::string get_backend_name() const;
  /// "libpq" for "postgresql+libpq"; "" when no driver was named.
  std::string get_driver_name() const;

  /// The URL as a string; the password is shown as "***" unless hide_password is false.
  /// Special characters in user name and password are percent-encoded.
  std::string render_as_string(bool hide_password = true) const;
  /// Same as render_as_string(true): safe to log.
  std::string str() const { return render_as_string(true); }

  /// A copy with some parts replaced (SQLAlchemy's URL.set()).
  URL set_drivername(std::string v) const;
  URL set_username(std::optional<std::string> v) const;
  URL set_password(std::optional<std::string> v) const;
  URL set_host(std::optional<std::string> v) const;
  URL set_port(std::optional<int> v) const;
  URL set_database(std::optional<std::string> v) const;
  /// A copy with `key=value` added to (or replacing) the query.
  URL update_query(std::string key, std::string value) const;
  /// A copy without the named query keys.
  URL difference_update_query(const std::vector<std::string>& keys) const;

  friend bool operator==(const URL&, const URL&) = default;

 private:
  friend ALCHEMY_EXPORT URL make_url(std::string_view url);
  std::string drivername_;
  std::optional<std::string> username_;
  std::optional<std::string> password_;
  std::optional<std::string> host_;
  std::optional<int> port_;
  std::optional<std::string> database_;
  Query query_;
};

/// Parses a database URL; throws ArgumentError naming what is malformed.
ALCHEMY_EXPORT URL make_url(std::string_view url);

/// Percent-encodes characters that would break a URL's user or password part.
ALCHEMY_EXPORT std::string url_quote(std::string_view s);
/// Decodes %XX sequences; throws ArgumentError on a malformed escape.
ALCHEMY_EXPORT std::string url_unquote(std::string_view s);

}  // namespace alchemy
