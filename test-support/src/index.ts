/** Helpers shared by the tests of several workspace packages. Never published. */
export { RawWsClient } from './bridge.js';
export { CHROMIUM, type LaunchChromiumOptions, launchChromium } from './chromium.js';
export {
  clientFrame,
  heapAfterGcMiB,
  openFds,
  type RawWebSocket,
  rawUpgrade,
  rssMiB,
  waitUntil,
} from './hostile-sockets.js';
export { type PulseServer, type StartPulseOptions, startPulse } from './pulse.js';
export { handleCounts, leakedSince, settleLeaks } from './resources.js';
