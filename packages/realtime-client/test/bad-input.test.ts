import { type AudioFrame, audioFrame } from '@voxwire/codecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type PlaybackTracker, RealtimeClient, RealtimeClientError, VoxwireError } from '../src/index.js';
import { ScriptedRealtimeServer } from './helpers/scripted-server.js';

let server: ScriptedRealtimeServer | undefined;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RealtimeClientError);
    expect(err).toBeInstanceOf(VoxwireError);
    return (err as RealtimeClientError).code;
  }
  return 'no error';
}

describe('bad caller input gets clear typed errors', () => {
  it('send before connect', () => {
    client = new RealtimeClient({ url: 'ws://127.0.0.1:9/v1/realtime' });
    const c = client;
    expect(codeOf(() => c.appendAudio(audioFrame(new Int16Array(10), 24000)))).toBe('NOT_CONNECTED');
    expect(codeOf(() => c.commit())).toBe('NOT_CONNECTED');
    expect(codeOf(() => c.sendText('hi'))).toBe('NOT_CONNECTED');
    expect(codeOf(() => c.createResponse())).toBe('NOT_CONNECTED');
    expect(() => c.sendText('hi')).toThrow(/sendText\(\) called before connect\(\)/);
  });

  it('wrong sample rate type, odd-length PCM bytes, wrong array type; the session keeps working', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url });
    const c = client;
    await c.connect();
    const pcm = new Int16Array(2400);
    const frame = (data: unknown, sampleRate: unknown, channels = 1) =>
      ({ data, sampleRate, channels, position: 0 }) as unknown as AudioFrame;
    expect(codeOf(() => c.appendAudio(frame(pcm, '24000')))).toBe('INVALID_ARGUMENT');
    expect(() => c.appendAudio(frame(pcm, '24000'))).toThrow(
      /sampleRate must be an integer.*"24000" \(string\)/,
    );
    expect(codeOf(() => c.appendAudio(frame(pcm, 16000.5)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => c.appendAudio(frame(pcm, 0)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => c.appendAudio(Buffer.alloc(4801) as unknown as AudioFrame))).toBe('INVALID_AUDIO');
    expect(() => c.appendAudio(Buffer.alloc(4801) as unknown as AudioFrame)).toThrow(/got Buffer/);
    expect(codeOf(() => c.appendAudio(frame(new Float32Array(10), 24000)))).toBe('INVALID_AUDIO');
    expect(() => c.appendAudio(frame(new Float32Array(10), 24000))).toThrow(/got Float32Array/);
    expect(codeOf(() => c.appendAudio(frame(pcm, 24000, 2)))).toBe('INVALID_AUDIO');
    expect(codeOf(() => c.sendText(''))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => c.setPlayback({} as PlaybackTracker))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => c.addTool({ name: 'bad name!' }, () => 1))).toBe('INVALID_ARGUMENT');
    // Even bytes are fine and nothing above was sent.
    c.appendAudio(audioFrame(new Int16Array(2400), 24000));
    const conn = await server.connection(0);
    const append = await conn.waitFor('input_audio_buffer.append');
    expect(Buffer.from(append.audio as string, 'base64').length).toBe(4800);
    expect(conn.ofType('input_audio_buffer.append')).toHaveLength(1);
  });

  it('connect to a port where nothing listens rejects with CONNECTION; constructor checks options', async () => {
    server = await ScriptedRealtimeServer.start();
    const url = server.url;
    await server.close();
    server = undefined;
    client = new RealtimeClient({ url, connectTimeoutMs: 2000 });
    await expect(client.connect()).rejects.toMatchObject({ code: 'CONNECTION' });
    expect(codeOf(() => new RealtimeClient({ batchMs: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new RealtimeClient({ outputSampleRate: 44100.5 }))).toBe('INVALID_ARGUMENT');
  });
});

describe('lifecycle', () => {
  it('close() is async and idempotent, resolves once the socket is released; asyncDispose closes', async () => {
    server = await ScriptedRealtimeServer.start();
    const c = new RealtimeClient({ url: server.url });
    await c.connect();
    const conn = await server.connection(0);
    const closes: number[] = [];
    c.on('close', (e) => closes.push(e.code));
    const first = c.close();
    expect(c.close()).toBe(first);
    await first;
    expect(closes).toEqual([1000]);
    await waitClosed(conn);
    {
      await using d = new RealtimeClient({ url: server.url });
      await d.connect();
    }
    const second = await server.connection(1);
    await waitClosed(second);
  });

  it('error with no listener becomes a process warning, not an exception', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url });
    await client.connect();
    const conn = await server.connection(0);
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    conn.sendRaw('not json');
    const w = await warned;
    expect(w).toBeInstanceOf(RealtimeClientError);
    expect((w as RealtimeClientError).code).toBe('PROTOCOL');
    expect(client.connected).toBe(true);
  });
});

function waitClosed(conn: { socket: { readyState: number; once(e: 'close', l: () => void): unknown } }) {
  return new Promise<void>((resolve) => {
    if (conn.socket.readyState === 3) resolve();
    else conn.socket.once('close', () => resolve());
  });
}
