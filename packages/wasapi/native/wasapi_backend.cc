// WASAPI backend (Windows). Each stream owns one thread that does all of its COM work (MTA): it opens
// the endpoint, initialises the client (shared event-driven with AUTOCONVERTPCM | SRC_DEFAULT_QUALITY,
// IAudioClient3's minimum period when the format is the mix format, or exclusive with the
// aligned-buffer retry), reports the result back to open(), then waits for start and runs the event
// loop with MMCSS "Pro Audio". The loop only waits, copies through StreamCore and releases buffers.
// Not done yet: re-routing on default-device change (IMMNotificationClient) and device watching.
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
  char buf[16];
  snprintf(buf, sizeof buf, "0x%08lX", static_cast<unsigned long>(hr));
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

class WasapiStream final : public BackendStream {
 public:
  WasapiStream(const StreamConfig& cfg, StreamCore& core) : cfg_(cfg), core_(core) {
    startEvent_ = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    stopEvent_ = CreateEventW(nullptr, TRUE, FALSE, nullptr);
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
  std::string deviceId() const override { return deviceId_; }

 private:
  void cleanupHandles() {
    if (startEvent_) CloseHandle(startEvent_);
    if (stopEvent_) CloseHandle(stopEvent_);
    startEvent_ = stopEvent_ = nullptr;
  }

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
    deviceId_ = deviceIdOf(dev.p);
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
                                                     "); use mode: 'shared'");
      } else {
        DWORD flags = AUDCLNT_STREAMFLAGS_EVENTCALLBACK;
        if (cfg_.loopback) flags |= AUDCLNT_STREAMFLAGS_LOOPBACK;
        bool done = false;
        // IAudioClient3: the engine's minimum period, only at the mix format (Wine: E_NOTIMPL → fall back).
        Com<IAudioClient3> c3;
        WAVEFORMATEX* mix = nullptr;
        if (!cfg_.loopback && SUCCEEDED(client->QueryInterface(__uuidof(IAudioClient3), reinterpret_cast<void**>(c3.put()))) &&
            SUCCEEDED(client->GetMixFormat(&mix)) && mix->nSamplesPerSec == wfx.Format.nSamplesPerSec &&
            mix->nChannels == wfx.Format.nChannels && mix->wBitsPerSample == wfx.Format.wBitsPerSample) {
          UINT32 def = 0, fund = 0, minP = 0, maxP = 0;
          if (SUCCEEDED(c3->GetSharedModeEnginePeriod(mix, &def, &fund, &minP, &maxP)) &&
              SUCCEEDED(c3->InitializeSharedAudioStream(AUDCLNT_STREAMFLAGS_EVENTCALLBACK, minP, mix, nullptr)))
            done = true;
        }
        if (mix) CoTaskMemFree(mix);
        if (!done) {
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
    return "";
  }

  void run(std::promise<std::string>& opened) {
    ComInit com;
    HANDLE event = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    Com<IAudioClient> client;
    UINT32 bufferFrames = 0;
    std::string err = openClient(client, event, bufferFrames);
    Com<IAudioCaptureClient> cap;
    Com<IAudioRenderClient> ren;
    if (err.empty()) {
      HRESULT hr = cfg_.direction == Direction::Capture
                       ? client->GetService(__uuidof(IAudioCaptureClient), reinterpret_cast<void**>(cap.put()))
                       : client->GetService(__uuidof(IAudioRenderClient), reinterpret_cast<void**>(ren.put()));
      if (FAILED(hr)) err = fail(codes::kDevice, "IAudioClient::GetService failed (" + hex(hr) + ")");
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
      if (ren) {  // pre-roll: fill the buffer so playback starts without a glitch
        BYTE* buf = nullptr;
        if (SUCCEEDED(ren->GetBuffer(bufferFrames, &buf))) {
          core_.consume(buf, bufferFrames);
          ren->ReleaseBuffer(bufferFrames, 0);
        }
      }
      client->Start();
      active_.store(true);
      HANDLE waits[2] = {event, stopEvent_};
      for (;;) {
        const DWORD w = WaitForMultipleObjects(2, waits, FALSE, 2000);
        if (w == WAIT_OBJECT_0 + 1 || !running_.load()) break;
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
            if (silent && static_cast<size_t>(frames) * frameBytes > silence.size()) frames = static_cast<UINT32>(silence.size() / frameBytes);
            core_.produce(silent ? silence.data() : data, frames);
            cap->ReleaseBuffer(frames);
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
      client->Stop();
      active_.store(false);
    }
    if (mmcss) AvRevertMmThreadCharacteristics(mmcss);
    CloseHandle(event);
  }

  StreamConfig cfg_;
  StreamCore& core_;
  std::string deviceId_;
  const char* errCode_ = codes::kDevice;
  HANDLE startEvent_ = nullptr, stopEvent_ = nullptr;
  std::atomic<bool> running_{false}, active_{false}, quit_{false};
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
