/** Helpers shared by the tests of several workspace packages. Never published. */
export { handleCounts, leakedSince, settleLeaks } from './resources.js';
