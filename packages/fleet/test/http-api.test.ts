import { request } from 'node:http';
import { RedisProcess, waitUntil } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleet, createFleetServer, type Fleet, type FleetServer } from '../src/index.js';
import { FakeCall } from './fake-call.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

const TOKEN = 'test-token-0123456789';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

/** One HTTP request with node:http (so a 413 sent mid-upload is still read). */
function call(
  server: FleetServer,
  method: string,
  path: string,
  options: { token?: string | null; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-length'] ??= String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

describe('the fleet HTTP API', () => {
  let redis: RedisProcess;
  let a: Fleet;
  let b: Fleet;
  let api: FleetServer;
  let b1: FakeCall;

  beforeAll(async () => {
    redis = await RedisProcess.start();
    const common = { redis: redis.url, keyPrefix: 'test-http:', ttlMs: 5000, heartbeatMs: 500 };
    a = await createFleet({ ...common, instanceId: 'a' });
    b = await createFleet({ ...common, instanceId: 'b' });
    b1 = new FakeCall('CA-b1', 'twilio', '+15550199', 'sales');
    b1.onHangup = (reason) => b.unregister('CA-b1', reason);
    b.register(b1);
    api = await createFleetServer({ fleet: a, token: TOKEN, maxBodyBytes: 1024 });
  });

  afterAll(async () => {
    await api?.close();
    await a?.close();
    await b?.close();
    await redis?.down();
  });

  it('lists and shows calls of other instances', async () => {
    await waitUntil(
      async () => ((await call(api, 'GET', '/calls')).json().calls as unknown[]).length === 1,
      'the call to be listed',
    );
    const list = (await call(api, 'GET', '/calls')).json().calls as { id: string; instanceId: string }[];
    expect(list.map((c) => [c.id, c.instanceId])).toEqual([['CA-b1', 'b']]);
    const one = await call(api, 'GET', '/calls/CA-b1');
    expect(one.status).toBe(200);
    expect(one.json()).toMatchObject({ id: 'CA-b1', instanceId: 'b', caller: '+15550199', agent: 'sales' });
  });

  it('runs say, inject, mute, unmute and metrics on the owning instance', async () => {
    expect(
      (await call(api, 'POST', '/calls/CA-b1/say', { body: '{"text":"Hello from the supervisor"}' })).status,
    ).toBe(200);
    expect((await call(api, 'POST', '/calls/CA-b1/inject', { body: '{"text":"transfer me"}' })).status).toBe(
      200,
    );
    expect((await call(api, 'POST', '/calls/CA-b1/mute')).status).toBe(200);
    expect(b1.muted).toBe(true);
    expect((await call(api, 'POST', '/calls/CA-b1/unmute', { body: '' })).status).toBe(200);
    expect(b1.muted).toBe(false);
    expect(b1.said).toEqual(['Hello from the supervisor']);
    expect(b1.injected).toEqual(['transfer me']);
    const m = await call(api, 'GET', '/calls/CA-b1/metrics');
    expect(m.json()).toEqual({ id: 'CA-b1', metrics: { turns: 2, turnLatencyP50Ms: 420 } });
  });

  it('answers hostile input with the right status and keeps serving', async () => {
    const wrong = await call(api, 'GET', '/calls', { token: 'test-token-0123456788' });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await call(api, 'GET', '/calls', { token: null })).status).toBe(401);
    expect((await call(api, 'GET', '/calls', { token: '' })).status).toBe(401);
    expect((await call(api, 'POST', '/calls/CA-b1/say', { token: 'x', body: '{"text":"hi"}' })).status).toBe(
      401,
    );
    expect(b1.said).toEqual(['Hello from the supervisor']);

    const bad = await call(api, 'POST', '/calls/CA-b1/say', { body: '{"text":' });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect((await call(api, 'POST', '/calls/CA-b1/say', { body: '[1,2]' })).status).toBe(400);
    expect((await call(api, 'POST', '/calls/CA-b1/say', { body: '{"text":42}' })).status).toBe(400);
    expect((await call(api, 'POST', '/calls/CA-b1/say', { body: '{"type":"hangup"}' })).status).toBe(400);
    expect(
      (await call(api, 'POST', '/calls/CA-b1/hangup', { body: '{"reason":{"toString":1}}' })).status,
    ).toBe(400);
    expect((await call(api, 'GET', '/calls/%E0%A4%A/metrics')).status).toBe(400);

    const big = await call(api, 'POST', '/calls/CA-b1/say', {
      body: JSON.stringify({ text: 'x'.repeat(5000) }),
    });
    expect(big.status).toBe(413);
    const lying = await call(api, 'POST', '/calls/CA-b1/say', {
      body: JSON.stringify({ text: 'y'.repeat(100) }),
      headers: { 'content-length': '999999999' },
    });
    expect(lying.status).toBe(413);

    const unknown = await call(api, 'POST', '/calls/CA-nobody/say', { body: '{"text":"hi"}' });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await call(api, 'GET', '/calls/CA-nobody')).status).toBe(404);
    expect((await call(api, 'GET', '/calls/CA-b1/transfer')).status).toBe(404);
    expect((await call(api, 'GET', '/nothing')).status).toBe(404);
    expect((await call(api, 'GET', '/calls/CA-b1/say')).status).toBe(405);
    expect((await call(api, 'DELETE', '/calls')).status).toBe(405);
    // Still serving, and the call untouched.
    expect((await call(api, 'GET', '/calls/CA-b1')).status).toBe(200);
    expect(b1.said).toEqual(['Hello from the supervisor']);
  });

  it('serves Prometheus text that parses, with calls, errors and event-loop lag', async () => {
    a.metrics.observeTurnLatency(640);
    a.metrics.observeHopLatency('model', 310);
    a.metrics.countFrames(50, 48);
    a.metrics.countUnderruns(2);
    const local = new FakeCall('CA-a1');
    a.register(local);
    a.unregister('CA-a1', 'caller-hangup');
    const res = await call(api, 'GET', '/metrics', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const e = parsePrometheusText(res.text);
    expect(e.types.get('voxwire_active_calls')).toBe('gauge');
    expect(e.types.get('voxwire_turn_latency_seconds')).toBe('histogram');
    expect(sampleValue(e, 'voxwire_active_calls')).toBe(0);
    expect(sampleValue(e, 'voxwire_calls_started_total', { platform: 'twilio' })).toBe(1);
    expect(sampleValue(e, 'voxwire_calls_ended_total', { reason: 'caller-hangup' })).toBe(1);
    expect(sampleValue(e, 'voxwire_turn_latency_seconds_count')).toBe(1);
    expect(sampleValue(e, 'voxwire_turn_latency_seconds_bucket', { le: '0.75' })).toBe(1);
    expect(sampleValue(e, 'voxwire_turn_latency_seconds_bucket', { le: '0.5' })).toBe(0);
    expect(sampleValue(e, 'voxwire_hop_latency_seconds_count', { hop: 'model' })).toBe(1);
    expect(sampleValue(e, 'voxwire_frames_total', { direction: 'in' })).toBe(50);
    expect(sampleValue(e, 'voxwire_frames_total', { direction: 'out' })).toBe(48);
    expect(sampleValue(e, 'voxwire_underruns_total')).toBe(2);
    expect(sampleValue(e, 'voxwire_event_loop_lag_seconds', { quantile: '0.99' })).toBeGreaterThanOrEqual(0);
  });

  it('hangs up through the API, then the call is 404', async () => {
    const res = await call(api, 'POST', '/calls/CA-b1/hangup', { body: '{"reason":"supervisor"}' });
    expect(res.status).toBe(200);
    expect(b1.hungUp).toBe('supervisor');
    await waitUntil(
      async () => (await call(api, 'GET', '/calls/CA-b1')).status === 404,
      'the call to be gone',
    );
    expect((await call(api, 'POST', '/calls/CA-b1/say', { body: '{"text":"hi"}' })).status).toBe(404);
  });

  it('turns Redis outages into 503 on /calls while /healthz stays up', async () => {
    await redis.down();
    await waitUntil(() => !a.status().connected, 'a to see Redis gone');
    const res = await call(api, 'GET', '/calls');
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    expect((await call(api, 'GET', '/healthz', { token: null })).status).toBe(200);
    expect((await call(api, 'GET', '/metrics', { token: null })).status).toBe(200);
  });
});
