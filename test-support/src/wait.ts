// The one polling wait of the workspace's tests: it waits on observable state, never on the clock alone.

/**
 * Resolves once `test()` holds, polling every 20 ms; rejects with `what` after `timeoutMs` (generous by
 * design: it bounds a hang, it does not measure anything). `test` may be async (a query to a browser page,
 * an HTTP probe); it is awaited before the next poll.
 */
export async function waitUntil(
  test: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
