#include "alchemy/engine/url.hpp"

#include <algorithm>
#include <charconv>

#include "alchemy/exc.hpp"

namespace alchemy {

namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string masked(std::string_view url) {
  // Never echo a password back in an error message.
  auto scheme = url.find("://");
  auto at = url.rfind('@');
  if (scheme == std::string_view::npos || at == std::string_view::npos || at < scheme)
    return std::string(url);
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

[[noreturn]] void bad_url(std::string_view url, const std::string& why) {
  throw ArgumentError("Could not parse URL from string '" + masked(url) + "': " + why +
                      ". Expected dialect[+driver]://[user[:password]@][host[:port]]/[database]"
                      "[?key=value&...], e.g. sqlite:///app.db or "
                      "postgresql://user:pass@localhost:5432/mydb");
}

// Form-decoding for the query part: '+' is a space as well.
std::string unquote_plus(std::string_view s) {
  std::string t(s);
  std::replace(t.begin(), t.end(), '+', ' ');
  return url_unquote(t);
}

}  // namespace

std::string url_quote(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == '~';
    if (safe) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string url_unquote(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
        throw ArgumentError("malformed percent-escape in URL component near '" +
                            std::string(s.substr(i, 3)) +
                            "': write a literal '%' as %25 and other special characters as %XX");
      out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

URL URL::create(std::string drivername, std::optional<std::string> username,
                std::optional<std::string> password, std::optional<std::string> host,
                std::optional<int> port, std::optional<std::string> database, Query query) {
  if (drivername.empty()) throw ArgumentError("URL.create() needs a drivername such as 'sqlite'");
  if (port && (*port < 0 || *port > 65535))
    throw ArgumentError("URL port " + std::to_string(*port) + " is out of range 0-65535");
  URL u;
  u.drivername_ = std::move(drivername);
  u.username_ = std::move(username);
  u.password_ = std::move(password);
  u.host_ = std::move(host);
  u.port_ = port;
  u.database_ = std::move(database);
  u.query_ = std::move(query);
  return u;
}

std::optional<std::string> URL::query_value(std::string_view key) const {
  std::optional<std::string> v;
  for (const auto& [k, val] : query_)
    if (k == key) v = val;
  return v;
}

std::string URL::get_backend_name() const {
  auto plus = drivername_.find('+');
  return plus == std::string::npos ? drivername_ : drivername_.substr(0, plus);
}

std::string URL::get_driver_name() const {
  auto plus = drivername_.find('+');
  return plus == std::string::npos ? std::string() : drivername_.substr(plus + 1);
}

std::string URL::render_as_string(bool hide_password) const {
  std::string s = drivername_ + "://";
  if (username_) {
    s += url_quote(*username_);
    if (password_) {
      s += ':';
      s += hide_password ? "***" : url_quote(*password_);
    }
    s += '@';
  }
  if (host_) {
    if (host_->find(':') != std::string::npos) {
      s += '[' + *host_ + ']';
    } else {
      s += *host_;
    }
  }
  if (port_) s += ':' + std::to_string(*port_);
  if (database_) s += '/' + *database_;
  if (!query_.empty()) {
    char sep = '?';
    for (const auto& [k, v] : query_) {
      s += sep;
      s += url_quote(k);
      s += '=';
      s += url_quote(v);
      sep = '&';
    }
  }
  return s;
}

URL URL::set_drivername(std::string v) const {
  URL u = *this;
  u.drivername_ = std::move(v);
  return u;
}
URL URL::set_username(std::optional<std::string> v) const {
  URL u = *this;
  u.username_ = std::move(v);
  return u;
}
URL URL::set_password(std::optional<std::string> v) const {
  URL u = *this;
  u.password_ = std::move(v);
  return u;
}
URL URL::set_host(std::optional<std::string> v) const {
  URL u = *this;
  u.host_ = std::move(v);
  return u;
}
URL URL::set_port(std::optional<int> v) const {
  URL u = *this;
  u.port_ = v;
  return u;
}
URL URL::set_database(std::optional<std::string> v) const {
  URL u = *this;
  u.database_ = std::move(v);
  return u;
}
URL URL::update_query(std::string key, std::string value) const {
  URL u = *this;
  std::erase_if(u.query_, [&](const auto& kv) { return kv.first == key; });
  u.query_.emplace_back(std::move(key), std::move(value));
  return u;
}
URL URL::difference_update_query(const std::vector<std::string>& keys) const {
  URL u = *this;
  std::erase_if(u.query_, [&](const auto& kv) {
    return std::find(keys.begin(), keys.end(), kv.first) != keys.end();
  });
  return u;
}

URL make_url(std::string_view url) {
  // Same grammar as SQLAlchemy's sqlalchemy.engine.url._parse_url.
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) bad_url(url, "no '://' after the dialect name");
  std::string_view name = url.substr(0, scheme_end);
  if (name.empty()) bad_url(url, "the dialect name before '://' is empty");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+';
    if (!ok) bad_url(url, "the dialect name '" + std::string(name) + "' has a character other than letters, digits, '_' or '+'");
  }
  if (name.front() == '+' || name.back() == '+' || std::count(name.begin(), name.end(), '+') > 1)
    bad_url(url, "the dialect name must be 'dialect' or 'dialect+driver'");

  std::string_view rest = url.substr(scheme_end + 3);
  URL u;
  u.drivername_ = std::string(name);

  // query
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    std::string_view query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    while (!query.empty()) {
      auto amp = query.find('&');
      std::string_view item = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (item.empty()) continue;
      auto eq = item.find('=');
      if (eq == std::string_view::npos)
        bad_url(url, "query parameter '" + std::string(item) + "' has no '=value'");
      u.query_.emplace_back(unquote_plus(item.substr(0, eq)), unquote_plus(item.substr(eq + 1)));
    }
  }
  // database: everything after the first '/'
  std::string_view netloc = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    netloc = rest.substr(0, slash);
    u.database_ = std::string(rest.substr(slash + 1));
  }
  // user:password@ -- SQLAlchemy splits at the first '@', so an unencoded '@' in a
  // password silently becomes part of the host; say so instead.
  if (std::count(netloc.begin(), netloc.end(), '@') > 1)
    bad_url(url, "more than one '@' before the host; a '@' in a user name or password must be "
                 "percent-encoded as %40 (e.g. p%40ssword)");
  if (auto at = netloc.find('@'); at != std::string_view::npos) {
    std::string_view cred = netloc.substr(0, at);
    netloc = netloc.substr(at + 1);
    auto colon = cred.find(':');
    u.username_ = url_unquote(cred.substr(0, colon));
    if (colon != std::string_view::npos) u.password_ = url_unquote(cred.substr(colon + 1));
  }
  // host[:port], [ipv6][:port]
  std::string_view port;
  if (!netloc.empty() && netloc.front() == '[') {
    auto close = netloc.find(']');
    if (close == std::string_view::npos) bad_url(url, "an IPv6 host opened with '[' is not closed with ']'");
    u.host_ = std::string(netloc.substr(1, close - 1));
    std::string_view after = netloc.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad_url(url, "unexpected text after the IPv6 host");
      port = after.substr(1);
      if (port.empty()) bad_url(url, "':' after the host but no port number");
    }
  } else if (!netloc.empty()) {
    auto colon = netloc.find(':');
    if (colon != std::string_view::npos) {
      port = netloc.substr(colon + 1);
      netloc = netloc.substr(0, colon);
      if (port.empty()) bad_url(url, "':' after the host but no port number");
    }
    if (!netloc.empty()) u.host_ = std::string(netloc);
  }
  if (!port.empty()) {
    int p = 0;
    auto r = std::from_chars(port.data(), port.data() + port.size(), p);
    if (r.ec != std::errc() || r.ptr != port.data() + port.size() || p < 0 || p > 65535)
      bad_url(url, "port '" + std::string(port) + "' is not a number between 0 and 65535");
    u.port_ = p;
  }
  return u;
}

}  // namespace alchemy
