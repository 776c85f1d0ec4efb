import type { AudioFrame } from '@voxwire/codecs';
import { type JanusServer, startJanus } from '@voxwire/test-support';
import { afterAll, beforeAll } from 'vitest';
import { JanusClient } from '../../src/index.js';
import { concat, dominantFrequency, rmsDb, tone, zeroCrossingFrequency } from './audio.js';
import { LOOPBACK } from './peers.js';

/**
 * A real Janus (Debian package) for the calling test file, started before its tests on a free loopback port
 * (configured from test-support/fixtures/janus) and stopped after them, with the clients made by `client()`.
 */
export function useJanus(): { server(): JanusServer; client(): Promise<JanusClient> } {
  let janus: JanusServer | undefined;
  const clients: JanusClient[] = [];
  beforeAll(async () => {
    janus = await startJanus();
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await janus?.stop();
  });
  const server = () => {
    if (!janus)
      throw new Error('Janus is not running (useJanus() works inside a test file, after beforeAll)');
    return janus;
  };
  return {
    server,
    async client() {
      const c = new JanusClient({ url: server().url, apiSecret: server().apiSecret });
      await c.connect();
      clients.push(c);
      return c;
    },
  };
}

/** Peer options for talking to Janus on this machine (loopback candidates; 16 kHz PCM in the tests). */
export const JANUS_PEER = { ...LOOPBACK, sampleRate: 16000 } as const;

/** A long tone to keep a participant talking for the whole test (queued once, sent in real time). */
export function longTone(freq: number, seconds = 30): Int16Array {
  return tone(freq, 16000, seconds, 0.3);
}

/**
 * Collects `audio` events until the last `windowSeconds` hold a clean tone: level above -35 dBFS, pitch within
 * 5 Hz of `expectHz` by DFT and within 15 Hz by zero crossings (which noise or a gap would throw off), or fails after `timeoutMs` with what it heard. Janus' mix starts with silence
 * until the other side's audio flows, so this waits for the tone instead of taking the first seconds.
 */
export function hearTone(
  source: {
    on(e: 'audio', f: (frame: AudioFrame) => void): unknown;
    off(e: 'audio', f: (frame: AudioFrame) => void): unknown;
  },
  expectHz: number,
  sampleRate = 16000,
  windowSeconds = 0.5,
  timeoutMs = 60_000,
): Promise<{ hz: number; zcHz: number; db: number }> {
  const need = Math.round(sampleRate * windowSeconds);
  const chunks: Int16Array[] = [];
  let samples = 0;
  let sinceCheck = 0;
  let last = { hz: 0, zcHz: 0, db: -200 };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      source.off('audio', onAudio);
      reject(
        new Error(
          `no ${expectHz} Hz tone within ${timeoutMs} ms (last window: ${last.hz.toFixed(1)} Hz by DFT, ${last.zcHz.toFixed(1)} Hz by zero crossings, at ${last.db.toFixed(1)} dBFS)`,
        ),
      );
    }, timeoutMs);
    const onAudio = ({ data: pcm }: AudioFrame) => {
      chunks.push(pcm);
      samples += pcm.length;
      sinceCheck += pcm.length;
      while (samples - chunks[0].length >= need) samples -= (chunks.shift() as Int16Array).length;
      if (samples < need || sinceCheck < sampleRate / 4) return;
      sinceCheck = 0;
      const win = concat(chunks).subarray(-need);
      // Cheap checks first: the DFT scan is costly enough to starve the peers' real-time pacers on a loaded
      // machine if it ran on every window of silence.
      last = { hz: 0, zcHz: zeroCrossingFrequency(win, sampleRate), db: rmsDb(win) };
      if (last.db <= -35 || Math.abs(last.zcHz - expectHz) >= 15) return;
      last.hz = dominantFrequency(win, sampleRate, expectHz * 2 + 500);
      if (Math.abs(last.hz - expectHz) < 5) {
        clearTimeout(timer);
        source.off('audio', onAudio);
        resolve(last);
      }
    };
    source.on('audio', onAudio);
  });
}
