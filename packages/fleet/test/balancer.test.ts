import { Haproxy, RedisProcess, type ServerProcess, waitUntil } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childPort, killChild, startChild } from './child.js';

const TOKEN = 'balancer-token-42';
const PREFIX = 'test-balancer:';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('three instances behind haproxy', () => {
  let redis: RedisProcess;
  let proxy: Haproxy;
  const children: Record<string, ServerProcess> = {};

  beforeAll(async () => {
    redis = await RedisProcess.start();
    for (const id of ['i1', 'i2', 'i3']) {
      children[id] = await startChild({
        redisUrl: redis.url,
        prefix: PREFIX,
        instanceId: id,
        calls: Array.from({ length: 20 }, (_, n) => `CA-${id}-${n}`),
        token: TOKEN,
        drainOnSigterm: true,
        drainMs: 1000, // long enough that the balancer sees /healthz go 503 before the instance exits
      });
    }
    proxy = await Haproxy.start(
      Object.fromEntries(Object.entries(children).map(([id, c]) => [id, childPort(c)])),
    );
  });

  afterAll(async () => {
    await proxy?.close();
    for (const c of Object.values(children)) killChild(c);
    await redis?.down();
  });

  it('answers control requests for every call from every instance, through the balancer', async () => {
    await waitUntil(async () => {
      const r = await fetch(`${proxy.url}/calls`, { headers: auth });
      return r.status === 200 && ((await r.json()) as { calls: unknown[] }).calls.length === 60;
    }, 'all 60 calls to be listed');
    const served = new Map<string, Set<string>>(); // answering instance → owners of the calls it reached
    for (const owner of ['i1', 'i2', 'i3']) {
      for (let n = 0; n < 20; n++) {
        const r = await fetch(`${proxy.url}/calls/CA-${owner}-${n}/metrics`, { headers: auth });
        expect(r.status).toBe(200);
        expect(await r.json()).toEqual({
          id: `CA-${owner}-${n}`,
          metrics: { turns: 0, turnLatencyP50Ms: 420 },
        });
        const by = r.headers.get('x-voxwire-instance') ?? '?';
        if (!served.has(by)) served.set(by, new Set());
        served.get(by)?.add(owner);
      }
    }
    // Round robin spread the 60 requests: every instance reached the calls of every instance.
    expect([...served.keys()].sort()).toEqual(['i1', 'i2', 'i3']);
    for (const owners of served.values()) expect([...owners].sort()).toEqual(['i1', 'i2', 'i3']);
  });

  it('drains one instance on SIGTERM: the balancer routes around it and no request fails', async () => {
    const doomed = children.i2;
    doomed.child.kill('SIGTERM');
    const statuses: number[] = [];
    const answeredBy: string[] = [];
    let exited = false;
    void doomed.exited.then(() => {
      exited = true;
    });
    // Keep asking through the balancer (bounded) until the instance has drained and exited.
    for (let i = 0; i < 2000 && !exited; i++) {
      const r = await fetch(`${proxy.url}/calls/CA-i3-7/metrics`, { headers: auth });
      statuses.push(r.status);
      answeredBy.push(r.headers.get('x-voxwire-instance') ?? '?');
      await r.arrayBuffer();
    }
    expect(exited).toBe(true);
    expect(await doomed.exited).toBe(0);
    expect(doomed.output()).toContain('HANGUP CA-i2-0 drain');
    expect(doomed.output()).toContain('DRAINED {"endedByThemselves":0,"hungUp":20}');
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(statuses.length).toBeGreaterThan(0);
    // After it is gone, only the survivors answer and its calls are gone from the registry.
    const after = await fetch(`${proxy.url}/calls`, { headers: auth });
    const owners = ((await after.json()) as { calls: { instanceId: string }[] }).calls.map(
      (c) => c.instanceId,
    );
    expect(owners.length).toBe(40);
    expect(owners.includes('i2')).toBe(false);
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${proxy.url}/healthz`);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-voxwire-instance')).not.toBe('i2');
    }
    const gone = await fetch(`${proxy.url}/calls/CA-i2-3/say`, {
      method: 'POST',
      headers: auth,
      body: '{"text":"hi"}',
    });
    expect(gone.status).toBe(404);
  });
});
