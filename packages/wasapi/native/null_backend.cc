// The null backend: virtual devices on a real-time clock, so code using the package runs and is
// testable on any machine. One thread per stream wakes at absolute period deadlines; capture devices
// synthesise silence or a tone, the output device consumes and discards. Nothing here allocates, locks
// or calls JS once the stream has started.
#include <cmath>
#include <thread>
#include <vector>

#include "backend.h"
#include "clock.h"
#include "stream_core.h"

namespace vox {
namespace {

constexpr uint32_t kMinRate = 8000, kMaxRate = 192000, kMaxChannels = 8;

struct NullDevice {
  const char* id;
  const char* name;
  Direction kind;
  double toneHz;  // capture: 0 = silence
};

const NullDevice kDevices[] = {
    {"null:silence", "Null input (silence)", Direction::Capture, 0.0},
    {"null:tone-440", "Null input (440 Hz tone, -20 dBFS)", Direction::Capture, 440.0},
    {"null:tone-1000", "Null input (1 kHz tone, -20 dBFS)", Direction::Capture, 1000.0},
    {"null:output", "Null output (discards)", Direction::Playback, 0.0},
};

class NullStream final : public BackendStream {
 public:
  NullStream(const StreamConfig& cfg, StreamCore& core, const NullDevice& dev)
      : cfg_(cfg), core_(core), dev_(dev), buffer_(static_cast<size_t>(cfg.periodFrames) * core.frameBytes()) {}
  ~NullStream() override { stop(); }

  void start() override {
    if (thread_.joinable()) return;
    stop_.reset();
    thread_ = std::thread([this] { run(); });
  }
  void stop() override {
    if (!thread_.joinable()) return;
    stop_.stop();
    thread_.join();
  }
  std::string deviceId() const override { return dev_.id; }

 private:
  void run() {
    promoteToRealtime("null");
    const int64_t periodNs = static_cast<int64_t>(cfg_.periodFrames) * 1000000000LL / cfg_.sampleRate;
    core_.setDeviceLatencyNs(periodNs);
    int64_t deadline = nowNs();
    while (true) {
      deadline += periodNs;
      if (!stop_.sleepUntil(deadline)) break;
      if (cfg_.direction == Direction::Capture) {
        synthesise();
        core_.produce(buffer_.data(), cfg_.periodFrames);
      } else {
        core_.consume(buffer_.data(), cfg_.periodFrames);
      }
      // A thread that woke more than two periods late lost real time: count it and resynchronise
      // instead of bursting to catch up.
      const int64_t late = nowNs() - deadline;
      if (late > 2 * periodNs) {
        core_.deviceXrun();
        deadline = nowNs();
      }
    }
  }

  void synthesise() {
    const uint32_t frames = cfg_.periodFrames, ch = cfg_.channels;
    if (dev_.toneHz == 0.0) {
      std::fill(buffer_.begin(), buffer_.end(), 0);
      return;
    }
    const double step = 2.0 * M_PI * dev_.toneHz / cfg_.sampleRate;
    const double amp = 0.1;  // -20 dBFS peak
    if (cfg_.format == SampleFormat::F32) {
      auto* out = reinterpret_cast<float*>(buffer_.data());
      for (uint32_t i = 0; i < frames; i++) {
        const float v = static_cast<float>(amp * std::sin(phase_));
        phase_ += step;
        for (uint32_t c = 0; c < ch; c++) out[i * ch + c] = v;
      }
    } else {
      auto* out = reinterpret_cast<int16_t*>(buffer_.data());
      for (uint32_t i = 0; i < frames; i++) {
        const auto v = static_cast<int16_t>(std::lrint(amp * 32767.0 * std::sin(phase_)));
        phase_ += step;
        for (uint32_t c = 0; c < ch; c++) out[i * ch + c] = v;
      }
    }
    if (phase_ > 2.0 * M_PI) phase_ = std::fmod(phase_, 2.0 * M_PI);
  }

  StreamConfig cfg_;
  StreamCore& core_;
  const NullDevice& dev_;
  std::vector<uint8_t> buffer_;
  double phase_ = 0.0;
  StopSignal stop_;
  std::thread thread_;
};

class NullBackend final : public Backend {
 public:
  const char* name() const override { return "null"; }
  std::string unavailableReason() override { return ""; }

  std::vector<DeviceInfo> listDevices() override {
    std::vector<DeviceInfo> out;
    for (const auto& d : kDevices) {
      DeviceInfo info;
      info.id = d.id;
      info.name = d.name;
      info.kind = d.kind;
      info.isDefault = std::string(d.id) == "null:silence" || std::string(d.id) == "null:output";
      info.sampleRate = 48000;
      info.channels = 2;
      out.push_back(info);
    }
    return out;
  }

  std::unique_ptr<BackendStream> open(const StreamConfig& cfg, StreamCore& core) override {
    if (cfg.sampleRate < kMinRate || cfg.sampleRate > kMaxRate)
      throw AudioError(codes::kUnsupportedFormat, "the null backend supports sample rates 8000..192000 Hz, not " +
                                                      std::to_string(cfg.sampleRate));
    if (cfg.channels < 1 || cfg.channels > kMaxChannels)
      throw AudioError(codes::kUnsupportedFormat,
                       "the null backend supports 1..8 channels, not " + std::to_string(cfg.channels));
    const char* want = cfg.deviceId.empty() ? (cfg.direction == Direction::Capture ? "null:silence" : "null:output")
                                            : cfg.deviceId.c_str();
    for (const auto& d : kDevices) {
      if (std::string(d.id) != want) continue;
      if (d.kind != cfg.direction && !(cfg.loopback && d.kind == Direction::Playback))
        throw AudioError(codes::kUnknownDevice, std::string("null device \"") + want + "\" is not a" +
                                                    (cfg.direction == Direction::Capture ? "n input" : "n output"));
      if (cfg.loopback)
        throw AudioError(codes::kUnsupportedFormat, "the null backend has no loopback capture");
      return std::make_unique<NullStream>(cfg, core, d);
    }
    throw AudioError(codes::kUnknownDevice, std::string("no null device \"") + want + "\"");
  }
};

}  // namespace

Backend* nullBackend() {
  static NullBackend* b = new NullBackend();  // never destroyed: threads may outlive static teardown
  return b;
}

}  // namespace vox
