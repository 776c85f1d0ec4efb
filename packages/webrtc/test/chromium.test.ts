/// <reference lib="dom" />

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audioFrame } from '@voxwire/codecs';
import { CHROMIUM, launchChromium, startTurnServer, type TurnServer } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignalingServer, type SignalingServer, type WebRtcAudioPeer } from '../src/index.js';
import { concat, dominantFrequency, rmsDb, tone, zeroCrossingFrequency } from './helpers/audio.js';
import { writeToneWav } from './helpers/chromium.js';
import { collectAudio, eventWithin, LOOPBACK } from './helpers/peers.js';

interface PageMeasurement {
  peakHz: number;
  peakDb: number;
  rmsDb: number;
  state: string;
}

// The Chromium far end: the page calls the signaling server with its fake microphone (a 440 Hz WAV), the
// server-side peer answers and sends a 1 kHz tone back; each side measures what it received.
describe.skipIf(!existsSync(CHROMIUM))('headless Chromium as the far end', () => {
  let dir: string;
  let server: SignalingServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let turn: TurnServer;
  const peers: WebRtcAudioPeer[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'voxwire-webrtc-'));
    const wav = writeToneWav(dir, 440, 0.25);
    server = await createSignalingServer({
      port: 0,
      path: '/rtc',
      // The page may stall on a heavily shared machine; only a far end gone for 30 s is dead.
      peer: { ...LOOPBACK, sampleRate: 48000, mediaTimeoutMs: 30000 },
      onPeer: (peer) => {
        peers.push(peer);
        peer.once('connected', () => peer.sendAudio(audioFrame(tone(1000, 24000, 8, 0.25), 24000)));
      },
    });
    [browser, turn] = await Promise.all([
      launchChromium({ fakeMicWav: wav }),
      startTurnServer({ user: 'page', password: 'page-pw' }),
    ]);
  }, 60000);

  afterAll(async () => {
    await turn?.stop();
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decodes the fake microphone at 440 Hz and the page hears the 1 kHz reply', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.pageUrl);
    await page.waitForFunction(() => 'voxwire' in window);
    const peerReady = eventWithin<[WebRtcAudioPeer]>(server, 'peer', 40000);
    const measured = page.evaluate(async (url): Promise<PageMeasurement> => {
      // Page-side code: the browser client is untyped JavaScript.
      const { connect } = (
        window as unknown as {
          voxwire: {
            connect(options: object): Promise<{ remoteStream: MediaStream }>;
          };
        }
      ).voxwire;
      let state = 'new';
      const call = await connect({
        url,
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
        onState: (s: string) => {
          state = s;
        },
      });
      const ctx = new AudioContext();
      await ctx.resume();
      const source = ctx.createMediaStreamSource(call.remoteStream);
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      source.connect(analyser);
      const spectrum = new Float32Array(analyser.frequencyBinCount);
      const wave = new Float32Array(analyser.fftSize);
      let best = { peakHz: 0, peakDb: -Infinity, rmsDb: -Infinity };
      const deadline = performance.now() + 10000;
      // Sample until the reply tone has been seen clearly for a while.
      let strong = 0;
      while (performance.now() < deadline && strong < 5) {
        await new Promise((r) => setTimeout(r, 200));
        analyser.getFloatFrequencyData(spectrum);
        analyser.getFloatTimeDomainData(wave);
        let k = 1;
        for (let i = 2; i < spectrum.length; i++) if (spectrum[i] > spectrum[k]) k = i;
        let sum = 0;
        for (const v of wave) sum += v * v;
        const level = 10 * Math.log10(sum / wave.length + 1e-20);
        if (level > -40) {
          strong++;
          // Keep the loudest window: playout glitches on a loaded machine only ever lower the level.
          if (level > best.rmsDb) {
            best = { peakHz: (k * ctx.sampleRate) / analyser.fftSize, peakDb: spectrum[k], rmsDb: level };
          }
        }
      }
      await ctx.close();
      return { ...best, state };
    }, server.url);

    const [peer] = await peerReady;
    const heard = collectAudio(peer, 2.5);
    const [page1] = await Promise.all([measured, heard.done]);

    // Browser → Node: the fake mic's 440 Hz tone, decoded by our Opus decoder, at the file's level.
    const pcm = concat(heard.chunks).subarray(1.0 * 48000, 2.5 * 48000);
    expect(dominantFrequency(pcm, 48000)).toBeCloseTo(440, 0);
    expect(zeroCrossingFrequency(pcm, 48000)).toBeCloseTo(440, 0);
    const fileDb = rmsDb(tone(440, 48000, 1, 0.25));
    expect(Math.abs(rmsDb(pcm) - fileDb)).toBeLessThan(3);

    console.log(
      `chromium: node decoded ${dominantFrequency(pcm, 48000).toFixed(1)} Hz at ${rmsDb(pcm).toFixed(1)} dBFS (file ${fileDb.toFixed(1)}); page heard ${page1.peakHz.toFixed(1)} Hz at ${page1.rmsDb.toFixed(1)} dBFS`,
    );
    // Node → browser: the page's analyser sees our 1 kHz tone (bin width 48000/8192 ≈ 5.9 Hz).
    expect(page1.state).toBe('connected');
    expect(Math.abs(page1.peakHz - 1000)).toBeLessThan(12);
    expect(Math.abs(page1.rmsDb - fileDb)).toBeLessThan(3);

    const stats = await peer.stats();
    expect(stats.packetsReceived).toBeGreaterThan(100);
    expect(stats.packetsSent).toBeGreaterThan(0);

    // The page vanishes mid-call (no bye): the server closes the session and releases its peer.
    const closed = eventWithin(peer, 'close', 40000);
    await page.close();
    await closed;
    expect(peer.connectionState).toBe('closed');
    expect(server.sessionCount).toBe(0);
  }, 60000);

  it("iceTransportPolicy 'relay' sends the page's audio only through TURN (real coturn)", async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(server.pageUrl);
      await page.waitForFunction(() => 'voxwire' in window);
      const peerReady = eventWithin<[WebRtcAudioPeer]>(server, 'peer', 40000);
      const result = page.evaluate(
        async ({ url, turnUrl }) => {
          // Page-side code: the browser client is untyped JavaScript.
          const { connect } = (
            window as unknown as {
              voxwire: { connect(options: object): Promise<{ pc: RTCPeerConnection }> };
            }
          ).voxwire;
          let refused = '';
          try {
            await connect({ url, iceTransportPolicy: 'none-such' });
          } catch (err) {
            refused = (err as Error).name;
          }
          const call = await connect({
            url,
            iceServers: [{ urls: turnUrl, username: 'page', credential: 'page-pw' }],
            iceTransportPolicy: 'relay',
            audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
          });
          const until = performance.now() + 20000;
          while (call.pc.connectionState !== 'connected' && performance.now() < until)
            await new Promise((r) => setTimeout(r, 100));
          const stats = await call.pc.getStats();
          const types: string[] = [];
          stats.forEach((s: { type: string; nominated?: boolean; localCandidateId?: string }) => {
            if (s.type === 'candidate-pair' && s.nominated && s.localCandidateId)
              types.push(
                String(
                  (stats as unknown as Map<string, { candidateType?: string }>).get(s.localCandidateId)
                    ?.candidateType,
                ),
              );
          });
          return { refused, state: call.pc.connectionState, types };
        },
        { url: server.url, turnUrl: turn.url },
      );
      const [peer] = await peerReady;
      const heard = collectAudio(peer, 2);
      const [outcome] = await Promise.all([result, heard.done]);
      expect(outcome.refused).toBe('TypeError');
      expect(outcome.state).toBe('connected');
      expect(outcome.types.length).toBeGreaterThan(0);
      expect(new Set(outcome.types)).toEqual(new Set(['relay']));
      // The relayed microphone is still the 440 Hz tone.
      expect(dominantFrequency(concat(heard.chunks).subarray(48000, 2 * 48000), 48000)).toBeCloseTo(440, 0);
    } finally {
      await page.close();
    }
  }, 60000);
});
