import {
  type AnyFrame,
  type AudioFrame,
  audioFrame,
  bytesToInt16,
  encodedFrame,
  int16ToBase64,
  mulaw,
} from '@voxwire/codecs';
import { dbfs, estimatePitchHz, tone } from '@voxwire/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  AudioCodesError,
  type AudioCodesProtocolError,
  type AudioCodesServer,
  type AudioCodesSession,
  AudioCodesTestClient,
  createAudioCodesServer,
} from '../src/index.js';

const TOKEN = 'test-token-123';

let server: AudioCodesServer;
let clock = 0;
const clients: AudioCodesTestClient[] = [];

beforeEach(async () => {
  clock = 0;
  server = await createAudioCodesServer({ port: 0, token: TOKEN, resumeTimeoutMs: 200, now: () => clock });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

async function connect(cid: string): Promise<AudioCodesTestClient> {
  const c = await AudioCodesTestClient.connect(server.url, TOKEN, cid);
  clients.push(c);
  return c;
}

function nextSession(): Promise<AudioCodesSession> {
  return new Promise((resolve) => server.on('session', resolve));
}

/** The samples of a PCM frame (the conversations here are 16-bit PCM). */
function pcmOf(f: AnyFrame): Int16Array {
  if (!(f.data instanceof Int16Array)) throw new Error('expected a PCM frame');
  return f.data;
}

function collectErrors(s: AudioCodesSession): Error[] {
  const errors: Error[] = [];
  s.on('error', (e) => errors.push(e));
  return errors;
}

describe('AudioCodes Bot API server: handshake', () => {
  it('picks formats as the design: 24 kHz PCM when offered, else the first usable one, raw/lpcm16 when none', async () => {
    const a = await connect('c-24');
    expect(await a.initiate(['raw/mulaw', 'raw/lpcm16', 'raw/lpcm16_24'])).toMatchObject({
      type: 'session.accepted',
      conversationId: 'c-24',
      mediaFormat: 'raw/lpcm16_24',
    });
    // VAIC lists formats in its order of preference: the first it offers is taken.
    const b = await connect('c-mu');
    expect((await b.initiate(['raw/mulaw', 'raw/lpcm16'])).mediaFormat).toBe('raw/mulaw');
    const c = await connect('c-16');
    expect((await c.initiate(['audio/opus', 'raw/lpcm16', 'raw/mulaw'])).mediaFormat).toBe('raw/lpcm16');
    const d = await connect('c-none');
    expect((await d.initiate([])).mediaFormat).toBe('raw/lpcm16');
    const e = await connect('c-absent');
    e.send({ type: 'session.initiate', botName: 'test' });
    expect(await e.waitType('session.accepted')).toMatchObject({ mediaFormat: 'raw/lpcm16' });
    expect(server.sessions.size).toBe(5);
    expect(server.sessions.get('c-mu')?.wireFormat).toBe('pcmu');
    expect(server.sessions.get('c-absent')?.inputSampleRate).toBe(16000);
  });

  it('falls back to the configured default format when none is offered', async () => {
    const own = await createAudioCodesServer({ port: 0, token: TOKEN, defaultMediaFormat: 'raw/mulaw' });
    const a = await AudioCodesTestClient.connect(own.url, TOKEN, 'c-default');
    expect((await a.initiate([])).mediaFormat).toBe('raw/mulaw');
    await a.close();
    await own.close();
    await expect(
      createAudioCodesServer({ port: 0, token: TOKEN, defaultMediaFormat: 'raw/opus' as 'raw/mulaw' }),
    ).rejects.toThrow(/defaultMediaFormat/);
  });

  it('refuses a bad or missing token with 401 before any message', async () => {
    await expect(AudioCodesTestClient.connect(server.url, 'wrong', 'x')).rejects.toThrow('HTTP 401');
    const ws = new WebSocket(server.url);
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
    expect(server.sessions.size).toBe(0);
  });

  it('answers connection.validate', async () => {
    const a = await connect('v');
    a.send({ type: 'connection.validate' });
    expect(await a.waitType('connection.validated')).toMatchObject({ success: true });
  });

  it('requires a token to start', async () => {
    await expect(createAudioCodesServer({ port: 0, token: '' })).rejects.toThrow(AudioCodesError);
  });
});

describe('AudioCodes Bot API server: bad input', () => {
  it('answers bad JSON, missing conversationId, unknown formats and early messages with session.error', async () => {
    const serverErrors: Error[] = [];
    server.on('error', (e) => serverErrors.push(e));
    const a = await connect('bad');
    a.sendRaw('{not json');
    expect((await a.waitType('session.error')).reason).toMatch(/invalid JSON/);
    a.sendRaw(JSON.stringify({ type: 'session.initiate', supportedMediaFormats: ['raw/lpcm16'] }));
    await a.waitFor((m) => m.type === 'session.error' && /without a conversationId/.test(String(m.reason)));
    a.send({ type: 'userStream.start' });
    await a.waitFor((m) => m.type === 'session.error' && /before session.initiate/.test(String(m.reason)));
    expect(await a.initiate(['audio/opus'])).toMatchObject({ type: 'session.error' });
    expect(serverErrors.map((e) => e.message)).toEqual([
      expect.stringMatching(/invalid JSON/),
      expect.stringMatching(/without a conversationId/),
      expect.stringMatching(/before session.initiate/),
      expect.stringMatching(/no supported media format/),
    ]);
    // The same socket can still start a valid conversation afterwards.
    expect((await a.initiate(['raw/lpcm16'])).type).toBe('session.accepted');
  });

  it('reports unknown types and early chunks as errors while the call and other calls go on', async () => {
    const sessions: AudioCodesSession[] = [];
    server.on('session', (s) => sessions.push(s));
    const good = await connect('good');
    await good.initiate(['raw/lpcm16']);
    const bad = await connect('bad');
    await bad.initiate(['raw/lpcm16']);
    const [goodS, badS] = sessions;
    const badErrors = collectErrors(badS);
    const goodErrors = collectErrors(goodS);
    const goodAudio: Int16Array[] = [];
    goodS.on('audio', (f) => goodAudio.push(pcmOf(f)));
    const badAudio: Int16Array[] = [];
    badS.on('audio', (f) => badAudio.push(pcmOf(f)));

    const samples = new Int16Array([1, -2, 3, -4]);
    bad.send({ type: 'userStream.chunk', audioChunk: int16ToBase64(samples) }); // before start
    bad.send({ type: 'no.such.type' });
    bad.send({ type: 'userStream.start' });
    await bad.waitType('userStream.started');
    bad.send({ type: 'userStream.chunk', audioChunk: 'AAAB' }); // 3 bytes: not whole PCM16 samples
    bad.send({ type: 'userStream.chunk', audioChunk: '!!!not-base64!!!' });
    bad.send({ type: 'userStream.chunk', audioChunk: int16ToBase64(samples) });
    good.send({ type: 'userStream.start' });
    await good.waitType('userStream.started');
    good.send({ type: 'userStream.chunk', audioChunk: int16ToBase64(samples) });
    await expect.poll(() => badAudio.length + goodAudio.length).toBe(2);

    expect(badErrors.map((e) => e.message)).toEqual([
      expect.stringMatching(/before userStream.start/),
      expect.stringMatching(/unknown message type "no.such.type"/),
      expect.stringMatching(/userStream.chunk/),
      expect.stringMatching(/userStream.chunk/),
    ]);
    expect(Array.from(badAudio[0])).toEqual([1, -2, 3, -4]);
    expect(Array.from(goodAudio[0])).toEqual([1, -2, 3, -4]);
    expect(goodErrors).toEqual([]);
    expect(badS.ended).toBe(false);
  });

  it('reports bad input of a conversation nobody listens to on the server, never as an unhandled error', async () => {
    const serverErrors: Error[] = [];
    server.on('error', (e) => serverErrors.push(e));
    const sp = nextSession();
    const a = await connect('unheard');
    await a.initiate(['raw/lpcm16']);
    const s = await sp; // no 'error' listener on it
    a.send({ type: 'userStream.chunk', audioChunk: 'AAAA' }); // before userStream.start
    a.send({ type: 'activities', activities: null });
    await expect.poll(() => serverErrors.length).toBe(2);
    expect(serverErrors.map((e) => (e as AudioCodesProtocolError).code)).toEqual(['BAD_STATE', 'BAD_FIELD']);
    expect(s.unheardErrors).toBe(2);
    expect(s.ended).toBe(false);
  });

  it('rejects a second conversation with an existing id', async () => {
    const a = await connect('dup');
    await a.initiate(['raw/lpcm16']);
    const b = await connect('dup');
    expect(await b.initiate(['raw/lpcm16'])).toMatchObject({ type: 'session.error' });
  });
});

describe('AudioCodes Bot API server: audio', () => {
  it('decodes caller audio bit-exactly in both PCM and mu-law formats', async () => {
    const pcmS = nextSession();
    const a = await connect('pcm');
    await a.initiate(['raw/lpcm16_24']);
    const s = await pcmS;
    expect(s.inputSampleRate).toBe(24000);
    const got: Int16Array[] = [];
    s.on('audio', (f) => got.push(pcmOf(f)));
    a.send({ type: 'userStream.start' });
    const src = tone(440, 24000, 4800, 0.3);
    for (let i = 0; i < src.length; i += 960) {
      a.send({ type: 'userStream.chunk', audioChunk: int16ToBase64(src.subarray(i, i + 960)) });
    }
    a.send({ type: 'userStream.stop' });
    await a.waitType('userStream.stopped');
    expect(Buffer.concat(got.map((g) => Buffer.from(g.buffer, g.byteOffset, g.byteLength)))).toEqual(
      Buffer.from(src.buffer),
    );

    const muS = nextSession();
    const b = await connect('mu');
    await b.initiate(['raw/mulaw']);
    const m = await muS;
    const gotMu: AnyFrame[] = [];
    m.on('audio', (f) => gotMu.push(f));
    b.send({ type: 'userStream.start' });
    const codes = new Uint8Array(256).map((_, i) => i);
    b.send({ type: 'userStream.chunk', audioChunk: Buffer.from(codes).toString('base64') });
    await expect.poll(() => gotMu.length).toBe(1);
    // A mu-law conversation hands its bytes on unchanged (pass-through); decoding them is the listener's choice.
    expect(gotMu[0]).toMatchObject({
      codec: 'pcmu',
      sampleRate: 8000,
      channels: 1,
      samples: 256,
      position: 0,
    });
    expect(Array.from(gotMu[0].data)).toEqual(Array.from(codes));
    expect(mulaw.decode(gotMu[0].data as Uint8Array)).toEqual(mulaw.decode(codes));
  });

  it('plays 24 kHz model audio on a 16 kHz call at the right pitch and level, in one play stream', async () => {
    const sp = nextSession();
    const a = await connect('play');
    await a.initiate(['raw/lpcm16']);
    const s = await sp;
    const src = tone(1000, 24000, 24000, 0.25);
    for (let i = 0; i < src.length; i += 2400) s.sendAudio(audioFrame(src.subarray(i, i + 2400), 24000));
    s.endUtterance();
    const stop = await a.waitType('playStream.stop');
    const starts = a.received.filter((m) => m.type === 'playStream.start');
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ mediaFormat: 'raw/lpcm16', streamId: stop.streamId });
    // Every play-stream message says who it is for, as the design's `participant: "caller"`.
    const play = a.received.filter((m) => m.type.startsWith('playStream.'));
    expect(play.length).toBeGreaterThan(2);
    expect(play.every((m) => m.participant === 'caller')).toBe(true);
    const played = bytesToInt16(a.playedBytes(String(stop.streamId)));
    expect(played.length).toBeGreaterThan(15900);
    expect(played.length).toBeLessThanOrEqual(16000);
    const steady = played.subarray(800, 15000);
    expect(estimatePitchHz(steady, 16000)).toBeCloseTo(1000, -1);
    expect(Math.abs(dbfs(steady) - dbfs(src.subarray(1200, 22500)))).toBeLessThan(0.2);
    expect(s.sentMs()).toBeCloseTo((played.length * 1000) / 16000, 6);
  });

  it('tracks the played position by real-time playout and drops unplayed audio on clear', async () => {
    const sp = nextSession();
    const a = await connect('clear');
    await a.initiate(['raw/lpcm16_24']);
    const s = await sp;
    clock = 1000;
    s.sendAudio(audioFrame(tone(300, 24000, 24000, 0.2), 24000)); // 1 s
    expect(s.sentMs()).toBe(1000);
    clock = 1300;
    expect(s.playedMs()).toBe(300);
    s.clear();
    expect(s.playedMs()).toBe(300);
    expect(s.sentMs()).toBe(300);
    const stopped = await a.waitType('playStream.stop');
    clock = 5000; // nothing queued: the position stays where the caller stopped hearing
    expect(s.playedMs()).toBe(300);
    s.sendAudio(audioFrame(tone(300, 24000, 2400, 0.2), 24000)); // 100 ms, plays from now
    clock = 5050;
    expect(s.playedMs()).toBe(350);
    clock = 9000;
    expect(s.playedMs()).toBe(400);
    await a.waitFor((m) => m.type === 'playStream.chunk' && m.streamId !== stopped.streamId);
    expect(a.received.filter((m) => m.type === 'playStream.start')).toHaveLength(2);
  });

  it('rejects bad outbound calls with typed errors', async () => {
    const sp = nextSession();
    const a = await connect('typed');
    await a.initiate(['raw/lpcm16']);
    const s = await sp;
    const frame = (data: unknown, sampleRate: number) =>
      ({ data, sampleRate, channels: 1, position: 0 }) as AudioFrame;
    expect(() => s.sendAudio(frame(new Int16Array(10), 0))).toThrow(/sample rate/);
    expect(() => s.sendAudio(frame(new Float32Array(10), 16000))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => s.sendAudio(encodedFrame('opus', new Uint8Array(10), { samples: 960 }))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    s.hangup();
    expect(() => s.sendAudio(audioFrame(new Int16Array(10), 16000))).toThrow(
      expect.objectContaining({ name: 'AudioCodesError', code: 'CLOSED' }),
    );
  });
});

describe('AudioCodes Bot API server: call control', () => {
  it('passes DTMF and other activities, and hangs up with a hangup activity', async () => {
    const sp = nextSession();
    const a = await connect('dtmf');
    await a.initiate(['raw/lpcm16']);
    const s = await sp;
    const digits: string[] = [];
    const acts: string[] = [];
    s.on('dtmf', ({ digit }) => digits.push(digit));
    s.on('activity', (a) => acts.push(a.name ?? a.type));
    a.send({
      type: 'activities',
      activities: [
        { type: 'event', name: 'start', id: '1', timestamp: new Date().toISOString(), language: 'en-US' },
        { type: 'event', name: 'dtmf', id: '2', value: '5' },
        { type: 'event', name: 'dtmf', id: '3', value: '#' },
      ],
    });
    await expect.poll(() => digits.length).toBe(2);
    expect(digits).toEqual(['5', '#']);
    expect(acts).toEqual(['start']);
    const ended = new Promise<string>((resolve) => s.once('end', (e) => resolve(e.reason)));
    s.hangup();
    expect(await ended).toBe('hangup by bot');
    const msg = await a.waitType('activities');
    expect(msg.activities).toEqual([{ type: 'event', name: 'hangup' }]);
    expect(server.sessions.has('dtmf')).toBe(false);
  });

  it('ends on session.end, resumes after a dropped socket, and ends when no resume comes', async () => {
    const sp = nextSession();
    const a = await connect('resume');
    await a.initiate(['raw/lpcm16']);
    const s = await sp;
    await a.close();
    await expect.poll(() => (s as unknown as { socket: unknown }).socket).toBe(null);
    const b = await connect('resume');
    b.send({ type: 'session.resume' });
    expect(await b.waitType('session.accepted')).toMatchObject({ mediaFormat: 'raw/lpcm16' });
    expect(s.ended).toBe(false);
    const ended = new Promise<string>((resolve) => s.once('end', (e) => resolve(e.reason)));
    b.send({ type: 'session.end', reasonCode: 'client-disconnected', reason: 'Client Side' });
    expect(await ended).toBe('Client Side');

    const sp2 = nextSession();
    const c = await connect('lost');
    await c.initiate(['raw/lpcm16']);
    const s2 = await sp2;
    const lost = new Promise<string>((resolve) => s2.once('end', (e) => resolve(e.reason)));
    await c.close();
    expect(await lost).toBe('connection lost');
  });
});

describe('AudioCodes Bot API server: keepalive', () => {
  it('pings every socket and drops the one whose peer stops answering, while the other call goes on', async () => {
    const own = await createAudioCodesServer({
      port: 0,
      token: TOKEN,
      keepaliveIntervalMs: 100,
      keepaliveTimeoutMs: 100,
    });
    const errors: AudioCodesProtocolError[] = [];
    own.on('error', (e) => errors.push(e as AudioCodesProtocolError));
    const healthy = await AudioCodesTestClient.connect(own.url, TOKEN, 'healthy');
    await healthy.initiate(['raw/lpcm16']);
    let healthyPings = 0;
    healthy.ws.on('ping', () => healthyPings++);
    // A peer that is gone without a word: its socket is open but it never answers a ping.
    const dead = new WebSocket(own.url, { headers: { authorization: `Bearer ${TOKEN}` }, autoPong: false });
    let deadPings = 0;
    dead.on('ping', () => deadPings++);
    const deadClosed = new Promise<number>((resolve) => dead.once('close', (code) => resolve(code)));
    await new Promise((resolve) => dead.once('open', resolve));
    dead.send(
      JSON.stringify({ type: 'session.initiate', conversationId: 'dead', supportedMediaFormats: [] }),
    );
    // Terminated, not closed politely: the peer sees an abnormal closure (1006).
    expect(await deadClosed).toBe(1006);
    expect(deadPings).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.code)).toContain('TIMEOUT');
    await expect.poll(() => healthyPings).toBeGreaterThanOrEqual(3);
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    expect(own.sessions.get('healthy')?.ended).toBe(false);
    await healthy.close();
    await own.close();
  });
});
