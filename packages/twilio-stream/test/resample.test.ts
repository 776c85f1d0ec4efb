import { audioFrame } from '@voxwire/codecs';
import { concat, dbfs, estimatePitchHz, speech, tone } from '@voxwire/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import type { MediaStreamServer, TwilioCall } from '../src/index.js';
import { pcm, simulator, startServer } from './helpers.js';

let server: MediaStreamServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// Skip the resampler's start-up and the padded end when measuring a steady tone.
const steady = (pcm: Int16Array, rate: number) =>
  pcm.subarray(Math.round(0.1 * rate), pcm.length - Math.round(0.1 * rate));

describe('transcoding', () => {
  it('delivers caller audio at 24 kHz within 1 dB of the source level and at the right pitch', async () => {
    const started = await startServer({ sampleRate: 24000 });
    server = started.server;
    const chunks: Int16Array[] = [];
    let rate = 0;
    server.on('call', (call) => {
      call.on('pcm', (frame) => {
        chunks.push(frame.data);
        rate = frame.sampleRate;
      });
    });
    const sim = simulator(started.url, { idleSilence: false });
    await sim.connect();
    const source = tone(1000, 16000, 32_000, 0.3);
    await sim.streamAudio(audioFrame(source, 16000));
    await sim.wait(100);
    await sim.stop();
    const got = concat(...chunks);
    expect(rate).toBe(24000);
    // 2 s in, 2 s out (whole frames).
    expect(Math.abs(got.length - 48000)).toBeLessThanOrEqual(480);
    expect(Math.abs(dbfs(steady(got, 24000)) - dbfs(source))).toBeLessThan(1);
    expect(estimatePitchHz(steady(got, 24000), 24000)).toBeCloseTo(1000, 0);
  });

  it('plays PCM sent at 24 kHz to the caller within 1 dB and at the right pitch, speech level too', async () => {
    const started = await startServer();
    server = started.server;
    const outTone = tone(440, 24000, 36_000, 0.3);
    const words = speech('Hello, this is voxwire speaking.', 24000);
    const done: Promise<unknown>[] = [];
    server.on('call', (call: TwilioCall) => {
      call.once('start', () => {
        // Odd chunk sizes: the framer must carry the remainder.
        for (let i = 0; i < outTone.length; i += 1234)
          call.sendAudio(pcm(outTone.subarray(i, i + 1234), 24000));
        done.push(call.endUtterance('tone'));
        for (let i = 0; i < words.length; i += 777) call.sendAudio(pcm(words.subarray(i, i + 777), 24000));
        done.push(call.endUtterance('speech'));
      });
    });
    const sim = simulator(started.url);
    await sim.connect();
    await sim.until(() => sim.marks.some((m) => m.name === 'speech'));
    await Promise.all(done);
    await sim.stop();
    const heard = sim.heardPcm();
    const toneMark = sim.marks.find((m) => m.name === 'tone')!;
    const heardTone = heard.subarray(0, toneMark.playedMs * 8);
    const heardWords = heard.subarray(
      toneMark.playedMs * 8,
      sim.marks.find((m) => m.name === 'speech')!.playedMs * 8,
    );
    // Durations: 1.5 s padded up to a whole frame; the speech likewise.
    expect(heardTone.length).toBe(Math.ceil(1500 / 20) * 160);
    expect(heardWords.length).toBe(Math.ceil(words.length / 3 / 160) * 160);
    expect(Math.abs(dbfs(steady(heardTone, 8000)) - dbfs(outTone))).toBeLessThan(1);
    expect(estimatePitchHz(steady(heardTone, 8000), 8000)).toBeCloseTo(440, 0);
    expect(Math.abs(dbfs(heardWords) - dbfs(words))).toBeLessThan(1);
    expect(sim.report().partialFrames).toBe(0);
  });
});
