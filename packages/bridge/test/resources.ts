// Counts the process's live timers and sockets, to check a call leaves none behind.
export interface ResourceCount {
  timers: number;
  sockets: number;
}

export function liveResources(): ResourceCount {
  const info = process.getActiveResourcesInfo();
  return {
    timers: info.filter((r) => r === 'Timeout' || r === 'Immediate').length,
    sockets: info.filter((r) => r === 'TCPSocketWrap').length,
  };
}

/**
 * Waits (up to `timeoutMs`) for the live timers and sockets to fall back to `before`, and returns the last
 * count: closing handshakes take a few event-loop turns, a leak never ends.
 */
export async function resourcesAfter(before: ResourceCount, timeoutMs = 10_000): Promise<ResourceCount> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = liveResources();
    if ((now.timers <= before.timers && now.sockets <= before.sockets) || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 50));
  }
}
