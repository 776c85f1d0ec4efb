// Test helpers: a WebSocket client of /realtime/stream that records every message and waits for them
// (a RecordingWsClient from @voxwire/test-support that knows Arnold's messages).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingWsClient, speech } from '@voxwire/test-support';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { type Arnold, type ArnoldOptions, startArnold } from '../src/server.js';

/** A JSON message from Arnold. */
export type Msg = { type: string; [key: string]: unknown };

/** A client of Arnold's realtime stream that keeps what it received. */
export class StreamClient extends RecordingWsClient<Msg> {
  static async open(baseUrl: string, token?: string): Promise<StreamClient> {
    const ws = new WebSocket(
      `${baseUrl.replace('http', 'ws')}/realtime/stream`,
      token ? { headers: { authorization: `Bearer ${token}` } } : {},
    );
    const client = new StreamClient(ws);
    await client.opened();
    await client.next((m) => m.type === 'session.ready');
    return client;
  }

  /** Bytes of agent audio received. */
  get audioBytes(): number {
    return this.binaryBytes;
  }

  /** Waits for the first message after index `from` matching `pred`. */
  next(pred: (m: Msg) => boolean, from = 0, timeoutMs = 60000): Promise<Msg> {
    return this.until(() => this.messages.slice(from).find(pred), 'a matching message', timeoutMs);
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
}

/** Streams PCM to Arnold in 100 ms binary frames, then a second of silence so server VAD ends the turn. */
export function streamSpeech(client: StreamClient, pcm: Int16Array): void {
  const frame = 2400;
  const padded = new Int16Array(pcm.length + 24000);
  padded.set(pcm);
  for (let i = 0; i < padded.length; i += frame) {
    const part = padded.subarray(i, Math.min(i + frame, padded.length));
    client.ws.send(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
  }
}

/** A temporary directory removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'arnold-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `text` spoken by espeak-ng (en-us) as PCM16 mono at Arnold's 24 kHz. */
export function speak(text: string): Int16Array {
  return speech(text, 24000);
}

export async function postJson(url: string, body?: unknown): Promise<{ status: number; json: Msg }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Msg };
}

/**
 * One Arnold for a test file on a fresh database in a temporary directory, started in `beforeAll` and
 * closed in `afterAll`; `arnold()` returns it inside tests.
 */
export function arnoldPerFile(options: ArnoldOptions = {}): { arnold: () => Arnold; dir: string } {
  const tmp = tempDir();
  let arnold: Arnold | undefined;
  beforeAll(async () => {
    arnold = await startArnold({ port: 0, dbPath: join(tmp.dir, 'arnold.db'), log: () => {}, ...options });
  });
  afterAll(async () => {
    await arnold?.close();
    tmp.remove();
  });
  return {
    dir: tmp.dir,
    arnold: () => {
      if (!arnold) throw new Error('Arnold is not started (use arnold() inside tests)');
      return arnold;
    },
  };
}
