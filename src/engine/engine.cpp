// create_engine(), Engine, event registration, parameter rendering.
#include "alchemy/engine/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "alchemy/exc.hpp"
#include "engine/internal.hpp"

namespace alchemy {

namespace detail {

std::string EngineState::validate_isolation_level(std::string_view level) const {
  std::string up;
  for (char c : level)
    up += static_cast<char>(c == '_' ? ' ' : std::toupper(static_cast<unsigned char>(c)));
  auto levels = dialect->isolation_levels();
  if (std::find(levels.begin(), levels.end(), up) != levels.end()) return up;
  std::string valid;
  for (const auto& l : levels) valid += (valid.empty() ? "" : ", ") + l;
  throw ArgumentError(
      fmt::format("Invalid value '{}' for isolation_level. Valid isolation levels "
                  "for '{}' are {}",
                  level, dialect->name(), valid));
}

namespace {
constexpr std::size_t kMaxValueChars = 100;
constexpr std::size_t kMaxParams = 50;
constexpr std::size_t kMaxSets = 10;

void append_value(std::string& out, const Value* v) {
  std::string r = v ? v->repr() : std::string("?");
  if (r.size() > kMaxValueChars) {
    std::size_t cut = r.size() - kMaxValueChars;
    r = r.substr(0, kMaxValueChars / 2) + fmt::format(" ... ({} characters truncated) ... ", cut) +
        r.substr(r.size() - kMaxValueChars / 2);
  }
  out += r;
}

void append_tuple(std::string& out, std::span<const Value* const> params) {
  out += '(';
  std::size_t n = std::min(params.size(), kMaxParams);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    append_value(out, params[i]);
  }
  if (params.size() > n) out += fmt::format(", ... {} more", params.size() - n);
  if (params.size() == 1) out += ',';
  out += ')';
}
}  // namespace

std::string render_params(std::span<const Value* const> params) {
  std::string out;
  append_tuple(out, params);
  return out;
}

std::string render_batch(const ParamBatch& batch) {
  std::string out = "[";
  std::vector<const Value*> ptrs(batch.width());
  const std::size_t total = batch.size();
  auto show = [&](std::size_t row) {
    try {
      batch.fill(row, ptrs.data());
      append_tuple(out, ptrs);
    } catch (const std::exception&) {
      out += "(<missing parameters>)";
    }
  };
  if (total <= kMaxSets) {
    for (std::size_t r = 0; r < total; ++r) {
      if (r) out += ", ";
      show(r);
    }
  } else {
    for (std::size_t r = 0; r < kMaxSets - 2; ++r) {
      show(r);
      out += ", ";
    }
    out +=
        fmt::format(" ... displaying {} of {} total bound parameter sets ...  ", kMaxSets, total);
    show(total - 2);
    out += ", ";
    show(total - 1);
  }
  out += ']';
  return out;
}

}  // namespace detail

std::string CursorExecuteContext::parameters_repr() const {
  if (batch) return detail::render_batch(*batch);
  return detail::render_params(parameters);
}

Engine create_engine(std::string_view url, const EngineOptions& options) {
  return create_engine(make_url(url), options);
}

Engine create_engine(const URL& url, const EngineOptions& options) {
  auto state = std::make_shared<detail::EngineState>();
  state->compiled_cache = std::make_unique<CompiledCache>(options.query_cache_size);
  state->url = url;
  state->dialect = load_dialect(url.get_backend_name(), url.get_driver_name());
  state->options = options;

  if (options.pool_size < 0)
    throw ArgumentError(
        fmt::format("pool_size must be >= 0 (0 means no limit), got {}", options.pool_size));
  if (options.max_overflow < -1)
    throw ArgumentError(fmt::format("max_overflow must be >= -1 (-1 means no limit), got {}",
                                    options.max_overflow));
  if (!(options.pool_timeout >= 0))
    throw ArgumentError(
        fmt::format("pool_timeout must be >= 0 seconds, got {}", options.pool_timeout));

  auto& log = *state->log;
  log.echo = options.echo;
  log.echo_pool = options.echo_pool;
  log.handler = options.logger;
  if (!options.logging_name.empty()) {
    log.name += "." + options.logging_name;
    log.pool_name += "." + options.logging_name;
  }

  state->default_isolation_level = state->dialect->default_isolation_level();
  PoolBase::Config& cfg = state->pool_config;
  if (!options.isolation_level.empty()) {
    std::string level = state->validate_isolation_level(options.isolation_level);
    state->default_isolation_level = level;
    // AUTOCOMMIT is the engine's business (it never emits BEGIN); real levels go to the driver.
    if (level != "AUTOCOMMIT") cfg.isolation_level = level;
  }
  // Validates URL query and connect_args now, so a typo fails at create_engine().
  cfg.creator = state->dialect->connector(url, options.connect_args);
  cfg.pool_size = options.pool_size;
  cfg.max_overflow = options.max_overflow;
  cfg.timeout = options.pool_timeout;
  cfg.recycle = options.pool_recycle;
  cfg.pre_ping = options.pool_pre_ping;
  cfg.use_lifo = options.pool_use_lifo;

  state->poolclass = options.poolclass;
  if (state->poolclass == PoolClass::default_) {
    state->poolclass = state->dialect->default_pool(url) == PoolKind::static_ ? PoolClass::static_
                                                                              : PoolClass::queue;
  }
  state->pool = make_pool(state->poolclass, cfg, state->events, state->log);
  return Engine(std::move(state));
}

void Engine::dispose() const {
  auto fresh = make_pool(state_->poolclass, state_->pool_config, state_->events, state_->log);
  std::shared_ptr<PoolBase> old;
  {
    std::lock_guard lock(state_->pool_mu);
    old = std::exchange(state_->pool, std::move(fresh));
  }
  old->dispose();
}

const URL& Engine::url() const noexcept { return state_->url; }
const Dialect& Engine::dialect() const noexcept { return *state_->dialect; }
CompiledCache& Engine::compiled_cache() const noexcept { return *state_->compiled_cache; }
Pool& Engine::pool() const noexcept {
  std::lock_guard lock(state_->pool_mu);
  return *state_->pool;
}
std::string_view Engine::name() const noexcept { return state_->dialect->name(); }
std::string_view Engine::driver() const noexcept { return state_->dialect->driver(); }
bool Engine::echo() const noexcept { return state_->log->echo; }
void Engine::set_echo(bool on) const noexcept { state_->log->echo = on; }
std::string Engine::str() const { return "Engine(" + state_->url.render_as_string(true) + ")"; }

namespace event::detail {

#define ALCHEMY_EVENT_LIST(tag, member, Fn)             \
  ListenerId add(const Engine& e, tag, Fn fn) {         \
    return e.state().events->member.add(std::move(fn)); \
  }                                                     \
  bool remove(const Engine& e, tag, ListenerId id) { return e.state().events->member.remove(id); }

ALCHEMY_EVENT_LIST(connect_t, connect, ConnectFn)
ALCHEMY_EVENT_LIST(checkout_t, checkout, ConnectFn)
ALCHEMY_EVENT_LIST(checkin_t, checkin, CheckinFn)
ALCHEMY_EVENT_LIST(before_cursor_execute_t, before_cursor_execute, CursorFn)
ALCHEMY_EVENT_LIST(after_cursor_execute_t, after_cursor_execute, CursorFn)
ALCHEMY_EVENT_LIST(handle_error_t, handle_error, ErrorFn)
ALCHEMY_EVENT_LIST(begin_t, begin, TxFn)
ALCHEMY_EVENT_LIST(commit_t, commit, TxFn)
ALCHEMY_EVENT_LIST(rollback_t, rollback, TxFn)

#undef ALCHEMY_EVENT_LIST

}  // namespace event::detail

}  // namespace alchemy
