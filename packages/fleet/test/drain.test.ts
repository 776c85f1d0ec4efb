import { freePort, RedisProcess, waitUntil } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { createFleet, createFleetServer, type DrainResult, FleetError } from '../src/index.js';
import { killChild, startChild } from './child.js';
import { FakeCall } from './fake-call.js';

const TOKEN = 'drain-token-abcdef';

describe('drain', () => {
  it('fails health, refuses new calls, lets calls end, then hangs up the rest with reason drain', async () => {
    await using fleet = await createFleet({ instanceId: 'solo' }); // no Redis: a single process
    await using api = await createFleetServer({ fleet, token: TOKEN });
    const ended: [string, string][] = [];
    fleet.on('callEnded', (call, reason) => ended.push([call.id, reason]));
    const calls = ['CA-1', 'CA-2', 'CA-3'].map((id) => {
      const c = new FakeCall(id);
      c.onHangup = (reason) => fleet.unregister(id, reason);
      fleet.register(c);
      return c;
    });
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);

    let result: DrainResult | undefined;
    const draining = fleet.drain({ deadlineMs: 60_000 }).then((r) => {
      result = r;
    });
    const health = await fetch(`${api.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'draining', draining: true, localCalls: 3 });
    expect(() => fleet.register(new FakeCall('CA-late'))).toThrow(FleetError);

    // Two calls end on their own; the drain is still waiting for the third.
    fleet.unregister('CA-1', 'caller-hangup');
    fleet.unregister('CA-2', 'agent-hangup');
    await waitUntil(() => fleet.registry.size === 1, 'two calls to have ended');
    expect(result).toBeUndefined();
    expect(calls[2].hungUp).toBeUndefined();
    // It ends too: the drain resolves without hanging anyone up.
    fleet.unregister('CA-3', 'caller-hangup');
    await draining;
    expect(result).toEqual({ endedByThemselves: 3, hungUp: 0 });
    expect(calls.map((c) => c.hungUp)).toEqual([undefined, undefined, undefined]);
    expect(ended).toEqual([
      ['CA-1', 'caller-hangup'],
      ['CA-2', 'agent-hangup'],
      ['CA-3', 'caller-hangup'],
    ]);
  });

  it('drains on POST /drain (token required, deadline checked)', async () => {
    await using fleet = await createFleet({ instanceId: 'api-drained' });
    await using api = await createFleetServer({ fleet, token: TOKEN });
    const c = new FakeCall('CA-api');
    c.onHangup = (reason) => fleet.unregister('CA-api', reason);
    fleet.register(c);
    const post = (body: string, token = TOKEN) =>
      fetch(`${api.url}/drain`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
    expect((await post('{}', 'wrong-token-123')).status).toBe(401);
    expect((await post('{"deadlineMs":"soon"}')).status).toBe(400);
    expect(fleet.draining).toBe(false);
    const res = await post('{"deadlineMs":100}');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ draining: true, localCalls: 1 });
    expect((await fetch(`${api.url}/healthz`)).status).toBe(503);
    await waitUntil(
      () => c.hungUp === 'drain' && fleet.registry.size === 0,
      'the call to be hung up by the drain',
    );
  });

  it('hangs up calls still live at the deadline, even one whose hangup never returns', async () => {
    const redis = await RedisProcess.start();
    try {
      const common = { redis: redis.url, keyPrefix: 'test-drain:', ttlMs: 5000, heartbeatMs: 500 };
      await using a = await createFleet({ ...common, instanceId: 'a' });
      await using b = await createFleet({ ...common, instanceId: 'b' });
      const polite = new FakeCall('CA-polite');
      polite.onHangup = (reason) => b.unregister('CA-polite', reason);
      const stuck = new FakeCall('CA-stuck');
      stuck.stuck = true;
      b.register(polite);
      b.register(stuck);
      await waitUntil(async () => (await a.list()).length === 2, 'both calls to be listed');
      const result = await b.drain({ deadlineMs: 200, hangupTimeoutMs: 200 });
      expect(result).toEqual({ endedByThemselves: 0, hungUp: 2 });
      expect([polite.hungUp, stuck.hungUp]).toEqual(['drain', 'drain']);
      expect(b.registry.size).toBe(0);
      await expect(b.drain()).resolves.toEqual(result); // idempotent: the same drain
      await waitUntil(async () => (await a.list()).length === 0, 'the drained calls to leave the registry');
      const text = await b.metrics.render();
      expect(text).toMatch(/voxwire_calls_ended_total\{reason="drain"\} 2/);
    } finally {
      await redis.down();
    }
  });

  it('drains on SIGTERM: the instance hangs up its calls with reason drain, leaves the registry and exits 0', async () => {
    const redis = await RedisProcess.start();
    const prefix = 'test-sigterm:';
    const child = await startChild({
      redisUrl: redis.url,
      prefix,
      instanceId: 'doomed',
      calls: ['CA-d1', 'CA-d2'],
      drainOnSigterm: true,
    });
    try {
      await using watcher = await createFleet({ redis: redis.url, keyPrefix: prefix, instanceId: 'watcher' });
      await waitUntil(async () => (await watcher.list()).length === 2, "the child's calls to be listed");
      child.child.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      expect(child.output()).toContain('HANGUP CA-d1 drain');
      expect(child.output()).toContain('HANGUP CA-d2 drain');
      expect(child.output()).toContain('DRAINED {"endedByThemselves":0,"hungUp":2}');
      // Deleted on the way out, not left to expire.
      expect(await watcher.list()).toEqual([]);
    } finally {
      killChild(child);
      await redis.down();
    }
  });

  it('works without Redis: local control, NOT_FOUND for the rest, createFleet rejects an unreachable Redis', async () => {
    await using fleet = await createFleet();
    const c = new FakeCall('CA-x');
    fleet.register(c);
    await fleet.request('CA-x', { type: 'say', text: 'hi' });
    expect(c.said).toEqual(['hi']);
    expect((await fleet.list()).map((i) => i.id)).toEqual(['CA-x']);
    await expect(fleet.request('CA-y', { type: 'mute' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const port = await freePort();
    await expect(
      createFleet({ redis: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
