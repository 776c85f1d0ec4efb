/** Helpers shared by the tests of several workspace packages. Never published. */
export { CHROMIUM, type LaunchChromiumOptions, launchChromium } from './chromium.js';
export { handleCounts, leakedSince, settleLeaks } from './resources.js';
