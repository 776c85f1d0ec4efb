// OpusAgent attacked from outside over loopback, with one healthy Twilio call beside every attack: unknown
// upgrade paths by the thousand, late and malformed Twilio input (its default config needs no credentials),
// stalled and silent sockets, a connection flood; then the agent and its model as separate processes, with
// SIGTERM to the agent and kill -9 to the model mid-call.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { heapAfterGcMiB, openFds, RawWsClient, waitUntil } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OpusAgent, startOpusAgent } from '../src/agent.js';

const TOKEN = 'vaic-t0k3n';
const MAX_CONNECTIONS = 60;
const here = fileURLToPath(new URL('..', import.meta.url));

function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** A second of a 220 Hz "voice" then a second of silence: one turn for the model's server VAD. */
function turnAudio(): Int16Array {
  const rate = 8000;
  const out = new Int16Array(rate * 2);
  for (let i = 0; i < rate; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate));
  return out;
}

/** The caller speaks and the agent answers: a new utterance mark comes back played. */
async function turn(sim: TwilioSimulator): Promise<void> {
  const before = sim.marks.filter((m) => m.name.startsWith('utterance') && !m.flushed).length;
  await sim.streamPcm(turnAudio(), 8000);
  await sim.until(
    () => sim.marks.filter((m) => m.name.startsWith('utterance') && !m.flushed).length > before,
  );
}

function twilioStart(sid: string): Record<string, unknown> {
  return {
    event: 'start',
    sequenceNumber: '1',
    streamSid: sid,
    start: {
      streamSid: sid,
      accountSid: 'AC1',
      callSid: `CA-${sid}`,
      tracks: ['inbound'],
      customParameters: {},
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  };
}

describe('OpusAgent under hostile input (in process)', () => {
  let agent: OpusAgent;
  let healthy: TwilioSimulator;
  const warnings: string[] = [];
  const lines: string[] = [];
  let baseFds = 0;

  beforeAll(async () => {
    agent = await startOpusAgent({
      port: 0,
      audiocodesToken: TOKEN,
      log: (l) => lines.push(l),
      warn: (l) => warnings.push(l),
      maxConnections: MAX_CONNECTIONS,
      frameTimeoutMs: 300,
      startTimeoutMs: 1500,
    });
    healthy = new TwilioSimulator({ url: `ws://127.0.0.1:${agent.port}/twilio/media-stream`, speed: 4 });
    await healthy.connect();
    await waitUntil(() => agent.bridges.size === 1, 'the healthy bridge');
    await turn(healthy);
    baseFds = openFds();
  }, 120_000);

  afterAll(async () => {
    await healthy?.stop().catch(() => {});
    await agent?.close();
  }, 30_000);

  const twilioUrl = () => `ws://127.0.0.1:${agent.port}/twilio/media-stream`;

  /** After an attack: the healthy call still talks, attacker calls are gone, fds are back. */
  async function healthyAndClean(): Promise<void> {
    await turn(healthy);
    await backToBaseline();
  }

  async function backToBaseline(): Promise<void> {
    await waitUntil(() => agent.bridges.size === 1, 'attacker calls to end');
    await waitUntil(() => openFds() <= baseFds, `fds back to ${baseFds} (now ${openFds()})`);
    const health = await fetch(`${agent.url}/health`).then((r) => r.json());
    expect(health).toMatchObject({ status: 'ok', calls: 1 });
  }

  it('binds to loopback and warns loudly that Twilio streams are unsigned', () => {
    expect(agent.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(warnings.join('\n')).toMatch(/WARNING: TWILIO_AUTH_TOKEN is not set.*WITHOUT signature checks/);
  });

  it('answers every upgrade on an unknown path with 404 and closes it: no fd is left behind', {
    timeout: 120_000,
  }, async () => {
    for (let batch = 0; batch < 22; batch++) {
      const clients = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          RawWsClient.connect(`ws://127.0.0.1:${agent.port}/${i % 2 ? 'nope' : 'twilio/media-stream/x'}`),
        ),
      );
      expect(clients.every((c) => c.status === 404)).toBe(true);
      await Promise.all(clients.map((c) => c.waitClosed()));
    }
    await healthyAndClean();
  });

  it('survives malformed Twilio input and late input after stop; the healthy call keeps talking', {
    timeout: 120_000,
  }, async () => {
    const url = twilioUrl();
    const bad = await RawWsClient.connect(url);
    expect(bad.status).toBe(101);
    for (const text of [
      '{not json',
      'null',
      '[]',
      '{"event":5}',
      '{"event":"media"}',
      '{"event":"mark","mark":{"name":"x"}}',
    ]) {
      bad.send(text);
    }
    bad.frame(0x2, Buffer.from([1, 2, 3])); // binary
    bad.send(twilioStart('MZbad'));
    await waitUntil(() => agent.bridges.size === 2, 'the attacker call to be bridged');
    for (const msg of [
      { event: 'media', streamSid: 'MZbad', media: { payload: '!!!' } },
      { event: 'media', streamSid: 'MZbad', media: { payload: 'AAAA' } },
      { event: 'media', streamSid: 'MZother', media: { payload: 'AAAA' } },
      { event: 'dtmf', streamSid: 'MZbad', dtmf: { digit: { toString: 1 } } },
      { event: 'mark', streamSid: 'MZbad', mark: { name: 'x'.repeat(60_000) } },
      { event: 'x'.repeat(60_000), streamSid: 'MZbad' },
      { event: 'start', streamSid: 'MZbad' },
    ]) {
      bad.send(msg);
    }
    // Late input: stop, then garbage, media and unknown events before the close arrives.
    bad.endOnClose = false;
    bad.send({
      event: 'stop',
      sequenceNumber: '9',
      streamSid: 'MZbad',
      stop: { accountSid: 'AC1', callSid: 'CA-MZbad' },
    });
    bad.send('{late garbage');
    bad.send({
      event: 'media',
      streamSid: 'MZbad',
      media: { payload: Buffer.alloc(160, 0xff).toString('base64') },
    });
    bad.send({ event: 'whatever', streamSid: 'MZbad' });
    await waitUntil(() => bad.closeCode !== null || bad.closed, 'the attacker call to be closed');
    expect(bad.closeCode).toBe(1000);
    bad.replyClose();
    // The late errors were reported (by the bridge, which keeps listening to a call it ended), not lost.
    await waitUntil(
      () => lines.some((l) => /after the end: TwilioStreamError/.test(l)),
      'late errors logged',
    );
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(1000); // echoed peer text is clipped

    // Oversized message: closed with 1009.
    const big = await RawWsClient.connect(url);
    big.send({ event: 'connected', pad: 'x'.repeat(200 * 1024) });
    await big.waitClosed();
    expect(big.closeCode).toBe(1009);

    await healthyAndClean();
  });

  it('times out sockets stalled mid-frame or that never start, and refuses a flood past the cap with 503', {
    timeout: 120_000,
  }, async () => {
    const url = twilioUrl();
    const stalled = await RawWsClient.connect(url);
    stalled.frame(0x1, Buffer.alloc(300, 0x20), { truncateTo: 20 });
    const silent = await RawWsClient.connect(url);
    const acStalled = await RawWsClient.connect(`ws://127.0.0.1:${agent.port}/audiocodes`, {
      authorization: `Bearer ${TOKEN}`,
    });
    acStalled.frame(0x1, Buffer.alloc(300, 0x20), { truncateTo: 5 });
    await Promise.all([stalled.waitClosed(), silent.waitClosed(), acStalled.waitClosed()]);
    expect(stalled.closeCode).toBe(1008);
    expect(acStalled.closeCode).toBe(1008);
    expect(silent.closeCode).toBe(1008); // no `start` in time

    const heap0 = heapAfterGcMiB();
    // Idle TCP connections up to the cap (the healthy call holds one), then one more is refused.
    const flood = await Promise.all(Array.from({ length: MAX_CONNECTIONS - 1 }, () => openTcp(agent.port)));
    const refused = await RawWsClient.connect(`ws://127.0.0.1:${agent.port}/health`);
    expect(refused.status).toBe(503);
    await refused.waitClosed();
    for (const c of flood) c.destroy();
    await healthyAndClean();
    expect(heapAfterGcMiB() - heap0).toBeLessThan(20);
  });
});

/** Spawns `node --import tsx <script> [args]` in the example's directory; resolves with the process once `ready` matches its stdout. */
async function spawnReady(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: here,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  await waitUntil(() => ready.test(out) || child.exitCode !== null, `${args[0]} to start`, 60_000);
  const match = ready.exec(out);
  if (!match) throw new Error(`${args[0]} did not start:\n${out}`);
  return { child, match, output: () => out };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('OpusAgent and its model as processes', () => {
  const children: ChildProcess[] = [];
  let agent: OpusAgent | undefined;
  afterEach(async () => {
    await agent?.close();
    agent = undefined;
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('SIGTERM with calls running: callers get a clean close, the process exits 0', {
    timeout: 120_000,
  }, async () => {
    const { child, match, output } = await spawnReady(
      ['src/main.ts'],
      { PORT: '0', VAIC_TOKEN: TOKEN },
      /OpusAgent on http:\/\/127\.0\.0\.1:(\d+)/,
    );
    children.push(child);
    expect(output()).toMatch(/WARNING: TWILIO_AUTH_TOKEN is not set/);
    const port = match[1];
    const sim = new TwilioSimulator({ url: `ws://127.0.0.1:${port}/twilio/media-stream`, speed: 4 });
    const closed = new Promise<number>((resolve) => sim.once('close', resolve));
    await sim.connect();
    const vaic = await RawWsClient.connect(`ws://127.0.0.1:${port}/audiocodes`, {
      authorization: `Bearer ${TOKEN}`,
    });
    vaic.send({
      type: 'session.initiate',
      conversationId: 'term-1',
      supportedMediaFormats: ['raw/lpcm16_24'],
    });
    await waitUntil(() => vaic.messages.length > 0, 'session.accepted');
    await waitUntil(
      () => /call term-1 .* started/.test(output()) && /call CA\w* \(twilio\) started/.test(output()),
      'both calls bridged',
    );
    await turn(sim);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(await closed).toBe(1000);
    await vaic.waitClosed();
    expect([1000, 1001]).toContain(vaic.closeCode);
    expect(vaic.messages).toContainEqual({
      type: 'activities',
      conversationId: 'term-1',
      activities: [{ type: 'event', name: 'hangup' }],
    });
  });

  it('kill -9 of the model mid-call: the agent survives and the caller is hung up cleanly', {
    timeout: 120_000,
  }, async () => {
    const model = await spawnReady(
      ['../../packages/realtime-server/src/cli.ts', '--port', '0'],
      {},
      /listening on (ws:\/\/\S+)/,
    );
    children.push(model.child);
    const lines: string[] = [];
    agent = await startOpusAgent({
      port: 0,
      audiocodesToken: TOKEN,
      modelUrl: model.match[1],
      log: (l) => lines.push(l),
      warn: () => {},
    });
    const sim = new TwilioSimulator({ url: `ws://127.0.0.1:${agent.port}/twilio/media-stream`, speed: 4 });
    const closed = new Promise<number>((resolve) => sim.once('close', resolve));
    await sim.connect();
    await waitUntil(() => agent?.bridges.size === 1, 'the call to be bridged');
    const [bridge] = [...agent.bridges];
    expect(await bridge.ready).toBe(true);
    await turn(sim);
    model.child.kill('SIGKILL');
    expect(await closed).toBe(1000);
    expect((await bridge.done).reason).toMatch(/model session closed/);
    // The agent is still up, and a new call with the model gone is refused cleanly too.
    expect(await fetch(`${agent.url}/health`).then((r) => r.json())).toMatchObject({
      status: 'ok',
      calls: 0,
    });
    const next = new TwilioSimulator({ url: `ws://127.0.0.1:${agent.port}/twilio/media-stream`, speed: 4 });
    const nextClosed = new Promise<number>((resolve) => next.once('close', resolve));
    await next.connect();
    expect(await nextClosed).toBe(1000);
    expect(lines.some((l) => /model connection failed/.test(l))).toBe(true);
  });
});
