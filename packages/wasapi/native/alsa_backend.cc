// ALSA backend: libasound loaded with dlopen at run time (no -dev package at build time). One thread
// per running stream moves one period at a time through a buffer allocated at open: snd_pcm_wait with a
// timeout of a few periods, then non-blocking snd_pcm_readi / snd_pcm_writei, so a device that stops
// moving (an xrun being recovered, a stalled server) never keeps the thread from seeing stop(). Xruns
// (-EPIPE), suspends (-ESTRPIPE) and interrupts go through snd_pcm_recover and are counted.
// The hardware buffer is at least two periods (four asked for). Devices are ALSA PCM names ("default",
// "pulse", "hw:0,0", …) as snd_device_name_hint lists them.
#include <dlfcn.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backend.h"
#include "stream_core.h"

namespace vox {
namespace {

// The few libasound types and constants used here (alsa/asoundlib.h is not needed at build time).
struct snd_pcm_t;
struct snd_pcm_hw_params_t;
using snd_pcm_uframes_t = unsigned long;
using snd_pcm_sframes_t = long;
constexpr int kStreamPlayback = 0, kStreamCapture = 1;
constexpr int kNonblock = 1;  // SND_PCM_NONBLOCK
constexpr int kAccessRwInterleaved = 3;
constexpr int kFormatS16Le = 2, kFormatFloatLe = 14;
constexpr int kStatePrepared = 2;

struct Alsa {
  int (*pcm_open)(snd_pcm_t**, const char*, int, int);
  int (*pcm_close)(snd_pcm_t*);
  int (*hw_params_malloc)(snd_pcm_hw_params_t**);
  void (*hw_params_free)(snd_pcm_hw_params_t*);
  int (*hw_params_any)(snd_pcm_t*, snd_pcm_hw_params_t*);
  int (*hw_params_set_access)(snd_pcm_t*, snd_pcm_hw_params_t*, int);
  int (*hw_params_set_format)(snd_pcm_t*, snd_pcm_hw_params_t*, int);
  int (*hw_params_set_channels)(snd_pcm_t*, snd_pcm_hw_params_t*, unsigned);
  int (*hw_params_set_rate)(snd_pcm_t*, snd_pcm_hw_params_t*, unsigned, int);
  int (*hw_params_set_period_size_near)(snd_pcm_t*, snd_pcm_hw_params_t*, snd_pcm_uframes_t*, int*);
  int (*hw_params_set_buffer_size_near)(snd_pcm_t*, snd_pcm_hw_params_t*, snd_pcm_uframes_t*);
  int (*hw_params_get_period_size)(const snd_pcm_hw_params_t*, snd_pcm_uframes_t*, int*);
  int (*hw_params_get_buffer_size)(const snd_pcm_hw_params_t*, snd_pcm_uframes_t*);
  int (*hw_params)(snd_pcm_t*, snd_pcm_hw_params_t*);
  int (*pcm_prepare)(snd_pcm_t*);
  int (*pcm_start)(snd_pcm_t*);
  int (*pcm_drop)(snd_pcm_t*);
  int (*pcm_recover)(snd_pcm_t*, int, int);
  int (*pcm_delay)(snd_pcm_t*, snd_pcm_sframes_t*);
  int (*pcm_nonblock)(snd_pcm_t*, int);
  int (*pcm_wait)(snd_pcm_t*, int);
  int (*pcm_state)(snd_pcm_t*);
  snd_pcm_sframes_t (*pcm_readi)(snd_pcm_t*, void*, snd_pcm_uframes_t);
  snd_pcm_sframes_t (*pcm_writei)(snd_pcm_t*, const void*, snd_pcm_uframes_t);
  const char* (*strerror)(int);
  using ErrorHandler = void (*)(const char*, int, const char*, int, const char*, ...);
  int (*set_error_handler)(ErrorHandler);
  int (*name_hint)(int, const char*, void***);
  char* (*name_get_hint)(const void*, const char*);
  int (*name_free_hint)(void**);
};

/** An ALSA error handler that prints nothing. */
void quietAlsaErrors(const char*, int, const char*, int, const char*, ...) {}

const Alsa* loadAlsa(std::string* why) {
  static Alsa api{};
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen("libasound.so.2", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      // dlerror() tells a missing library from one that is there but cannot load (a missing dependency).
      const char* why = dlerror();
      error = std::string("libasound.so.2 could not be loaded: ") + (why ? why : "not found") +
              " (install the ALSA library: sudo apt-get install -y libasound2)";
      return;
    }
    auto sym = [&](auto& slot, const char* name) {
      slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(lib, name));
      if (slot == nullptr && error.empty()) error = std::string("libasound.so.2 lacks ") + name;
    };
    sym(api.pcm_open, "snd_pcm_open");
    sym(api.pcm_close, "snd_pcm_close");
    sym(api.hw_params_malloc, "snd_pcm_hw_params_malloc");
    sym(api.hw_params_free, "snd_pcm_hw_params_free");
    sym(api.hw_params_any, "snd_pcm_hw_params_any");
    sym(api.hw_params_set_access, "snd_pcm_hw_params_set_access");
    sym(api.hw_params_set_format, "snd_pcm_hw_params_set_format");
    sym(api.hw_params_set_channels, "snd_pcm_hw_params_set_channels");
    sym(api.hw_params_set_rate, "snd_pcm_hw_params_set_rate");
    sym(api.hw_params_set_period_size_near, "snd_pcm_hw_params_set_period_size_near");
    sym(api.hw_params_set_buffer_size_near, "snd_pcm_hw_params_set_buffer_size_near");
    sym(api.hw_params_get_period_size, "snd_pcm_hw_params_get_period_size");
    sym(api.hw_params_get_buffer_size, "snd_pcm_hw_params_get_buffer_size");
    sym(api.hw_params, "snd_pcm_hw_params");
    sym(api.pcm_prepare, "snd_pcm_prepare");
    sym(api.pcm_start, "snd_pcm_start");
    sym(api.pcm_drop, "snd_pcm_drop");
    sym(api.pcm_recover, "snd_pcm_recover");
    sym(api.pcm_delay, "snd_pcm_delay");
    sym(api.pcm_nonblock, "snd_pcm_nonblock");
    sym(api.pcm_wait, "snd_pcm_wait");
    sym(api.pcm_state, "snd_pcm_state");
    sym(api.pcm_readi, "snd_pcm_readi");
    sym(api.pcm_writei, "snd_pcm_writei");
    sym(api.strerror, "snd_strerror");
    sym(api.set_error_handler, "snd_lib_error_set_handler");
    sym(api.name_hint, "snd_device_name_hint");
    sym(api.name_get_hint, "snd_device_name_get_hint");
    sym(api.name_free_hint, "snd_device_name_free_hint");
  });
  if (!error.empty()) {
    if (why) *why = error;
    return nullptr;
  }
  return &api;
}

const Alsa& alsa() {
  std::string why;
  const Alsa* a = loadAlsa(&why);
  if (a == nullptr) throw AudioError(codes::kBackendUnavailable, why);
  return *a;
}

class AlsaStream final : public BackendStream {
 public:
  AlsaStream(const StreamConfig& cfg, StreamCore& core) : cfg_(cfg), core_(core), api_(alsa()) {
    device_ = cfg.deviceId.empty() ? "default" : cfg.deviceId;
    const bool capture = cfg.direction == Direction::Capture;
    int err = api_.pcm_open(&pcm_, device_.c_str(), capture ? kStreamCapture : kStreamPlayback, 0);
    if (err < 0) {
      pcm_ = nullptr;
      throw AudioError(err == -ENOENT || err == -ENODEV || err == -EINVAL ? codes::kUnknownDevice : codes::kDevice,
                       "ALSA could not open " + std::string(capture ? "capture" : "playback") + " device \"" +
                           device_ + "\": " + api_.strerror(err));
    }
    snd_pcm_hw_params_t* hw = nullptr;
    api_.hw_params_malloc(&hw);
    std::string fail;
    snd_pcm_uframes_t period = cfg.periodFrames, buffer = 4 * static_cast<snd_pcm_uframes_t>(cfg.periodFrames);
    int dir = 0;
    if (api_.hw_params_any(pcm_, hw) < 0 || api_.hw_params_set_access(pcm_, hw, kAccessRwInterleaved) < 0) {
      fail = "interleaved read/write access";
    } else if (api_.hw_params_set_format(pcm_, hw, cfg.format == SampleFormat::S16 ? kFormatS16Le : kFormatFloatLe) < 0) {
      fail = cfg.format == SampleFormat::S16 ? "s16" : "f32";
    } else if (api_.hw_params_set_channels(pcm_, hw, cfg.channels) < 0) {
      fail = std::to_string(cfg.channels) + " channels";
    } else if (api_.hw_params_set_rate(pcm_, hw, cfg.sampleRate, 0) < 0) {
      fail = std::to_string(cfg.sampleRate) + " Hz";
    } else if (api_.hw_params_set_period_size_near(pcm_, hw, &period, &dir) < 0 ||
               api_.hw_params_set_buffer_size_near(pcm_, hw, &buffer) < 0 || (err = api_.hw_params(pcm_, hw)) < 0) {
      fail = "a " + std::to_string(cfg.periodFrames) + "-frame period";
    } else {
      api_.hw_params_get_period_size(hw, &period, &dir);
      api_.hw_params_get_buffer_size(hw, &buffer);
      if (buffer < 2 * period) fail = "a buffer of two periods (got " + std::to_string(buffer) + " frames)";
    }
    api_.hw_params_free(hw);
    if (fail.empty() && (err = api_.pcm_nonblock(pcm_, 1)) < 0) fail = "non-blocking I/O";
    if (!fail.empty()) {
      api_.pcm_close(pcm_);
      pcm_ = nullptr;
      throw AudioError(codes::kUnsupportedFormat, "ALSA device \"" + device_ + "\" does not support " + fail);
    }
    period_ = static_cast<uint32_t>(period);
    waitMs_ = static_cast<int>(2 * 1000ULL * period_ / cfg.sampleRate) + 10;
    bufferFrames_ = static_cast<uint32_t>(buffer);
    buffer_.assign(static_cast<size_t>(period_) * core_.frameBytes(), 0);
  }
  ~AlsaStream() override {
    stop();
    if (pcm_ != nullptr) api_.pcm_close(pcm_);
  }
  void start() override {
    if (thread_.joinable()) return;
    api_.pcm_prepare(pcm_);
    running_.store(true, std::memory_order_release);
    thread_ = std::thread([this] { run(); });
  }
  void stop() override {
    if (!thread_.joinable()) return;
    running_.store(false, std::memory_order_release);
    thread_.join();  // the thread waits at most waitMs_ before it checks running_ again
    api_.pcm_drop(pcm_);
  }
  std::string deviceId() const override { return device_; }
  std::string route() const override {
    return "ALSA \"" + device_ + "\", period " + std::to_string(period_) + " frames, buffer " +
           std::to_string(bufferFrames_) + " frames, snd_pcm_wait + non-blocking read/write";
  }

 private:
  void run() {
    promoteToRealtime("alsa");
    const bool capture = cfg_.direction == Direction::Capture;
    if (capture) api_.pcm_start(pcm_);
    bool restart = false;  // playback after a recovery: start explicitly once a period is queued again
    // Playback: the thread away (not scheduled, the process stopped) for longer than any wait plus several
    // times the device buffer means the device ran dry. Through the pulse plugin that underrun is reported
    // as -EPIPE only when PulseAudio's underflow notice is handled before the next write (a write clears
    // it), so in about one run of two it is not reported at all: count it here, once per gap, and do not
    // count again an -EPIPE that follows within two buffers of writes.
    const int64_t awayNs = static_cast<int64_t>(waitMs_) * 1000000LL +
                           4LL * bufferFrames_ * 1000000000LL / cfg_.sampleRate;
    int64_t lastNs = nowNs();
    int64_t gapFramesLeft = 0;  // frames to write after a counted gap during which -EPIPE is the same xrun
    while (running_.load(std::memory_order_acquire)) {
      if (!capture) core_.consume(buffer_.data(), period_);
      uint32_t done = 0;
      while (done < period_ && running_.load(std::memory_order_relaxed)) {
        uint8_t* at = buffer_.data() + static_cast<size_t>(done) * core_.frameBytes();
        const int64_t now = nowNs();
        if (!capture && now - lastNs > awayNs) {
          core_.deviceXrun();
          gapFramesLeft = 2LL * bufferFrames_;
        }
        lastNs = now;
        // Wait for room/data with a timeout: a blocking call could sit for as long as the device does not
        // move (through the pulse plugin, up to ~2 s after an xrun; forever on a hung device), and stop()
        // would wait with it. A prepared playback PCM is always ready (its buffer is empty).
        snd_pcm_sframes_t n = api_.pcm_wait(pcm_, waitMs_);
        if (n == 0) continue;  // timed out: check running_ and wait again
        if (n > 0) {
          n = capture ? api_.pcm_readi(pcm_, at, period_ - done) : api_.pcm_writei(pcm_, at, period_ - done);
          if (n >= 0) {
            done += static_cast<uint32_t>(n);
            if (!capture) gapFramesLeft -= n;
            continue;
          }
          if (n == -EAGAIN) continue;  // woken without a full transfer's worth
        }
        // -EPIPE (xrun), -ESTRPIPE (suspended), -EINTR: recover and carry on; anything else is fatal.
        if (capture || n != -EPIPE || gapFramesLeft <= 0) core_.deviceXrun();
        gapFramesLeft = 0;
        if (api_.pcm_recover(pcm_, static_cast<int>(n), 1) < 0) {
          core_.fail("the ALSA device failed (snd_pcm_recover could not recover it)");
          running_.store(false, std::memory_order_release);
          break;
        }
        // The recovered PCM is prepared, not running. Capture starts now; playback starts by itself on
        // its next write (default start threshold: one frame), or explicitly below if it did not.
        if (capture) api_.pcm_start(pcm_);
        else restart = true;
      }
      if (restart && done == period_) {
        if (api_.pcm_state(pcm_) == kStatePrepared) api_.pcm_start(pcm_);
        restart = false;
      }
      if (capture && done > 0) core_.produce(buffer_.data(), done);
      snd_pcm_sframes_t delay = 0;
      if (api_.pcm_delay(pcm_, &delay) == 0 && delay > 0)
        core_.setDeviceLatencyNs(static_cast<int64_t>(delay) * 1000000000LL / cfg_.sampleRate);
    }
  }

  StreamConfig cfg_;
  StreamCore& core_;
  const Alsa& api_;
  std::string device_;
  snd_pcm_t* pcm_ = nullptr;
  uint32_t period_ = 0, bufferFrames_ = 0;
  int waitMs_ = 30;  // snd_pcm_wait timeout: two periods and a margin
  std::vector<uint8_t> buffer_;  // one period, allocated at open
  std::atomic<bool> running_{false};
  std::thread thread_;
};

class AlsaBackend final : public Backend {
 public:
  const char* name() const override { return "alsa"; }
  std::string unavailableReason() override {
    std::string why;
    return loadAlsa(&why) ? "" : why;
  }
  std::string defaultDeviceProblem() override {
    // Probed once per process: opening "default" on a machine without a card makes ALSA print to stderr.
    static std::once_flag once;
    static std::string problem;
    std::call_once(once, [] {
      const Alsa* api = loadAlsa(nullptr);
      if (api == nullptr) return;
      snd_pcm_t* pcm = nullptr;
      // Quiet while probing: a failed "default" is an answer here, not something to print to stderr.
      api->set_error_handler(quietAlsaErrors);
      const int err = api->pcm_open(&pcm, "default", kStreamPlayback, kNonblock);
      api->set_error_handler(nullptr);
      if (err < 0) {
        problem = std::string("libasound loads but its default device does not open (") + api->strerror(err) +
                  "); pass backend: 'alsa' with a device id to use a named ALSA device";
        return;
      }
      api->pcm_close(pcm);
    });
    return problem;
  }
  std::vector<DeviceInfo> listDevices() override {
    const Alsa& api = alsa();
    std::vector<DeviceInfo> out;
    void** hints = nullptr;
    if (api.name_hint(-1, "pcm", &hints) < 0) return out;
    for (void** h = hints; *h != nullptr; h++) {
      char* name = api.name_get_hint(*h, "NAME");
      char* desc = api.name_get_hint(*h, "DESC");
      char* io = api.name_get_hint(*h, "IOID");  // null: both directions
      if (name != nullptr && std::string(name) != "null") {
        for (Direction d : {Direction::Capture, Direction::Playback}) {
          if (io != nullptr && std::string(io) != (d == Direction::Capture ? "Input" : "Output")) continue;
          DeviceInfo info;
          info.id = name;
          info.name = desc ? std::string(desc).substr(0, std::string(desc).find('\n')) : name;
          info.kind = d;
          info.isDefault = info.id == "default";
          out.push_back(info);
        }
      }
      free(name);
      free(desc);
      free(io);
    }
    api.name_free_hint(hints);
    return out;
  }
  std::unique_ptr<BackendStream> open(const StreamConfig& cfg, StreamCore& core) override {
    if (cfg.exclusive) throw AudioError(codes::kUnsupportedFormat, "the alsa backend has no exclusive mode; open a hw: device instead");
    if (cfg.loopback) throw AudioError(codes::kUnsupportedFormat, "the alsa backend has no loopback capture");
    return std::make_unique<AlsaStream>(cfg, core);
  }
};

}  // namespace

Backend* alsaBackend() {
  static AlsaBackend* b = new AlsaBackend();
  return b;
}

}  // namespace vox
