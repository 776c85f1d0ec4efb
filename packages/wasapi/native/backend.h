// The interface every audio backend (null, pulse, alsa, wasapi) implements. Backends know nothing of
// N-API: they report failures as AudioError (a code from the JS error table plus a message), move
// audio through StreamCore, and run their own real-time thread per stream.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace vox {

enum class Direction { Capture, Playback };
enum class SampleFormat { S16, F32 };

inline uint32_t bytesPerSample(SampleFormat f) { return f == SampleFormat::S16 ? 2 : 4; }

/** Error codes shared with src/errors.ts. */
namespace codes {
constexpr const char* kUnknownDevice = "ERR_UNKNOWN_DEVICE";
constexpr const char* kUnsupportedFormat = "ERR_UNSUPPORTED_FORMAT";
constexpr const char* kInvalidState = "ERR_INVALID_STATE";
constexpr const char* kBackendUnavailable = "ERR_BACKEND_UNAVAILABLE";
constexpr const char* kInvalidArgument = "ERR_INVALID_ARGUMENT";
constexpr const char* kDevice = "ERR_DEVICE";
}  // namespace codes

struct AudioError : std::runtime_error {
  AudioError(const char* c, const std::string& msg) : std::runtime_error(msg), code(c) {}
  const char* code;
};

struct DeviceInfo {
  std::string id;
  std::string name;
  Direction kind = Direction::Capture;
  bool isDefault = false;
  /** The capture device that records what this render device plays (pulse monitors, null loopback). */
  bool isMonitor = false;
  uint32_t sampleRate = 0;
  uint32_t channels = 0;
};

struct StreamConfig {
  Direction direction = Direction::Capture;
  std::string deviceId;  // empty: the default device
  uint32_t sampleRate = 48000;
  uint32_t channels = 1;
  SampleFormat format = SampleFormat::F32;
  uint32_t periodFrames = 480;
  bool exclusive = false;
  bool loopback = false;
};

class StreamCore;

/** One open device stream; its thread starts at start() and is joined by stop()/the destructor. */
class BackendStream {
 public:
  virtual ~BackendStream() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
  /** The id of the device actually opened (resolves "default"). */
  virtual std::string deviceId() const = 0;
  /** How the backend opened the device (e.g. which WASAPI initialisation path, re-routes); may be empty. */
  virtual std::string route() const { return ""; }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  /** Empty when usable; otherwise why not (library missing, server not running). */
  virtual std::string unavailableReason() = 0;
  /**
   * Why the backend, though it loads, should not be picked automatically (e.g. ALSA on a machine with no
   * sound card: its default device does not open); empty when it may. Explicitly requested, it still opens.
   */
  virtual std::string defaultDeviceProblem() { return ""; }
  virtual std::vector<DeviceInfo> listDevices() = 0;
  virtual std::unique_ptr<BackendStream> open(const StreamConfig& cfg, StreamCore& core) = 0;
  /**
   * Starts watching for device changes (added, removed, new default); `changed` is called from a
   * backend thread. Returns an object whose destruction stops the watch, or nullptr if unsupported.
   */
  virtual std::unique_ptr<BackendStream> watchDevices(std::function<void()> changed) {
    (void)changed;
    return nullptr;
  }
};

/** Backend singletons by name ("null", "pulse", "alsa", "wasapi"); nullptr when not compiled in. */
Backend* findBackend(const std::string& name);
/** Names compiled into this build, in order of preference for the default. */
std::vector<std::string> compiledBackends();

Backend* nullBackend();
#if defined(__linux__)
Backend* pulseBackend();
Backend* alsaBackend();
#endif
#if defined(_WIN32)
Backend* wasapiBackend();
#endif

/** Makes the calling thread real-time when the OS allows it (best effort, never fails). */
void promoteToRealtime(const char* role);

}  // namespace vox
