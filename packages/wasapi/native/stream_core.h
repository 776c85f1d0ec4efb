// The state a backend's real-time thread shares with the JS-facing stream object: the ring, counters
// and the wake-up. Everything the audio thread touches here is preallocated and lock-free.
#pragma once
#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>

#include "backend.h"
#include "clock.h"
#include "ring.h"

namespace vox {

/** Wakes the JS thread from an audio thread; implementations coalesce or not (see notifier.h). */
class Wake {
 public:
  virtual ~Wake() = default;
  /** Audio thread: never blocks. `stampNs` is when the data was produced/consumed. */
  virtual void wake(int64_t stampNs) = 0;
};

class StreamCore {
 public:
  StreamCore(const StreamConfig& cfg, RingView ring, Wake* wake)
      : cfg_(cfg), ring_(ring), wake_(wake), channels_(cfg.channels) {}

  const StreamConfig& config() const { return cfg_; }
  uint32_t frameBytes() const { return channels_ * bytesPerSample(cfg_.format); }

  /** Capture, audio thread: hands `frames` captured frames to JS. */
  void produce(const void* data, uint32_t frames) {
    const int64_t t = nowNs();
    const uint32_t elems = frames * channels_;
    const uint32_t n = ring_.push(data, elems, channels_);
    if (n < elems) {
      droppedFrames_.fetch_add((elems - n) / channels_, std::memory_order_relaxed);
      xruns_.fetch_add(1, std::memory_order_relaxed);
    }
    frames_.fetch_add(frames, std::memory_order_relaxed);
    periods_.fetch_add(1, std::memory_order_relaxed);
    lastStampNs_.store(t, std::memory_order_relaxed);
    // One wake per period's worth of audio, not per callback: PulseAudio can hand a monitor source over in
    // fragments of a few frames, and waking JS for each costs a thousand event-loop turns a second. A full
    // ring wakes at once so JS drains it.
    unwokenFrames_ += frames;
    if (unwokenFrames_ >= cfg_.periodFrames || n < elems) {
      unwokenFrames_ = 0;
      wake_->wake(t);
    }
  }

  /** Playback, audio thread: fills `out` with `frames` frames from JS, silence for what is missing. */
  void consume(void* out, uint32_t frames) {
    const int64_t t = nowNs();
    const uint32_t elems = frames * channels_;
    if (clearRequested_.load(std::memory_order_relaxed) && clearRequested_.exchange(0, std::memory_order_acq_rel)) {
      // Barge-in: what JS queued and the device has not taken is dropped here, on the consumer side.
      const uint32_t upTo = clearUpTo_.load(std::memory_order_acquire);
      clearedFrames_.fetch_add(ring_.discardUpTo(upTo, channels_) / channels_, std::memory_order_relaxed);
      flowing_ = false;
    }
    const uint32_t n = ring_.pop(out, elems, channels_);
    if (n < elems) {
      std::memset(static_cast<uint8_t*>(out) + static_cast<size_t>(n) * bytesPerSample(cfg_.format), 0,
                  static_cast<size_t>(elems - n) * bytesPerSample(cfg_.format));
      silenceFrames_.fetch_add((elems - n) / channels_, std::memory_order_relaxed);
      // An underrun is the moment audio that was flowing runs dry, not every idle period.
      if (flowing_) {
        xruns_.fetch_add(1, std::memory_order_relaxed);
        ring_.countUnderrun();
      }
      flowing_ = false;
    } else {
      flowing_ = true;
    }
    playedFrames_.fetch_add(n / channels_, std::memory_order_relaxed);
    frames_.fetch_add(frames, std::memory_order_relaxed);
    periods_.fetch_add(1, std::memory_order_relaxed);
    lastStampNs_.store(t, std::memory_order_relaxed);
    if (wantWake_.load(std::memory_order_relaxed) && wantWake_.exchange(0, std::memory_order_acq_rel)) wake_->wake(t);
  }

  /** Backend: device-side xrun it detected itself (overflow/underflow callbacks). */
  void deviceXrun() { deviceXruns_.fetch_add(1, std::memory_order_relaxed); }
  /** Backend: latency the device reports between the ring and the converter. */
  void setDeviceLatencyNs(int64_t ns) { deviceLatencyNs_.store(ns, std::memory_order_relaxed); }

  /** Backend: the device or server failed (message is a static string); wakes JS to report it. */
  void fail(const char* message) {
    const char* expected = nullptr;
    if (failure_.compare_exchange_strong(expected, message)) wake_->wake(nowNs());
  }
  const char* failure() const { return failure_.load(std::memory_order_acquire); }

  /**
   * JS (the ring's producer): drop everything written so far at the next period; the audio thread does it,
   * and audio written after this call is kept.
   */
  void requestClear() {
    clearUpTo_.store(ring_.writeIndex(), std::memory_order_release);
    clearRequested_.store(1, std::memory_order_release);
  }
  uint64_t clearedFrames() const { return clearedFrames_.load(std::memory_order_relaxed); }

  /** JS: ask for a wake after the next playback period (for `drain` and `drained()`). */
  void requestWake() { wantWake_.store(1, std::memory_order_release); }

  struct Snapshot {
    uint64_t frames, periods, xruns, deviceXruns, droppedFrames, silenceFrames, playedFrames;
    int64_t deviceLatencyNs, lastStampNs;
  };
  Snapshot snapshot() const {
    return {frames_.load(), periods_.load(), xruns_.load(), deviceXruns_.load(), droppedFrames_.load(),
            silenceFrames_.load(), playedFrames_.load(), deviceLatencyNs_.load(), lastStampNs_.load()};
  }

 private:
  StreamConfig cfg_;
  RingView ring_;
  Wake* wake_;
  std::atomic<uint32_t> clearRequested_{0}, clearUpTo_{0};
  std::atomic<uint64_t> clearedFrames_{0};
  /** Frames produced since the last wake (audio thread only). */
  uint32_t unwokenFrames_ = 0;
  uint32_t channels_;
  bool flowing_ = false;  // audio thread only
  std::atomic<int> wantWake_{0};
  std::atomic<uint64_t> frames_{0}, periods_{0}, xruns_{0}, deviceXruns_{0}, droppedFrames_{0}, silenceFrames_{0},
      playedFrames_{0};
  std::atomic<int64_t> deviceLatencyNs_{0}, lastStampNs_{0};
  std::atomic<const char*> failure_{nullptr};
};

}  // namespace vox
