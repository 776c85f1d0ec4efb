// A fleet instance in its own process (for kill -9): registers FLEET_CALLS fake calls, prints READY.
import { createFleet, createFleetServer } from '../src/index.js';
import { FakeCall } from './fake-call.js';

const fleet = await createFleet({
  redis: process.env.FLEET_REDIS,
  instanceId: process.env.FLEET_INSTANCE,
  keyPrefix: process.env.FLEET_PREFIX,
  ttlMs: 1500,
  heartbeatMs: 300,
});
fleet.on('error', () => {});
for (const id of (process.env.FLEET_CALLS ?? '').split(',')) {
  const call = new FakeCall(id, 'audiocodes', '+15550100', 'child-agent');
  call.onHangup = (reason) => {
    console.log(`HANGUP ${id} ${reason}`);
    fleet.unregister(id, reason);
  };
  fleet.register(call);
}
if (process.env.FLEET_DRAIN_ON_SIGTERM) {
  fleet.drainOnSignals({
    deadlineMs: Number(process.env.FLEET_DRAIN_MS ?? 200),
    onDrained: (result) => {
      console.log(`DRAINED ${JSON.stringify(result)}`);
      process.exit(0);
    },
  });
}
if (process.env.FLEET_TOKEN) {
  const api = await createFleetServer({ fleet, token: process.env.FLEET_TOKEN });
  console.log(`PORT ${api.port}`);
}
console.log('READY');
setInterval(() => {}, 1 << 30);
