import { EventEmitter } from 'node:events';
import { type AnyFrame, type EncodedFrame, frameSamples } from '@voxwire/codecs';
import { type AsyncCloseable, emitError, LatencyWindow } from '@voxwire/core';
import { AudioInputEncoder, checkFrame } from './audio-input.js';
import { AudioOutputDecoder, type DecodedDelta } from './audio-output.js';
import { backoffDelay, DEFAULT_RECONNECT, type ReconnectOptions, type ReconnectPolicy } from './backoff.js';
import { Conversation, type ConversationEntry } from './conversation.js';
import { RealtimeClientError } from './errors.js';
import type { RealtimeMetrics } from './metrics.js';
import type { PlaybackTracker } from './playback.js';
import {
  BETA_EVENT_ALIASES,
  type ClientConversationItem,
  type ClientEvent,
  type FunctionCallArgumentsDoneEvent,
  type FunctionToolDefinition,
  type RealtimeAudioFormat,
  type ResponseCreateParams,
  SERVER_EVENT_TYPES,
  type ServerEvent,
  type ServerEventOf,
  type ServerEventType,
  type ServerResponse,
  type SessionConfig,
  type SessionUpdate,
} from './protocol.js';
import { type OverflowInfo, SendQueue } from './send-queue.js';
import {
  DefaultWebSocket,
  frameText,
  OPEN,
  type WebSocketConstructor,
  type WebSocketLike,
} from './socket.js';
import { runTool, type ToolDefinition, type ToolHandler, type ToolOptions } from './tools.js';

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

/** Which assistant audio an `audio` frame belongs to (the event's second argument). */
export interface AudioInfo {
  responseId: string;
  itemId: string;
  contentIndex: number;
}

/** Assistant speech text (transcript of the audio, or text output). */
export interface TranscriptEvent {
  itemId: string;
  responseId: string;
  /** New text ('' on the final event). */
  delta: string;
  /** All text of the item so far. */
  text: string;
  done: boolean;
}

/** Transcript of the user's audio. */
export interface UserTranscriptEvent {
  itemId: string;
  delta: string;
  text: string;
  done: boolean;
}

/** A function call from the model. */
export interface ToolCallEvent {
  callId: string;
  name: string;
  itemId: string;
  responseId: string;
  /** The raw argument string. */
  rawArguments: string;
  /** Whether a handler registered with `addTool` runs it (otherwise call `sendToolOutput`). */
  handled: boolean;
}

/** A finished tool call. */
export interface ToolResultEvent {
  callId: string;
  name: string;
  output: string;
  error?: RealtimeClientError;
}

/** A finished response. */
export interface ResponseDoneEvent {
  responseId: string;
  status: ServerResponse['status'];
  response: ServerResponse;
}

/**
 * Assistant audio was interrupted: whatever plays it should drop what it has queued of `itemId`
 * (and anything after it).
 */
export interface InterruptedEvent {
  /** The item that was playing. */
  itemId: string;
  /** How much of it was heard: the `audio_end_ms` it was truncated to. */
  playedMs: number;
}

/** A reconnection is about to be attempted. */
export interface ReconnectingEvent {
  attempt: number;
  delayMs: number;
  /** Why: the close code/reason, or `rollover` for a planned switch to a fresh session. */
  reason: string;
  planned: boolean;
}

/** A reconnection succeeded and the session was restored. */
export interface ReconnectedEvent {
  attempt: number;
  /** Conversation items re-created in the new session. */
  restoredItems: number;
  planned: boolean;
  /** A response was in progress when the connection dropped (its partial text is in the restored context). */
  responseCut: boolean;
  /** A new response was requested for it (option `resumeResponse`). */
  resumed: boolean;
}

/** The client closed for good. */
export interface CloseEvent {
  code: number;
  reason: string;
  /** Queued messages never sent, and the audio among them. */
  unsentMessages: number;
  unsentAudioMs: number;
}

/** A server event of a type this client does not know. */
export interface UnknownEvent {
  type: string;
  event: { [key: string]: unknown };
}

/**
 * Events of {@link RealtimeClient} (Node's typed `EventEmitter` map): the high-level ones, and every known
 * server event by its wire `type` (`client.on('response.done', (ev) => …)`).
 */
export interface RealtimeHighLevelEvents {
  /**
   * Assistant audio. With a G.711 output format (`audio/pcmu`, `audio/pcma`) and no `outputSampleRate`,
   * an {@link EncodedFrame} (codec `pcmu`/`pcma`, 8 kHz mono) holding the bytes of the delta as they came;
   * otherwise an `AudioFrame` (PCM16 mono at 24 kHz, or at `outputSampleRate`). `position` counts the
   * samples of this item's audio delivered before the frame. The listener owns the frame.
   */
  audio: [frame: AnyFrame, info: AudioInfo];
  /** An item's audio is complete. */
  audioDone: [event: { itemId: string; responseId: string }];
  transcript: [event: TranscriptEvent];
  userTranscript: [event: UserTranscriptEvent];
  speechStarted: [event: { itemId: string; audioStartMs: number }];
  speechStopped: [event: { itemId: string; audioEndMs: number }];
  toolCall: [event: ToolCallEvent];
  toolResult: [event: ToolResultEvent];
  responseDone: [event: ResponseDoneEvent];
  interrupted: [event: InterruptedEvent];
  /** Emitted through `emitError` from `@voxwire/core`: with no listener it becomes a process warning. */
  error: [error: RealtimeClientError];
  reconnecting: [event: ReconnectingEvent];
  reconnected: [event: ReconnectedEvent];
  overflow: [info: OverflowInfo];
  unknown: [event: UnknownEvent];
  close: [event: CloseEvent];
  /** Every known server event. */
  event: [event: ServerEvent];
}

/** Every event the client emits: the high-level ones, and each server event by its wire `type`. */
export type RealtimeClientEvents = RealtimeHighLevelEvents & {
  [K in Exclude<ServerEventType, 'error'>]: [event: ServerEventOf<K>];
};

type State = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

interface AudioItemState {
  responseId: string;
  contentIndex: number;
  /** Wire samples received. */
  samples: number;
  rate: number;
  /** Samples delivered through `audio` events (at `deliveredRate`): the next frame's `position`. */
  delivered: number;
  deliveredRate?: number;
  done: boolean;
  truncated: boolean;
}

interface PendingCall {
  responseId: string;
  manual: boolean;
}

/** How long `close()` waits for the server's half of the closing handshake before cutting the socket. */
export const CLOSE_GRACE_MS = 2000;

/** Resolves when `ws` has closed, cutting it off after {@link CLOSE_GRACE_MS}. */
function socketClosed(ws: WebSocketLike): Promise<void> {
  if (ws.readyState === 3) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate?.();
      resolve();
    }, CLOSE_GRACE_MS); // not unref'd: whoever awaits close() must see it resolve
    ws.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const DEFAULT_URL = 'wss://api.openai.com/v1/realtime';
const MAX_AUDIO_ITEMS = 32;
const DEFAULT_INPUT_FORMAT: RealtimeAudioFormat = { type: 'audio/pcm', rate: 24000 };

/**
 * OpenAI Realtime (GA) WebSocket client: audio in and out at any rate, tools, interruption with truncation to
 * what was actually played, reconnect with session restore, bounded send queue, metrics.
 */
export class RealtimeClient extends EventEmitter<RealtimeClientEvents> implements AsyncCloseable {
  private readonly opts: RealtimeClientOptions;
  private readonly policy: ReconnectPolicy;
  private readonly reconnectEnabled: boolean;
  private readonly WS: WebSocketConstructor;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly highWaterMark: number;
  private readonly queue: SendQueue;
  private readonly conversation: Conversation;
  private readonly input: AudioInputEncoder;
  private readonly output: AudioOutputDecoder;
  private readonly tools = new Map<
    string,
    { definition: FunctionToolDefinition; handler: ToolHandler; timeoutMs: number }
  >();
  private readonly closeController = new AbortController();
  /** What the listener has heard (option `playback`, {@link RealtimeClient.setPlayback}). */
  private playback: PlaybackTracker | undefined;
  /** Resolves once the client is closed and its socket released (see {@link RealtimeClient.close}). */
  private released: Promise<void> = Promise.resolve();
  private session: SessionConfig;

  private state: State = 'idle';
  private ws: WebSocketLike | null = null;
  /** True once the current socket has its session configured and restored: app events may flow. */
  private ready = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private rolloverTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private rolloverDue = false;
  private rollingOver = false;
  private eventSeq = 0;

  // response / audio state
  private activeResponseId: string | null = null;
  private readonly cancelledResponses = new Set<string>();
  private readonly audioItems = new Map<string, AudioItemState>();
  private latestAudioResponseId: string | null = null;
  private userSpeaking = false;
  private turnStartedAt: number | null = null;

  // tools
  private readonly pendingCalls = new Map<string, PendingCall>();
  private readonly doneResponses = new Set<string>();
  private readonly responsesWithOutputs = new Set<string>();

  // metrics
  private connectedSince = 0;
  private uptimeMs = 0;
  private messagesSent = 0;
  private messagesReceived = 0;
  private errors = 0;
  private reconnects = 0;
  /** The last drop cut a response off (reported, and resumed when asked, after the reconnect). */
  private responseCutByDrop = false;
  private toolCalls = 0;
  private droppedAudioMessages = 0;
  private droppedAudioMs = 0;
  private readonly latency = new LatencyWindow();

  constructor(options: RealtimeClientOptions = {}) {
    super();
    this.opts = options;
    if (options.playback !== undefined) this.setPlayback(options.playback);
    this.policy = { ...DEFAULT_RECONNECT, ...(options.reconnect || {}) };
    this.reconnectEnabled = options.reconnect !== false && this.policy.maxRetries > 0;
    this.WS = options.WebSocket ?? DefaultWebSocket;
    const model = options.model ?? 'gpt-realtime';
    const url = new URL(options.url ?? DEFAULT_URL);
    if (!url.searchParams.has('model') && !url.searchParams.has('deployment'))
      url.searchParams.set('model', model);
    this.url = url.toString();
    // The environment's key goes only to OpenAI itself: a URL naming a local server, a proxy or another
    // provider must be given its key explicitly, so a real OpenAI key is never sent elsewhere by accident.
    const apiKey =
      options.apiKey ?? (url.hostname === 'api.openai.com' ? process.env.OPENAI_API_KEY : undefined);
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const lower = Object.keys(headers).map((k) => k.toLowerCase());
    if (apiKey && !lower.includes('authorization') && !lower.includes('api-key')) {
      headers.Authorization = `Bearer ${apiKey}`;
    }
    this.headers = headers;
    const batchMs = options.batchMs ?? 100;
    if (!(batchMs > 0 && batchMs <= 1000)) {
      throw new RealtimeClientError('INVALID_ARGUMENT', `batchMs must be in (0, 1000], got ${batchMs}`);
    }
    if (
      options.outputSampleRate !== undefined &&
      !(Number.isInteger(options.outputSampleRate) && options.outputSampleRate > 0)
    ) {
      throw new RealtimeClientError(
        'INVALID_ARGUMENT',
        `outputSampleRate must be a positive integer, got ${options.outputSampleRate}`,
      );
    }
    this.highWaterMark = options.highWaterMarkBytes ?? 256 * 1024;
    this.queue = new SendQueue(options.maxQueueBytes ?? 2 * 1024 * 1024);
    this.conversation = new Conversation(options.maxConversationItems ?? 200, options.retainAudio ?? false);
    this.session = { ...(options.session ?? {}), type: 'realtime' };
    this.input = new AudioInputEncoder(this.session.audio?.input?.format ?? DEFAULT_INPUT_FORMAT, batchMs);
    this.output = new AudioOutputDecoder(
      this.session.audio?.output?.format ?? DEFAULT_INPUT_FORMAT,
      options.outputSampleRate,
    );
  }

  // ---------------------------------------------------------------- lifecycle

  /** Whether a socket is open and its session configured. */
  get connected(): boolean {
    return this.state === 'open' && this.ready;
  }

  /** The session configuration as last sent (re-sent after reconnects). */
  get sessionConfig(): Readonly<SessionConfig> {
    return this.session;
  }

  /**
   * Opens the socket, waits for `session.created`, and sends the session configuration (with the tools).
   * @throws RealtimeClientError `CONNECTION` when the upgrade fails or times out (no retry on the first connect)
   */
  async connect(): Promise<void> {
    if (this.state === 'closed')
      throw new RealtimeClientError('NOT_CONNECTED', 'this client was closed; create a new one');
    if (this.state !== 'idle')
      throw new RealtimeClientError('INVALID_ARGUMENT', `connect() called twice (state: ${this.state})`);
    this.state = 'connecting';
    try {
      const ws = await this.openSocket();
      if (this.isClosed()) {
        // close() was called while connecting.
        ws.close(1000);
        throw new RealtimeClientError('NOT_CONNECTED', 'close() was called before connect() finished');
      }
      this.adopt(ws, false);
    } catch (err) {
      if (this.isClosed()) throw err;
      this.state = 'idle';
      throw err;
    }
  }

  /** Whether close() ran (a method, so TypeScript does not narrow the state across awaits). */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Closes the connection for good; queued messages are reported in the `close` event. Idempotent: every
   * call returns the same promise, which resolves once the socket has closed (a peer that does not answer
   * the closing handshake within {@link CLOSE_GRACE_MS} is cut off).
   * @param code - WebSocket close code sent to the server (1000, or 4000–4999)
   * @param reason - close reason sent to the server
   */
  close(code = 1000, reason = 'client closed'): Promise<void> {
    if (this.state !== 'closed') this.shutdown(code, reason);
    return this.released;
  }

  /** `await using client = new RealtimeClient(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------------------------------------------------------------- session

  /**
   * Merges `partial` into the session configuration and sends it as `session.update`. Nested `audio.input`
   * and `audio.output` are merged field by field.
   */
  updateSession(partial: SessionUpdate): void {
    if (partial === null || typeof partial !== 'object') {
      throw new RealtimeClientError('INVALID_ARGUMENT', 'updateSession needs a session object');
    }
    this.mergeSession(partial);
    this.sendEvent({ type: 'session.update', session: { ...partial, type: 'realtime' } });
  }

  private mergeSession(partial: SessionUpdate): void {
    const audio = partial.audio
      ? {
          input: { ...(this.session.audio?.input ?? {}), ...(partial.audio.input ?? {}) },
          output: { ...(this.session.audio?.output ?? {}), ...(partial.audio.output ?? {}) },
        }
      : this.session.audio;
    this.session = { ...this.session, ...partial, type: 'realtime', ...(audio ? { audio } : {}) };
    const inFormat = this.session.audio?.input?.format;
    if (inFormat) this.input.setFormat(inFormat, this.sendAudioBatch);
    const outFormat = this.session.audio?.output?.format;
    if (outFormat) this.output.setFormat(outFormat);
  }

  // ---------------------------------------------------------------- audio in

  /**
   * Appends one mono frame of microphone/caller audio, sent as `input_audio_buffer.append`.
   *
   * An `EncodedFrame` in the session's input codec (`pcmu` for `audio/pcmu`, `pcma` for `audio/pcma`, at
   * 8 kHz) passes through: its bytes are base64-encoded once and sent as one append, with no decoding and no
   * copy. Any other frame (PCM at any rate, G.711 in the other law, Opus) is decoded if needed, resampled to
   * the session input rate, cut into `batchMs` chunks and encoded to the input format. Either way the audio
   * is queued under backpressure and counted when dropped (`overflow`).
   * @param frame - an `AudioFrame` or `EncodedFrame` from `@voxwire/codecs`
   * @throws RealtimeClientError `INVALID_ARGUMENT` / `INVALID_AUDIO` for bad input, `NOT_CONNECTED` before
   *   `connect()` or after `close()` (audio appended while reconnecting is queued)
   */
  appendAudio(frame: AnyFrame): void {
    this.assertUsable('appendAudio');
    this.input.append(checkFrame(frame), this.sendAudioBatch);
  }

  /** Sends the partial batch now (call at the end of an utterance when not committing). */
  flushAudio(): void {
    this.assertUsable('flushAudio');
    this.input.flush(this.sendAudioBatch);
  }

  /** Flushes pending audio and commits the input buffer as a user turn (when turn detection is off). */
  commit(): void {
    this.assertUsable('commit');
    this.input.flush(this.sendAudioBatch);
    this.turnStartedAt = performance.now();
    this.sendEvent({ type: 'input_audio_buffer.commit' });
  }

  /** Discards audio not yet sent and clears the server's input buffer. */
  clearInput(): void {
    this.assertUsable('clearInput');
    this.input.discard();
    this.sendEvent({ type: 'input_audio_buffer.clear' });
  }

  private readonly sendAudioBatch = (base64: string, durationMs: number): void => {
    // Built by hand: base64 needs no escaping, and this is the hot path (JSON.stringify would scan it again).
    this.sendRaw('{"type":"input_audio_buffer.append","audio":"' + base64 + '"}', durationMs);
  };

  // ---------------------------------------------------------------- responses and text

  /** Asks the model to respond (`response.create`), with optional per-response overrides. */
  createResponse(options?: ResponseCreateParams): void {
    this.assertUsable('createResponse');
    this.sendEvent(options ? { type: 'response.create', response: options } : { type: 'response.create' });
  }

  /**
   * Cancels the response in progress, if any; its remaining audio is not emitted.
   * @returns whether a response was in progress
   */
  cancelResponse(): boolean {
    this.assertUsable('cancelResponse');
    const id = this.activeResponseId;
    if (!id) return false;
    this.cancelledResponses.add(id);
    this.sendEvent({ type: 'response.cancel', response_id: id });
    return true;
  }

  /** Adds a user text message and (unless `respond: false`) asks for a response. */
  sendText(text: string, options: { respond?: boolean } = {}): void {
    this.assertUsable('sendText');
    if (typeof text !== 'string' || text.length === 0) {
      throw new RealtimeClientError('INVALID_ARGUMENT', 'sendText needs a non-empty string');
    }
    this.sendEvent({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    });
    if (options.respond !== false) this.sendEvent({ type: 'response.create' });
  }

  /** Creates any conversation item. */
  createItem(item: ClientConversationItem, previousItemId?: string): void {
    this.assertUsable('createItem');
    this.sendEvent(
      previousItemId === undefined
        ? { type: 'conversation.item.create', item }
        : { type: 'conversation.item.create', item, previous_item_id: previousItemId },
    );
  }

  /** Deletes a conversation item. */
  deleteItem(itemId: string): void {
    this.assertUsable('deleteItem');
    this.sendEvent({ type: 'conversation.item.delete', item_id: itemId });
  }

  /** The conversation so far: items in order with their text (audio only with `retainAudio`). */
  items(): ConversationEntry[] {
    return this.conversation.items();
  }

  // ---------------------------------------------------------------- tools

  /**
   * Registers a function tool and its handler, and declares it to the model (now if connected, and on
   * every (re)connect). When the model calls it, the client parses the arguments (a parse failure goes back
   * to the model as an error output), runs the handler with a timeout, sends the `function_call_output`,
   * and asks for a new response once every call of that response is answered.
   */
  addTool(definition: ToolDefinition, handler: ToolHandler, options: ToolOptions = {}): void {
    if (
      !definition ||
      typeof definition.name !== 'string' ||
      !/^[a-zA-Z0-9_-]{1,64}$/.test(definition.name)
    ) {
      throw new RealtimeClientError(
        'INVALID_ARGUMENT',
        `tool name must match [a-zA-Z0-9_-]{1,64}, got ${JSON.stringify(definition?.name)}`,
      );
    }
    if (typeof handler !== 'function')
      throw new RealtimeClientError('INVALID_ARGUMENT', 'addTool needs a handler function');
    const fn: FunctionToolDefinition = { type: 'function', name: definition.name };
    if (definition.description !== undefined) fn.description = definition.description;
    if (definition.parameters !== undefined) fn.parameters = definition.parameters;
    this.tools.set(definition.name, {
      definition: fn,
      handler,
      timeoutMs: options.timeoutMs ?? this.opts.toolTimeoutMs ?? 10000,
    });
    const others = (this.session.tools ?? []).filter((t) => t.name !== definition.name);
    this.session = { ...this.session, tools: [...others, fn] };
    if (this.state === 'open' || this.state === 'reconnecting') {
      this.sendEvent({ type: 'session.update', session: { type: 'realtime', tools: this.session.tools } });
    }
  }

  /** Removes a tool. */
  removeTool(name: string): void {
    this.tools.delete(name);
    this.session = { ...this.session, tools: (this.session.tools ?? []).filter((t) => t.name !== name) };
    if (this.state === 'open' || this.state === 'reconnecting') {
      this.sendEvent({ type: 'session.update', session: { type: 'realtime', tools: this.session.tools } });
    }
  }

  /**
   * Answers a tool call the client has no handler for (a `toolCall` event with `handled: false`).
   * @param output - sent as is when a string, as JSON otherwise
   */
  sendToolOutput(callId: string, output: unknown): void {
    this.assertUsable('sendToolOutput');
    const pending = this.pendingCalls.get(callId);
    this.sendFunctionOutput(callId, typeof output === 'string' ? output : JSON.stringify(output ?? null));
    if (pending) {
      this.pendingCalls.delete(callId);
      this.responsesWithOutputs.add(pending.responseId);
      this.maybeContinueAfterTools(pending.responseId);
    }
  }

  private sendFunctionOutput(callId: string, output: string): void {
    this.sendEvent({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: callId, output },
    });
  }

  private handleFunctionCall(ev: FunctionCallArgumentsDoneEvent): void {
    if (this.pendingCalls.has(ev.call_id)) return;
    this.toolCalls++;
    const tool = this.tools.get(ev.name);
    this.pendingCalls.set(ev.call_id, { responseId: ev.response_id, manual: !tool });
    this.fire('toolCall', {
      callId: ev.call_id,
      name: ev.name,
      itemId: ev.item_id,
      responseId: ev.response_id,
      rawArguments: ev.arguments,
      handled: tool !== undefined,
    });
    if (!tool) return;
    void runTool(
      tool.handler,
      ev.arguments,
      { callId: ev.call_id, name: ev.name },
      tool.timeoutMs,
      this.closeController.signal,
    ).then((outcome) => {
      if (this.state === 'closed' || !this.pendingCalls.has(ev.call_id)) return;
      this.pendingCalls.delete(ev.call_id);
      if (outcome.error) this.reportError(outcome.error);
      this.sendFunctionOutput(ev.call_id, outcome.output);
      this.responsesWithOutputs.add(ev.response_id);
      this.fire('toolResult', {
        callId: ev.call_id,
        name: ev.name,
        output: outcome.output,
        error: outcome.error,
      });
      this.maybeContinueAfterTools(ev.response_id);
    });
  }

  /** After a response with tool calls is done and all its calls are answered, the model continues. */
  private maybeContinueAfterTools(responseId: string): void {
    if (!this.doneResponses.has(responseId) || !this.responsesWithOutputs.has(responseId)) return;
    for (const call of this.pendingCalls.values()) if (call.responseId === responseId) return;
    this.responsesWithOutputs.delete(responseId);
    this.doneResponses.delete(responseId);
    this.sendEvent({ type: 'response.create' });
  }

  // ---------------------------------------------------------------- interruption

  /**
   * Attaches (or, with `undefined`, detaches) the source of what the listener has heard, used by
   * {@link RealtimeClient.interrupt} and barge-in. Give it to the transport that plays the audio.
   */
  setPlayback(tracker: PlaybackTracker | undefined): void {
    if (tracker !== undefined && typeof tracker?.playedMs !== 'function') {
      throw new RealtimeClientError('INVALID_ARGUMENT', 'a PlaybackTracker needs a playedMs(itemId) method');
    }
    this.playback = tracker;
  }

  /**
   * Interrupts the assistant: cancels the response in progress and truncates the audio item being played
   * to what the listener heard (`conversation.item.truncate`), so the model does not believe it said the
   * rest; later items of the same response are truncated to 0. What was heard comes from the attached
   * {@link PlaybackTracker} (`tracker.playedMs(itemId)`); without a tracker it is the audio the client has
   * delivered through `audio` events for that item, which overstates it by whatever the player still had
   * queued. Emits `interrupted` so the transport that plays the audio clears its queue.
   * @returns what was interrupted, or `undefined` when no assistant audio was playing
   */
  interrupt(): InterruptedEvent | undefined {
    this.assertUsable('interrupt');
    return this.bargeIn(true);
  }

  /** The one barge-in path, for {@link interrupt} and for `speech_started` (where the server may cancel). */
  private bargeIn(sendCancel: boolean): InterruptedEvent | undefined {
    const active = this.activeResponseId;
    if (active && !this.cancelledResponses.has(active)) {
      this.cancelledResponses.add(active);
      if (sendCancel) this.sendEvent({ type: 'response.cancel', response_id: active });
    }
    const playing = this.playingItems();
    this.output.abortStream();
    if (playing.length === 0) return undefined;
    let result: InterruptedEvent | undefined;
    for (const [itemId, s] of playing) {
      const receivedMs = Math.floor((s.samples * 1000) / s.rate);
      // The item being played gets what was heard of it; the items after it were not heard at all.
      const heard = result ? 0 : this.heardMs(itemId, s);
      const audioEndMs = Math.max(0, Math.min(Math.floor(heard), receivedMs));
      s.truncated = true;
      result ??= { itemId, playedMs: audioEndMs };
      if (s.done && audioEndMs >= receivedMs) continue; // all of it was heard: nothing to cut
      this.sendEvent({
        type: 'conversation.item.truncate',
        item_id: itemId,
        content_index: s.contentIndex,
        audio_end_ms: audioEndMs,
      });
      this.conversation.markTruncated(itemId, audioEndMs);
    }
    if (result) this.fire('interrupted', result);
    return result;
  }

  /** Whether the latest response's audio is still arriving (some item of it is not done). */
  private streamingAudio(): boolean {
    for (const s of this.audioItems.values())
      if (s.responseId === this.latestAudioResponseId && !s.truncated && !s.done) return true;
    return false;
  }

  /** Ms of an item the listener has heard: from the tracker, else the audio delivered through `audio`. */
  private heardMs(itemId: string, s: AudioItemState): number {
    if (this.playback) return this.playback.playedMs(itemId);
    return s.deliveredRate ? (s.delivered * 1000) / s.deliveredRate : 0;
  }

  /**
   * The latest response's audio items from the one being played on (not yet truncated, not completely
   * heard). Without a tracker, the last item that received audio counts as playing: the client cannot know
   * whether the player has finished it.
   */
  private playingItems(): Array<[string, AudioItemState]> {
    const items = [...this.audioItems.entries()].filter(
      ([, s]) => s.responseId === this.latestAudioResponseId && !s.truncated,
    );
    if (!this.playback) return items.slice(-1);
    const first = items.findIndex(
      ([id, s]) => !s.done || this.heardMs(id, s) + 1 < (s.samples * 1000) / s.rate,
    );
    return first < 0 ? [] : items.slice(first);
  }

  // ---------------------------------------------------------------- metrics

  /** Counters and turn latency percentiles. */
  metrics(): RealtimeMetrics {
    const now = performance.now();
    return {
      connected: this.connected,
      uptimeMs: this.uptimeMs + (this.connectedSince > 0 ? now - this.connectedSince : 0),
      messagesSent: this.messagesSent,
      messagesReceived: this.messagesReceived,
      errors: this.errors,
      reconnects: this.reconnects,
      toolCalls: this.toolCalls,
      droppedAudioMessages: this.droppedAudioMessages,
      droppedAudioMs: this.droppedAudioMs,
      turns: this.latency.total,
      turnLatencyP50Ms: this.latency.percentile(0.5),
      turnLatencyP95Ms: this.latency.percentile(0.95),
    };
  }

  // ---------------------------------------------------------------- sending

  private assertUsable(method: string): void {
    if (this.state === 'idle' || this.state === 'connecting') {
      throw new RealtimeClientError('NOT_CONNECTED', `${method}() called before connect() resolved`);
    }
    if (this.state === 'closed')
      throw new RealtimeClientError('NOT_CONNECTED', `${method}() called after close()`);
  }

  /**
   * Sends any client event of the protocol as it is (e.g. `conversation.item.retrieve`,
   * `output_audio_buffer.clear`), for what the typed methods do not cover. Queued like every other event
   * while the socket is down or backed up. Prefer the typed methods where they exist: they also keep the
   * client's own state (session, playback, tools) in step.
   * @returns the `event_id` given to the event, to match an `error` event to it
   * @throws RealtimeClientError `INVALID_ARGUMENT` when `event.type` is missing, `NOT_CONNECTED` before
   * `connect()` resolved or after `close()`
   */
  send(event: ClientEvent): string {
    if (!event || typeof (event as { type?: unknown }).type !== 'string') {
      throw new RealtimeClientError('INVALID_ARGUMENT', 'send() needs an event object with a string type');
    }
    this.assertUsable('send');
    const copy = { ...event };
    this.sendEvent(copy);
    return copy.event_id as string;
  }

  /** Serialises and sends (or queues) a control event. */
  private sendEvent(event: ClientEvent): void {
    event.event_id = `evt_vw${(++this.eventSeq).toString(36)}`;
    this.sendRaw(JSON.stringify(event), 0);
  }

  /** Sends now when the socket is ready and not backed up; otherwise queues (bounded, audio dropped first). */
  private sendRaw(data: string, audioMs: number): void {
    const ws = this.ws;
    if (
      this.ready &&
      ws &&
      ws.readyState === OPEN &&
      this.queue.length === 0 &&
      ws.bufferedAmount < this.highWaterMark
    ) {
      ws.send(data);
      this.messagesSent++;
      return;
    }
    const dropped = this.queue.push(data, audioMs);
    if (dropped) {
      this.droppedAudioMessages += dropped.droppedMessages;
      this.droppedAudioMs += dropped.droppedAudioMs;
      this.fire('overflow', {
        reason: 'backpressure',
        ...dropped,
        queuedBytes: this.queue.queuedBytes,
      });
    }
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainTimer || !this.ready) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      this.drain();
    }, 5);
  }

  private drain(): void {
    const ws = this.ws;
    if (!this.ready || !ws || ws.readyState !== OPEN) return;
    while (this.queue.length > 0 && ws.bufferedAmount < this.highWaterMark) {
      ws.send(this.queue.shift() as string);
      this.messagesSent++;
    }
    if (this.queue.length > 0) this.scheduleDrain();
  }

  // ---------------------------------------------------------------- connection internals

  /** Opens a socket and resolves once `session.created` arrives. */
  private openSocket(): Promise<WebSocketLike> {
    return new Promise((resolve, reject) => {
      const timeoutMs = this.opts.connectTimeoutMs ?? 15000;
      let ws: WebSocketLike;
      try {
        ws = new this.WS(this.url, {
          headers: this.headers,
          perMessageDeflate: false,
          handshakeTimeout: timeoutMs,
        });
      } catch (err) {
        reject(
          new RealtimeClientError('CONNECTION', `cannot open ${this.url}: ${(err as Error).message}`, {
            cause: err,
          }),
        );
        return;
      }
      let settled = false;
      const fail = (message: string, cause?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => {});
        try {
          ws.terminate ? ws.terminate() : ws.close();
        } catch {
          // already closed
        }
        reject(new RealtimeClientError('CONNECTION', message, { cause }));
      };
      const timer = setTimeout(
        () => fail(`no session.created from ${this.url} within ${timeoutMs} ms`),
        timeoutMs,
      );
      ws.on('error', (err) => fail(`connection to ${this.url} failed: ${err.message}`, err));
      ws.on('close', (code, reason) =>
        fail(`connection to ${this.url} closed before session.created (${code} ${reason.toString()})`),
      );
      ws.on('message', (data) => {
        if (settled) return;
        let type: unknown;
        let parsed: unknown;
        try {
          parsed = JSON.parse(frameText(data));
          type = (parsed as { type?: unknown }).type;
        } catch {
          // handled below
        }
        if (type === 'session.created') {
          settled = true;
          clearTimeout(timer);
          ws.removeAllListeners();
          this.messagesReceived++;
          this.pendingCreated = parsed as ServerEventOf<'session.created'>;
          resolve(ws);
        } else if (type === 'error') {
          const e = (parsed as { error?: { message?: string } }).error;
          fail(`server refused the session: ${e?.message ?? 'unknown error'}`);
        }
        // Anything else before session.created is ignored.
      });
    });
  }

  /** The `session.created` that completed the last `openSocket`, delivered once the socket is adopted. */
  private pendingCreated: ServerEventOf<'session.created'> | null = null;

  /** Makes `ws` the live socket: configures the session, restores the conversation, flushes the queue. */
  private adopt(ws: WebSocketLike, restore: boolean): number {
    this.ws = ws;
    this.state = 'open';
    this.connectedSince = performance.now();
    this.awaitingPong = false;
    ws.on('message', (data, isBinary) => this.onFrame(ws, data, isBinary));
    ws.on('close', (code, reason) => this.onSocketClose(ws, code, reason.toString()));
    ws.on('error', (err) => {
      if (ws === this.ws)
        this.reportError(
          new RealtimeClientError('CONNECTION', `socket error: ${err.message}`, { cause: err }),
        );
    });
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    const created = this.pendingCreated;
    this.pendingCreated = null;
    // Session configuration and restored context go straight to the socket, ahead of anything queued.
    const direct: ClientEvent[] = [{ type: 'session.update', session: this.session }];
    let restored = 0;
    if (restore) {
      const pending = new Set(this.pendingCalls.keys());
      for (const item of this.conversation.restorable(pending)) {
        direct.push({ type: 'conversation.item.create', item });
        restored++;
      }
    }
    for (const ev of direct) {
      ev.event_id = `evt_vw${(++this.eventSeq).toString(36)}`;
      ws.send(JSON.stringify(ev));
      this.messagesSent++;
    }
    this.ready = true;
    this.startHeartbeat();
    this.scheduleRollover(created);
    if (created) this.dispatch(created);
    this.drain();
    return restored;
  }

  private detach(ws: WebSocketLike): void {
    ws.removeAllListeners();
    ws.on('error', () => {});
    if (this.connectedSince > 0) {
      this.uptimeMs += performance.now() - this.connectedSince;
      this.connectedSince = 0;
    }
  }

  private onSocketClose(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.detach(ws);
    this.ws = null;
    this.ready = false;
    this.stopTimers();
    // Audio of a response cut off by the drop was only partly heard: remember how much, so the restored
    // context does not claim the rest was said.
    const tracker = this.playback;
    if (tracker && this.activeResponseId) {
      for (const [itemId, s] of this.audioItems) {
        if (s.responseId === this.activeResponseId && !s.truncated)
          this.conversation.markTruncated(itemId, tracker.playedMs(itemId));
      }
    }
    // Whatever was in flight is gone with the old session.
    this.resetResponseState();
    if (this.state === 'closed') return;
    if (!this.reconnectEnabled) {
      this.shutdown(code, `connection closed: ${code} ${reason}`.trim());
      return;
    }
    this.state = 'reconnecting';
    this.attempt = 0;
    this.scheduleReconnect(`connection closed: ${code}${reason ? ` ${reason}` : ''}`);
  }

  private scheduleReconnect(reason: string): void {
    this.attempt++;
    if (this.attempt > this.policy.maxRetries) {
      const err = new RealtimeClientError(
        'RECONNECT_FAILED',
        `gave up reconnecting after ${this.policy.maxRetries} attempts (${reason})`,
      );
      this.reportError(err);
      this.shutdown(1006, err.message);
      return;
    }
    const delayMs = backoffDelay(this.policy, this.attempt);
    this.fire('reconnecting', { attempt: this.attempt, delayMs, reason, planned: false });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.openSocket().then(
        (ws) => {
          if (this.state !== 'reconnecting') {
            // Closed meanwhile, or a rollover already brought up a new session.
            ws.close(1000);
            return;
          }
          const attempt = this.attempt;
          const restored = this.adopt(ws, true);
          this.reconnects++;
          this.attempt = 0;
          this.announceReconnected(attempt, restored, false);
        },
        (err: RealtimeClientError) => {
          if (this.state === 'closed') return;
          this.scheduleReconnect(err.message);
        },
      );
    }, delayMs);
  }

  /** Emits `reconnected`, first asking for a new response when the switch cut one off and that is wanted. */
  private announceReconnected(attempt: number, restoredItems: number, planned: boolean): void {
    const responseCut = this.responseCutByDrop;
    this.responseCutByDrop = false;
    const resumed = responseCut && this.opts.resumeResponse === true;
    if (resumed) this.sendEvent({ type: 'response.create' });
    this.fire('reconnected', { attempt, restoredItems, planned, responseCut, resumed });
  }

  /** Forgets the old session's response state when switching sessions; a response in flight is cut. */
  private resetResponseState(): void {
    if (this.activeResponseId) this.responseCutByDrop = true;
    this.activeResponseId = null;
    this.cancelledResponses.clear();
    this.userSpeaking = false;
    this.turnStartedAt = null;
    this.doneResponses.clear();
    this.responsesWithOutputs.clear();
    // Calls still running belong to responses that are over now: once answered, they get a new response.
    for (const call of this.pendingCalls.values()) this.doneResponses.add(call.responseId);
    this.output.abortStream();
  }

  private startHeartbeat(): void {
    const interval = this.opts.heartbeatIntervalMs ?? 30000;
    if (interval <= 0 || !this.ws?.ping) return;
    this.heartbeatTimer = setInterval(() => {
      const ws = this.ws;
      if (!ws) return;
      if (this.awaitingPong) {
        // No pong for a whole interval: the path is dead even if TCP has not noticed.
        this.reportError(
          new RealtimeClientError('CONNECTION', `no pong within ${interval} ms; dropping the connection`),
        );
        ws.terminate ? ws.terminate() : ws.close(4000, 'heartbeat timeout');
        return;
      }
      this.awaitingPong = true;
      try {
        ws.ping?.();
      } catch {
        // a failing ping shows up as a close
      }
    }, interval);
    this.heartbeatTimer.unref();
  }

  private scheduleRollover(created: ServerEventOf<'session.created'> | null): void {
    const maxMs = this.opts.sessionMaxMs ?? 60 * 60_000;
    const margin = this.opts.rolloverMarginMs ?? 5 * 60_000;
    let dueIn = maxMs - margin;
    const expiresAt = created?.session?.expires_at;
    if (typeof expiresAt === 'number' && expiresAt > 0) {
      const byServer = expiresAt * 1000 - Date.now() - margin;
      if (byServer > 0) dueIn = Math.min(dueIn, byServer);
    }
    this.rolloverDue = false;
    this.rolloverTimer = setTimeout(
      () => {
        this.rolloverDue = true;
        this.maybeRollover();
        // Past the quiet-moment window: switch even mid-turn rather than be cut off by the server.
        this.rolloverTimer = setTimeout(() => this.rollover(), Math.max(0, margin / 2));
        this.rolloverTimer.unref();
      },
      Math.max(0, dueIn),
    );
    this.rolloverTimer.unref();
  }

  /** Rolls over when due and quiet: no response in progress, user not speaking, no tool call pending. */
  private maybeRollover(): void {
    if (!this.rolloverDue || this.rollingOver) return;
    if (this.activeResponseId || this.userSpeaking || this.pendingCalls.size > 0) return;
    this.rollover();
  }

  /** Opens a fresh session, restores it, then switches sockets (make before break). */
  private rollover(): void {
    if (this.rollingOver || this.state !== 'open') return;
    this.rollingOver = true;
    this.fire('reconnecting', { attempt: 1, delayMs: 0, reason: 'rollover', planned: true });
    this.openSocket().then(
      (fresh) => {
        this.rollingOver = false;
        if (this.state === 'closed') {
          fresh.close(1000);
          return;
        }
        // If the old socket dropped while the fresh one was opening, the fresh one replaces the reconnect.
        clearTimeout(this.reconnectTimer);
        this.attempt = 0;
        // A partial input batch stays in the encoder and goes to the new session.
        const old = this.ws;
        if (old) {
          this.detach(old);
          old.close(1000, 'rollover');
        }
        this.stopTimers();
        this.resetResponseState();
        this.ws = null;
        this.ready = false;
        const restored = this.adopt(fresh, true);
        this.reconnects++;
        this.announceReconnected(1, restored, true);
      },
      (err: RealtimeClientError) => {
        this.rollingOver = false;
        this.reportError(err);
        // Try again later; the old session is still up.
        this.rolloverTimer = setTimeout(() => this.maybeRollover(), 10_000);
        this.rolloverTimer.unref();
      },
    );
  }

  private stopTimers(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.rolloverTimer);
    clearTimeout(this.drainTimer);
    this.heartbeatTimer = undefined;
    this.rolloverTimer = undefined;
    this.drainTimer = undefined;
  }

  private shutdown(code: number, reason: string): void {
    this.released = Promise.resolve();
    this.state = 'closed';
    this.ready = false;
    this.stopTimers();
    clearTimeout(this.reconnectTimer);
    this.closeController.abort(new RealtimeClientError('NOT_CONNECTED', 'client closed'));
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      this.detach(ws);
      this.released = socketClosed(ws);
      try {
        ws.close(code >= 4000 || code === 1000 ? code : 1000, reason.slice(0, 120));
      } catch {
        // already closing
      }
    }
    this.input.close();
    const unsent = this.queue.clear();
    if (unsent.audioMessages > 0) {
      this.droppedAudioMessages += unsent.audioMessages;
      this.droppedAudioMs += unsent.audioMs;
      this.fire('overflow', {
        reason: 'closed',
        droppedMessages: unsent.audioMessages,
        droppedAudioMs: unsent.audioMs,
        queuedBytes: 0,
      });
    }
    this.fire('close', {
      code,
      reason,
      unsentMessages: unsent.messages,
      unsentAudioMs: unsent.audioMs,
    });
  }

  private reportError(err: RealtimeClientError): void {
    this.errors++;
    try {
      emitError(this, err);
    } catch (thrown) {
      // An `error` listener that throws must not take the socket handler down with it.
      process.emitWarning(
        new RealtimeClientError('INVALID_ARGUMENT', `a listener of "error" threw: ${String(thrown)}`, {
          cause: thrown,
        }),
      );
    }
  }

  /**
   * Emits a non-error event. A listener that throws does not reach the socket handler (or the timer) that
   * emitted: its exception is reported as an `error` event instead.
   */
  private fire<K extends Exclude<keyof RealtimeClientEvents, 'error'>>(
    event: K,
    ...args: RealtimeClientEvents[K]
  ): void {
    try {
      (this.emit as (e: string | symbol, ...a: unknown[]) => boolean)(event, ...args);
    } catch (err) {
      this.reportError(
        new RealtimeClientError(
          'INVALID_ARGUMENT',
          `a listener of "${String(event)}" threw: ${String(err)}`,
          {
            cause: err,
          },
        ),
      );
    }
  }

  // ---------------------------------------------------------------- receiving

  private onFrame(ws: WebSocketLike, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (ws !== this.ws) return;
    this.messagesReceived++;
    if (isBinary) {
      this.reportError(
        new RealtimeClientError('PROTOCOL', 'server sent a binary frame; the Realtime API speaks JSON text'),
      );
      return;
    }
    const text = frameText(data);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      this.reportError(
        new RealtimeClientError(
          'PROTOCOL',
          `server frame is not JSON (${(err as Error).message}): ${preview}`,
          { cause: err },
        ),
      );
      return;
    }
    if (
      parsed === null ||
      typeof parsed !== 'object' ||
      Array.isArray(parsed) ||
      typeof (parsed as { type?: unknown }).type !== 'string'
    ) {
      this.reportError(
        new RealtimeClientError(
          'PROTOCOL',
          `server event is not an object with a string "type": ${text.slice(0, 80)}`,
        ),
      );
      return;
    }
    const event = parsed as { type: string; [key: string]: unknown };
    const alias = BETA_EVENT_ALIASES[event.type];
    if (alias) event.type = alias;
    if (!SERVER_EVENT_TYPES.has(event.type)) {
      this.fire('unknown', { type: event.type, event });
      return;
    }
    try {
      this.dispatch(event as unknown as ServerEvent);
    } catch (err) {
      this.reportError(
        err instanceof RealtimeClientError
          ? err
          : new RealtimeClientError('PROTOCOL', `bad "${event.type}" event: ${(err as Error).message}`, {
              cause: err,
            }),
      );
    }
  }

  private dispatch(ev: ServerEvent): void {
    this.fire('event', ev);
    if (ev.type !== 'error') this.fire(ev.type, ev as never);
    switch (ev.type) {
      case 'error': {
        const e = ev.error ?? { type: 'unknown', message: 'error event without an error object' };
        this.reportError(
          new RealtimeClientError('SERVER', `server error${e.code ? ` ${e.code}` : ''}: ${e.message}`, {
            serverError: e,
          }),
        );
        break;
      }
      case 'session.created':
      case 'session.updated': {
        break;
      }
      case 'input_audio_buffer.speech_started': {
        this.userSpeaking = true;
        this.fire('speechStarted', { itemId: ev.item_id, audioStartMs: ev.audio_start_ms });
        // Without a tracker only audio still arriving counts as playing: the client cannot see the player.
        const playing = this.playback ? this.playingItems().length > 0 : this.streamingAudio();
        if (this.opts.bargeIn !== false && playing) {
          // With server VAD's interrupt_response (on by default) the server cancels by itself.
          const td = this.session.audio?.input?.turn_detection;
          const serverCancels = td !== null && td?.interrupt_response !== false;
          this.bargeIn(!serverCancels);
        }
        break;
      }
      case 'input_audio_buffer.speech_stopped': {
        this.userSpeaking = false;
        this.turnStartedAt = performance.now();
        this.fire('speechStopped', { itemId: ev.item_id, audioEndMs: ev.audio_end_ms });
        break;
      }
      case 'conversation.item.added':
      case 'conversation.item.created':
      case 'conversation.item.done':
      case 'response.output_item.added':
      case 'response.output_item.done': {
        if (ev.item) this.conversation.upsert(ev.item);
        break;
      }
      case 'conversation.item.deleted': {
        this.conversation.remove(ev.item_id);
        this.audioItems.delete(ev.item_id);
        break;
      }
      case 'conversation.item.truncated': {
        this.conversation.markTruncated(ev.item_id, ev.audio_end_ms);
        break;
      }
      case 'conversation.item.input_audio_transcription.delta': {
        const delta = ev.delta ?? '';
        this.conversation.appendText(ev.item_id, delta);
        this.fire('userTranscript', {
          itemId: ev.item_id,
          delta,
          text: this.conversation.get(ev.item_id)?.text ?? delta,
          done: false,
        });
        break;
      }
      case 'conversation.item.input_audio_transcription.completed': {
        this.conversation.setText(ev.item_id, ev.transcript);
        this.fire('userTranscript', {
          itemId: ev.item_id,
          delta: '',
          text: ev.transcript,
          done: true,
        });
        break;
      }
      case 'response.created': {
        this.activeResponseId = ev.response?.id ?? null;
        break;
      }
      case 'response.done': {
        const id = ev.response?.id ?? this.activeResponseId ?? '';
        if (this.activeResponseId === id) this.activeResponseId = null;
        this.cancelledResponses.delete(id);
        for (const item of ev.response?.output ?? []) this.conversation.upsert(item);
        this.fire('responseDone', {
          responseId: id,
          status: ev.response?.status,
          response: ev.response,
        });
        this.doneResponses.add(id);
        this.maybeContinueAfterTools(id);
        if (
          !this.responsesWithOutputs.has(id) &&
          ![...this.pendingCalls.values()].some((c) => c.responseId === id)
        ) {
          this.doneResponses.delete(id);
        }
        this.maybeRollover();
        break;
      }
      case 'response.output_audio.delta': {
        this.onAudioDelta(ev);
        break;
      }
      case 'response.output_audio.done': {
        const s = this.audioItems.get(ev.item_id);
        if (s) s.done = true;
        if (this.cancelledResponses.has(ev.response_id)) break;
        const tail = this.output.endStream();
        if (tail && s) this.emitPcm(tail, s, ev.item_id);
        this.fire('audioDone', { itemId: ev.item_id, responseId: ev.response_id });
        break;
      }
      case 'response.output_audio_transcript.delta':
      case 'response.output_text.delta': {
        this.conversation.appendText(ev.item_id, ev.delta);
        if (this.cancelledResponses.has(ev.response_id)) break;
        this.fire('transcript', {
          itemId: ev.item_id,
          responseId: ev.response_id,
          delta: ev.delta,
          text: this.conversation.get(ev.item_id)?.text ?? ev.delta,
          done: false,
        });
        break;
      }
      case 'response.output_audio_transcript.done':
      case 'response.output_text.done': {
        const text = ev.type === 'response.output_text.done' ? ev.text : ev.transcript;
        this.conversation.setText(ev.item_id, text);
        this.fire('transcript', {
          itemId: ev.item_id,
          responseId: ev.response_id,
          delta: '',
          text,
          done: true,
        });
        break;
      }
      case 'response.function_call_arguments.done': {
        this.handleFunctionCall(ev);
        break;
      }
      default:
        break;
    }
  }

  private onAudioDelta(ev: ServerEventOf<'response.output_audio.delta'>): void {
    if (typeof ev.delta !== 'string')
      throw new RealtimeClientError('PROTOCOL', 'response.output_audio.delta without a string "delta"');
    if (this.cancelledResponses.has(ev.response_id)) return; // the listener interrupted it
    let decoded: DecodedDelta;
    try {
      decoded = this.output.decode(ev.delta);
    } catch (err) {
      throw new RealtimeClientError(
        'PROTOCOL',
        `undecodable audio delta for item ${ev.item_id}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    if (this.turnStartedAt !== null) {
      this.latency.add(performance.now() - this.turnStartedAt);
      this.turnStartedAt = null;
    }
    let s = this.audioItems.get(ev.item_id);
    if (!s) {
      s = {
        responseId: ev.response_id,
        contentIndex: ev.content_index,
        samples: 0,
        rate: this.output.wireRate,
        delivered: 0,
        done: false,
        truncated: false,
      };
      this.audioItems.set(ev.item_id, s);
      if (this.audioItems.size > MAX_AUDIO_ITEMS)
        this.audioItems.delete(this.audioItems.keys().next().value as string);
    }
    this.latestAudioResponseId = ev.response_id;
    s.samples += decoded.wireSamples;
    const rate = this.output.wireRate;
    if (decoded.encoded) {
      if (this.conversation.retainsAudio)
        this.conversation.addAudio(ev.item_id, this.output.decodeEncoded(decoded.encoded), rate);
      else this.conversation.addDuration(ev.item_id, decoded.wireSamples, rate);
      const frame: EncodedFrame = {
        codec: this.output.passThroughCodec ?? 'pcmu',
        data: decoded.encoded,
        sampleRate: rate,
        channels: 1,
        samples: decoded.encoded.length,
        position: s.delivered,
      };
      this.emitFrame(frame, s, ev.item_id);
      return;
    }
    if (decoded.wire) this.conversation.addAudio(ev.item_id, decoded.wire, rate);
    if (decoded.pcm && decoded.pcm.length > 0) this.emitPcm(decoded.pcm, s, ev.item_id);
  }

  private emitPcm(pcm: Int16Array, s: AudioItemState, itemId: string): void {
    this.emitFrame(
      { data: pcm, sampleRate: this.output.sampleRate, channels: 1, position: s.delivered },
      s,
      itemId,
    );
  }

  /** Emits one `audio` frame of an item and advances the item's delivered position. */
  private emitFrame(frame: AnyFrame, s: AudioItemState, itemId: string): void {
    const samples = frameSamples(frame);
    s.delivered += samples;
    s.deliveredRate = frame.sampleRate;
    this.fire('audio', frame, { responseId: s.responseId, itemId, contentIndex: s.contentIndex });
  }
}
