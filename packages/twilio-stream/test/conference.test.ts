import { audioFrame } from '@voxwire/codecs';
import { tone, waitUntil } from '@voxwire/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type MediaStreamServer,
  type TwilioCall,
  TwilioConference,
  type TwilioSimulator,
} from '../src/index.js';
import { simulator, startServer } from './helpers.js';

let server: MediaStreamServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Power of one frequency (Goertzel), normalised by the signal's total power. */
function relativePower(pcm: Int16Array, freq: number, rate: number): number {
  const w = (2 * Math.PI * freq) / rate;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (let i = 0; i < pcm.length; i++) {
    const s0 = pcm[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
    total += pcm[i] * pcm[i];
  }
  const power = s1 * s1 + s2 * s2 - c * s1 * s2;
  return total === 0 ? 0 : (2 * power) / (pcm.length * total);
}

describe('TwilioConference', () => {
  it('mixes three calls so each hears the others but not itself (mix-minus)', async () => {
    const started = await startServer();
    server = started.server;
    await using conference = new TwilioConference();
    const joined: string[] = [];
    const left: string[] = [];
    conference.on('join', ({ id, call }) => joined.push(`${id}:${call.callSid}`));
    conference.on('leave', ({ id }) => left.push(id));
    server.on('call', (call: TwilioCall) => {
      call.once('start', () => conference.join(call));
    });
    const freqs = [400, 1000, 2500];
    const sims: TwilioSimulator[] = [];
    for (const f of freqs) {
      const sim = simulator(started.url, { speed: 1 });
      await sim.connect();
      sims.push(sim);
      void sim.streamAudio(audioFrame(tone(f, 8000, 12_000, 0.2), 8000));
    }
    await Promise.all(sims.map((s) => s.until(() => s.playedMs() >= 800)));
    expect(conference.participants).toHaveLength(3);
    for (const [i, sim] of sims.entries()) {
      const heard = sim.heardPcm();
      const own = relativePower(heard, freqs[i], 8000);
      const others = freqs.filter((_, j) => j !== i).map((f) => relativePower(heard, f, 8000));
      // Each other leg is clearly present; the leg's own voice is at least 30 dB below them.
      for (const p of others) expect(p).toBeGreaterThan(0.1);
      expect(10 * Math.log10(Math.min(...others) / Math.max(own, 1e-12))).toBeGreaterThan(30);
    }
    expect(joined).toEqual(sims.map((s) => `${s.callSid}:${s.callSid}`));
    await Promise.all(sims.map((s) => s.stop()));
    await waitUntil(() => conference.participants.length === 0, 'every leg left when its stream stopped');
    expect(left.sort()).toEqual(sims.map((s) => s.callSid).sort());
    await conference.close();
    await conference.close();
    expect(conference.mixer.running).toBe(false);
    expect(() => conference.join(sims[0] as unknown as TwilioCall)).toThrow(/closed/);
  });
});
