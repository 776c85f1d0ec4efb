#include "js_wake.h"

#include <cstdlib>
#include <cstring>

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace vox {
namespace {

// The few libuv entry points we need, with the ABI of libuv 1.x (stable across Node >= 12).
constexpr int kUvAsync = 1;  // UV_ASYNC in uv_handle_type
struct UvApi {
  size_t (*handleSize)(int) = nullptr;
  int (*asyncInit)(void* loop, void* handle, void (*cb)(void* handle)) = nullptr;
  int (*asyncSend)(void* handle) = nullptr;
  void (*close)(void* handle, void (*cb)(void* handle)) = nullptr;
  void (*ref)(void* handle) = nullptr;
  void (*unref)(void* handle) = nullptr;
  bool ok = false;
};

template <typename T>
void lookup(T& slot, const char* name) {
#if defined(_WIN32)
  slot = reinterpret_cast<T>(GetProcAddress(GetModuleHandleW(nullptr), name));
#else
  slot = reinterpret_cast<T>(dlsym(RTLD_DEFAULT, name));
#endif
}

const UvApi& uv() {
  static const UvApi api = [] {
    UvApi a;
    if (std::getenv("VOXWIRE_AUDIO_NO_UV") != nullptr) return a;  // lets tests exercise the fallback
    lookup(a.handleSize, "uv_handle_size");
    lookup(a.asyncInit, "uv_async_init");
    lookup(a.asyncSend, "uv_async_send");
    lookup(a.close, "uv_close");
    lookup(a.ref, "uv_ref");
    lookup(a.unref, "uv_unref");
    a.ok = a.handleSize && a.asyncInit && a.asyncSend && a.close && a.ref && a.unref;
    return a;
  }();
  return api;
}

void throwIfFailed(napi_status st, const char* what) {
  if (st != napi_ok) throw AudioError(codes::kInvalidState, std::string("N-API call failed: ") + what);
}

/** Calls the JS wake function with the delivery latency; exceptions become uncaught exceptions. */
void callJs(napi_env env, napi_value fn, int64_t stampNs, napi_async_context ctx) {
  napi_value arg, global, result;
  const double delivery = stampNs > 0 ? static_cast<double>(nowNs() - stampNs) : 0.0;
  napi_create_double(env, delivery, &arg);
  napi_get_global(env, &global);
  napi_status st = ctx ? napi_make_callback(env, ctx, global, fn, 1, &arg, &result)
                       : napi_call_function(env, global, fn, 1, &arg, &result);
  if (st == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
}

class UvWake final : public JsWake {
 public:
  UvWake(napi_env env, napi_value fn, const char* resourceName) : env_(env) {
    const UvApi& api = uv();
    uv_loop_s* loop = nullptr;
    throwIfFailed(napi_get_uv_event_loop(env, &loop), "napi_get_uv_event_loop");
    throwIfFailed(napi_create_reference(env, fn, 0, &fn_), "napi_create_reference");
    napi_value resource, name;
    napi_create_object(env, &resource);
    napi_create_string_utf8(env, resourceName, NAPI_AUTO_LENGTH, &name);
    throwIfFailed(napi_async_init(env, resource, name, &ctx_), "napi_async_init");
    handle_ = std::calloc(1, api.handleSize(kUvAsync) + 64);
    if (api.asyncInit(loop, handle_, &UvWake::onAsync) != 0) {
      std::free(handle_);
      handle_ = nullptr;
      throw AudioError(codes::kInvalidState, "uv_async_init failed");
    }
    data() = this;
    api.unref(handle_);
  }

  void wake(int64_t stampNs) override {
    int64_t expected = 0;
    if (pending_.compare_exchange_strong(expected, stampNs, std::memory_order_acq_rel)) uv().asyncSend(handle_);
  }

  void setRef(bool ref) override { ref ? uv().ref(handle_) : uv().unref(handle_); }
  void setStrong(bool strong) override {
    uint32_t count = 0;
    if (strong && !strong_) napi_reference_ref(env_, fn_, &count);
    if (!strong && strong_) napi_reference_unref(env_, fn_, &count);
    strong_ = strong;
  }
  WakeMode mode() const override { return WakeMode::Uv; }

  void close(Done done, void* arg) override {
    // The handle outlives this object until libuv's close callback; it then carries only `done`.
    data() = new Closing{done, arg};
    uv().close(handle_, &UvWake::onClosed);
    napi_delete_reference(env_, fn_);
    napi_async_destroy(env_, ctx_);
    delete this;
  }

 private:
  struct Closing {
    Done done;
    void* arg;
  };
  // uv_handle_t starts with `void* data`.
  void*& data() { return *static_cast<void**>(handle_); }

  static void onAsync(void* handle) {
    auto* self = static_cast<UvWake*>(*static_cast<void**>(handle));
    const int64_t stamp = self->pending_.exchange(0, std::memory_order_acq_rel);
    // JS may close the stream from inside the callback, deleting `self`: copy what we need first.
    napi_env env = self->env_;
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    napi_value fn = nullptr;
    napi_get_reference_value(env, self->fn_, &fn);
    if (fn != nullptr) callJs(env, fn, stamp, self->ctx_);
    napi_close_handle_scope(env, scope);
  }
  static void onClosed(void* handle) {
    auto* closing = static_cast<Closing*>(*static_cast<void**>(handle));
    std::free(handle);
    if (closing->done) closing->done(closing->arg);
    delete closing;
  }

  napi_env env_;
  napi_ref fn_ = nullptr;
  napi_async_context ctx_ = nullptr;
  void* handle_ = nullptr;
  bool strong_ = false;
  std::atomic<int64_t> pending_{0};
};

class TsfnWake final : public JsWake {
 public:
  TsfnWake(napi_env env, napi_value fn, bool coalesce, const char* resourceName) : env_(env), coalesce_(coalesce) {
    napi_value name;
    napi_create_string_utf8(env, resourceName, NAPI_AUTO_LENGTH, &name);
    throwIfFailed(napi_create_threadsafe_function(env, fn, nullptr, name, 0, 1, this, &TsfnWake::onFinalize, this,
                                                  &TsfnWake::onCall, &tsfn_),
                  "napi_create_threadsafe_function");
    napi_unref_threadsafe_function(env, tsfn_);
  }

  void wake(int64_t stampNs) override {
    if (coalesce_) {
      int64_t expected = 0;
      if (!pending_.compare_exchange_strong(expected, stampNs, std::memory_order_acq_rel)) return;
    }
    napi_call_threadsafe_function(tsfn_, reinterpret_cast<void*>(static_cast<intptr_t>(stampNs)),
                                  napi_tsfn_nonblocking);
  }

  void setRef(bool ref) override {
    ref ? napi_ref_threadsafe_function(env_, tsfn_) : napi_unref_threadsafe_function(env_, tsfn_);
  }
  // The TSFN holds its function strongly until released; nothing to toggle.
  void setStrong(bool) override {}
  WakeMode mode() const override { return coalesce_ ? WakeMode::Tsfn : WakeMode::TsfnPerBuffer; }

  void close(Done done, void* arg) override {
    done_ = done;
    doneArg_ = arg;
    closed_ = true;
    if (finalized_) {  // Node already released it at environment teardown
      finish();
      return;
    }
    napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
  }

 private:
  static void onCall(napi_env env, napi_value fn, void* context, void* data) {
    auto* self = static_cast<TsfnWake*>(context);
    if (env == nullptr || fn == nullptr || self->closed_) return;  // queue drained at teardown
    int64_t stamp = static_cast<int64_t>(reinterpret_cast<intptr_t>(data));
    if (self->coalesce_) stamp = self->pending_.exchange(0, std::memory_order_acq_rel);
    callJs(env, fn, stamp, nullptr);
  }
  static void onFinalize(napi_env, void* data, void*) {
    auto* self = static_cast<TsfnWake*>(data);
    self->finalized_ = true;
    if (self->closed_) self->finish();
  }
  void finish() {
    if (done_) done_(doneArg_);
    delete this;
  }

  napi_env env_;
  bool coalesce_;
  bool closed_ = false;
  bool finalized_ = false;
  napi_threadsafe_function tsfn_ = nullptr;
  Done done_ = nullptr;
  void* doneArg_ = nullptr;
  std::atomic<int64_t> pending_{0};
};

}  // namespace

bool JsWake::uvAvailable() { return uv().ok; }

JsWake* JsWake::create(napi_env env, napi_value fn, WakeMode mode, const char* resourceName) {
  if (mode == WakeMode::Uv && !uv().ok) mode = WakeMode::Tsfn;
  if (mode == WakeMode::Uv) return new UvWake(env, fn, resourceName);
  return new TsfnWake(env, fn, mode == WakeMode::Tsfn, resourceName);
}

}  // namespace vox
