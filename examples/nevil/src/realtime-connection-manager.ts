import { audioFrame, base64ToInt16 } from '@voxwire/codecs';
import {
  type ClientConversationItem,
  RealtimeClient,
  type RealtimeClientOptions,
  type ResponseCreateParams,
  type SessionUpdate,
} from '@voxwire/realtime-client';
import type { AudioStreamTarget, ClientEventLike } from './connection-target.js';
import { AudioCaptureError } from './errors.js';
import { toGaSession } from './session-shape.js';

/** Options of {@link RealtimeConnectionManager}. */
export interface RealtimeConnectionOptions {
  /** OpenAI key (default `OPENAI_API_KEY`). */
  apiKey?: string;
  /** Server URL, e.g. a local `@voxwire/realtime-server` (`ws://127.0.0.1:<port>/v1/realtime`); default OpenAI. */
  url?: string;
  model?: string;
  /** Initial session (GA or the design's beta shape). */
  session?: Record<string, unknown>;
  /** Chunks appended before start() resolves are kept up to this many (oldest dropped, counted). Default 50. */
  maxPendingChunks?: number;
  /** Errors the client reports (default: a process warning). */
  onError?: (error: Error) => void;
  /** Anything else for the underlying {@link RealtimeClient}. */
  client?: Omit<RealtimeClientOptions, 'apiKey' | 'url' | 'model' | 'session'>;
}

type Pending = { audio: boolean; run: () => void };

/**
 * The design's `RealtimeConnectionManager` on @voxwire/realtime-client: `start()`, `stop()`, `sendEvent(event)`,
 * plus the audio path {@link AudioCaptureManager} uses (`appendAudio` at any rate and channel count, resampled
 * to the session rate and sent as `input_audio_buffer.append`). Calls made before `start()` resolves are queued.
 */
export class RealtimeConnectionManager implements AudioStreamTarget {
  /** The underlying client: subscribe to its events (`transcript`, `audio`, wire events…) here or with on(). */
  readonly client: RealtimeClient;
  private pending: Pending[] = [];
  private pendingAudio = 0;
  private readonly maxPendingChunks: number;
  private started = false;
  /** connect() resolved: from then on the client itself queues across reconnects. */
  private ready = false;
  private stopped = false;
  private mono = new Int16Array(0);
  /** Chunks dropped while waiting for the connection. */
  droppedChunks = 0;

  constructor(options: RealtimeConnectionOptions = {}) {
    this.maxPendingChunks = options.maxPendingChunks ?? 50;
    this.client = new RealtimeClient({
      batchMs: 200,
      ...(options.client ?? {}),
      apiKey: options.apiKey,
      url: options.url,
      model: options.model,
      session: options.session ? toGaSession(options.session) : undefined,
    });
    const onError = options.onError ?? ((err: Error) => process.emitWarning(err));
    this.client.on('error', onError);
  }

  /** Whether the session is open (false while reconnecting). */
  get connected(): boolean {
    return this.client.connected;
  }

  /**
   * Connects (resolves after the session is configured) and sends what was queued meanwhile.
   * @throws RealtimeClientError `CONNECTION` when the server cannot be reached
   */
  async start(): Promise<void> {
    if (this.stopped) throw new AudioCaptureError('CONNECTION', 'start() after stop(): create a new manager');
    if (this.started) return;
    this.started = true;
    try {
      await this.client.connect();
    } catch (err) {
      this.started = false; // the client is idle again: start() may be retried
      throw err;
    }
    this.ready = true;
    const queued = this.pending;
    this.pending = [];
    this.pendingAudio = 0;
    for (const p of queued) p.run();
  }

  /** Sends held-back audio and closes the connection for good. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.pending = [];
    this.pendingAudio = 0;
    if (this.client.connected) this.client.flushAudio();
    this.client.close();
  }

  /**
   * The design's `send_event`: `session.update` (GA or beta shape), `input_audio_buffer.append|commit|clear`,
   * `response.create|cancel`, `conversation.item.create|delete`.
   * @throws AudioCaptureError `CONNECTION` for other types or after stop()
   */
  sendEvent(event: ClientEventLike): void {
    const run = this.eventRunner(event);
    this.whenReady(event.type === 'input_audio_buffer.append', run);
  }

  /** Appends a chunk of interleaved PCM16 (stereo is mixed to mono); resampled to the session rate. */
  appendAudio(pcm: Int16Array, sampleRate: number, channels = 1): void {
    if (!this.ready && !this.stopped) {
      const copy = pcm.slice();
      this.whenReady(true, () => this.appendAudio(copy, sampleRate, channels));
      return;
    }
    if (this.stopped) return;
    this.client.appendAudio(audioFrame(channels === 1 ? pcm : this.downmix(pcm, channels), sampleRate));
  }

  /** Sends the client's partial batch. */
  flushAudio(): void {
    this.whenReady(false, () => this.client.flushAudio());
  }

  /**
   * End of a locally detected utterance: with turn detection off (`turn_detection: null`) the turn is
   * committed and a response requested; with server VAD the trailing silence already sent lets the server
   * end the turn itself.
   */
  speechEnded(): void {
    this.whenReady(false, () => {
      this.client.flushAudio();
      if (this.client.sessionConfig.audio?.input?.turn_detection === null) {
        this.client.commit();
        this.client.createResponse();
      }
    });
  }

  private whenReady(audio: boolean, run: () => void): void {
    if (this.stopped) throw new AudioCaptureError('CONNECTION', 'the connection manager was stopped');
    if (this.ready) {
      run();
      return;
    }
    if (audio && this.pendingAudio >= this.maxPendingChunks) {
      this.pending.splice(
        this.pending.findIndex((p) => p.audio),
        1,
      );
      this.pendingAudio--;
      this.droppedChunks++;
    }
    if (audio) this.pendingAudio++;
    this.pending.push({ audio, run });
  }

  private eventRunner(event: ClientEventLike): () => void {
    const c = this.client;
    switch (event.type) {
      case 'session.update': {
        const session = toGaSession((event.session ?? {}) as Record<string, unknown>);
        return () => c.updateSession(session as SessionUpdate);
      }
      case 'input_audio_buffer.append': {
        const pcm = base64ToInt16(String(event.audio ?? ''));
        const rate = 24000;
        return () => c.appendAudio(audioFrame(pcm, rate));
      }
      case 'input_audio_buffer.commit':
        return () => c.commit();
      case 'input_audio_buffer.clear':
        return () => c.clearInput();
      case 'response.create':
        return () => c.createResponse(event.response as ResponseCreateParams | undefined);
      case 'response.cancel':
        return () => void c.cancelResponse();
      case 'conversation.item.create':
        return () =>
          c.createItem(event.item as ClientConversationItem, event.previous_item_id as string | undefined);
      case 'conversation.item.delete':
        return () => c.deleteItem(String(event.item_id));
      default:
        throw new AudioCaptureError('CONNECTION', `sendEvent does not support "${event.type}"`);
    }
  }

  private downmix(pcm: Int16Array, channels: number): Int16Array {
    const frames = Math.floor(pcm.length / channels);
    if (this.mono.length < frames) this.mono = new Int16Array(frames);
    const out = this.mono.subarray(0, frames);
    for (let f = 0, i = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += pcm[i++] as number;
      out[f] = Math.round(sum / channels);
    }
    return out;
  }
}
