import { execFileSync } from 'node:child_process';
import { int16ToBase64 } from '@voxwire/codecs';
import { readStreamingWav, resampleFrame } from '@voxwire/speech';
import { voicedSpan } from '@voxwire/test-support';
import WebSocket from 'ws';

/** A server event as the tests see it. */
export type Event = { type: string; event_id: string; [k: string]: unknown };

/** Speech from espeak-ng (en-us voice, which pocketsphinx recognises best) at `rate`. */
export function speak(text: string, rate = 24000): Int16Array {
  const wav = execFileSync('espeak-ng', ['-v', 'en-us', '--stdout', '--', text]);
  return resampleFrame(readStreamingWav(wav), rate).data;
}

/** First and last sample whose absolute value exceeds `level`: where speech really is. */
export function speechExtent(pcm: Int16Array, level = 300): { first: number; last: number } {
  return voicedSpan(pcm, level);
}

export { concat, dbfs } from '@voxwire/test-support';

/** A raw `ws` client that records every server event and waits for specific ones. */
export class RawClient {
  readonly events: Event[] = [];
  private waiters: Array<{ pred: (e: Event) => boolean; resolve: (e: Event) => void; from: number }> = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
    this.ws.on('message', (data) => {
      const e = JSON.parse(data.toString()) as Event;
      this.events.push(e);
      const idx = this.events.length - 1;
      this.waiters = this.waiters.filter((w) => {
        if (idx >= w.from && w.pred(e)) {
          w.resolve(e);
          return false;
        }
        return true;
      });
    });
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const c = new RawClient(url, headers);
    await c.opened;
    await c.next('session.created');
    return c;
  }

  send(event: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(event));
  }

  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  /** The next event (from index `from`, default: any not yet awaited) of `type` matching `pred`. */
  next(type: string, pred: (e: Event) => boolean = () => true, from = 0): Promise<Event> {
    const match = (e: Event) => e.type === type && pred(e);
    for (let i = from; i < this.events.length; i++) {
      if (match(this.events[i])) return Promise.resolve(this.events[i]);
    }
    return new Promise((resolve) => this.waiters.push({ pred: match, resolve, from }));
  }

  /** Waits for an event appearing after everything received so far. */
  nextNew(type: string, pred: (e: Event) => boolean = () => true): Promise<Event> {
    return this.next(type, pred, this.events.length);
  }

  appendAudio(pcm: Int16Array, chunkSamples = 2400): void {
    for (let i = 0; i < pcm.length; i += chunkSamples) {
      this.send({
        type: 'input_audio_buffer.append',
        audio: int16ToBase64(pcm.subarray(i, i + chunkSamples)),
      });
    }
  }

  types(from = 0): string[] {
    return this.events.slice(from).map((e) => e.type);
  }

  close(): void {
    this.ws.close();
  }
}
