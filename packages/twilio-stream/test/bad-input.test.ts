import { encodedFrame, mulaw } from '@voxwire/codecs';
import { tone } from '@voxwire/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnyFrame, MediaStreamServer, TwilioCall, TwilioStreamError } from '../src/index.js';
import { eventually, simulator, startServer } from './helpers.js';

let server: MediaStreamServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('bad input', () => {
  it('reports each bad message as an error event; the call and the other calls keep going', async () => {
    const started = await startServer();
    server = started.server;
    const calls: TwilioCall[] = [];
    const errors = new Map<TwilioCall, TwilioStreamError[]>();
    const audio = new Map<TwilioCall, number>();
    server.on('call', (call) => {
      calls.push(call);
      errors.set(call, []);
      audio.set(call, 0);
      call.on('error', (e) => errors.get(call)!.push(e));
      call.on('pcm', (f) => audio.set(call, audio.get(call)! + f.data.length));
      call.on('audio', (f) => call.sendAudio(f));
    });

    const bad = simulator(started.url, { autoStart: false, idleSilence: false });
    const good = simulator(started.url, { idleSilence: false });
    await bad.connect();
    await good.connect();
    const media = (payload: string, seq = 99) => ({
      event: 'media',
      sequenceNumber: String(seq),
      streamSid: bad.streamSid,
      media: { track: 'inbound', chunk: '1', timestamp: '0', payload },
    });
    // media before start
    bad.sendJson(media(Buffer.alloc(160, 0xff).toString('base64')));
    await eventually(() => calls.length === 2 && calls.some((c) => errors.get(c)!.length === 1));
    bad.start();
    bad.sendRaw('{"event":"media", this is not json');
    bad.sendRaw('[1,2,3]');
    bad.sendJson({ event: 'transcription', streamSid: bad.streamSid });
    bad.sendJson(media('!!!not base64!!!'));
    bad.sendJson(media(Buffer.alloc(161, 0xff).toString('base64')));
    bad.sendJson({
      event: 'mark',
      sequenceNumber: '5',
      streamSid: bad.streamSid,
      mark: { name: 'never-sent' },
    });
    bad.sendJson({ event: 'dtmf', sequenceNumber: '6', streamSid: bad.streamSid });
    // Then real audio, on both calls at once.
    const source = mulaw.encode(tone(600, 8000, 8000, 0.25));
    await Promise.all([
      bad.streamAudio(encodedFrame('pcmu', source)),
      good.streamAudio(encodedFrame('pcmu', source)),
    ]);
    await Promise.all([bad.until(() => bad.playedMs() >= 1000), good.until(() => good.playedMs() >= 1000)]);

    const badCall = calls.find((c) => c.callSid === bad.callSid)!;
    const goodCall = calls.find((c) => c.callSid === good.callSid)!;
    expect(errors.get(badCall)!.map((e) => e.code)).toEqual([
      'MEDIA_BEFORE_START',
      'MALFORMED_JSON',
      'MALFORMED_JSON',
      'UNKNOWN_EVENT',
      'BAD_BASE64',
      'BAD_FRAME_SIZE',
      'UNKNOWN_MARK',
      'BAD_MESSAGE',
    ]);
    for (const e of errors.get(badCall)!) expect(e.message.length).toBeGreaterThan(10);
    expect(errors.get(goodCall)).toEqual([]);
    // Both calls carried the whole second of audio both ways, bit-exact.
    for (const [sim, call] of [
      [bad, badCall],
      [good, goodCall],
    ] as const) {
      expect(audio.get(call)).toBe(8000);
      expect(Buffer.compare(Buffer.from(sim.heardMulaw().subarray(0, 8000)), Buffer.from(source))).toBe(0);
      expect(call.active).toBe(true);
    }
    await Promise.all([bad.stop(), good.stop()]);
  });

  it('routes call errors to the server when the call has no error listener, never crashing', async () => {
    const started = await startServer();
    server = started.server;
    const serverErrors: Error[] = [];
    server.on('error', (e) => serverErrors.push(e));
    const sim = simulator(started.url);
    await sim.connect();
    sim.sendRaw('not json');
    await sim.until(() => serverErrors.length === 1);
    expect(serverErrors[0].message).toMatch(/not valid JSON/);
    await sim.stop();
  });

  it('reports media after stop instead of dropping it silently', async () => {
    const started = await startServer();
    server = started.server;
    const got = new Promise<TwilioCall>((resolve) => started.server.once('call', resolve));
    const sim = simulator(started.url, { idleSilence: false });
    await sim.connect();
    const call = await got;
    const codes: string[] = [];
    call.on('error', (e) => codes.push(e.code));
    await call.whenStarted();
    sim.sendJson({
      event: 'stop',
      sequenceNumber: '2',
      streamSid: sim.streamSid,
      stop: { accountSid: sim.accountSid, callSid: sim.callSid },
    });
    sim.sendJson({
      event: 'media',
      sequenceNumber: '3',
      streamSid: sim.streamSid,
      media: {
        track: 'inbound',
        chunk: '1',
        timestamp: '0',
        payload: Buffer.alloc(160, 0xff).toString('base64'),
      },
    });
    await eventually(() => codes.length === 1);
    expect(codes).toEqual(['BAD_MESSAGE']);
    expect(call.active).toBe(false);
    await sim.stop();
  });

  it('rejects bad arguments to sendAudio with a typed error', async () => {
    const started = await startServer();
    server = started.server;
    const got = new Promise<TwilioCall>((resolve) => started.server.once('call', resolve));
    const sim = simulator(started.url);
    await sim.connect();
    const call = await got;
    const frame = (f: object) => ({ sampleRate: 8000, channels: 1, position: 0, ...f }) as AnyFrame;
    expect(() => call.sendAudio(frame({ data: new Float32Array(10) }))).toThrow(/Int16Array/);
    expect(() => call.sendAudio(frame({ data: new Int16Array(10), sampleRate: 0 }))).toThrow(/sample rate/);
    expect(() => call.sendAudio(frame({ codec: 'pcmu', data: [1, 2, 3], samples: 3 }))).toThrow(/Uint8Array/);
    const codeOf = (f: AnyFrame) => {
      try {
        call.sendAudio(f);
      } catch (e) {
        return (e as TwilioStreamError).code;
      }
      return 'none';
    };
    // A phone call is mono 8 kHz G.711: Opus, stereo and G.711 at another rate are refused, not mangled.
    expect(codeOf(frame({ codec: 'opus', data: new Uint8Array(10), sampleRate: 48000, samples: 960 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(frame({ data: new Int16Array(20), channels: 2 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(frame({ codec: 'pcmu', data: new Uint8Array(16), sampleRate: 16000, samples: 16 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(null as unknown as AnyFrame)).toBe('INVALID_ARGUMENT');
    expect(call.sentMs()).toBe(0);
    await sim.stop();
  });
});
