/**
 * Counts of the handles that leak when a peer is not cleaned up: UDP/TCP sockets, servers and timers. (Pipes
 * are left out: the test runner opens stdio pipes of its own lazily.)
 */
export function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) {
    if (/UDP|TCP|Timeout|Immediate/i.test(type)) counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/** Handles above `baseline`, by type (empty when nothing leaked). */
export function leakedSince(baseline: Record<string, number>): Record<string, number> {
  const now = handleCounts();
  const leaked: Record<string, number> = {};
  for (const [type, n] of Object.entries(now)) {
    const extra = n - (baseline[type] ?? 0);
    if (extra > 0) leaked[type] = extra;
  }
  return leaked;
}

/**
 * Waits until no handles above `baseline` remain (closing sockets release them on a later tick), or the
 * deadline passes; returns what is still leaked.
 */
export async function settleLeaks(
  baseline: Record<string, number>,
  waitMs = 3000,
): Promise<Record<string, number>> {
  const deadline = Date.now() + waitMs;
  let leaked = leakedSince(baseline);
  while (Object.keys(leaked).length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    leaked = leakedSince(baseline);
  }
  return leaked;
}
