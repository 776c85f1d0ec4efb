// The shared private PulseAudio server (@voxwire/test-support) with Nevil's sink. NEVIL_PULSE_SOCKET: a socket
// path fixed before the process started, for runs in worker threads (scripts/pi-arm64.mjs).
import { type PulseServer, startPulse } from '@voxwire/test-support';

export type TestPulse = PulseServer;

export function startTestPulse(sink = 'nevil_sink'): Promise<TestPulse> {
  return startPulse(sink, { socket: process.env.NEVIL_PULSE_SOCKET });
}
