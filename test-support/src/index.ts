/** Helpers shared by the tests of several workspace packages. Never published. */

export { fdCount, RawWsClient, rssMb, settledMemory, waitUntil } from './bridge.js';
export { CHROMIUM, type LaunchChromiumOptions, launchChromium } from './chromium.js';
export { type PulseServer, type StartPulseOptions, startPulse } from './pulse.js';
export { handleCounts, leakedSince, settleLeaks } from './resources.js';
