#include "backend.h"

namespace vox {

std::vector<std::string> compiledBackends() {
  std::vector<std::string> out;
#if defined(_WIN32)
  out.push_back("wasapi");
#endif
#if defined(VOX_WITH_PULSE)
  out.push_back("pulse");
#endif
#if defined(VOX_WITH_ALSA)
  out.push_back("alsa");
#endif
  out.push_back("null");
  return out;
}

Backend* findBackend(const std::string& name) {
  if (name == "null") return nullBackend();
#if defined(_WIN32)
  if (name == "wasapi") return wasapiBackend();
#endif
#if defined(VOX_WITH_PULSE)
  if (name == "pulse") return pulseBackend();
#endif
#if defined(VOX_WITH_ALSA)
  if (name == "alsa") return alsaBackend();
#endif
  return nullptr;
}

}  // namespace vox
