// WASAPI backend (Windows). Each stream owns one thread that does all of its COM work (MTA): it opens
// the endpoint, initialises the client (shared event-driven with AUTOCONVERTPCM | SRC_DEFAULT_QUALITY,
// IAudioClient3's minimum period when the format is the mix format, or exclusive with the
// aligned-buffer retry), reports the result back to open(), then waits for start and runs the event
// loop with MMCSS "Pro Audio". The loop only waits, copies through StreamCore and releases buffers.
// A stream opened on the default device registers an IMMNotificationClient and, when the default
// endpoint of its direction changes, reopens itself on the new one (the only time the loop allocates).
// route() says which initialisation path was taken and why the others were not.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
// clang-format off
#include <initguid.h>
#include <mmdeviceapi.h>
#include <audioclient.h>
#include <functiondiscoverykeys_devpkey.h>
#include <avrt.h>
// clang-format on

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "backend.h"
#include "stream_core.h"

namespace vox {
namespace {

template <typename T>
struct Com {  // minimal owning COM pointer
  T* p = nullptr;
  ~Com() { reset(); }
  void reset() {
    if (p) p->Release();
    p = nullptr;
  }
  T** put() {
    reset();
    return &p;
  }
  T* operator->() const { return p; }
  explicit operator bool() const { return p != nullptr; }
};

struct ComInit {
  HRESULT hr;
  ComInit() : hr(CoInitializeEx(nullptr, COINIT_MULTITHREADED)) {}
  ~ComInit() {
    if (SUCCEEDED(hr)) CoUninitialize();
  }
};

std::string utf8(const wchar_t* w) {
  if (!w) return "";
  int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, nullptr, 0, nullptr, nullptr);
  std::string s(n > 0 ? n - 1 : 0, '\0');
  if (n > 1) WideCharToMultiByte(CP_UTF8, 0, w, -1, &s[0], n, nullptr, nullptr);
  return s;
}
std::wstring wide(const std::string& s) {
  int n = MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, nullptr, 0);
  std::wstring w(n > 0 ? n - 1 : 0, L'\0');
  if (n > 1) MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, &w[0], n);
  return w;
}
std::string hex(HRESULT hr) {
  char buf[64];
  const char* name = hr == E_NOTIMPL                               ? " (E_NOTIMPL)"
                     : hr == AUDCLNT_E_EXCLUSIVE_MODE_NOT_ALLOWED  ? " (AUDCLNT_E_EXCLUSIVE_MODE_NOT_ALLOWED)"
                     : hr == AUDCLNT_E_UNSUPPORTED_FORMAT          ? " (AUDCLNT_E_UNSUPPORTED_FORMAT)"
                     : hr == AUDCLNT_E_WRONG_ENDPOINT_TYPE         ? " (AUDCLNT_E_WRONG_ENDPOINT_TYPE)"
                     : hr == AUDCLNT_E_DEVICE_IN_USE               ? " (AUDCLNT_E_DEVICE_IN_USE)"
                     : hr == AUDCLNT_E_DEVICE_INVALIDATED          ? " (AUDCLNT_E_DEVICE_INVALIDATED)"
                     : hr == E_NOINTERFACE                         ? " (E_NOINTERFACE)"
                                                                   : "";
  snprintf(buf, sizeof buf, "0x%08lX%s", static_cast<unsigned long>(hr), name);
  return buf;
}

void enumerator(Com<IMMDeviceEnumerator>& e) {
  HRESULT hr = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL, __uuidof(IMMDeviceEnumerator),
                                reinterpret_cast<void**>(e.put()));
  if (FAILED(hr)) throw AudioError(codes::kBackendUnavailable, "WASAPI: no MMDeviceEnumerator (" + hex(hr) + ")");
}

std::string deviceIdOf(IMMDevice* d) {
  LPWSTR id = nullptr;
  std::string out;
  if (SUCCEEDED(d->GetId(&id))) out = utf8(id);
  CoTaskMemFree(id);
  return out;
}

// KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT, spelled out so no ksuser import library is needed.
const GUID kSubtypePcm = {0x00000001, 0x0000, 0x0010, {0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71}};
const GUID kSubtypeFloat = {0x00000003, 0x0000, 0x0010, {0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71}};

WAVEFORMATEXTENSIBLE formatFor(const StreamConfig& cfg) {
  WAVEFORMATEXTENSIBLE f{};
  const WORD bits = cfg.format == SampleFormat::S16 ? 16 : 32;
  f.Format.wFormatTag = WAVE_FORMAT_EXTENSIBLE;
  f.Format.nChannels = static_cast<WORD>(cfg.channels);
  f.Format.nSamplesPerSec = cfg.sampleRate;
  f.Format.wBitsPerSample = bits;
  f.Format.nBlockAlign = static_cast<WORD>(cfg.channels * bits / 8);
  f.Format.nAvgBytesPerSec = cfg.sampleRate * f.Format.nBlockAlign;
  f.Format.cbSize = sizeof(WAVEFORMATEXTENSIBLE) - sizeof(WAVEFORMATEX);
  f.Samples.wValidBitsPerSample = bits;
  f.dwChannelMask = cfg.channels == 1 ? SPEAKER_FRONT_CENTER : cfg.channels == 2 ? (SPEAKER_FRONT_LEFT | SPEAKER_FRONT_RIGHT) : 0;
  f.SubFormat = cfg.format == SampleFormat::S16 ? kSubtypePcm : kSubtypeFloat;
  return f;
}

// IMMNotificationClient that reports changes through two callbacks (COM threads call it).
class Notifier final : public IMMNotificationClient {
 public:
  Notifier(std::function<void(EDataFlow, ERole)> onDefault, std::function<void()> onAny)
      : onDefault_(std::move(onDefault)), onAny_(std::move(onAny)) {}
  ULONG STDMETHODCALLTYPE AddRef() override { return ++refs_; }
  ULONG STDMETHODCALLTYPE Release() override {
    const ULONG n = --refs_;
    if (n == 0) delete this;
    return n;
  }
  HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void** out) override {
    if (riid == __uuidof(IUnknown) || riid == __uuidof(IMMNotificationClient)) {
      *out = static_cast<IMMNotificationClient*>(this);
      AddRef();
      return S_OK;
    }
    *out = nullptr;
    return E_NOINTERFACE;
  }
  HRESULT STDMETHODCALLTYPE OnDefaultDeviceChanged(EDataFlow flow, ERole role, LPCWSTR) override {
    if (onDefault_) onDefault_(flow, role);
    if (onAny_) onAny_();
    return S_OK;
  }
  HRESULT STDMETHODCALLTYPE OnDeviceAdded(LPCWSTR) override { return any(); }
  HRESULT STDMETHODCALLTYPE OnDeviceRemoved(LPCWSTR) override { return any(); }
  HRESULT STDMETHODCALLTYPE OnDeviceStateChanged(LPCWSTR, DWORD) override { return any(); }
  HRESULT STDMETHODCALLTYPE OnPropertyValueChanged(LPCWSTR, const PROPERTYKEY) override { return S_OK; }

 private:
  HRESULT any() {
    if (onAny_) onAny_();
    return S_OK;
  }
  std::atomic<ULONG> refs_{1};
  std::function<void(EDataFlow, ERole)> onDefault_;
  std::function<void()> onAny_;
};

// Registers a Notifier on its own enumerator for as long as it lives (the caller's thread has COM).
struct Registration {
  Com<IMMDeviceEnumerator> e;
  Notifier* n = nullptr;
  HRESULT hr = E_FAIL;
  explicit Registration(Notifier* notifier) : n(notifier) {
    try {
      enumerator(e);
      hr = e->RegisterEndpointNotificationCallback(n);
    } catch (const AudioError&) {
    }
  }
  ~Registration() {
    if (e && SUCCEEDED(hr)) e->UnregisterEndpointNotificationCallback(n);
    e.reset();
    n->Release();
  }
};

class WasapiStream final : public BackendStream {
 public:
  WasapiStream(const StreamConfig& cfg, StreamCore& core) : cfg_(cfg), core_(core) {
    startEvent_ = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    stopEvent_ = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    rerouteEvent_ = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    std::promise<std::string> opened;
    std::future<std::string> result = opened.get_future();
    thread_ = std::thread([this, &opened] { run(opened); });
    const std::string err = result.get();
    if (!err.empty()) {
      thread_.join();
      cleanupHandles();
      throw AudioError(errCode_, err);
    }
  }
  ~WasapiStream() override {
    quit_.store(true);
    SetEvent(stopEvent_);
    SetEvent(startEvent_);
    if (thread_.joinable()) thread_.join();
    cleanupHandles();
  }
  void start() override {
    running_.store(true);
    ResetEvent(stopEvent_);
    SetEvent(startEvent_);
  }
  void stop() override {
    running_.store(false);
    SetEvent(stopEvent_);
    // The loop acknowledges by pausing the client; wait until it has.
    while (active_.load()) Sleep(1);
  }
  std::string deviceId() const override {
    std::lock_guard<std::mutex> lock(infoMu_);
    return deviceId_;
  }
  std::string route() const override {
    std::lock_guard<std::mutex> lock(infoMu_);
    return route_;
  }

 private:
  void cleanupHandles() {
    if (startEvent_) CloseHandle(startEvent_);
    if (stopEvent_) CloseHandle(stopEvent_);
    if (rerouteEvent_) CloseHandle(rerouteEvent_);
    startEvent_ = stopEvent_ = rerouteEvent_ = nullptr;
  }
  void setInfo(const std::string& id, const std::string& route) {
    std::lock_guard<std::mutex> lock(infoMu_);
    deviceId_ = id;
    route_ = route;
  }
  EDataFlow flow() const { return cfg_.direction == Direction::Playback || cfg_.loopback ? eRender : eCapture; }

  std::string fail(const char* code, const std::string& msg) {
    errCode_ = code;
    return msg;
  }

  std::string openClient(Com<IAudioClient>& client, HANDLE event, UINT32& bufferFrames) {
    ComInit com;
    Com<IMMDeviceEnumerator> e;
    try {
      enumerator(e);
    } catch (const AudioError& err) {
      return fail(err.code, err.what());
    }
    const bool render = cfg_.direction == Direction::Playback || cfg_.loopback;
    Com<IMMDevice> dev;
    HRESULT hr = cfg_.deviceId.empty() ? e->GetDefaultAudioEndpoint(render ? eRender : eCapture, eConsole, dev.put())
                                       : e->GetDevice(wide(cfg_.deviceId).c_str(), dev.put());
    if (FAILED(hr)) return fail(codes::kUnknownDevice, "no WASAPI endpoint \"" + cfg_.deviceId + "\" (" + hex(hr) + ")");
    const std::string id = deviceIdOf(dev.p);
    std::string route;
    WAVEFORMATEXTENSIBLE wfx = formatFor(cfg_);
    const REFERENCE_TIME period = static_cast<REFERENCE_TIME>(cfg_.periodFrames) * 10000000LL / cfg_.sampleRate;
    for (int attempt = 0; attempt < 2; attempt++) {
      hr = dev->Activate(__uuidof(IAudioClient), CLSCTX_ALL, nullptr, reinterpret_cast<void**>(client.put()));
      if (FAILED(hr)) return fail(codes::kDevice, "IAudioClient activation failed (" + hex(hr) + ")");
      if (cfg_.exclusive) {
        REFERENCE_TIME dur = period;
        if (attempt == 1) {  // aligned-buffer retry: use the size the device asked for
          dur = static_cast<REFERENCE_TIME>(10000000.0 * bufferFrames / cfg_.sampleRate + 0.5);
        }
        hr = client->Initialize(AUDCLNT_SHAREMODE_EXCLUSIVE, AUDCLNT_STREAMFLAGS_EVENTCALLBACK, dur, dur,
                                &wfx.Format, nullptr);
        if (hr == AUDCLNT_E_BUFFER_SIZE_NOT_ALIGNED && attempt == 0) {
          client->GetBufferSize(&bufferFrames);
          continue;
        }
        if (FAILED(hr))
          return fail(codes::kUnsupportedFormat, "exclusive-mode WASAPI initialisation failed (" + hex(hr) +
                                                     (attempt == 1 ? ", after the aligned-buffer retry" : "") +
                                                     "); use mode: 'shared'");
        route = attempt == 1 ? "exclusive, event-driven, aligned-buffer retry" : "exclusive, event-driven";
      } else {
        DWORD flags = AUDCLNT_STREAMFLAGS_EVENTCALLBACK;
        if (cfg_.loopback) flags |= AUDCLNT_STREAMFLAGS_LOOPBACK;
        bool done = false;
        // IAudioClient3: the engine's minimum period, only at the mix format (Wine: E_NOTIMPL → fall back).
        Com<IAudioClient3> c3;
        WAVEFORMATEX* mix = nullptr;
        std::string why;  // why IAudioClient3's minimum period was not used
        if (cfg_.loopback) {
          why = "not for loopback";
        } else if (FAILED(hr = client->QueryInterface(__uuidof(IAudioClient3), reinterpret_cast<void**>(c3.put())))) {
          why = "no IAudioClient3 (" + hex(hr) + ")";
        } else if (FAILED(hr = client->GetMixFormat(&mix))) {
          why = "GetMixFormat " + hex(hr);
        } else if (mix->nSamplesPerSec != wfx.Format.nSamplesPerSec || mix->nChannels != wfx.Format.nChannels ||
                   mix->wBitsPerSample != wfx.Format.wBitsPerSample) {
          why = "not the mix format (" + std::to_string(mix->nSamplesPerSec) + " Hz, " + std::to_string(mix->nChannels) +
                " ch, " + std::to_string(mix->wBitsPerSample) + " bit)";
        } else {
          UINT32 def = 0, fund = 0, minP = 0, maxP = 0;
          if (FAILED(hr = c3->GetSharedModeEnginePeriod(mix, &def, &fund, &minP, &maxP))) {
            why = "GetSharedModeEnginePeriod " + hex(hr);
          } else if (FAILED(hr = c3->InitializeSharedAudioStream(AUDCLNT_STREAMFLAGS_EVENTCALLBACK, minP, mix, nullptr))) {
            why = "InitializeSharedAudioStream " + hex(hr);
            // a failed Initialize leaves the client unusable: activate a fresh one for the fallback
            hr = dev->Activate(__uuidof(IAudioClient), CLSCTX_ALL, nullptr, reinterpret_cast<void**>(client.put()));
            if (FAILED(hr)) {
              CoTaskMemFree(mix);
              return fail(codes::kDevice, "IAudioClient activation failed (" + hex(hr) + ")");
            }
          } else {
            done = true;
            route = "shared, event-driven, IAudioClient3 minimum period " + std::to_string(minP) + " frames";
          }
        }
        if (mix) CoTaskMemFree(mix);
        if (!done) {
          route = "shared, event-driven, AUTOCONVERTPCM|SRC_DEFAULT_QUALITY (IAudioClient3 minimum period unused: " +
                  why + ")";
          if (cfg_.loopback) route = "shared, event-driven, loopback, AUTOCONVERTPCM|SRC_DEFAULT_QUALITY";
          flags |= AUDCLNT_STREAMFLAGS_AUTOCONVERTPCM | AUDCLNT_STREAMFLAGS_SRC_DEFAULT_QUALITY;
          hr = client->Initialize(AUDCLNT_SHAREMODE_SHARED, flags, period * 2, 0, &wfx.Format, nullptr);
          if (FAILED(hr))
            return fail(codes::kUnsupportedFormat, "WASAPI rejected " + std::to_string(cfg_.sampleRate) + " Hz, " +
                                                       std::to_string(cfg_.channels) + " channels (" + hex(hr) + ")");
        }
      }
      break;
    }
    if (FAILED(client->SetEventHandle(event))) return fail(codes::kDevice, "IAudioClient::SetEventHandle failed");
    client->GetBufferSize(&bufferFrames);
    route += ", buffer " + std::to_string(bufferFrames) + " frames";
    if (reroutes_ > 0) route += ", re-routed " + std::to_string(reroutes_) + "x to the new default";
    setInfo(id, route);
    return "";
  }

  // Opens the client and its render/capture service; empty on success, else the error message.
  std::string openAll(Com<IAudioClient>& client, Com<IAudioCaptureClient>& cap, Com<IAudioRenderClient>& ren,
                      HANDLE event, UINT32& bufferFrames) {
    cap.reset();
    ren.reset();
    client.reset();
    std::string err = openClient(client, event, bufferFrames);
    if (!err.empty()) return err;
    HRESULT hr = cfg_.direction == Direction::Capture
                     ? client->GetService(__uuidof(IAudioCaptureClient), reinterpret_cast<void**>(cap.put()))
                     : client->GetService(__uuidof(IAudioRenderClient), reinterpret_cast<void**>(ren.put()));
    if (FAILED(hr) && cfg_.loopback)
      return fail(codes::kUnsupportedFormat, "loopback capture is not supported by this WASAPI implementation "
                                             "(GetService(IAudioCaptureClient) on a render endpoint: " + hex(hr) +
                                             "); capture the endpoint's monitor device instead if it has one");
    if (FAILED(hr)) return fail(codes::kDevice, "IAudioClient::GetService failed (" + hex(hr) + ")");
    return "";
  }

  // The default endpoint of this stream's direction changed: reopen on it unless it is the same one.
  // Returns false when the new default could not be opened (the stream then fails with a DeviceError).
  bool reroute(Com<IAudioClient>& client, Com<IAudioCaptureClient>& cap, Com<IAudioRenderClient>& ren,
               HANDLE event, UINT32& bufferFrames) {
    Com<IMMDeviceEnumerator> e;
    Com<IMMDevice> dev;
    try {
      enumerator(e);
    } catch (const AudioError&) {
      return true;
    }
    if (FAILED(e->GetDefaultAudioEndpoint(flow(), eConsole, dev.put())) || deviceIdOf(dev.p) == deviceId()) return true;
    reroutes_++;
    return openAll(client, cap, ren, event, bufferFrames).empty();
  }

  void run(std::promise<std::string>& opened) {
    ComInit com;
    HANDLE event = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    Com<IAudioClient> client;
    UINT32 bufferFrames = 0;
    Com<IAudioCaptureClient> cap;
    Com<IAudioRenderClient> ren;
    std::string err = openAll(client, cap, ren, event, bufferFrames);
    std::unique_ptr<Registration> watch;
    if (err.empty() && cfg_.deviceId.empty()) {  // follow the default device
      const EDataFlow mine = flow();
      HANDLE reroute = rerouteEvent_;
      watch = std::make_unique<Registration>(new Notifier(
          [mine, reroute](EDataFlow f, ERole role) {
            if (f == mine && role == eConsole) SetEvent(reroute);
          },
          nullptr));
    }
    const uint32_t frameBytes = core_.frameBytes();
    std::vector<uint8_t> silence(static_cast<size_t>(bufferFrames ? bufferFrames : 4096) * frameBytes, 0);
    opened.set_value(err);
    if (!err.empty()) {
      CloseHandle(event);
      return;
    }
    DWORD taskIndex = 0;
    HANDLE mmcss = nullptr;
    while (!quit_.load()) {
      WaitForSingleObject(startEvent_, INFINITE);
      if (quit_.load()) break;
      if (!mmcss) mmcss = AvSetMmThreadCharacteristicsW(L"Pro Audio", &taskIndex);
      if (WaitForSingleObject(rerouteEvent_, 0) == WAIT_OBJECT_0 && !reroute(client, cap, ren, event, bufferFrames)) {
        core_.fail("the default device changed and the new default could not be opened");
        break;
      }
      if (ren) {  // pre-roll: fill the buffer so playback starts without a glitch
        BYTE* buf = nullptr;
        if (SUCCEEDED(ren->GetBuffer(bufferFrames, &buf))) {
          core_.consume(buf, bufferFrames);
          ren->ReleaseBuffer(bufferFrames, 0);
        }
      }
      client->Start();
      active_.store(true);
      HANDLE waits[3] = {event, stopEvent_, rerouteEvent_};
      bool failed = false;
      for (;;) {
        const DWORD w = WaitForMultipleObjects(3, waits, FALSE, 2000);
        if (w == WAIT_OBJECT_0 + 1 || !running_.load()) break;
        if (w == WAIT_OBJECT_0 + 2) {
          client->Stop();
          if (!reroute(client, cap, ren, event, bufferFrames)) {
            core_.fail("the default device changed and the new default could not be opened");
            failed = true;
            break;
          }
          BYTE* buf = nullptr;
          if (ren && SUCCEEDED(ren->GetBuffer(bufferFrames, &buf))) {
            core_.consume(buf, bufferFrames);
            ren->ReleaseBuffer(bufferFrames, 0);
          }
          client->Start();
          continue;
        }
        if (w == WAIT_TIMEOUT) {
          core_.deviceXrun();
          continue;
        }
        if (cap) {
          UINT32 packet = 0;
          while (SUCCEEDED(cap->GetNextPacketSize(&packet)) && packet > 0) {
            BYTE* data = nullptr;
            UINT32 frames = 0;
            DWORD flags = 0;
            if (FAILED(cap->GetBuffer(&data, &frames, &flags, nullptr, nullptr))) break;
            if (flags & AUDCLNT_BUFFERFLAGS_DATA_DISCONTINUITY) core_.deviceXrun();
            const bool silent = (flags & AUDCLNT_BUFFERFLAGS_SILENT) != 0 || data == nullptr;
            if (silent) {  // in chunks of the preallocated silence (a re-routed device may have a bigger buffer)
              const UINT32 chunk = static_cast<UINT32>(silence.size() / frameBytes);
              for (UINT32 left = frames; left > 0;) {
                const UINT32 n = left < chunk ? left : chunk;
                core_.produce(silence.data(), n);
                left -= n;
              }
            } else {
              core_.produce(data, frames);
            }
            cap->ReleaseBuffer(frames);  // must release the whole packet
          }
        } else {
          UINT32 padding = 0;
          if (FAILED(client->GetCurrentPadding(&padding))) {
            core_.fail("the WASAPI endpoint was removed or became invalid");
            break;
          }
          const UINT32 room = bufferFrames - padding;
          BYTE* buf = nullptr;
          if (room > 0 && SUCCEEDED(ren->GetBuffer(room, &buf))) {
            core_.consume(buf, room);
            ren->ReleaseBuffer(room, 0);
          }
        }
        REFERENCE_TIME latency = 0;
        if (SUCCEEDED(client->GetStreamLatency(&latency))) core_.setDeviceLatencyNs(latency * 100);
      }
      if (client) client->Stop();
      active_.store(false);
      if (failed) break;
    }
    if (mmcss) AvRevertMmThreadCharacteristics(mmcss);
    CloseHandle(event);
  }

  StreamConfig cfg_;
  StreamCore& core_;
  mutable std::mutex infoMu_;  // guards deviceId_ and route_ (written at open and re-route only)
  std::string deviceId_, route_;
  int reroutes_ = 0;  // stream thread only
  const char* errCode_ = codes::kDevice;
  HANDLE startEvent_ = nullptr, stopEvent_ = nullptr, rerouteEvent_ = nullptr;
  std::atomic<bool> running_{false}, active_{false}, quit_{false};
  std::thread thread_;
};

// Device watching: a thread with COM that keeps an IMMNotificationClient registered until destroyed.
class WasapiWatch final : public BackendStream {
 public:
  explicit WasapiWatch(std::function<void()> changed) : changed_(std::move(changed)) {
    quit_ = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    std::promise<std::string> ready;
    std::future<std::string> result = ready.get_future();
    thread_ = std::thread([this, &ready] {
      ComInit com;
      std::function<void()> cb = changed_;
      Registration reg(new Notifier(nullptr, cb));
      ready.set_value(SUCCEEDED(reg.hr) ? "" : "RegisterEndpointNotificationCallback failed (" + hex(reg.hr) + ")");
      if (SUCCEEDED(reg.hr)) WaitForSingleObject(quit_, INFINITE);
    });
    const std::string err = result.get();
    if (!err.empty()) {
      thread_.join();
      CloseHandle(quit_);
      throw AudioError(codes::kBackendUnavailable, "WASAPI device watch: " + err);
    }
  }
  ~WasapiWatch() override {
    SetEvent(quit_);
    if (thread_.joinable()) thread_.join();
    CloseHandle(quit_);
  }
  void start() override {}
  void stop() override {}
  std::string deviceId() const override { return ""; }

 private:
  std::function<void()> changed_;
  HANDLE quit_ = nullptr;
  std::thread thread_;
};

class WasapiBackend final : public Backend {
 public:
  const char* name() const override { return "wasapi"; }
  std::string unavailableReason() override {
    ComInit com;
    try {
      Com<IMMDeviceEnumerator> e;
      enumerator(e);
    } catch (const AudioError& err) {
      return err.what();
    }
    return "";
  }
  std::vector<DeviceInfo> listDevices() override {
    ComInit com;
    Com<IMMDeviceEnumerator> e;
    enumerator(e);
    std::vector<DeviceInfo> out;
    for (EDataFlow flow : {eCapture, eRender}) {
      std::string defId;
      Com<IMMDevice> def;
      if (SUCCEEDED(e->GetDefaultAudioEndpoint(flow, eConsole, def.put()))) defId = deviceIdOf(def.p);
      Com<IMMDeviceCollection> list;
      if (FAILED(e->EnumAudioEndpoints(flow, DEVICE_STATE_ACTIVE, list.put()))) continue;
      UINT count = 0;
      list->GetCount(&count);
      for (UINT i = 0; i < count; i++) {
        Com<IMMDevice> d;
        if (FAILED(list->Item(i, d.put()))) continue;
        DeviceInfo info;
        info.id = deviceIdOf(d.p);
        info.kind = flow == eCapture ? Direction::Capture : Direction::Playback;
        info.isDefault = info.id == defId;
        Com<IPropertyStore> props;
        info.name = info.id;
        if (SUCCEEDED(d->OpenPropertyStore(STGM_READ, props.put()))) {
          PROPVARIANT v;
          PropVariantInit(&v);
          if (SUCCEEDED(props->GetValue(PKEY_Device_FriendlyName, &v)) && v.vt == VT_LPWSTR) info.name = utf8(v.pwszVal);
          PropVariantClear(&v);
        }
        Com<IAudioClient> client;
        WAVEFORMATEX* mix = nullptr;
        if (SUCCEEDED(d->Activate(__uuidof(IAudioClient), CLSCTX_ALL, nullptr, reinterpret_cast<void**>(client.put()))) &&
            SUCCEEDED(client->GetMixFormat(&mix))) {
          info.sampleRate = mix->nSamplesPerSec;
          info.channels = mix->nChannels;
          CoTaskMemFree(mix);
        }
        out.push_back(info);
      }
    }
    return out;
  }
  std::unique_ptr<BackendStream> watchDevices(std::function<void()> changed) override {
    return std::make_unique<WasapiWatch>(std::move(changed));
  }
  std::unique_ptr<BackendStream> open(const StreamConfig& cfg, StreamCore& core) override {
    if (cfg.sampleRate < 8000 || cfg.sampleRate > 384000 || cfg.channels < 1 || cfg.channels > 8)
      throw AudioError(codes::kUnsupportedFormat, "WASAPI streams take 8000..384000 Hz and 1..8 channels");
    if (cfg.loopback && cfg.direction != Direction::Capture)
      throw AudioError(codes::kInvalidArgument, "loopback applies to capture streams");
    return std::make_unique<WasapiStream>(cfg, core);
  }
};

}  // namespace

Backend* wasapiBackend() {
  static WasapiBackend* b = new WasapiBackend();
  return b;
}

}  // namespace vox
