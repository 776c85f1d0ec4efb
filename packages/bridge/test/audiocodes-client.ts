// A VoiceAI Connect stand-in written from the Bot API protocol table: it opens the bot WebSocket with a
// bearer token, runs the session handshake, streams caller audio and collects what the bot plays.
import { WebSocket } from 'ws';

export type Json = Record<string, unknown> & { type: string };

export class AudioCodesTestClient {
  readonly received: Json[] = [];
  private waiters: { pred: (m: Json) => boolean; resolve: (m: Json) => void }[] = [];

  private constructor(
    readonly ws: WebSocket,
    readonly conversationId: string,
  ) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Json;
      this.received.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
  }

  static async connect(url: string, token: string, conversationId: string): Promise<AudioCodesTestClient> {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return new AudioCodesTestClient(ws, conversationId);
  }

  send(msg: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ conversationId: this.conversationId, ...msg }));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Resolves with the first message (already received or future) matching `pred`. */
  waitFor(pred: (m: Json) => boolean, from = 0): Promise<Json> {
    const seen = this.received.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  waitType(type: string, from = 0): Promise<Json> {
    return this.waitFor((m) => m.type === type, from);
  }

  async initiate(formats: string[]): Promise<Json> {
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

  /** All `playStream.chunk` payloads of one stream, concatenated as bytes. */
  playedBytes(streamId?: string): Buffer {
    return Buffer.concat(
      this.received
        .filter((m) => m.type === 'playStream.chunk' && (!streamId || m.streamId === streamId))
        .map((m) => Buffer.from(m.audioChunk as string, 'base64')),
    );
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
