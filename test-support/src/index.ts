/** Helpers shared by the tests of several workspace packages. Never published. */
export { RawWsClient } from './bridge.js';
export { CHROMIUM, type LaunchChromiumOptions, launchChromium } from './chromium.js';
export { childProcessCount, type ServerProcess, spawnTsx } from './engines.js';
export { heapAfterGcMiB, openFds, rssMiB } from './process-probes.js';
export { type PulseServer, type StartPulseOptions, startPulse } from './pulse.js';
export { clientFrame, type RawWebSocket, rawUpgrade } from './raw-websocket.js';
export { handleCounts, leakedSince, settleLeaks } from './resources.js';
export { waitUntil } from './wait.js';
