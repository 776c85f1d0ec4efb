// Wakes the JS thread from an audio thread. The default, UvWake, uses libuv's uv_async_send (looked up
// in the running node binary at load time, because node-api-headers ships no uv.h): it is lock-free
// and allocation-free, and a pending flag carries the time stamp of the first unseen batch so that a
// burst of periods costs JS one callback. TsfnWake is the N-API ThreadSafeFunction fallback
// (coalesced with the same flag) and, for the benchmark baseline, one call per buffer.
#pragma once
#include <node_api.h>

#include <atomic>
#include <cstdint>

#include "stream_core.h"

namespace vox {

enum class WakeMode { Uv, Tsfn, TsfnPerBuffer };

class JsWake : public Wake {
 public:
  /** Called on the JS thread once the wake is fully released (its handle closed). */
  using Done = void (*)(void* arg);

  /** JS thread. `fn(deliveryNs)` is called on the JS thread for every wake-up. Throws AudioError. */
  static JsWake* create(napi_env env, napi_value fn, WakeMode mode, const char* resourceName);
  /** Whether the uv path is usable in this process (the node binary exports libuv). */
  static bool uvAvailable();

  /** JS thread: keep the event loop alive while set (a started stream), like a timer's ref(). */
  virtual void setRef(bool ref) = 0;
  /** JS thread: the JS function is held strongly only while set; otherwise weakly. */
  virtual void setStrong(bool strong) = 0;
  /** JS thread, once: no callback after this returns; `done(arg)` runs when resources are gone. */
  virtual void close(Done done, void* arg) = 0;
  virtual WakeMode mode() const = 0;

 protected:
  ~JsWake() override = default;
};

}  // namespace vox
