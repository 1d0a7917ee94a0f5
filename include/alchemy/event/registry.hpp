// The generic listener registry every layer's events are built on.
//
// A ListenerList<Args...> holds callables invoked in registration order.
// Adding and removing are thread-safe; dispatch takes a snapshot, so a listener
// may add or remove listeners while it runs. When nothing listens, dispatch
// costs one atomic load: hot paths check empty() first.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace alchemy::event {

/// Identifies one registered listener; pass it to remove().
using ListenerId = std::uint64_t;

template <class... Args>
class ListenerList {
 public:
  using Fn = std::function<void(Args...)>;

  /// Registers `fn`; `insert` at the front when `prepend` (SQLAlchemy's insert=True).
  ListenerId add(Fn fn, bool prepend = false) {
    std::lock_guard lock(mu_);
    auto next = std::make_shared<std::vector<Entry>>(entries_ ? *entries_ : std::vector<Entry>{});
    ListenerId id = ++last_id_;
    if (prepend) {
      next->insert(next->begin(), Entry{id, std::move(fn)});
    } else {
      next->push_back(Entry{id, std::move(fn)});
    }
    entries_ = std::move(next);
    count_.store(entries_->size(), std::memory_order_release);
    return id;
  }

  /// Removes the listener `id`; returns whether it was registered.
  bool remove(ListenerId id) {
    std::lock_guard lock(mu_);
    if (!entries_) return false;
    auto next = std::make_shared<std::vector<Entry>>(*entries_);
    auto before = next->size();
    std::erase_if(*next, [&](const Entry& e) { return e.id == id; });
    bool removed = next->size() != before;
    entries_ = std::move(next);
    count_.store(entries_->size(), std::memory_order_release);
    return removed;
  }

  bool empty() const noexcept { return count_.load(std::memory_order_acquire) == 0; }

  /// Calls every listener in order; an exception from a listener propagates.
  template <class... A>
  void operator()(A&&... args) const {
    std::shared_ptr<const std::vector<Entry>> snap;
    {
      std::lock_guard lock(mu_);
      snap = entries_;
    }
    if (!snap) return;
    for (const Entry& e : *snap) e.fn(args...);
  }

 private:
  struct Entry {
    ListenerId id;
    Fn fn;
  };
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<Entry>> entries_;
  std::atomic<std::size_t> count_{0};
  ListenerId last_id_ = 0;
};

}  // namespace alchemy::event
