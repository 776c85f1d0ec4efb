// PulseAudio backend: the asynchronous API on a threaded mainloop, one mainloop (one thread) per
// stream. Streams connect corked with ADJUST_LATENCY and a 10 ms (one period) fragment/request size;
// the read/write callbacks move audio between libpulse's buffers and the ring without allocating
// (pa_stream_peek / pa_stream_begin_write hand out libpulse's memory).
#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "backend.h"
#include "pulse_api.h"
#include "stream_core.h"

namespace vox {
namespace pa {

const Api* load(std::string* why) {
  static Api api{};
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen("libpulse.so.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      // dlerror() tells a missing library from one that is there but cannot load (a missing dependency).
      const char* why = dlerror();
      error = std::string("libpulse.so.0 could not be loaded: ") + (why ? why : "not found") +
              " (install PulseAudio's client library: sudo apt-get install -y libpulse0)";
      return;
    }
    bool ok = true;
    auto sym = [&](auto& slot, const char* name) {
      slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(lib, name));
      if (slot == nullptr) {
        ok = false;
        error = std::string("libpulse.so.0 lacks ") + name;
      }
    };
    sym(api.threaded_mainloop_new, "pa_threaded_mainloop_new");
    sym(api.threaded_mainloop_free, "pa_threaded_mainloop_free");
    sym(api.threaded_mainloop_start, "pa_threaded_mainloop_start");
    sym(api.threaded_mainloop_stop, "pa_threaded_mainloop_stop");
    sym(api.threaded_mainloop_lock, "pa_threaded_mainloop_lock");
    sym(api.threaded_mainloop_unlock, "pa_threaded_mainloop_unlock");
    sym(api.threaded_mainloop_wait, "pa_threaded_mainloop_wait");
    sym(api.threaded_mainloop_signal, "pa_threaded_mainloop_signal");
    sym(api.threaded_mainloop_get_api, "pa_threaded_mainloop_get_api");
    sym(api.context_new, "pa_context_new");
    sym(api.context_connect, "pa_context_connect");
    sym(api.context_disconnect, "pa_context_disconnect");
    sym(api.context_unref, "pa_context_unref");
    sym(api.context_get_state, "pa_context_get_state");
    sym(api.context_set_state_callback, "pa_context_set_state_callback");
    sym(api.context_errno, "pa_context_errno");
    sym(api.context_get_server_info, "pa_context_get_server_info");
    sym(api.context_get_sink_info_list, "pa_context_get_sink_info_list");
    sym(api.context_get_source_info_list, "pa_context_get_source_info_list");
    sym(api.context_set_subscribe_callback, "pa_context_set_subscribe_callback");
    sym(api.context_subscribe, "pa_context_subscribe");
    sym(api.operation_unref, "pa_operation_unref");
    sym(api.operation_get_state, "pa_operation_get_state");
    sym(api.strerror, "pa_strerror");
    sym(api.stream_new, "pa_stream_new");
    sym(api.stream_connect_record, "pa_stream_connect_record");
    sym(api.stream_connect_playback, "pa_stream_connect_playback");
    sym(api.stream_disconnect, "pa_stream_disconnect");
    sym(api.stream_unref, "pa_stream_unref");
    sym(api.stream_get_state, "pa_stream_get_state");
    sym(api.stream_set_state_callback, "pa_stream_set_state_callback");
    sym(api.stream_set_read_callback, "pa_stream_set_read_callback");
    sym(api.stream_set_write_callback, "pa_stream_set_write_callback");
    sym(api.stream_set_underflow_callback, "pa_stream_set_underflow_callback");
    sym(api.stream_set_moved_callback, "pa_stream_set_moved_callback");
    sym(api.stream_set_overflow_callback, "pa_stream_set_overflow_callback");
    sym(api.stream_peek, "pa_stream_peek");
    sym(api.stream_drop, "pa_stream_drop");
    sym(api.stream_begin_write, "pa_stream_begin_write");
    sym(api.stream_write, "pa_stream_write");
    sym(api.stream_writable_size, "pa_stream_writable_size");
    sym(api.stream_get_latency, "pa_stream_get_latency");
    sym(api.stream_cork, "pa_stream_cork");
    sym(api.stream_get_device_name, "pa_stream_get_device_name");
    if (ok) error.clear();
  });
  if (!error.empty()) {
    if (why) *why = error;
    return nullptr;
  }
  return &api;
}

}  // namespace pa

namespace {

std::string serverName() {
  const char* s = std::getenv("PULSE_SERVER");
  return s ? s : "the default socket";
}

/** A threaded mainloop with a connected context. Construct and destroy on a non-audio thread. */
class Connection {
 public:
  explicit Connection(const char* clientName) {
    std::string why;
    api_ = pa::load(&why);
    if (api_ == nullptr) throw AudioError(codes::kBackendUnavailable, "PulseAudio backend: " + why);
    loop_ = api_->threaded_mainloop_new();
    ctx_ = api_->context_new(api_->threaded_mainloop_get_api(loop_), clientName);
    api_->context_set_state_callback(ctx_, &Connection::onState, this);
    if (api_->context_connect(ctx_, nullptr, pa::CONTEXT_NOAUTOSPAWN, nullptr) < 0) {
      const std::string err = api_->strerror(api_->context_errno(ctx_));
      release();
      throw AudioError(codes::kBackendUnavailable, "no PulseAudio server at " + serverName() + ": " + err);
    }
    api_->threaded_mainloop_start(loop_);
    Lock lock(*this);
    for (;;) {
      const int st = api_->context_get_state(ctx_);
      if (st == pa::CONTEXT_READY) break;
      if (st == pa::CONTEXT_FAILED || st == pa::CONTEXT_TERMINATED) {
        const std::string err = api_->strerror(api_->context_errno(ctx_));
        lock.unlock();
        release();
        throw AudioError(codes::kBackendUnavailable, "no PulseAudio server at " + serverName() + ": " + err);
      }
      wait();
    }
  }
  ~Connection() { release(); }

  struct Lock {
    explicit Lock(Connection& c) : c_(c) { c_.api_->threaded_mainloop_lock(c_.loop_); }
    ~Lock() { unlock(); }
    void unlock() {
      if (locked_) c_.api_->threaded_mainloop_unlock(c_.loop_);
      locked_ = false;
    }
    Connection& c_;
    bool locked_ = true;
  };

  const pa::Api* api() const { return api_; }
  pa::context* ctx() const { return ctx_; }
  void wait() { api_->threaded_mainloop_wait(loop_); }
  void signal() { api_->threaded_mainloop_signal(loop_, 0); }
  std::string lastError() const { return api_->strerror(api_->context_errno(ctx_)); }

  /** Runs an operation to completion (caller holds the lock). */
  void await(pa::operation* op) {
    if (op == nullptr) return;
    while (api_->operation_get_state(op) == pa::OPERATION_RUNNING) wait();
    api_->operation_unref(op);
  }

  /** Stops the loop thread first so no callback runs while the owner is torn down. */
  void stopLoop() {
    if (loop_ != nullptr && running_) {
      api_->threaded_mainloop_stop(loop_);
      running_ = false;
    }
  }

 private:
  static void onState(pa::context*, void* self) { static_cast<Connection*>(self)->signal(); }
  void release() {
    if (loop_ == nullptr) return;
    stopLoop();
    if (ctx_ != nullptr) {
      api_->context_disconnect(ctx_);
      api_->context_unref(ctx_);
      ctx_ = nullptr;
    }
    api_->threaded_mainloop_free(loop_);
    loop_ = nullptr;
  }

  const pa::Api* api_ = nullptr;
  pa::threaded_mainloop* loop_ = nullptr;
  pa::context* ctx_ = nullptr;
  bool running_ = true;
};

struct ServerDefaults {
  std::string sink, source;
};

ServerDefaults queryDefaults(Connection& c) {
  ServerDefaults d;
  std::pair<ServerDefaults*, Connection*> ctx{&d, &c};
  c.await(c.api()->context_get_server_info(
      c.ctx(),
      [](pa::context*, const pa::server_info* i, void* p) {
        auto* pair = static_cast<std::pair<ServerDefaults*, Connection*>*>(p);
        if (i != nullptr) {
          pair->first->sink = i->default_sink_name ? i->default_sink_name : "";
          pair->first->source = i->default_source_name ? i->default_source_name : "";
        }
        pair->second->signal();
      },
      &ctx));
  return d;
}

std::vector<DeviceInfo> queryDevices(Connection& c) {
  struct Ctx {
    std::vector<DeviceInfo>* out;
    Connection* c;
    Direction kind;
  };
  std::vector<DeviceInfo> out;
  const ServerDefaults defaults = queryDefaults(c);
  auto cb = [](pa::context*, const pa::device_info_head* i, int eol, void* p) {
    auto* x = static_cast<Ctx*>(p);
    if (eol == 0 && i != nullptr) {
      DeviceInfo d;
      d.id = i->name;
      d.name = i->description ? i->description : i->name;
      d.kind = x->kind;
      d.sampleRate = i->spec.rate;
      d.channels = i->spec.channels;
      const size_t n = d.id.size();
      d.isMonitor = x->kind == Direction::Capture && n > 8 && d.id.compare(n - 8, 8, ".monitor") == 0;
      x->out->push_back(d);
    }
    if (eol != 0) x->c->signal();
  };
  Ctx sinks{&out, &c, Direction::Playback}, sources{&out, &c, Direction::Capture};
  c.await(c.api()->context_get_source_info_list(c.ctx(), cb, &sources));
  c.await(c.api()->context_get_sink_info_list(c.ctx(), cb, &sinks));
  for (auto& d : out)
    d.isDefault = d.id == (d.kind == Direction::Playback ? defaults.sink : defaults.source);
  return out;
}

class PulseStream final : public BackendStream {
 public:
  PulseStream(const StreamConfig& cfg, StreamCore& core) : cfg_(cfg), core_(core), conn_("voxwire") {
    const pa::Api* api = conn_.api();
    frameBytes_ = core.frameBytes();
    Connection::Lock lock(conn_);
    std::string device = cfg.deviceId;
    if (cfg.loopback) {
      if (device.empty()) device = queryDefaults(conn_).sink;
      device += ".monitor";
    }
    pa::sample_spec spec{cfg.format == SampleFormat::S16 ? pa::SAMPLE_S16LE : pa::SAMPLE_FLOAT32LE, cfg.sampleRate,
                         static_cast<uint8_t>(cfg.channels)};
    stream_ = api->stream_new(conn_.ctx(), cfg.direction == Direction::Capture ? "voxwire capture" : "voxwire playback",
                              &spec, nullptr);
    if (stream_ == nullptr)
      throw AudioError(codes::kUnsupportedFormat, "PulseAudio rejected " + std::to_string(cfg.sampleRate) + " Hz, " +
                                                      std::to_string(cfg.channels) + " channels: " + conn_.lastError());
    api->stream_set_state_callback(stream_, &PulseStream::onState, this);
    const uint32_t period = cfg.periodFrames * frameBytes_;
    pa::buffer_attr attr{};
    attr.maxlength = static_cast<uint32_t>(-1);
    attr.prebuf = static_cast<uint32_t>(-1);
    const int flags = pa::STREAM_START_CORKED | pa::STREAM_ADJUST_LATENCY | pa::STREAM_AUTO_TIMING_UPDATE |
                      pa::STREAM_INTERPOLATE_TIMING;
    const char* dev = device.empty() ? nullptr : device.c_str();
    int rc;
    if (cfg.direction == Direction::Capture) {
      attr.tlength = attr.minreq = static_cast<uint32_t>(-1);
      attr.fragsize = period;
      api->stream_set_read_callback(stream_, &PulseStream::onRead, this);
      api->stream_set_overflow_callback(stream_, &PulseStream::onXrun, this);
      rc = api->stream_connect_record(stream_, dev, &attr, flags);
    } else {
      attr.tlength = 2 * period;  // ADJUST_LATENCY: tlength is the whole device-side latency
      attr.minreq = period;
      attr.fragsize = static_cast<uint32_t>(-1);
      api->stream_set_write_callback(stream_, &PulseStream::onWrite, this);
      api->stream_set_underflow_callback(stream_, &PulseStream::onXrun, this);
      rc = api->stream_connect_playback(stream_, dev, &attr, flags, nullptr, nullptr);
    }
    int st = rc < 0 ? pa::STREAM_FAILED : api->stream_get_state(stream_);
    while (st != pa::STREAM_READY && st != pa::STREAM_FAILED && st != pa::STREAM_TERMINATED) {
      conn_.wait();
      st = api->stream_get_state(stream_);
    }
    if (st != pa::STREAM_READY) {
      const int err = api->context_errno(conn_.ctx());
      const std::string msg = api->strerror(err);
      api->stream_unref(stream_);
      stream_ = nullptr;
      if (err == pa::ERR_NOENTITY)
        throw AudioError(codes::kUnknownDevice, "no PulseAudio " +
                                                    std::string(cfg.direction == Direction::Capture ? "source" : "sink") +
                                                    " \"" + device + "\"");
      throw AudioError(codes::kUnsupportedFormat, "PulseAudio could not open the stream: " + msg);
    }
    const char* name = api->stream_get_device_name(stream_);
    deviceId_ = name ? name : device;
    // A stream on the default device (dev == nullptr) is moved by the server when the default changes.
    api->stream_set_moved_callback(stream_, &PulseStream::onMoved, this);
    ready_ = true;
  }

  ~PulseStream() override {
    {
      Connection::Lock lock(conn_);
      if (stream_ != nullptr) {
        const pa::Api* api = conn_.api();
        api->stream_set_state_callback(stream_, nullptr, nullptr);
        api->stream_set_read_callback(stream_, nullptr, nullptr);
        api->stream_set_write_callback(stream_, nullptr, nullptr);
        api->stream_set_underflow_callback(stream_, nullptr, nullptr);
        api->stream_set_overflow_callback(stream_, nullptr, nullptr);
        api->stream_set_moved_callback(stream_, nullptr, nullptr);
        api->stream_disconnect(stream_);
        api->stream_unref(stream_);
        stream_ = nullptr;
      }
    }
    conn_.stopLoop();
  }

  void start() override {
    Connection::Lock lock(conn_);
    running_.store(true, std::memory_order_release);
    conn_.await(conn_.api()->stream_cork(stream_, 0, &PulseStream::onCorked, this));
    // The server's write requests made while corked were ignored: answer them now.
    if (cfg_.direction == Direction::Playback) fill(conn_.api()->stream_writable_size(stream_));
  }
  void stop() override {
    Connection::Lock lock(conn_);
    running_.store(false, std::memory_order_release);
    if (stream_ != nullptr) conn_.await(conn_.api()->stream_cork(stream_, 1, &PulseStream::onCorked, this));
  }
  std::string deviceId() const override {
    std::lock_guard<std::mutex> lock(idMu_);
    return deviceId_;
  }

 private:
  // Mainloop thread, only when the server moves the stream (rare): never on the data path.
  static void onMoved(pa::stream* s, void* p) {
    auto* self = static_cast<PulseStream*>(p);
    const char* name = self->conn_.api()->stream_get_device_name(s);
    std::lock_guard<std::mutex> lock(self->idMu_);
    if (name) self->deviceId_ = name;
  }
  static void onCorked(pa::stream*, int, void* self) { static_cast<PulseStream*>(self)->conn_.signal(); }

  static void onState(pa::stream* s, void* p) {
    auto* self = static_cast<PulseStream*>(p);
    const int st = self->conn_.api()->stream_get_state(s);
    if (self->ready_ && (st == pa::STREAM_FAILED || st == pa::STREAM_TERMINATED))
      self->core_.fail("the PulseAudio stream failed (server gone or device removed)");
    self->conn_.signal();
  }

  static void onXrun(pa::stream*, void* p) {
    auto* self = static_cast<PulseStream*>(p);
    if (self->running_.load(std::memory_order_relaxed)) self->core_.deviceXrun();
  }

  void promoteOnce() {
    if (!promoted_) {
      promoteToRealtime("pulse");
      promoted_ = true;
    }
  }

  void updateLatency() {
    uint64_t usec = 0;
    int negative = 0;
    if (conn_.api()->stream_get_latency(stream_, &usec, &negative) == 0)
      core_.setDeviceLatencyNs(negative ? 0 : static_cast<int64_t>(usec) * 1000);
  }

  static void onRead(pa::stream* s, size_t, void* p) {
    auto* self = static_cast<PulseStream*>(p);
    const pa::Api* api = self->conn_.api();
    self->promoteOnce();
    const void* data = nullptr;
    size_t bytes = 0;
    while (api->stream_peek(s, &data, &bytes) == 0 && bytes > 0) {
      // data == nullptr is a hole (lost capture data): skip it, it has no samples to give.
      if (data != nullptr && self->running_.load(std::memory_order_relaxed))
        self->core_.produce(data, static_cast<uint32_t>(bytes / self->frameBytes_));
      api->stream_drop(s);
    }
    self->updateLatency();
  }

  static void onWrite(pa::stream*, size_t bytes, void* p) {
    auto* self = static_cast<PulseStream*>(p);
    if (!self->running_.load(std::memory_order_relaxed)) return;
    self->promoteOnce();
    self->fill(bytes);
  }

  void fill(size_t bytes) {
    const pa::Api* api = conn_.api();
    while (bytes >= frameBytes_) {
      void* buf = nullptr;
      size_t len = bytes;
      if (api->stream_begin_write(stream_, &buf, &len) < 0 || buf == nullptr) break;
      const uint32_t frames = static_cast<uint32_t>((len < bytes ? len : bytes) / frameBytes_);
      if (frames == 0) break;
      core_.consume(buf, frames);
      api->stream_write(stream_, buf, static_cast<size_t>(frames) * frameBytes_, nullptr, 0, pa::SEEK_RELATIVE);
      bytes -= static_cast<size_t>(frames) * frameBytes_;
    }
    updateLatency();
  }

  StreamConfig cfg_;
  StreamCore& core_;
  Connection conn_;
  pa::stream* stream_ = nullptr;
  uint32_t frameBytes_ = 0;
  mutable std::mutex idMu_;  // guards deviceId_ (changed by onMoved)
  std::string deviceId_;
  std::atomic<bool> running_{false};
  bool ready_ = false;
  bool promoted_ = false;  // mainloop thread only
};

/** Device-change watch: a context subscribed to sink, source and server (default) events. */
class PulseWatch final : public BackendStream {
 public:
  explicit PulseWatch(std::function<void()> changed) : changed_(std::move(changed)), conn_("voxwire device watch") {
    Connection::Lock lock(conn_);
    conn_.api()->context_set_subscribe_callback(conn_.ctx(), &PulseWatch::onEvent, this);
    conn_.await(conn_.api()->context_subscribe(
        conn_.ctx(), pa::SUBSCRIPTION_MASK_SINK | pa::SUBSCRIPTION_MASK_SOURCE | pa::SUBSCRIPTION_MASK_SERVER,
        [](pa::context*, int, void* self) { static_cast<PulseWatch*>(self)->conn_.signal(); }, this));
  }
  ~PulseWatch() override {
    {
      Connection::Lock lock(conn_);
      conn_.api()->context_set_subscribe_callback(conn_.ctx(), nullptr, nullptr);
    }
    conn_.stopLoop();
  }
  void start() override {}
  void stop() override {}
  std::string deviceId() const override { return ""; }

 private:
  static void onEvent(pa::context*, int, uint32_t, void* self) { static_cast<PulseWatch*>(self)->changed_(); }
  std::function<void()> changed_;
  Connection conn_;
};

class PulseBackend final : public Backend {
 public:
  const char* name() const override { return "pulse"; }

  std::string unavailableReason() override {
    try {
      Connection c("voxwire probe");
    } catch (const AudioError& e) {
      return e.what();
    }
    return "";
  }

  std::vector<DeviceInfo> listDevices() override {
    Connection c("voxwire device list");
    Connection::Lock lock(c);
    return queryDevices(c);
  }

  std::unique_ptr<BackendStream> open(const StreamConfig& cfg, StreamCore& core) override {
    if (cfg.exclusive) throw AudioError(codes::kUnsupportedFormat, "exclusive mode is WASAPI-only; PulseAudio mixes");
    if (cfg.sampleRate < 1 || cfg.sampleRate > 384000)
      throw AudioError(codes::kUnsupportedFormat,
                       "PulseAudio supports 1..384000 Hz, not " + std::to_string(cfg.sampleRate));
    if (cfg.channels < 1 || cfg.channels > 32)
      throw AudioError(codes::kUnsupportedFormat,
                       "PulseAudio supports 1..32 channels, not " + std::to_string(cfg.channels));
    if (cfg.loopback && cfg.direction != Direction::Capture)
      throw AudioError(codes::kInvalidArgument, "loopback applies to capture streams");
    return std::make_unique<PulseStream>(cfg, core);
  }

  std::unique_ptr<BackendStream> watchDevices(std::function<void()> changed) override {
    return std::make_unique<PulseWatch>(std::move(changed));
  }
};

}  // namespace

Backend* pulseBackend() {
  static PulseBackend* b = new PulseBackend();
  return b;
}

}  // namespace vox
