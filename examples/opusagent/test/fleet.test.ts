// OpusAgent as a fleet, every part real and started here: redis-server, our realtime server as the model,
// three OpusAgent processes behind haproxy, and simulated Twilio callers placing 60+ calls through the
// balancer. Control from every instance reaches calls on every other; kill -9, a Redis restart and a rolling
// restart with drain are survived as documented in docs/DEPLOYMENT.md.
import { Haproxy, RawWsClient, RedisProcess, type ServerProcess, waitUntil } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type Caller,
  hangUp,
  type InstanceEnv,
  instancePort,
  kill,
  type ListedCall,
  listCalls,
  metric,
  placeCall,
  startInstance,
  startModel,
} from './fleet-helpers.js';

const IDS = ['i1', 'i2', 'i3'] as const;
type Id = (typeof IDS)[number];
/** Short, so that a rolling restart of three instances stays quick. */
const DRAIN_TIMEOUT_MS = 2500;

describe('OpusAgent fleet: three instances behind haproxy on Redis', { timeout: 90_000 }, () => {
  let redis: RedisProcess;
  let model: { process: ServerProcess; url: string } | undefined;
  let proxy: Haproxy | undefined;
  let env: InstanceEnv;
  const instances = {} as Record<Id, ServerProcess>;
  const ports = {} as Record<Id, number>;
  const callers = new Map<string, Caller>();
  let seq = 0;

  const place = async (n: number): Promise<Caller[]> => {
    const batch = await Promise.all(
      Array.from({ length: n }, () =>
        placeCall(proxy?.port ?? 0, `CAfleet${String(++seq).padStart(4, '0')}`),
      ),
    );
    for (const c of batch) callers.set(c.callSid, c);
    return batch;
  };
  const live = () => [...callers.values()].filter((c) => !c.isClosed);
  const byOwner = (calls: ListedCall[]) => {
    const out: Record<string, ListedCall[]> = {};
    for (const c of calls) {
      out[c.instanceId] ??= [];
      out[c.instanceId].push(c);
    }
    return out;
  };
  const ownerOf = async () => new Map((await listCalls(ports.i1)).map((c) => [c.id, c.instanceId]));
  /** Resolves once the balancer routes requests to instance `id` again. */
  const routedTo = (id: Id) =>
    waitUntil(async () => {
      const r = await fetch(`${proxy?.url}/healthz`).catch(() => undefined);
      return r?.headers.get('x-voxwire-instance') === id;
    }, `the balancer to route to ${id}`);

  beforeAll(async () => {
    redis = await RedisProcess.start();
    model = await startModel();
    env = { redisUrl: redis.url, modelUrl: model.url, drainTimeoutMs: DRAIN_TIMEOUT_MS };
    const started = await Promise.all(IDS.map((id) => startInstance(id, 0, env)));
    IDS.forEach((id, i) => {
      instances[id] = started[i];
      ports[id] = instancePort(started[i]);
    });
    proxy = await Haproxy.start(ports);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(live().map((c) => c.sim.close().catch(() => {})));
    await proxy?.close();
    for (const p of Object.values(instances)) kill(p);
    kill(model?.process);
    await redis?.down();
  });

  it('spreads 60 calls over the instances; control from every instance reaches calls on every other', async () => {
    await place(60);
    await waitUntil(
      async () => (await listCalls(ports.i1)).filter((c) => c.state === 'active').length === 60,
      'all 60 calls to be active in the registry',
      40_000,
    );
    const owners = byOwner(await listCalls(ports.i2));
    expect(Object.keys(owners).sort()).toEqual([...IDS]);
    const sample = owners.i3[0];
    expect(sample).toMatchObject({
      platform: 'twilio',
      agent: 'opusagent',
      caller: expect.stringMatching(/^\+1555/),
    });

    // Every instance reads live metrics of a call held by each other instance.
    for (const from of IDS) {
      for (const to of IDS) {
        if (from === to) continue;
        const r = await api(ports[from], `/calls/${owners[to][0].id}/metrics`);
        expect(r.status).toBe(200);
        expect(r.by).toBe(from);
        expect((r.json.metrics as Record<string, number>).chunksIn).toBeGreaterThan(0);
      }
    }

    // say (i1 → a call on i2): answered once the caller has heard it.
    const toSay = callers.get(owners.i2[1].id) as Caller;
    const heard0 = toSay.sim.playedMs();
    expect(
      (await api(ports.i1, `/calls/${toSay.callSid}/say`, { text: 'Your order has shipped.' })).status,
    ).toBe(200);
    expect(toSay.sim.playedMs()).toBeGreaterThan(heard0 + 500);

    // inject (i2 → a call on i3): a user turn the model answers out loud.
    const injected = callers.get(owners.i3[1].id) as Caller;
    expect((await api(ports.i2, `/calls/${injected.callSid}/inject`, { text: 'hello there' })).status).toBe(
      200,
    );
    await waitUntil(() => injected.sim.playedMs() > 500, 'the answer to the injected turn to be heard');
    await waitUntil(
      async () =>
        ((await api(ports.i1, `/calls/${injected.callSid}/metrics`)).json.metrics as Record<string, number>)
          .turns >= 1,
      'the turn to be counted',
    );

    // mute / unmute (i3 → a call on i1), visible in the registry from anywhere.
    const muted = owners.i1[1].id;
    expect((await api(ports.i3, `/calls/${muted}/mute`, {})).status).toBe(200);
    await waitUntil(
      async () => (await api(ports.i2, `/calls/${muted}`)).json.state === 'muted',
      'state muted',
    );
    expect((await api(ports.i2, `/calls/${muted}/metrics`)).json.metrics).toMatchObject({ muted: 1 });
    expect((await api(ports.i2, `/calls/${muted}/unmute`, {})).status).toBe(200);
    await waitUntil(
      async () => (await api(ports.i3, `/calls/${muted}`)).json.state === 'active',
      'state active',
    );

    // hangup (i2 → a call on i1): the caller hears the goodbye, then the line closes.
    const victim = callers.get(owners.i1[2].id) as Caller;
    const heard1 = victim.sim.playedMs();
    const hung = await api(ports.i2, `/calls/${victim.callSid}/hangup`, { reason: 'supervisor' });
    expect(hung.status).toBe(200);
    expect(await victim.closed).toBe(1000);
    expect(victim.hungUpByCaller).toBe(false);
    expect(victim.sim.playedMs()).toBeGreaterThan(heard1 + 500);
    await waitUntil(
      async () => (await api(ports.i3, `/calls/${victim.callSid}`)).status === 404,
      'entry gone',
    );
    expect((await api(ports.i3, `/calls/${victim.callSid}/say`, { text: 'hello?' })).status).toBe(404);

    // Prometheus on the owner: calls by reason, frames both ways, active calls, event-loop lag.
    expect(await metric(ports.i1, 'voxwire_calls_ended_total', 'reason="supervisor"')).toBe(1);
    expect(await metric(ports.i1, 'voxwire_frames_total', 'direction="in"')).toBeGreaterThan(0);
    expect(await metric(ports.i1, 'voxwire_frames_total', 'direction="out"')).toBeGreaterThan(0);
    expect(await metric(ports.i1, 'voxwire_active_calls')).toBe(owners.i1.length - 1);
    expect(await metric(ports.i1, 'voxwire_calls_started_total')).toBe(owners.i1.length);
    expect(await metric(ports.i1, 'voxwire_event_loop_lag_seconds')).toBeGreaterThan(0);

    // An AudioCodes conversation through the balancer is registered too, and is hung up from elsewhere.
    const vaic = await RawWsClient.connect(`ws://127.0.0.1:${proxy?.port}/audiocodes`, {
      authorization: 'Bearer vaic-token',
    });
    vaic.send({
      type: 'session.initiate',
      conversationId: 'ac-fleet-1',
      caller: '+15550100',
      supportedMediaFormats: ['raw/lpcm16_24'],
    });
    await waitUntil(
      async () => (await api(ports.i1, '/calls/ac-fleet-1')).status === 200,
      'the AudioCodes call listed',
    );
    const ac = (await api(ports.i2, '/calls/ac-fleet-1')).json;
    expect(ac).toMatchObject({ platform: 'audiocodes', caller: '+15550100', agent: 'opusagent' });
    const elsewhere = IDS.find((id) => id !== ac.instanceId) as Id;
    expect((await api(ports[elsewhere], '/calls/ac-fleet-1/hangup', { reason: 'supervisor' })).status).toBe(
      200,
    );
    await vaic.waitClosed();
    // The goodbye was played (a play stream with audio) before the hang-up activity.
    const types = vaic.messages.map((m) => (m as { type?: string }).type);
    expect(types.indexOf('playStream.chunk')).toBeGreaterThan(-1);
    expect(types.indexOf('playStream.chunk')).toBeLessThan(types.indexOf('activities'));
    expect(vaic.messages).toContainEqual({
      type: 'activities',
      conversationId: 'ac-fleet-1',
      activities: [{ type: 'event', name: 'hangup' }],
    });
  });

  it('kill -9 of one instance: its callers are cut off, its entries expire, every other call carries on', async () => {
    const owner = await ownerOf();
    const doomed = live().filter((c) => owner.get(c.callSid) === 'i3');
    const others = live().filter((c) => owner.get(c.callSid) !== 'i3');
    expect(doomed.length).toBeGreaterThan(0);
    instances.i3.child.kill('SIGKILL');
    await instances.i3.exited;
    await Promise.all(doomed.map((c) => c.closed)); // the caller's side ends (the balancer closes it)
    await waitUntil(
      async () => (await listCalls(ports.i1)).every((c) => c.instanceId !== 'i3'),
      "i3's entries to expire",
    );
    expect((await listCalls(ports.i2)).map((c) => c.id).sort()).toEqual(others.map((c) => c.callSid).sort());
    expect(others.every((c) => !c.isClosed)).toBe(true);
    const onI1 = others.find((c) => owner.get(c.callSid) === 'i1') as Caller;
    const chunks = async () =>
      ((await api(ports.i2, `/calls/${onI1.callSid}/metrics`)).json.metrics as Record<string, number>)
        .chunksIn;
    const before = await chunks();
    await waitUntil(async () => (await chunks()) > before + 10, 'caller audio to keep flowing on i1');

    instances.i3 = await startInstance('i3', ports.i3, env); // back on its port for what follows
    await routedTo('i3');
  });

  it('Redis restart: calls carry on, control fails fast with UNAVAILABLE, the registry recovers', async () => {
    await place(6); // some calls on the new i3 too
    const calls = live();
    await waitUntil(async () => (await listCalls(ports.i1)).length === calls.length, 'the new calls listed');
    const owner = await ownerOf();
    const target = calls.find((c) => owner.get(c.callSid) === 'i2') as Caller;
    await redis.down();
    const refused = await api(ports.i1, `/calls/${target.callSid}/say`, { text: 'anyone there?' });
    expect(refused.status).toBe(503);
    expect((refused.json.error as { code: string }).code).toBe('UNAVAILABLE');
    expect((await api(ports.i3, '/calls')).status).toBe(503);
    // Audio never waits on Redis: the owner still serves the call and its caller audio keeps flowing.
    const chunks = async () =>
      ((await api(ports.i2, `/calls/${target.callSid}/metrics`)).json.metrics as Record<string, number>)
        .chunksIn;
    const before = await chunks();
    await waitUntil(async () => (await chunks()) > before + 10, 'caller audio to keep flowing without Redis');
    await redis.up();
    await waitUntil(
      async () => (await listCalls(ports.i3)).length === calls.length,
      'every live call to be registered again',
    );
    expect((await api(ports.i1, `/calls/${target.callSid}/metrics`)).status).toBe(200);
    expect(calls.every((c) => !c.isClosed)).toBe(true);
  });

  it('rolling restart with drain: no call that ends within the deadline is dropped', async () => {
    for (const id of IDS) {
      const owner = await ownerOf();
      const mine = live().filter((c) => owner.get(c.callSid) === id);
      expect(mine.length).toBeGreaterThan(1);
      const instance = instances[id];
      instance.child.kill('SIGTERM');
      await waitUntil(
        async () => (await fetch(`http://127.0.0.1:${ports[id]}/health`)).status === 503,
        `${id} to report draining`,
      );
      // Half of its calls end within the deadline, by the caller: each must still be up when we hang up.
      const early = mine.slice(0, Math.ceil(mine.length / 2));
      const late = mine.slice(early.length);
      const heard = late.map((c) => c.sim.playedMs()); // before their goodbye
      await Promise.all(early.map(hangUp));
      expect(early.every((c) => c.hungUpByCaller)).toBe(true);
      // Calls placed meanwhile go to the other instances (a 503 upgrade is retried elsewhere by haproxy).
      const fresh = await place(2);
      await waitUntil(async () => {
        const listed = await ownerOf();
        return fresh.every((c) => listed.has(c.callSid));
      }, 'the calls placed during the drain to be listed');
      const freshOwners = await ownerOf();
      expect(fresh.map((c) => freshOwners.get(c.callSid)).filter((o) => o === id)).toEqual([]);
      // The rest outlive the deadline: each hears a goodbye and is closed cleanly, then the instance exits 0.
      expect(await instance.exited).toBe(0);
      expect(await Promise.all(late.map((c) => c.closed))).toEqual(late.map(() => 1000));
      for (const [i, c] of late.entries()) expect(c.sim.playedMs()).toBeGreaterThan(heard[i] + 500);
      expect(instance.output()).toMatch(
        new RegExp(`drained: ${early.length} calls ended by themselves, ${late.length} hung up`),
      );
      instances[id] = await startInstance(id, ports[id], env);
      await routedTo(id);
    }
    // Whatever is still up is listed, held by a running instance; nothing else closed on its own.
    await waitUntil(
      async () => (await listCalls(ports.i2)).length === live().length,
      'the registry to hold every live call',
    );
  });
});
