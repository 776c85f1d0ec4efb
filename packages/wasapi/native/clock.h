// Monotonic time and an interruptible absolute-deadline sleep for real-time threads: no locks, no
// allocation. On Linux the sleep is a futex wait on the stop word, so stop() wakes the thread at once
// instead of waiting out the period.
#pragma once
#include <atomic>
#include <cstdint>

#if defined(_WIN32)
#include <windows.h>
#else
#include <ctime>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace vox {

/** Nanoseconds on the monotonic clock (the clock libuv's hrtime uses). */
inline int64_t nowNs() {
#if defined(_WIN32)
  static LARGE_INTEGER freq = [] {
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    return f;
  }();
  LARGE_INTEGER c;
  QueryPerformanceCounter(&c);
  return static_cast<int64_t>(static_cast<double>(c.QuadPart) * 1e9 / static_cast<double>(freq.QuadPart));
#else
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
#endif
}

/** A stop flag a real-time thread can sleep on until a deadline; stop() interrupts the sleep. */
class StopSignal {
 public:
  bool stopped() const { return word_.load(std::memory_order_acquire) != 0; }
  void reset() { word_.store(0, std::memory_order_release); }

  void stop() {
    word_.store(1, std::memory_order_release);
#if defined(_WIN32)
    WakeByAddressAll(&word_);
#else
    syscall(SYS_futex, reinterpret_cast<int*>(&word_), FUTEX_WAKE_PRIVATE, 0x7fffffff, nullptr, nullptr, 0);
#endif
  }

  /** Sleeps until `deadlineNs` (monotonic) or until stop(); returns false when stopped. */
  bool sleepUntil(int64_t deadlineNs) {
    for (;;) {
      if (stopped()) return false;
      const int64_t now = nowNs();
      if (now >= deadlineNs) return true;
#if defined(_WIN32)
      int expected = 0;
      DWORD ms = static_cast<DWORD>((deadlineNs - now) / 1000000);
      WaitOnAddress(&word_, &expected, sizeof(int), ms == 0 ? 1 : ms);
#else
      timespec ts;
      ts.tv_sec = deadlineNs / 1000000000LL;
      ts.tv_nsec = deadlineNs % 1000000000LL;
      // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so wake-ups do not drift.
      syscall(SYS_futex, reinterpret_cast<int*>(&word_), FUTEX_WAIT_BITSET_PRIVATE, 0, &ts, nullptr,
              FUTEX_BITSET_MATCH_ANY);
#endif
    }
  }

 private:
  std::atomic<int> word_{0};
};

}  // namespace vox
