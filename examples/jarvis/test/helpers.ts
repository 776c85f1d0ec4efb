import { concat, silence, speech as spoken } from '@voxwire/test-support';
import WebSocket from 'ws';
import { type Jarvis, startJarvis, TokenStore } from '../src/index.js';

/** Test users: `user0`…`user9` with tokens `token-for-user-0…`, and `admin` with an admin token. */
export function testTokens(users = 10): {
  tokens: TokenStore;
  tokenOf: (user: string) => string;
  admin: string;
} {
  const tokens = new TokenStore();
  const map = new Map<string, string>();
  for (let i = 0; i < users; i++) {
    const t = `token-for-user-${i}-${'x'.repeat(8)}`;
    tokens.add(t, `user${i}`);
    map.set(`user${i}`, t);
  }
  const admin = 'admin-token-0123456789';
  tokens.add(admin, 'admin', 'admin');
  map.set('admin', admin);
  return { tokens, admin, tokenOf: (u) => map.get(u) as string };
}

/** Both services on free ports. */
export async function startTestJarvis(tokens: TokenStore, sessionTimeoutMs?: number): Promise<Jarvis> {
  return startJarvis({ tokens, corePort: 0, audioPort: 0, audio: { sessionTimeoutMs } });
}

/**
 * espeak-ng speech at `rate` (test-support's `speech`) with leading and trailing silence, the trail long
 * enough for the VAD to end the utterance.
 */
export function speech(
  text: string,
  rate = 16000,
  options: { leadMs?: number; tailMs?: number } = {},
): Int16Array {
  const samples = (ms: number) => Math.round((ms * rate) / 1000);
  return concat(
    silence(samples(options.leadMs ?? 300)),
    spoken(text, rate),
    silence(samples(options.tailMs ?? 1800)),
  );
}

/**
 * The design's full `AudioConfig`, exactly as its Python defaults spell it (snake_case on the wire). Written
 * out rather than taken from `DEFAULT_AUDIO_CONFIG`, so that the tests compare the code with the design.
 */
export const DESIGN_AUDIO_CONFIG = Object.freeze({
  sample_rate: 16000,
  channels: 1,
  chunk_size: 1024,
  stt_model: 'base',
  tts_voice: 'en-US-AriaNeural',
  enable_vad: true,
  enable_noise_reduction: true,
  streaming_chunk_ms: 100,
  max_silence_ms: 1000,
  min_speech_ms: 300,
});

/** A received JSON message. */
export interface Msg {
  type: string;
  data: Record<string, unknown>;
}

/** A WebSocket test client that records every message and binary frame. */
export class Client {
  readonly messages: Msg[] = [];
  readonly binary: Buffer[] = [];
  closed = false;
  closeCode = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.binary.push(data);
      else this.messages.push(JSON.parse(data.toString('utf8')) as Msg);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      this.wake();
    });
  }

  /** Connects to `url` with `token` as a bearer header; `ca` trusts a test certificate for `wss:`. */
  static async open(url: string, token?: string, ca?: Buffer): Promise<Client> {
    const ws = new WebSocket(url, {
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      ...(ca ? { ca } : {}),
    });
    const client = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return client;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Sends PCM16 in `chunkMs` binary frames, yielding to the event loop between frames. */
  async stream(pcm: Int16Array, rate: number, chunkMs = 100): Promise<void> {
    const n = (rate * chunkMs) / 1000;
    for (let o = 0; o < pcm.length; o += n) {
      const c = pcm.slice(o, o + n);
      this.ws.send(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Waits for the first message (from index `from`) matching `pred`. */
  async waitFor(pred: (m: Msg) => boolean, timeoutMs = 60000, from = 0): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(pred);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed (${this.closeCode}) before the message came`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${this.messages.map((m) => m.type).join(',')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  of(type: string): Msg[] {
    return this.messages.filter((m) => m.type === type);
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Concatenates received PCM16LE frames. */
export function pcmOf(frames: Buffer[]): Int16Array {
  const all = Buffer.concat(frames);
  const out = new Int16Array(all.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = all.readInt16LE(i * 2);
  return out;
}

/** RMS in dBFS. */
export { dbfs as rmsDb } from '@voxwire/test-support';
