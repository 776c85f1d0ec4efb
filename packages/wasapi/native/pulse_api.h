// The slice of the PulseAudio client API this backend uses, declared here and resolved from
// libpulse.so.0 with dlopen at run time, so building needs no libpulse-dev and a machine without
// PulseAudio still loads the addon (the backend then reports itself unavailable).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace vox {
namespace pa {

struct threaded_mainloop;
struct mainloop_api;
struct context;
struct stream;
struct operation;

struct sample_spec {
  int format;
  uint32_t rate;
  uint8_t channels;
};
struct buffer_attr {
  uint32_t maxlength, tlength, prebuf, minreq, fragsize;
};
// Only the leading fields we read; the library owns the (larger) structs.
struct server_info {
  const char* user_name;
  const char* host_name;
  const char* server_version;
  const char* server_name;
  sample_spec spec;
  const char* default_sink_name;
  const char* default_source_name;
};
struct device_info_head {  // common prefix of pa_sink_info and pa_source_info
  const char* name;
  uint32_t index;
  const char* description;
  sample_spec spec;
};

constexpr int SAMPLE_S16LE = 3, SAMPLE_FLOAT32LE = 5;
constexpr int CONTEXT_READY = 4, CONTEXT_FAILED = 5, CONTEXT_TERMINATED = 6;
constexpr int STREAM_READY = 2, STREAM_FAILED = 3, STREAM_TERMINATED = 4;
constexpr int CONTEXT_NOAUTOSPAWN = 1;
constexpr int STREAM_START_CORKED = 0x1, STREAM_INTERPOLATE_TIMING = 0x2, STREAM_AUTO_TIMING_UPDATE = 0x8,
              STREAM_ADJUST_LATENCY = 0x2000;
constexpr int SEEK_RELATIVE = 0;
constexpr int SUBSCRIPTION_MASK_SINK = 0x1, SUBSCRIPTION_MASK_SOURCE = 0x2, SUBSCRIPTION_MASK_SERVER = 0x80;
constexpr int OPERATION_RUNNING = 0;
constexpr int ERR_NOENTITY = 5;

using context_notify_cb = void (*)(context*, void*);
using stream_notify_cb = void (*)(stream*, void*);
using stream_request_cb = void (*)(stream*, size_t, void*);
using server_info_cb = void (*)(context*, const server_info*, void*);
using device_info_cb = void (*)(context*, const device_info_head*, int eol, void*);
using subscribe_cb = void (*)(context*, int type, uint32_t idx, void*);
using success_cb = void (*)(context*, int success, void*);
using stream_success_cb = void (*)(stream*, int success, void*);

struct Api {
  threaded_mainloop* (*threaded_mainloop_new)();
  void (*threaded_mainloop_free)(threaded_mainloop*);
  int (*threaded_mainloop_start)(threaded_mainloop*);
  void (*threaded_mainloop_stop)(threaded_mainloop*);
  void (*threaded_mainloop_lock)(threaded_mainloop*);
  void (*threaded_mainloop_unlock)(threaded_mainloop*);
  void (*threaded_mainloop_wait)(threaded_mainloop*);
  void (*threaded_mainloop_signal)(threaded_mainloop*, int);
  mainloop_api* (*threaded_mainloop_get_api)(threaded_mainloop*);
  context* (*context_new)(mainloop_api*, const char*);
  int (*context_connect)(context*, const char*, int, const void*);
  void (*context_disconnect)(context*);
  void (*context_unref)(context*);
  int (*context_get_state)(const context*);
  void (*context_set_state_callback)(context*, context_notify_cb, void*);
  int (*context_errno)(const context*);
  operation* (*context_get_server_info)(context*, server_info_cb, void*);
  operation* (*context_get_sink_info_list)(context*, device_info_cb, void*);
  operation* (*context_get_source_info_list)(context*, device_info_cb, void*);
  void (*context_set_subscribe_callback)(context*, subscribe_cb, void*);
  operation* (*context_subscribe)(context*, int, success_cb, void*);
  void (*operation_unref)(operation*);
  int (*operation_get_state)(const operation*);
  const char* (*strerror)(int);
  stream* (*stream_new)(context*, const char*, const sample_spec*, const void*);
  int (*stream_connect_record)(stream*, const char*, const buffer_attr*, int);
  int (*stream_connect_playback)(stream*, const char*, const buffer_attr*, int, const void*, stream*);
  int (*stream_disconnect)(stream*);
  void (*stream_unref)(stream*);
  int (*stream_get_state)(const stream*);
  void (*stream_set_state_callback)(stream*, stream_notify_cb, void*);
  void (*stream_set_read_callback)(stream*, stream_request_cb, void*);
  void (*stream_set_write_callback)(stream*, stream_request_cb, void*);
  void (*stream_set_underflow_callback)(stream*, stream_notify_cb, void*);
  void (*stream_set_moved_callback)(stream*, stream_notify_cb, void*);
  void (*stream_set_overflow_callback)(stream*, stream_notify_cb, void*);
  int (*stream_peek)(stream*, const void**, size_t*);
  int (*stream_drop)(stream*);
  int (*stream_begin_write)(stream*, void**, size_t*);
  int (*stream_write)(stream*, const void*, size_t, void (*)(void*), int64_t, int);
  size_t (*stream_writable_size)(const stream*);
  int (*stream_get_latency)(stream*, uint64_t*, int*);
  operation* (*stream_cork)(stream*, int, stream_success_cb, void*);
  const char* (*stream_get_device_name)(const stream*);
};

/** The API, or nullptr with `why` set when libpulse.so.0 (or a symbol) is missing. */
const Api* load(std::string* why);

}  // namespace pa
}  // namespace vox
