import { isVoxwireError } from '@voxwire/core';
import { RedisProcess, waitUntil } from '@voxwire/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleet, type Fleet, FleetError } from '../src/index.js';
import { killChild, startChild } from './child.js';
import { FakeCall } from './fake-call.js';

const PREFIX = 'test-control:';

/** The FleetError a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<FleetError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FleetError);
    expect(isVoxwireError(err)).toBe(true);
    return err as FleetError;
  }
  throw new Error('expected a rejection');
}

function place(fleet: Fleet, id: string, platform = 'twilio'): FakeCall {
  const call = new FakeCall(id, platform, '+15550123', 'support-bot');
  call.onHangup = (reason) => fleet.unregister(id, reason);
  fleet.register(call);
  return call;
}

describe('fleet registry and cross-instance control on a real redis-server', () => {
  let redis: RedisProcess;
  let a: Fleet;
  let b: Fleet;
  const errorsA: FleetError[] = [];
  const errorsB: FleetError[] = [];

  beforeAll(async () => {
    redis = await RedisProcess.start();
    const common = { redis: redis.url, keyPrefix: PREFIX, ttlMs: 2000, heartbeatMs: 200 };
    a = await createFleet({ ...common, instanceId: 'a', requestTimeoutMs: 20_000 });
    b = await createFleet({ ...common, instanceId: 'b', requestTimeoutMs: 20_000 });
    a.on('error', (e) => errorsA.push(e));
    b.on('error', (e) => errorsB.push(e));
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.down();
  });

  it('lists every call of every instance, with its owner, and looks one up from anywhere', async () => {
    place(a, 'CA-a1');
    place(b, 'CA-b1', 'audiocodes');
    place(b, 'CA-b2');
    await waitUntil(async () => (await a.list()).length === 3, 'all three calls to be listed');
    const calls = await b.list();
    expect(calls.map((c) => [c.id, c.instanceId, c.platform]).sort()).toEqual([
      ['CA-a1', 'a', 'twilio'],
      ['CA-b1', 'b', 'audiocodes'],
      ['CA-b2', 'b', 'twilio'],
    ]);
    const b1 = await a.get('CA-b1');
    expect(b1).toMatchObject({ instanceId: 'b', caller: '+15550123', agent: 'support-bot', state: 'active' });
    expect(await a.get('CA-nobody')).toBeUndefined();
    expect(() => place(b, 'CA-b1')).toThrow(FleetError);
  });

  it('runs say, inject, mute, unmute and metrics on a call held by another instance', async () => {
    const call = b.registry.localCall('CA-b2') as FakeCall;
    await a.request('CA-b2', { type: 'say', text: 'Your order has shipped.' });
    await a.request('CA-b2', { type: 'inject', text: 'I want to cancel' });
    await a.request('CA-b2', { type: 'mute' });
    expect(call.muted).toBe(true);
    await a.request('CA-b2', { type: 'unmute' });
    expect(call.muted).toBe(false);
    expect(call.said).toEqual(['Your order has shipped.']);
    expect(call.injected).toEqual(['I want to cancel']);
    const metrics = await a.request('CA-b2', { type: 'metrics' });
    expect(metrics).toEqual({ turns: 2, turnLatencyP50Ms: 420 }); // NaN does not cross the wire
  });

  it('hangs up a remote call; afterwards it is NOT_FOUND at once, from every instance', async () => {
    const call = b.registry.localCall('CA-b1') as FakeCall;
    await a.request('CA-b1', { type: 'hangup', reason: 'supervisor' });
    expect(call.hungUp).toBe('supervisor');
    expect(b.registry.localCall('CA-b1')).toBeUndefined();
    await waitUntil(async () => (await a.get('CA-b1')) === undefined, 'the entry to be deleted');
    expect((await rejection(a.request('CA-b1', { type: 'say', text: 'hello?' }))).code).toBe('NOT_FOUND');
    expect((await rejection(b.request('CA-b1', { type: 'mute' }))).code).toBe('NOT_FOUND');
    expect((await rejection(a.request('CA-never', { type: 'mute' }))).code).toBe('NOT_FOUND');
  });

  it('reports what the remote call threw as ACTION_FAILED and refuses bad actions before sending', async () => {
    const failed = await rejection(a.request('CA-b2', { type: 'say', text: 'explode' }));
    expect(failed.code).toBe('ACTION_FAILED');
    expect(failed.message).toContain('the model session is closed');
    const bad = await rejection(a.request('CA-b2', { type: 'say', text: '   ' }));
    expect(bad.code).toBe('INVALID_ARGUMENT');
    const long = await rejection(a.request('CA-b2', { type: 'inject', text: 'x'.repeat(5000) }));
    expect(long.code).toBe('LIMIT_EXCEEDED');
    const unknown = await rejection(a.request('CA-b2', { type: 'transfer' } as never));
    expect(unknown.code).toBe('INVALID_ARGUMENT');
  });

  it('times out with TIMEOUT when the owning instance never answers', async () => {
    // An "instance" that subscribes to its control channel but never answers, owning one registry entry.
    const mute = new Redis(redis.url);
    const writer = new Redis(redis.url);
    try {
      await mute.subscribe(`${PREFIX}control:silent`);
      const entry = {
        instanceId: 'silent',
        id: 'CA-silent',
        platform: 'twilio',
        state: 'active',
        startedAt: 1,
        lastActivityAt: 1,
      };
      await writer.set(`${PREFIX}call:CA-silent`, JSON.stringify(entry), 'PX', 60_000);
      const quick = await createFleet({
        redis: redis.url,
        keyPrefix: PREFIX,
        instanceId: 'quick',
        requestTimeoutMs: 300,
      });
      try {
        const err = await rejection(quick.request('CA-silent', { type: 'mute' }));
        expect(err.code).toBe('TIMEOUT');
      } finally {
        await quick.close();
      }
      await writer.del(`${PREFIX}call:CA-silent`);
    } finally {
      mute.disconnect();
      writer.disconnect();
    }
  });

  it('survives hostile messages on its control channel and keeps answering', async () => {
    const writer = new Redis(redis.url);
    try {
      const before = errorsB.length;
      await writer.publish(`${PREFIX}control:b`, 'not json');
      await writer.publish(`${PREFIX}control:b`, '42');
      await writer.publish(`${PREFIX}control:b`, JSON.stringify({ rid: 1, callId: {} }));
      await writer.publish(`${PREFIX}control:b`, 'x'.repeat(70_000));
      await writer.publish(`${PREFIX}reply:b`, JSON.stringify({ ok: true }));
      await waitUntil(() => errorsB.length >= before + 5, 'b to report the five bad messages');
      expect(errorsB.slice(before).every((e) => e.code === 'INVALID_ARGUMENT')).toBe(true);
      await a.request('CA-b2', { type: 'say', text: 'still here' });
      expect((b.registry.localCall('CA-b2') as FakeCall).said).toContain('still here');
    } finally {
      writer.disconnect();
    }
  });

  it('forgets a kill -9ed instance: NOT_FOUND for its calls, its entries expire, other calls untouched', async () => {
    const child = await startChild({
      redisUrl: redis.url,
      prefix: PREFIX,
      instanceId: 'c',
      calls: ['CA-c1', 'CA-c2', 'CA-c3'],
    });
    try {
      await waitUntil(
        async () => (await a.list()).filter((c) => c.instanceId === 'c').length === 3,
        "c's calls to be listed",
      );
      expect(await a.request('CA-c2', { type: 'metrics' })).toEqual({ turns: 0, turnLatencyP50Ms: 420 });
      await b.request('CA-c1', { type: 'say', text: 'from b' }); // reaches the child and comes back
      child.child.kill('SIGKILL');
      await child.exited;
      // Redis sees its subscriber connection close. Its entries are still there (TTL), yet a request for
      // one of its calls is NOT_FOUND at once, not a 20 s timeout.
      const probe = new Redis(redis.url);
      try {
        await waitUntil(
          async () => ((await probe.pubsub('NUMSUB', `${PREFIX}control:c`)) as [string, number])[1] === 0,
          "Redis to drop the dead instance's subscription",
        );
      } finally {
        probe.disconnect();
      }
      expect((await rejection(a.request('CA-c3', { type: 'mute' }))).code).toBe('NOT_FOUND');
      await waitUntil(
        async () => (await a.list()).every((c) => c.instanceId !== 'c'),
        "c's entries to expire",
      );
      expect((await a.list()).map((c) => c.id).sort()).toEqual(['CA-a1', 'CA-b2']);
    } finally {
      killChild(child);
    }
  });

  it('fails a request caught by a Redis restart with UNAVAILABLE at once, never TIMEOUT, then recovers', async () => {
    // A call whose `say` takes until we let it go: the request is waiting for b's answer when Redis dies.
    const slow = place(b, 'CA-slow');
    let release: () => void = () => {};
    let reached = false;
    slow.say = (text) =>
      new Promise<void>((resolve) => {
        reached = true;
        release = () => {
          slow.said.push(text);
          resolve();
        };
      });
    try {
      await waitUntil(async () => (await a.get('CA-slow')) !== undefined, 'CA-slow to be listed');
      const inFlight = rejection(a.request('CA-slow', { type: 'say', text: 'hold on' }));
      await waitUntil(() => reached, 'the say to reach b');
      await redis.down();
      const err = await inFlight; // requestTimeoutMs is 20 s: only the fail-fast path settles it in time
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.message).toContain('Redis is unavailable');
      release();
      await redis.up();
      // While the instances reconnect, every failure is UNAVAILABLE (retry later), never TIMEOUT or NOT_FOUND.
      const codes = new Set<string>();
      await waitUntil(async () => {
        try {
          await a.request('CA-slow', { type: 'mute' });
          return true;
        } catch (e) {
          codes.add((e as FleetError).code);
          return false;
        }
      }, 'control to work again after the restart');
      expect([...codes].filter((c) => c !== 'UNAVAILABLE')).toEqual([]);
      expect(slow.muted).toBe(true);
    } finally {
      // Also when an assertion failed: the next test counts the registry's calls.
      b.unregister('CA-slow', 'caller-hangup');
    }
  });

  it('fails fast with UNAVAILABLE while Redis is down, keeps local calls controllable, and recovers', async () => {
    const before = errorsA.length;
    await redis.down();
    await waitUntil(() => !a.status().connected && !b.status().connected, 'both instances to see Redis gone');
    expect((await rejection(a.request('CA-b2', { type: 'say', text: 'anyone?' }))).code).toBe('UNAVAILABLE');
    expect((await rejection(a.list())).code).toBe('UNAVAILABLE');
    // Calls come and go while Redis is away: nothing blocks, the writes wait.
    const local = a.registry.localCall('CA-a1') as FakeCall;
    await a.request('CA-a1', { type: 'say', text: 'local still works' });
    expect(local.said).toEqual(['local still works']);
    place(a, 'CA-a2');
    place(b, 'CA-b3');
    b.unregister('CA-b2', 'caller-hangup');
    await waitUntil(() => errorsA.length > before, 'a to report the outage');
    expect(errorsA.slice(before).map((e) => e.code)).toContain('UNAVAILABLE');
    // Redis comes back empty (no persistence): every live call is registered again.
    await redis.up();
    await waitUntil(async () => {
      try {
        return (
          (await a.list())
            .map((c) => c.id)
            .sort()
            .join() === 'CA-a1,CA-a2,CA-b3'
        );
      } catch {
        return false;
      }
    }, 'the registry to recover');
    // b's control subscriber may reconnect after its registry writes: until then a request is refused,
    // undelivered, with UNAVAILABLE "has not resubscribed … retry" (nobody received it), as documented.
    await waitUntil(async () => {
      try {
        await a.request('CA-b3', { type: 'say', text: 'back' });
        return true;
      } catch (err) {
        if (err instanceof FleetError && /has not resubscribed/.test(err.message)) return false;
        throw err;
      }
    }, 'b to take control requests again');
    expect((b.registry.localCall('CA-b3') as FakeCall).said).toEqual(['back']);
    expect(a.status()).toMatchObject({ connected: true, pendingWrites: 0 });
  });
});
