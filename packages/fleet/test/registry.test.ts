import { RedisProcess, waitUntil } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { createFleet, type FleetError } from '../src/index.js';
import { FakeCall } from './fake-call.js';

describe('the registry while Redis is away', () => {
  it('queues a bounded number of writes, counts what it dropped, and rewrites every live call on return', async () => {
    const redis = await RedisProcess.start();
    try {
      await using fleet = await createFleet({
        redis: redis.url,
        keyPrefix: 'test-registry:',
        instanceId: 'r',
        ttlMs: 3000,
        heartbeatMs: 300,
        maxPendingWrites: 2,
      });
      const errors: FleetError[] = [];
      let recovered = 0;
      fleet.on('error', (e) => errors.push(e));
      fleet.on('recovered', () => recovered++);
      fleet.register(new FakeCall('CA-0'));
      await waitUntil(async () => (await fleet.list()).length === 1, 'the first call to be written');

      await redis.down();
      await waitUntil(() => !fleet.status().connected, 'the fleet to see Redis gone');
      for (let i = 1; i <= 5; i++) fleet.register(new FakeCall(`CA-${i}`)); // never blocks, never throws
      fleet.unregister('CA-0', 'caller-hangup');
      expect(fleet.status()).toMatchObject({ localCalls: 5, pendingWrites: 2, droppedWrites: 4 });
      expect(errors.map((e) => e.code)).toEqual(['UNAVAILABLE']); // one report per outage

      await redis.up();
      await waitUntil(() => recovered === 1, 'the registry to report recovery');
      await waitUntil(async () => (await fleet.list()).length === 5, 'every live call to be written again');
      expect((await fleet.list()).map((c) => c.id).sort()).toEqual(['CA-1', 'CA-2', 'CA-3', 'CA-4', 'CA-5']);
      expect(fleet.status()).toMatchObject({ connected: true, pendingWrites: 0 });
    } finally {
      await redis.down();
    }
  });
});
