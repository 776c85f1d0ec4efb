#include "backend.h"

#if defined(_WIN32)
#include <windows.h>
#else
#include <pthread.h>
#include <sched.h>
#endif

namespace vox {

void promoteToRealtime(const char* role) {
  (void)role;
#if defined(_WIN32)
  // WASAPI threads additionally join MMCSS "Pro Audio" (wasapi_backend.cc).
  SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_TIME_CRITICAL);
#else
  // SCHED_FIFO needs CAP_SYS_NICE or an rtprio limit; without them the thread keeps its normal policy.
  sched_param p{};
  p.sched_priority = sched_get_priority_min(SCHED_FIFO) + 10;
  pthread_setschedparam(pthread_self(), SCHED_FIFO, &p);
#endif
}

}  // namespace vox
