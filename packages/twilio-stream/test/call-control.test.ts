import { alaw, audioFrame, encodedFrame, mulaw } from '@voxwire/codecs';
import { concat, tone } from '@voxwire/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import type { MediaStreamServer, TwilioCall, TwilioGap, TwilioStopInfo } from '../src/index.js';
import { pcm, simulator, startServer } from './helpers.js';

let server: MediaStreamServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function connected(options: Parameters<typeof startServer>[0] = {}, simOptions = {}) {
  const started = await startServer(options);
  server = started.server;
  const got = new Promise<TwilioCall>((resolve) => started.server.once('call', resolve));
  const sim = simulator(started.url, { idleSilence: false, ...simOptions });
  await sim.connect();
  return { sim, call: await got };
}

describe('inbound timing', () => {
  it('detects lost frames from sequence numbers and timestamps and fills them with silence', async () => {
    const { sim, call } = await connected({ sampleRate: 16000 });
    const chunks: Int16Array[] = [];
    const filled: number[] = [];
    const gaps: TwilioGap[] = [];
    const positions: number[] = [];
    const encodedFilled: number[] = [];
    call.on('pcm', (f, info) => {
      expect(f).toMatchObject({ sampleRate: 16000, channels: 1 });
      positions.push(f.position, f.position + f.data.length);
      chunks.push(f.data);
      if (info.filled) filled.push(f.data.length);
    });
    // The same gap on the encoded event: mu-law silence, at the positions Twilio's timestamps give.
    const encodedPositions: number[] = [];
    call.on('audio', (f, info) => {
      encodedPositions.push(f.position);
      if (info.filled) {
        encodedFilled.push(f.samples);
        expect(f.data.every((b) => b === 0xff)).toBe(true);
      }
    });
    call.on('gap', (g) => gaps.push(g));
    const source = mulaw.encode(tone(400, 8000, 8000, 0.25));
    const first = sim.streamAudio(encodedFrame('pcmu', source.subarray(0, 160 * 10)));
    await first;
    sim.loseNextFrames(3);
    await sim.streamAudio(encodedFrame('pcmu', source.subarray(160 * 10)));
    await sim.stop();
    expect(gaps).toEqual([{ missingMessages: 3, missingMs: 60, filledMs: 60, atMs: 260 }]);
    expect(call.inboundStats).toMatchObject({ frames: 47, gaps: 1, missingMessages: 3, filledMs: 60 });
    // Timing stays true: 1 s in, 1 s of 16 kHz PCM out, 60 ms of it inserted silence.
    expect(concat(...chunks).length).toBe(16000);
    expect(filled.reduce((a, b) => a + b, 0)).toBe(960);
    // PCM positions run on without holes or overlaps, filled silence included.
    for (let i = 2; i < positions.length; i += 2) expect(positions[i]).toBe(positions[i - 1]);
    expect(positions[0]).toBe(0);
    expect(encodedFilled).toEqual([480]);
    // Encoded positions: one 160-sample frame every 20 ms of stream time, the filled 60 ms at 1600.
    expect(encodedPositions.slice(0, 11)).toEqual([0, 160, 320, 480, 640, 800, 960, 1120, 1280, 1440, 1600]);
    expect(encodedPositions[11]).toBe(2080);
    expect(encodedPositions.at(-1)).toBe(7840);
  });
});

describe('call control', () => {
  it('exposes start metadata, DTMF, and stop', async () => {
    const { sim, call } = await connected({}, { customParameters: { lang: 'en', ticket: '42' } });
    const start = await call.whenStarted();
    expect(start).toMatchObject({
      streamSid: sim.streamSid,
      callSid: sim.callSid,
      accountSid: sim.accountSid,
      tracks: ['inbound'],
      customParameters: { lang: 'en', ticket: '42' },
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    });
    const digits: string[] = [];
    call.on('dtmf', (d) => digits.push(d));
    const stopped = new Promise<TwilioStopInfo>((resolve) => call.once('stop', resolve));
    sim.sendDtmf('4');
    sim.sendDtmf('#');
    await sim.stop();
    expect(await stopped).toEqual({ reason: 'stop', callSid: sim.callSid, accountSid: sim.accountSid });
    expect(digits).toEqual(['4', '#']);
    expect(call.active).toBe(false);
  });

  it('hangup() runs the hang-up hook and closes the stream; pending marks resolve as not played', async () => {
    const hungUp: string[] = [];
    const { sim, call } = await connected({ onHangup: (c) => void hungUp.push(c.callSid) });
    await call.whenStarted();
    const closed = new Promise<number>((resolve) => sim.once('close', resolve));
    call.sendAudio(pcm(tone(300, 8000, 40_000, 0.25), 8000));
    const pending = call.endUtterance('never');
    await sim.wait(200);
    await call.hangup();
    expect(await closed).toBe(1000);
    expect(await pending).toMatchObject({ name: 'never', played: false });
    expect(hungUp).toEqual([sim.callSid]);
  });

  it('queues audio sent before start and sends it once the stream starts', async () => {
    const started = await startServer();
    server = started.server;
    const sim = simulator(started.url, { autoStart: false });
    server.once('call', (call) => {
      call.sendAudio(pcm(tone(300, 8000, 1600, 0.25), 8000));
      void call.endUtterance('early');
    });
    await sim.connect();
    sim.start();
    await sim.until(() => sim.marks.some((m) => m.name === 'early'));
    expect(sim.playedMs()).toBe(200);
    await sim.stop();
  });
});

describe('real-time clock', () => {
  it('plays at the real-time rate with the same clock (short run)', async () => {
    const { sim, call } = await connected({}, { speed: 1 });
    await call.whenStarted();
    call.sendAudio(pcm(tone(300, 8000, 2400, 0.25), 8000));
    const r = await call.endUtterance('rt');
    expect(r.played).toBe(true);
    // On the simulator's own clock the 300 ms took at least 300 ms to play.
    const mark = sim.marks.find((m) => m.name === 'rt')!;
    expect(mark.playedMs).toBe(300);
    expect(mark.atMs).toBeGreaterThanOrEqual(300);
    await sim.stop();
  });
});

describe('simulator sources', () => {
  it('streams a WAV file: 8 kHz mu-law byte for byte, a 16 kHz stereo PCM file resampled', async () => {
    const { wav } = await import('@voxwire/codecs');
    const { sim, call } = await connected();
    const media: Uint8Array[] = [];
    call.on('audio', (f) => {
      expect(f).toMatchObject({ codec: 'pcmu', sampleRate: 8000, channels: 1, samples: f.data.length });
      media.push(f.data);
    });
    const codes = mulaw.encode(tone(500, 8000, 2400, 0.25));
    await sim.streamWav(wav.write({ sampleRate: 8000, channels: 1, data: codes, encoding: 'mulaw' }));
    const stereo = new Int16Array(16000 * 2 * 0.2);
    const mono = tone(700, 16000, 3200, 0.25);
    for (let i = 0; i < mono.length; i++) {
      stereo[2 * i] = mono[i];
      stereo[2 * i + 1] = mono[i];
    }
    await sim.streamWav(wav.write({ sampleRate: 16000, channels: 2, data: stereo }));
    await sim.stop();
    const got = Buffer.concat(media);
    expect(Buffer.compare(got.subarray(0, codes.length), Buffer.from(codes))).toBe(0);
    expect(got.length).toBe(Math.ceil((codes.length + 1600) / 160) * 160);
    await expect(Promise.resolve().then(() => sim.streamWav(new Uint8Array(10)))).rejects.toThrow(/WAV/);
  });
});

describe('simulator frames', () => {
  it('streams pcma and stereo AudioFrames as mu-law, refuses Opus, and reports what it hears as pcmu frames', async () => {
    const { sim, call } = await connected();
    const inbound: Uint8Array[] = [];
    call.on('audio', (f) => inbound.push(f.data));
    const a = alaw.encode(tone(500, 8000, 800, 0.25));
    await sim.streamAudio(encodedFrame('pcma', a));
    const mono = tone(700, 8000, 800, 0.25);
    const stereo = new Int16Array(mono.length * 2);
    for (let i = 0; i < mono.length; i++) stereo[2 * i] = stereo[2 * i + 1] = mono[i];
    await sim.streamAudio(audioFrame(stereo, 8000, 2));
    expect(() => sim.streamAudio(encodedFrame('opus', new Uint8Array(10), { samples: 960 }))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    const heard: { position: number; length: number; atMs: number }[] = [];
    sim.on('media', (f, info) => {
      expect(f).toMatchObject({ codec: 'pcmu', sampleRate: 8000, channels: 1, samples: f.data.length });
      heard.push({ position: f.position, length: f.data.length, atMs: info.atMs });
    });
    call.sendAudio(pcm(tone(300, 8000, 800, 0.25), 8000));
    await call.endUtterance('back');
    await sim.stop();
    const got = Buffer.concat(inbound);
    const expected = Buffer.concat([mulaw.encode(alaw.decode(a)), mulaw.encode(mono)]);
    expect(Buffer.compare(got.subarray(0, expected.length), expected)).toBe(0);
    // Each received frame's position is where it lands in the heard stream: contiguous from 0.
    expect(heard.length).toBe(5);
    expect(heard.map((h) => h.position)).toEqual([0, 160, 320, 480, 640]);
  });
});
