/// <reference lib="dom" />
// Headless Chromium as a WebRTC participant: the page calls OpenClaw through the browser client with a
// WebAudio stream it controls (a tone it can switch, speech it can play) and measures what it receives in
// 100 ms blocks at the probe frequencies.
import type { BrowserContext, Page } from 'playwright-core';
import type { BlockLevels } from './audio.js';

interface PageApi {
  start(url: string | undefined, toneHz: number, probes: number[]): Promise<void>;
  tone(on: boolean): void;
  play(samples: number[], rate: number): Promise<void>;
  blocks(from: number): BlockLevels[];
  count(): number;
  state(): string;
  close(): void;
}

/** A browser participant on a page of the signaling server's demo (which exposes `window.voxwire`). */
export class BrowserParticipant {
  private constructor(readonly page: Page) {}

  /** Opens the page; `initScript` runs in it before the page's own scripts (to observe browser APIs). */
  static async open(
    context: BrowserContext,
    pageUrl: string,
    initScript?: () => void,
  ): Promise<BrowserParticipant> {
    const page = await context.newPage();
    if (initScript) await page.addInitScript(initScript);
    await page.goto(pageUrl);
    await page.waitForFunction(() => 'voxwire' in window);
    await page.evaluate(installPageApi);
    return new BrowserParticipant(page);
  }

  /**
   * Calls OpenClaw; resolves once the call is set up (the page's tone stays off until {@link tone}).
   * @param signalingUrl - where to signal; `undefined`: where the page's own configuration says
   */
  async connect(signalingUrl: string | undefined, toneHz: number, probes: readonly number[]): Promise<void> {
    await this.page.evaluate(([u, f, p]) => (window as unknown as { oc: PageApi }).oc.start(u, f, [...p]), [
      signalingUrl,
      toneHz,
      [...probes],
    ] as const);
  }

  tone(on: boolean): Promise<void> {
    return this.page.evaluate((v) => (window as unknown as { oc: PageApi }).oc.tone(v), on);
  }

  /** Plays PCM into the call; resolves when it has been played. */
  play(pcm: Int16Array, rate: number): Promise<void> {
    const samples = Array.from(pcm, (v) => v / 32768);
    return this.page.evaluate(([s, r]) => (window as unknown as { oc: PageApi }).oc.play(s, r), [
      samples,
      rate,
    ] as const);
  }

  /** Blocks received so far (from index `from`). */
  blocks(from = 0): Promise<BlockLevels[]> {
    return this.page.evaluate((f) => (window as unknown as { oc: PageApi }).oc.blocks(f), from);
  }

  count(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { oc: PageApi }).oc.count());
  }

  state(): Promise<string> {
    return this.page.evaluate(() => (window as unknown as { oc: PageApi }).oc.state());
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}

/** Runs in the page: installs `window.oc`. */
function installPageApi(): void {
  type Call = { remoteStream: MediaStream; close(): void };
  const w = window as unknown as {
    voxwire: { connect(o: object): Promise<Call> };
    openclaw: { signalingUrl: string; iceServers: unknown[] };
    oc: PageApi;
  };
  let ctx: AudioContext;
  let gain: GainNode;
  let dest: MediaStreamAudioDestinationNode;
  let call: Call | undefined;
  let state = 'new';
  const blocks: { tones: number[]; rms: number }[] = [];
  // Keep nodes reachable (a collected ScriptProcessor stops processing).
  const keep: unknown[] = [];
  w.oc = {
    async start(url, toneHz, probes) {
      ctx = new AudioContext({ sampleRate: 48000 });
      await ctx.resume();
      dest = ctx.createMediaStreamDestination();
      gain = ctx.createGain();
      gain.gain.value = 0;
      const osc = ctx.createOscillator();
      osc.frequency.value = toneHz;
      osc.connect(gain).connect(dest);
      osc.start();
      call = await w.voxwire.connect({
        url: url ?? w.openclaw.signalingUrl,
        iceServers: w.openclaw.iceServers,
        stream: dest.stream,
        onState: (s: string) => (state = s),
      });
      const src = ctx.createMediaStreamSource(call.remoteStream);
      const proc = ctx.createScriptProcessor(4096, 1, 1);
      const n = 4800;
      const block = new Float32Array(n);
      const win = new Float32Array(n);
      let winSum = 0;
      for (let i = 0; i < n; i++) {
        win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
        winSum += win[i] as number;
      }
      const coeffs = probes.map((f) => 2 * Math.cos((2 * Math.PI * f) / ctx.sampleRate));
      let fill = 0;
      proc.onaudioprocess = (e) => {
        const x = e.inputBuffer.getChannelData(0);
        for (let i = 0; i < x.length; i++) {
          block[fill++] = x[i] as number;
          if (fill === n) {
            fill = 0;
            const tones = coeffs.map((c) => {
              let s1 = 0;
              let s2 = 0;
              for (let k = 0; k < n; k++) {
                const s0 = (block[k] as number) * (win[k] as number) + c * s1 - s2;
                s2 = s1;
                s1 = s0;
              }
              const amp = (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2))) / winSum;
              return 20 * Math.log10(amp / Math.SQRT2 + 1e-9);
            });
            let sum = 0;
            for (let k = 0; k < n; k++) sum += (block[k] as number) ** 2;
            blocks.push({ tones, rms: 10 * Math.log10(sum / n + 1e-12) });
          }
        }
      };
      src.connect(proc);
      proc.connect(ctx.destination);
      keep.push(src, proc);
    },
    tone(on) {
      gain.gain.setValueAtTime(on ? 0.25 : 0, ctx.currentTime);
    },
    play(samples, rate) {
      const buffer = ctx.createBuffer(1, samples.length, rate);
      buffer.getChannelData(0).set(samples);
      const node = ctx.createBufferSource();
      node.buffer = buffer;
      node.connect(dest);
      return new Promise<void>((resolve) => {
        node.onended = () => resolve();
        node.start();
      });
    },
    blocks: (from) => blocks.slice(from),
    count: () => blocks.length,
    state: () => state,
    close() {
      call?.close();
    },
  };
}
