// Test helpers: a WebSocket client of /realtime/stream that records every message and waits for them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resampler, wav } from '@voxwire/codecs';
import WebSocket from 'ws';

/** A JSON message from Arnold. */
export type Msg = { type: string; [key: string]: unknown };

/** A client of Arnold's realtime stream that keeps what it received. */
export class StreamClient {
  readonly messages: Msg[] = [];
  /** Bytes of agent audio received. */
  audioBytes = 0;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      if (isBinary) this.audioBytes += buf.length;
      else this.messages.push(JSON.parse(buf.toString('utf8')) as Msg);
      for (const w of this.waiters) w();
    });
    ws.on('close', () => {
      for (const w of this.waiters) w();
    });
  }

  static async open(baseUrl: string, token?: string): Promise<StreamClient> {
    const ws = new WebSocket(
      `${baseUrl.replace('http', 'ws')}/realtime/stream`,
      token ? { headers: { authorization: `Bearer ${token}` } } : {},
    );
    const client = new StreamClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await client.next((m) => m.type === 'session.ready');
    return client;
  }

  /** Waits for a condition over the received messages (checked on every message). */
  async until<T>(check: () => T | undefined | false, what: string, timeoutMs = 60000): Promise<T> {
    const first = check();
    if (first) return first;
    if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed before ${what}`);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => m.type))}`),
        );
      }, timeoutMs);
      const waiter = () => {
        const v = check();
        if (v) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(v);
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`socket closed while waiting for ${what}`));
        }
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits for the first message after index `from` matching `pred`. */
  next(pred: (m: Msg) => boolean, from = 0, timeoutMs = 60000): Promise<Msg> {
    return this.until(() => this.messages.slice(from).find(pred), 'a matching message', timeoutMs);
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Sends a text turn and waits for its final response text (after any tool calls); returns new messages. */
  async say(text: string): Promise<Msg[]> {
    const from = this.messages.length;
    this.send({ type: 'text_input', text });
    await this.until(() => {
      const fresh = this.messages.slice(from);
      const done = fresh.filter((m) => m.type === 'response_done');
      const calls = fresh.filter((m) => m.type === 'tool_call').length;
      // one response per tool-call round plus the final spoken one
      return done.length >= calls + 1 && fresh.some((m) => m.type === 'response_text');
    }, `the answer to "${text}"`);
    return this.messages.slice(from);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** A temporary directory removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'arnold-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Speaks `text` with espeak-ng and returns PCM16 mono at 24 kHz. */
export function speak(text: string, dir: string): Int16Array {
  const file = join(dir, `speech-${Date.now()}.wav`);
  execFileSync('espeak-ng', ['-v', 'en-us', '-w', file, text]);
  const audio = wav.read(readFileSync(file));
  if (audio.encoding !== 'pcm16' || audio.channels !== 1) throw new Error('unexpected espeak output');
  const rs = new Resampler({ inputRate: audio.sampleRate, outputRate: 24000, channels: 1 });
  const a = rs.process(audio.data);
  const b = rs.flush();
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export async function postJson(url: string, body?: unknown): Promise<{ status: number; json: Msg }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Msg };
}
