// QueuePool, StaticPool and NullPool. Called by Engine (creation, dispose) and
// ConnectionCore (checkout/checkin); listeners of connect/checkout/checkin run here.
#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "alchemy/exc.hpp"
#include "engine/internal.hpp"

namespace alchemy {

Pool::~Pool() = default;

namespace {
using Clock = std::chrono::steady_clock;

std::chrono::nanoseconds seconds(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}
}  // namespace

void PoolBase::connect_record(ConnectionRecord* rec) {
  close_record(rec);
  auto conn = config_.creator();  // throws OperationalError / ArgumentError
  if (!config_.isolation_level.empty()) conn->set_isolation_level(config_.isolation_level);
  rec->conn_ = std::move(conn);
  rec->starttime_ = Clock::now();
  log_->pool_debug("Created new connection");
  if (!events_->connect.empty()) {
    try {
      events_->connect(*rec->conn_, *rec);
    } catch (...) {
      close_record(rec);
      throw;
    }
  }
}

void PoolBase::invalidate(ConnectionRecord* rec, std::string_view reason) noexcept {
  if (rec->conn_) {
    log_->pool_debug(fmt::format("Invalidate connection ({})", reason));
  }
  close_record(rec);
}

void PoolBase::prepare_for_checkout(ConnectionRecord* rec, bool fresh_checkout,
                                    bool may_replace) {
  // Up to three attempts, as SQLAlchemy's _ConnectionFairy._checkout: a checkout
  // listener raising DisconnectionError asks for another connection.
  for (int attempt = 0;; ++attempt) {
    if (!is_connected(rec)) {
      connect_record(rec);
    } else if (fresh_checkout && may_replace) {
      bool replace = false;
      if (config_.recycle >= 0 && Clock::now() - rec->starttime_ > seconds(config_.recycle)) {
        log_->pool_debug("Connection exceeded pool_recycle; recycling");
        replace = true;
      } else {
        std::lock_guard lock(stale_mu_);
        if (rec->starttime_ < stale_before_) replace = true;
      }
      if (!replace && config_.pre_ping && !rec->conn_->ping()) {
        log_->pool_debug("Pool pre-ping on connection failed, will invalidate pool");
        invalidate_older();
        replace = true;
      }
      if (replace) connect_record(rec);
    }
    if (!fresh_checkout || events_->checkout.empty()) return;
    try {
      events_->checkout(*rec->conn_, *rec);
      return;
    } catch (const DisconnectionError& e) {
      invalidate(rec, e.what());
      if (attempt >= 2) throw InvalidRequestError(std::string("This connection is not usable: "
                                                              "checkout listeners rejected it "
                                                              "three times (last: ") +
                                                  e.what() + ")");
    }
  }
}

void PoolBase::reset_for_checkin(ConnectionRecord* rec) noexcept {
  if (rec->conn_) {
    try {
      if (rec->conn_->is_closed()) {
        close_record(rec);
      } else if (rec->conn_->in_transaction()) {
        log_->pool_debug("Connection being returned to pool; rollback");
        rec->conn_->rollback();
      }
    } catch (const std::exception& e) {
      log_->emit(LogLevel::warning, log_->pool_name,
                 fmt::format("Exception during reset or similar: {}; invalidating", e.what()));
      close_record(rec);
    }
  }
  if (!events_->checkin.empty()) {
    try {
      events_->checkin(rec->conn_.get(), *rec);
    } catch (const std::exception& e) {
      log_->emit(LogLevel::warning, log_->pool_name,
                 fmt::format("checkin listener raised: {}; invalidating", e.what()));
      close_record(rec);
    }
  }
}

namespace {

class QueuePool final : public PoolBase {
 public:
  using PoolBase::PoolBase;
  ~QueuePool() override { dispose(); }

  ConnectionRecord* checkout() override {
    ConnectionRecord* rec = nullptr;
    {
      std::unique_lock lock(mu_);
      const auto deadline = Clock::now() + seconds(config_.timeout);
      for (;;) {
        if (!idle_.empty()) {
          if (config_.use_lifo) {
            rec = idle_.back();
            idle_.pop_back();
          } else {
            rec = idle_.front();
            idle_.pop_front();
          }
          break;
        }
        if (config_.pool_size == 0 || config_.max_overflow < 0 ||
            static_cast<std::int64_t>(all_.size()) < config_.pool_size + config_.max_overflow) {
          all_.push_back(new_record());
          rec = all_.back().get();
          break;
        }
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty()) {
          throw TimeoutError(fmt::format(
              "QueuePool limit of size {} overflow {} reached, connection timed out, timeout "
              "{:.2f}: every connection is checked out. Close connections sooner (use RAII "
              "scopes), or raise pool_size / max_overflow / pool_timeout in create_engine()",
              config_.pool_size, config_.max_overflow, config_.timeout));
        }
      }
      ++checked_out_;
    }
    try {
      prepare_for_checkout(rec, true);
    } catch (...) {
      std::lock_guard lock(mu_);
      --checked_out_;
      discard_locked(rec);
      cv_.notify_one();
      throw;
    }
    log_->pool_debug("Connection checked out from pool");
    return rec;
  }

  void checkin(ConnectionRecord* rec) noexcept override {
    reset_for_checkin(rec);
    std::lock_guard lock(mu_);
    --checked_out_;
    bool keep = !disposed_ && is_connected(rec) &&
                (config_.pool_size == 0 || idle_.size() < static_cast<std::size_t>(config_.pool_size));
    if (keep) {
      idle_.push_back(rec);
      log_->pool_debug("Connection returned to pool");
    } else {
      discard_locked(rec);
    }
    cv_.notify_one();
  }

  void dispose() noexcept override {
    std::lock_guard lock(mu_);
    disposed_ = true;
    for (ConnectionRecord* rec : idle_) discard_locked_no_idle(rec);
    idle_.clear();
    log_->pool_debug("Pool disposed");
  }

  std::size_t size() const override { return static_cast<std::size_t>(config_.pool_size); }
  std::size_t checkedin() const override {
    std::lock_guard lock(mu_);
    return idle_.size();
  }
  std::size_t checkedout() const override {
    std::lock_guard lock(mu_);
    return checked_out_;
  }
  std::int64_t overflow() const override {
    std::lock_guard lock(mu_);
    return static_cast<std::int64_t>(all_.size()) - config_.pool_size;
  }
  std::string status() const override {
    std::lock_guard lock(mu_);
    return fmt::format(
        "Pool size: {}  Connections in pool: {} Current Overflow: {} Current Checked out "
        "connections: {}",
        config_.pool_size, idle_.size(), static_cast<std::int64_t>(all_.size()) - config_.pool_size,
        checked_out_);
  }
  std::string_view name() const override { return "QueuePool"; }

 private:
  void discard_locked(ConnectionRecord* rec) noexcept {
    std::erase(idle_, rec);
    discard_locked_no_idle(rec);
  }
  void discard_locked_no_idle(ConnectionRecord* rec) noexcept {
    close_record(rec);
    std::erase_if(all_, [&](const auto& p) { return p.get() == rec; });
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<ConnectionRecord>> all_;
  std::deque<ConnectionRecord*> idle_;
  std::size_t checked_out_ = 0;
  bool disposed_ = false;
};

class StaticPool final : public PoolBase {
 public:
  using PoolBase::PoolBase;
  ~StaticPool() override { dispose(); }

  ConnectionRecord* checkout() override {
    const auto me = std::this_thread::get_id();
    bool first = false;
    {
      std::unique_lock lock(mu_);
      const auto deadline = Clock::now() + seconds(config_.timeout);
      while (shares(&rec_) > 0 && owner_ != me) {
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
            shares(&rec_) > 0 && owner_ != me) {
          throw TimeoutError(fmt::format(
              "StaticPool: the engine's single connection (used for sqlite :memory:, whose "
              "database lives in that one connection) is checked out by another thread; waited "
              "{:.2f} s. Use a file database for concurrent access, or serialize access to the "
              "engine",
              config_.timeout));
        }
      }
      owner_ = me;
      first = shares(&rec_)++ == 0;
    }
    try {
      // The database lives in the connection: never recycle or pre-ping it away,
      // only reconnect when it was invalidated.
      prepare_for_checkout(&rec_, first, /*may_replace=*/false);
    } catch (...) {
      std::lock_guard lock(mu_);
      --shares(&rec_);
      cv_.notify_all();
      throw;
    }
    return &rec_;
  }

  void checkin(ConnectionRecord* rec) noexcept override {
    {
      std::lock_guard lock(mu_);
      if (shares(rec) > 1) {  // another Connection of this thread still uses it
        --shares(rec);
        return;
      }
    }
    reset_for_checkin(rec);
    std::lock_guard lock(mu_);
    --shares(rec);
    if (disposed_) close_record(rec);
    cv_.notify_all();
  }

  void dispose() noexcept override {
    std::lock_guard lock(mu_);
    disposed_ = true;
    if (shares(&rec_) == 0) close_record(&rec_);
  }

  std::size_t size() const override { return 1; }
  std::size_t checkedin() const override {
    std::lock_guard lock(mu_);
    return rec_.dbapi_connection() && shares(const_cast<ConnectionRecord*>(&rec_)) == 0 ? 1 : 0;
  }
  std::size_t checkedout() const override {
    std::lock_guard lock(mu_);
    return shares(const_cast<ConnectionRecord*>(&rec_)) > 0 ? 1 : 0;
  }
  std::int64_t overflow() const override { return 0; }
  std::string status() const override { return "StaticPool"; }
  std::string_view name() const override { return "StaticPool"; }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  mutable ConnectionRecord rec_;
  std::thread::id owner_;
  bool disposed_ = false;
};

class NullPool final : public PoolBase {
 public:
  using PoolBase::PoolBase;

  ConnectionRecord* checkout() override {
    auto rec = new_record();
    prepare_for_checkout(rec.get(), true);
    std::lock_guard lock(mu_);
    live_.push_back(std::move(rec));
    return live_.back().get();
  }
  void checkin(ConnectionRecord* rec) noexcept override {
    reset_for_checkin(rec);
    close_record(rec);
    std::lock_guard lock(mu_);
    std::erase_if(live_, [&](const auto& p) { return p.get() == rec; });
  }
  void dispose() noexcept override {}
  std::size_t size() const override { return 0; }
  std::size_t checkedin() const override { return 0; }
  std::size_t checkedout() const override {
    std::lock_guard lock(mu_);
    return live_.size();
  }
  std::int64_t overflow() const override { return 0; }
  std::string status() const override { return "NullPool"; }
  std::string_view name() const override { return "NullPool"; }

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<ConnectionRecord>> live_;
};

}  // namespace

std::shared_ptr<PoolBase> make_pool(PoolClass cls, PoolBase::Config config,
                                    std::shared_ptr<detail::EngineEvents> events,
                                    std::shared_ptr<detail::EngineLogger> log) {
  switch (cls) {
    case PoolClass::static_:
      return std::make_shared<StaticPool>(std::move(config), std::move(events), std::move(log));
    case PoolClass::null:
      return std::make_shared<NullPool>(std::move(config), std::move(events), std::move(log));
    case PoolClass::queue:
    case PoolClass::default_:
      break;
  }
  return std::make_shared<QueuePool>(std::move(config), std::move(events), std::move(log));
}

}  // namespace alchemy
