// Helpers shared by alchemy-bench's workloads: row text as the anchors build
// it, and a wall-clock + process-CPU timer.
#pragma once

#include <charconv>
#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

namespace bench {

// "prefix" followed by i: the same text as the anchors' snprintf, built in one
// allocation (fmt::format's type-erased path was a sixth of W1 orm_uow).
inline std::string label(std::string_view prefix, long i) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, i).ptr;
  std::string s;
  s.reserve(prefix.size() + static_cast<std::size_t>(end - digits));
  s.append(prefix).append(digits, end);
  return s;
}

inline double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

class Timer {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }
  double cpu() const { return cpu_seconds() - cpu0_; }

 private:
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  double cpu0_ = cpu_seconds();
};

}  // namespace bench
