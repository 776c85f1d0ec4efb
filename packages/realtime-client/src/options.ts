import type { ReconnectOptions } from './backoff.js';
import type { PlaybackTracker } from './playback.js';
import type { SessionUpdate } from './protocol.js';
import type { WebSocketConstructor } from './socket.js';

/** Options of {@link RealtimeClient}. */
export interface RealtimeClientOptions {
  /**
   * WebSocket URL. Default `wss://api.openai.com/v1/realtime`. May point at Azure, a proxy or a local
   * `@voxwire/realtime-server`; `?model=` is added unless the URL already has `model` or `deployment`.
   */
  url?: string;
  /**
   * Sent as `Authorization: Bearer …`. Default `process.env.OPENAI_API_KEY`, but only when the URL is OpenAI's
   * (`api.openai.com`): other servers get no key unless you give one here.
   */
  apiKey?: string;
  /** Model, sent in the URL. Default `gpt-realtime`. */
  model?: string;
  /** Extra upgrade headers (e.g. Azure's `api-key`). */
  headers?: Record<string, string>;
  /** Initial session configuration, sent on connect and re-sent after every reconnect. */
  session?: SessionUpdate;
  /** Reconnection policy, or `false` to never reconnect. Default {@link DEFAULT_RECONNECT}. */
  reconnect?: ReconnectOptions | false;
  /**
   * After a reconnect, ask for a new response when the drop cut one off (`response.create` once the
   * conversation is restored, so the model finishes its answer). Default false: the `reconnected` event's
   * `responseCut` says it happened and the application decides.
   */
  resumeResponse?: boolean;
  /** WebSocket class. Default `ws`. */
  WebSocket?: WebSocketConstructor;
  /**
   * What the listener has heard of each assistant audio item, from whatever plays the audio (a Twilio mark
   * echo, a sound card's played-frame counter). {@link RealtimeClient.interrupt} truncates to it. Without
   * one, the client truncates at the audio it has delivered through `audio` events. Can be changed later
   * with {@link RealtimeClient.setPlayback}.
   */
  playback?: PlaybackTracker;
  /**
   * Barge-in: with server turn detection, `input_audio_buffer.speech_started` while assistant audio is
   * playing interrupts it, exactly as {@link RealtimeClient.interrupt} does. Default true.
   */
  bargeIn?: boolean;
  /** Input batch length in ms: appended audio is sent in chunks this long. Default 100. */
  batchMs?: number;
  /**
   * Deliver `audio` as PCM at this rate (resampled; G.711 output decoded). Default: the wire format as is
   * (PCM16 at 24 kHz, or G.711 bytes passed through as `EncodedFrame`s).
   */
  outputSampleRate?: number;
  /** Keep received assistant audio in the conversation items. Default false (no growth over long calls). */
  retainAudio?: boolean;
  /** Conversation items kept (oldest dropped). Default 200. */
  maxConversationItems?: number;
  /** Ping interval; a ping unanswered by the next one drops the connection. 0 disables. Default 30000. */
  heartbeatIntervalMs?: number;
  /** The server's session time limit. Default 60 minutes (OpenAI's). */
  sessionMaxMs?: number;
  /** How long before the limit the client rolls over to a fresh session (at a quiet moment). Default 5 min. */
  rolloverMarginMs?: number;
  /** Time allowed for the upgrade and `session.created`. Default 15000. */
  connectTimeoutMs?: number;
  /** Socket bytes in flight above which sends are queued instead. Default 256 KiB. */
  highWaterMarkBytes?: number;
  /** Queue bound; beyond it the oldest queued audio is dropped and an `overflow` event says so. Default 2 MiB. */
  maxQueueBytes?: number;
  /** Default tool handler timeout. Default 10000. */
  toolTimeoutMs?: number;
}
