// The one polling wait of the workspace's tests: it waits on observable state, never on the clock alone.

/**
 * Resolves once `test()` holds, polling every 20 ms; rejects with `what` after `timeoutMs` (generous by
 * design: it bounds a hang, it does not measure anything).
 */
export async function waitUntil(test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
