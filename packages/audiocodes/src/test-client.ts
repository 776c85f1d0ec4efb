import { WebSocket } from 'ws';
import { AudioCodesError } from './errors.js';

/** One Bot API message as the test client sees it. */
export type AudioCodesTestMessage = Record<string, unknown> & { type: string };

/**
 * A VoiceAI Connect stand-in written from the Bot API protocol table, for tests and benchmarks of a bot:
 * it opens the bot WebSocket with a bearer token, runs the session handshake, streams caller audio and
 * collects what the bot plays. Not a production client.
 */
export class AudioCodesTestClient {
  /** Every message received from the bot, in order. */
  readonly received: AudioCodesTestMessage[] = [];
  private waiters: {
    pred: (m: AudioCodesTestMessage) => boolean;
    resolve: (m: AudioCodesTestMessage) => void;
  }[] = [];

  private constructor(
    readonly ws: WebSocket,
    readonly conversationId: string,
  ) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as AudioCodesTestMessage;
      this.received.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
  }

  /**
   * Connects to the bot at `url` with `token`; every message it sends carries `conversationId`.
   * @throws AudioCodesError `CONNECTION_REFUSED` when the upgrade is answered with an HTTP status
   */
  static async connect(url: string, token: string, conversationId: string): Promise<AudioCodesTestClient> {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new AudioCodesError('CONNECTION_REFUSED', `HTTP ${res.statusCode}`)),
      );
    });
    return new AudioCodesTestClient(ws, conversationId);
  }

  /** Sends a message with this client's `conversationId` (unless `msg` has its own). */
  send(msg: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ conversationId: this.conversationId, ...msg }));
  }

  /** Sends raw text (for malformed input). */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Resolves with the first message (already received from index `from` on, or future) matching `pred`. */
  waitFor(pred: (m: AudioCodesTestMessage) => boolean, from = 0): Promise<AudioCodesTestMessage> {
    const seen = this.received.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  /** Resolves with the first message of `type` (from index `from` on). */
  waitType(type: string, from = 0): Promise<AudioCodesTestMessage> {
    return this.waitFor((m) => m.type === type, from);
  }

  /** Sends `session.initiate` offering `formats`; resolves with `session.accepted` or `session.error`. */
  async initiate(formats: string[]): Promise<AudioCodesTestMessage> {
    const from = this.received.length;
    this.send({
      type: 'session.initiate',
      botName: 'test',
      caller: '+15550100',
      expectAudioMessages: true,
      supportedMediaFormats: formats,
    });
    return this.waitFor((m) => m.type === 'session.accepted' || m.type === 'session.error', from);
  }

  /** All `playStream.chunk` payloads (of one stream, when given), concatenated as bytes. */
  playedBytes(streamId?: string): Buffer {
    return Buffer.concat(
      this.received
        .filter((m) => m.type === 'playStream.chunk' && (!streamId || m.streamId === streamId))
        .map((m) => Buffer.from(m.audioChunk as string, 'base64')),
    );
  }

  /** Closes the socket; resolves once it is closed. */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
