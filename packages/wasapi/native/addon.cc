// N-API surface of the addon: backend and device queries, NativeStream (one device stream wired to a
// ring and a JS wake-up) and DeviceWatch. Every stream of an environment is registered in its EnvState,
// whose async cleanup hook stops the audio threads and closes the wake handles before the environment
// (main thread or worker) goes away, so a process or worker with open streams exits cleanly.
#include <napi.h>

#include <memory>
#include <set>

#include "backend.h"
#include "js_wake.h"
#include "stream_core.h"

namespace vox {
namespace {

Napi::Error makeError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

[[noreturn]] void rethrow(Napi::Env env, const AudioError& e) { throw makeError(env, e.code, e.what()); }

/** Something that owns an audio thread and a JS wake and must be shut down with its environment. */
class Closable {
 public:
  virtual ~Closable() = default;
  /** Stops the thread and closes the wake; `done(arg)` when the wake's handle is gone. */
  virtual void shutdown(JsWake::Done done, void* arg) = 0;
};

class EnvState {
 public:
  explicit EnvState(napi_env env) : env_(env) {
    napi_add_async_cleanup_hook(env, &EnvState::onCleanup, this, &hook_);
  }
  void add(Closable* c) { live_.insert(c); }
  void remove(Closable* c) { live_.erase(c); }

 private:
  static void onCleanup(napi_async_cleanup_hook_handle handle, void* arg) {
    auto* self = static_cast<EnvState*>(arg);
    self->hook_ = handle;
    self->pending_ = 1;  // held until every shutdown has been issued
    const std::set<Closable*> live = self->live_;
    for (Closable* c : live) {
      self->pending_++;
      c->shutdown(&EnvState::onClosed, self);
    }
    onClosed(self);
  }
  static void onClosed(void* arg) {
    auto* self = static_cast<EnvState*>(arg);
    if (--self->pending_ == 0 && self->hook_ != nullptr) {
      napi_remove_async_cleanup_hook(self->hook_);
      self->hook_ = nullptr;
    }
  }

  napi_env env_;
  napi_async_cleanup_hook_handle hook_ = nullptr;
  int pending_ = 0;
  std::set<Closable*> live_;
};

EnvState* envState(Napi::Env env) { return env.GetInstanceData<EnvState>(); }

Direction parseDirection(Napi::Env env, const std::string& s) {
  if (s == "capture") return Direction::Capture;
  if (s == "playback") return Direction::Playback;
  throw makeError(env, codes::kInvalidArgument, "direction must be \"capture\" or \"playback\"");
}

Backend* requireBackend(Napi::Env env, const std::string& name) {
  Backend* b = findBackend(name);
  if (b == nullptr) throw makeError(env, codes::kBackendUnavailable, "backend \"" + name + "\" is not built into this addon");
  const std::string why = b->unavailableReason();
  if (!why.empty()) throw makeError(env, codes::kBackendUnavailable, why);
  return b;
}

Napi::Object deviceToJs(Napi::Env env, const DeviceInfo& d, const char* backend) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", d.id);
  o.Set("name", d.name);
  o.Set("kind", d.kind == Direction::Capture ? "input" : "output");
  o.Set("isDefault", d.isDefault);
  o.Set("isMonitor", d.isMonitor);
  o.Set("sampleRate", d.sampleRate);
  o.Set("channels", d.channels);
  o.Set("backend", backend);
  return o;
}

class NativeStream final : public Napi::ObjectWrap<NativeStream>, public Closable {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "NativeStream",
                       {
                           InstanceMethod<&NativeStream::Start>("start"),
                           InstanceMethod<&NativeStream::Stop>("stop"),
                           InstanceMethod<&NativeStream::Close>("close"),
                           InstanceMethod<&NativeStream::Stats>("stats"),
                           InstanceMethod<&NativeStream::RequestWake>("requestWake"),
                           InstanceMethod<&NativeStream::RequestClear>("requestClear"),
                           InstanceMethod<&NativeStream::SetRef>("setRef"),
                           InstanceMethod<&NativeStream::Failure>("failure"),
                       });
  }

  // new NativeStream(options, ringBytes: Uint8Array over the SharedArrayBuffer, onWake(deliveryNs))
  explicit NativeStream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeStream>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsTypedArray() || !info[2].IsFunction())
      throw makeError(env, codes::kInvalidArgument, "NativeStream(options, ring, onWake)");
    Napi::Object o = info[0].As<Napi::Object>();
    auto str = [&](const char* k, const char* dflt) {
      Napi::Value v = o.Get(k);
      return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string(dflt);
    };
    auto num = [&](const char* k, uint32_t dflt) {
      Napi::Value v = o.Get(k);
      return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : dflt;
    };
    auto flag = [&](const char* k) {
      Napi::Value v = o.Get(k);
      return v.IsBoolean() && v.As<Napi::Boolean>().Value();
    };
    StreamConfig cfg;
    cfg.direction = parseDirection(env, str("direction", ""));
    cfg.deviceId = str("deviceId", "");
    cfg.sampleRate = num("sampleRate", 48000);
    cfg.channels = num("channels", 1);
    cfg.format = str("format", "f32") == "s16" ? SampleFormat::S16 : SampleFormat::F32;
    cfg.periodFrames = num("periodFrames", cfg.sampleRate / 100);
    cfg.exclusive = str("mode", "shared") == "exclusive";
    cfg.loopback = flag("loopback");
    const std::string backendName = str("backend", "null");
    const std::string notify = str("notify", "uv");
    if (cfg.periodFrames == 0) throw makeError(env, codes::kInvalidArgument, "periodFrames must be positive");

    Backend* backend = requireBackend(env, backendName);
    backendName_ = backend->name();

    Napi::TypedArray ta = info[1].As<Napi::TypedArray>();
    if (ta.TypedArrayType() != napi_uint8_array)
      throw makeError(env, codes::kInvalidArgument, "ring must be a Uint8Array over the ring's SharedArrayBuffer");
    Napi::Uint8Array bytes = ta.As<Napi::Uint8Array>();
    RingView ring;
    const char* why = ring.attach(bytes.Data(), bytes.ByteLength());
    if (*why != '\0') throw makeError(env, codes::kInvalidArgument, why);
    const uint32_t wantType = cfg.format == SampleFormat::S16 ? ringlayout::kTypeInt16 : ringlayout::kTypeFloat32;
    if (ring.typeCode() != wantType)
      throw makeError(env, codes::kInvalidArgument, "ring element type does not match the stream format");
    ringRef_ = Napi::Persistent(bytes);

    const WakeMode mode = notify == "tsfn" ? WakeMode::Tsfn
                          : notify == "tsfn-per-buffer" ? WakeMode::TsfnPerBuffer
                                                        : WakeMode::Uv;
    try {
      wake_ = JsWake::create(env, info[2], mode, "voxwire.audio");
      core_ = std::make_unique<StreamCore>(cfg, ring, wake_);
      stream_ = backend->open(cfg, *core_);
    } catch (const AudioError& e) {
      releaseWake(nullptr, nullptr);
      rethrow(env, e);
    }
    deviceId_ = stream_->deviceId();
    env_ = envState(env);
    env_->add(this);
  }

  ~NativeStream() override { shutdown(nullptr, nullptr); }

  void shutdown(JsWake::Done done, void* arg) override {
    if (stream_) {
      stream_->stop();
      stream_.reset();
    }
    releaseWake(done, arg);
    if (env_ != nullptr) {
      env_->remove(this);
      env_ = nullptr;
    }
    if (!ringRef_.IsEmpty()) ringRef_.Reset();
  }

 private:
  void releaseWake(JsWake::Done done, void* arg) {
    if (wake_ != nullptr) {
      wake_->close(done, arg);
      wake_ = nullptr;
    } else if (done != nullptr) {
      done(arg);
    }
  }

  void requireOpen(Napi::Env env) {
    if (!stream_) throw makeError(env, codes::kInvalidState, "the stream is closed");
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    requireOpen(info.Env());
    try {
      stream_->start();
    } catch (const AudioError& e) {
      rethrow(info.Env(), e);
    }
    wake_->setStrong(true);
    wake_->setRef(refWhileRunning_);
    return info.Env().Undefined();
  }
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    requireOpen(info.Env());
    stream_->stop();
    wake_->setRef(false);
    wake_->setStrong(false);
    return info.Env().Undefined();
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    shutdown(nullptr, nullptr);
    return info.Env().Undefined();
  }
  Napi::Value RequestWake(const Napi::CallbackInfo& info) {
    if (core_ && stream_) core_->requestWake();
    return info.Env().Undefined();
  }
  // requestClear(): the audio thread drops what was written so far at its next period.
  Napi::Value RequestClear(const Napi::CallbackInfo& info) {
    if (core_ && stream_) core_->requestClear();
    return info.Env().Undefined();
  }
  // setRef(keepAlive, running): whether a running stream keeps the event loop alive.
  Napi::Value SetRef(const Napi::CallbackInfo& info) {
    refWhileRunning_ = info[0].ToBoolean().Value();
    if (wake_ != nullptr) wake_->setRef(refWhileRunning_ && info[1].ToBoolean().Value());
    return info.Env().Undefined();
  }
  // failure(): the message of a device/server failure, or undefined.
  Napi::Value Failure(const Napi::CallbackInfo& info) {
    const char* f = core_ ? core_->failure() : nullptr;
    return f ? Napi::String::New(info.Env(), f) : info.Env().Undefined();
  }
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    if (!core_) return o;
    const StreamCore::Snapshot s = core_->snapshot();
    o.Set("frames", static_cast<double>(s.frames));
    o.Set("periods", static_cast<double>(s.periods));
    o.Set("xruns", static_cast<double>(s.xruns));
    o.Set("deviceXruns", static_cast<double>(s.deviceXruns));
    o.Set("droppedFrames", static_cast<double>(s.droppedFrames));
    o.Set("silenceFrames", static_cast<double>(s.silenceFrames));
    o.Set("clearedFrames", static_cast<double>(core_->clearedFrames()));
    o.Set("playedFrames", static_cast<double>(s.playedFrames));
    o.Set("deviceLatencyNs", static_cast<double>(s.deviceLatencyNs));
    o.Set("lastPeriodNs", static_cast<double>(s.lastStampNs));
    o.Set("backend", backendName_);
    o.Set("deviceId", stream_ ? stream_->deviceId() : deviceId_);
    o.Set("route", stream_ ? stream_->route() : std::string());
    o.Set("notify", wake_ == nullptr                         ? "closed"
                    : wake_->mode() == WakeMode::Uv          ? "uv"
                    : wake_->mode() == WakeMode::Tsfn        ? "tsfn"
                                                             : "tsfn-per-buffer");
    return o;
  }

  std::string backendName_, deviceId_;
  Napi::Reference<Napi::Uint8Array> ringRef_;
  JsWake* wake_ = nullptr;
  std::unique_ptr<StreamCore> core_;
  std::unique_ptr<BackendStream> stream_;
  EnvState* env_ = nullptr;
  bool refWhileRunning_ = true;
};

/** A device-change subscription: backend watcher thread → coalesced JS wake. */
class DeviceWatch final : public Napi::ObjectWrap<DeviceWatch>, public Closable {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "DeviceWatch", {InstanceMethod<&DeviceWatch::Close>("close")});
  }
  // new DeviceWatch(backend, onChange)
  explicit DeviceWatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DeviceWatch>(info) {
    Napi::Env env = info.Env();
    Backend* backend = requireBackend(env, info[0].As<Napi::String>().Utf8Value());
    try {
      wake_ = JsWake::create(env, info[1], WakeMode::Uv, "voxwire.devicechange");
      JsWake* wake = wake_;
      watch_ = backend->watchDevices([wake] { wake->wake(nowNs()); });
    } catch (const AudioError& e) {
      shutdown(nullptr, nullptr);
      rethrow(env, e);
    }
    // The watch keeps no loop alive: device changes alone should not stop a process from exiting.
    wake_->setStrong(true);
    env_ = envState(env);
    env_->add(this);
  }
  ~DeviceWatch() override { shutdown(nullptr, nullptr); }

  void shutdown(JsWake::Done done, void* arg) override {
    watch_.reset();
    if (wake_ != nullptr) {
      wake_->close(done, arg);
      wake_ = nullptr;
    } else if (done != nullptr) {
      done(arg);
    }
    if (env_ != nullptr) {
      env_->remove(this);
      env_ = nullptr;
    }
  }

 private:
  Napi::Value Close(const Napi::CallbackInfo& info) {
    shutdown(nullptr, nullptr);
    return info.Env().Undefined();
  }
  JsWake* wake_ = nullptr;
  std::unique_ptr<BackendStream> watch_;
  EnvState* env_ = nullptr;
};

Napi::Value Backends(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (const std::string& name : compiledBackends()) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", name);
    Backend* b = findBackend(name);
    std::string why = b->unavailableReason();
    // Listed as unavailable for automatic choice; requireBackend() still opens it when asked by name.
    if (why.empty()) why = b->defaultDeviceProblem();
    o.Set("available", why.empty());
    if (!why.empty()) o.Set("reason", why);
    out.Set(i++, o);
  }
  return out;
}

Napi::Value ListDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Backend* backend = requireBackend(env, info[0].As<Napi::String>().Utf8Value());
  std::vector<DeviceInfo> devices;
  try {
    devices = backend->listDevices();
  } catch (const AudioError& e) {
    rethrow(env, e);
  }
  Napi::Array out = Napi::Array::New(env, devices.size());
  for (uint32_t i = 0; i < devices.size(); i++) out.Set(i, deviceToJs(env, devices[i], backend->name()));
  return out;
}

Napi::Value NowNs(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(nowNs())); }

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<EnvState>(new EnvState(env));
  exports.Set("NativeStream", NativeStream::Init(env));
  exports.Set("DeviceWatch", DeviceWatch::Init(env));
  exports.Set("backends", Napi::Function::New<Backends>(env, "backends"));
  exports.Set("listDevices", Napi::Function::New<ListDevices>(env, "listDevices"));
  exports.Set("nowNs", Napi::Function::New<NowNs>(env, "nowNs"));
  exports.Set("uvWake", Napi::Boolean::New(env, JsWake::uvAvailable()));
  return exports;
}

}  // namespace vox

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return vox::Init(env, exports); }
NODE_API_MODULE(voxwire_wasapi, InitAddon)
