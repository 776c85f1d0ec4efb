import { EventEmitter } from 'node:events';
import type { AnyFrame } from '@voxwire/codecs';
import type { AsyncCloseable } from '@voxwire/core';
import { emitError } from '@voxwire/core';
import { AudioInputEncoder, checkFrame } from './audio-input.js';
import { AudioOutputDecoder } from './audio-output.js';
import { Connection } from './connection.js';
import { Conversation, type ConversationEntry } from './conversation.js';
import { RealtimeClientError } from './errors.js';
import type { InterruptedEvent, RealtimeClientEvents } from './events.js';
import type { RealtimeMetrics } from './metrics.js';
import type { RealtimeClientOptions } from './options.js';
import type { PlaybackTracker } from './playback.js';
import type {
  ClientConversationItem,
  ClientEvent,
  RealtimeAudioFormat,
  ResponseCreateParams,
  ServerEvent,
  SessionConfig,
  SessionUpdate,
} from './protocol.js';
import { Responses } from './responses.js';
import { parseServerFrame } from './server-frames.js';
import { ToolRegistry } from './tool-calls.js';
import type { ToolDefinition, ToolHandler, ToolOptions } from './tools.js';

const DEFAULT_INPUT_FORMAT: RealtimeAudioFormat = { type: 'audio/pcm', rate: 24000 };

/**
 * OpenAI Realtime (GA) WebSocket client: audio in and out at any rate (G.711 passed through), tools,
 * interruption with truncation to what was actually played, reconnect with session restore, bounded send
 * queue, metrics. This class is the facade: the socket lives in {@link Connection}, responses and barge-in
 * in {@link Responses}, tool calls in {@link ToolRegistry}; here the server's events are routed to them.
 */
export class RealtimeClient extends EventEmitter<RealtimeClientEvents> implements AsyncCloseable {
  private readonly opts: RealtimeClientOptions;
  private readonly connection: Connection;
  private readonly conversation: Conversation;
  private readonly input: AudioInputEncoder;
  private readonly output: AudioOutputDecoder;
  private readonly responses: Responses;
  private readonly tools: ToolRegistry;
  private readonly closeController = new AbortController();
  private session: SessionConfig;
  private errors = 0;

  constructor(options: RealtimeClientOptions = {}) {
    super();
    this.opts = options;
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
    this.conversation = new Conversation(options.maxConversationItems ?? 200, options.retainAudio ?? false);
    this.session = { ...(options.session ?? {}), type: 'realtime' };
    this.input = new AudioInputEncoder(this.session.audio?.input?.format ?? DEFAULT_INPUT_FORMAT, batchMs);
    this.output = new AudioOutputDecoder(
      this.session.audio?.output?.format ?? DEFAULT_INPUT_FORMAT,
      options.outputSampleRate,
    );
    const send = (event: ClientEvent) => this.connection.sendEvent(event);
    const emit = this.fire.bind(this);
    this.responses = new Responses({ send, emit }, this.output, this.conversation);
    if (options.playback !== undefined) this.responses.setPlayback(options.playback);
    this.tools = new ToolRegistry({
      send,
      toolCall: (e) => this.fire('toolCall', e),
      toolResult: (e) => this.fire('toolResult', e),
      error: (e) => this.reportError(e),
      closed: () => this.connection.isClosed(),
      signal: this.closeController.signal,
      defaultTimeoutMs: options.toolTimeoutMs ?? 10000,
    });
    this.connection = new Connection(options, {
      frame: (data, isBinary) => this.onFrame(data, isBinary),
      setup: (restore) => this.sessionSetup(restore),
      created: (ev) => this.dispatch(ev),
      sessionEnded: (dropped) => {
        this.responses.sessionEnded(dropped);
        this.tools.sessionEnded();
      },
      quiet: () => this.responses.quiet && !this.tools.busy,
      reconnected: (attempt, restored, planned) => this.announceReconnected(attempt, restored, planned),
      reconnecting: (e) => this.fire('reconnecting', e),
      overflow: (info) => this.fire('overflow', info),
      closed: (e) => {
        this.closeController.abort(new RealtimeClientError('NOT_CONNECTED', 'client closed'));
        this.input.close();
        this.fire('close', e);
      },
      error: (e) => this.reportError(e),
    });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Whether a socket is open and its session configured. */
  get connected(): boolean {
    return this.connection.connected;
  }

  /** The session configuration as last sent (re-sent after reconnects). */
  get sessionConfig(): Readonly<SessionConfig> {
    return this.session;
  }

  /**
   * Opens the socket, waits for `session.created`, and sends the session configuration (with the tools).
   * @throws RealtimeClientError `CONNECTION` when the upgrade fails or times out (no retry on the first connect)
   */
  connect(): Promise<void> {
    return this.connection.connect();
  }

  /**
   * Closes the connection for good; queued messages are reported in the `close` event. Idempotent: every
   * call returns the same promise, which resolves once the socket has closed (a peer that does not answer
   * the closing handshake within `CLOSE_GRACE_MS` is cut off).
   * @param code - WebSocket close code sent to the server (1000, or 4000–4999)
   * @param reason - close reason sent to the server
   */
  close(code = 1000, reason = 'client closed'): Promise<void> {
    return this.connection.close(code, reason);
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
    this.connection.sendEvent({ type: 'session.update', session: { ...partial, type: 'realtime' } });
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
    this.connection.assertUsable('appendAudio');
    this.input.append(checkFrame(frame), this.sendAudioBatch);
  }

  /** Sends the partial batch now (call at the end of an utterance when not committing). */
  flushAudio(): void {
    this.connection.assertUsable('flushAudio');
    this.input.flush(this.sendAudioBatch);
  }

  /** Flushes pending audio and commits the input buffer as a user turn (when turn detection is off). */
  commit(): void {
    this.connection.assertUsable('commit');
    this.input.flush(this.sendAudioBatch);
    this.responses.turnEnded();
    this.connection.sendEvent({ type: 'input_audio_buffer.commit' });
  }

  /** Discards audio not yet sent and clears the server's input buffer. */
  clearInput(): void {
    this.connection.assertUsable('clearInput');
    this.input.discard();
    this.connection.sendEvent({ type: 'input_audio_buffer.clear' });
  }

  private readonly sendAudioBatch = (base64: string, durationMs: number): void => {
    // Built by hand: base64 needs no escaping, and this is the hot path (JSON.stringify would scan it again).
    this.connection.sendRaw('{"type":"input_audio_buffer.append","audio":"' + base64 + '"}', durationMs);
  };

  // ---------------------------------------------------------------- responses and text

  /** Asks the model to respond (`response.create`), with optional per-response overrides. */
  createResponse(options?: ResponseCreateParams): void {
    this.connection.assertUsable('createResponse');
    this.connection.sendEvent(
      options ? { type: 'response.create', response: options } : { type: 'response.create' },
    );
  }

  /**
   * Cancels the response in progress, if any; its remaining audio is not emitted.
   * @returns whether a response was in progress
   */
  cancelResponse(): boolean {
    this.connection.assertUsable('cancelResponse');
    return this.responses.cancel();
  }

  /** Adds a user text message and (unless `respond: false`) asks for a response. */
  sendText(text: string, options: { respond?: boolean } = {}): void {
    this.connection.assertUsable('sendText');
    if (typeof text !== 'string' || text.length === 0) {
      throw new RealtimeClientError('INVALID_ARGUMENT', 'sendText needs a non-empty string');
    }
    this.connection.sendEvent({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    });
    if (options.respond !== false) this.connection.sendEvent({ type: 'response.create' });
  }

  /** Creates any conversation item. */
  createItem(item: ClientConversationItem, previousItemId?: string): void {
    this.connection.assertUsable('createItem');
    this.connection.sendEvent(
      previousItemId === undefined
        ? { type: 'conversation.item.create', item }
        : { type: 'conversation.item.create', item, previous_item_id: previousItemId },
    );
  }

  /** Deletes a conversation item. */
  deleteItem(itemId: string): void {
    this.connection.assertUsable('deleteItem');
    this.connection.sendEvent({ type: 'conversation.item.delete', item_id: itemId });
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
    const fn = this.tools.add(definition, handler, options);
    const others = (this.session.tools ?? []).filter((t) => t.name !== definition.name);
    this.session = { ...this.session, tools: [...others, fn] };
    if (this.connection.live) {
      this.connection.sendEvent({
        type: 'session.update',
        session: { type: 'realtime', tools: this.session.tools },
      });
    }
  }

  /** Removes a tool. */
  removeTool(name: string): void {
    this.tools.remove(name);
    this.session = { ...this.session, tools: (this.session.tools ?? []).filter((t) => t.name !== name) };
    if (this.connection.live) {
      this.connection.sendEvent({
        type: 'session.update',
        session: { type: 'realtime', tools: this.session.tools },
      });
    }
  }

  /**
   * Answers a tool call the client has no handler for (a `toolCall` event with `handled: false`).
   * @param output - sent as is when a string, as JSON otherwise
   */
  sendToolOutput(callId: string, output: unknown): void {
    this.connection.assertUsable('sendToolOutput');
    this.tools.sendOutput(callId, typeof output === 'string' ? output : JSON.stringify(output ?? null));
  }

  // ---------------------------------------------------------------- interruption

  /**
   * Attaches (or, with `undefined`, detaches) the source of what the listener has heard, used by
   * {@link RealtimeClient.interrupt} and barge-in. Give it to the transport that plays the audio.
   * @throws RealtimeClientError `INVALID_ARGUMENT` for something without a `playedMs` method
   */
  setPlayback(tracker: PlaybackTracker | undefined): void {
    this.responses.setPlayback(tracker);
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
    this.connection.assertUsable('interrupt');
    return this.responses.bargeIn(true);
  }

  // ---------------------------------------------------------------- metrics

  /** Counters and turn latency percentiles. */
  metrics(): RealtimeMetrics {
    const latency = this.responses.latency;
    return {
      connected: this.connected,
      ...this.connection.stats(),
      errors: this.errors,
      toolCalls: this.tools.calls,
      turns: latency.total,
      turnLatencyP50Ms: latency.percentile(0.5),
      turnLatencyP95Ms: latency.percentile(0.95),
    };
  }

  // ---------------------------------------------------------------- sending

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
    this.connection.assertUsable('send');
    const copy = { ...event };
    this.connection.sendEvent(copy);
    return copy.event_id as string;
  }

  // ---------------------------------------------------------------- session setup

  /** The session configuration, and after a reconnect the conversation, for a fresh session. */
  private sessionSetup(restore: boolean): { events: ClientEvent[]; restored: number } {
    const events: ClientEvent[] = [{ type: 'session.update', session: this.session }];
    let restored = 0;
    if (restore) {
      for (const item of this.conversation.restorable(this.tools.pendingIds())) {
        events.push({ type: 'conversation.item.create', item });
        restored++;
      }
    }
    return { events, restored };
  }

  /** Emits `reconnected`, first asking for a new response when the switch cut one off and that is wanted. */
  private announceReconnected(attempt: number, restoredItems: number, planned: boolean): void {
    const responseCut = this.responses.takeResponseCut();
    const resumed = responseCut && this.opts.resumeResponse === true;
    if (resumed) this.connection.sendEvent({ type: 'response.create' });
    this.fire('reconnected', { attempt, restoredItems, planned, responseCut, resumed });
  }

  // ---------------------------------------------------------------- events

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

  private onFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const parsed = parseServerFrame(data, isBinary);
    if (parsed instanceof RealtimeClientError) {
      this.reportError(parsed);
      return;
    }
    if (!parsed.known) {
      this.fire('unknown', { type: parsed.event.type, event: parsed.event });
      return;
    }
    try {
      this.dispatch(parsed.event);
    } catch (err) {
      this.reportError(
        err instanceof RealtimeClientError
          ? err
          : new RealtimeClientError(
              'PROTOCOL',
              `bad "${parsed.event.type}" event: ${(err as Error).message}`,
              {
                cause: err,
              },
            ),
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
        this.fire('speechStarted', { itemId: ev.item_id, audioStartMs: ev.audio_start_ms });
        // With server VAD's interrupt_response (on by default) the server cancels by itself.
        const td = this.session.audio?.input?.turn_detection;
        const serverCancels = td !== null && td?.interrupt_response !== false;
        this.responses.speechStarted(this.opts.bargeIn !== false, serverCancels);
        break;
      }
      case 'input_audio_buffer.speech_stopped': {
        this.responses.speechStopped();
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
        this.responses.itemDeleted(ev.item_id);
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
        this.responses.responseCreated(ev.response?.id ?? null);
        break;
      }
      case 'response.done': {
        const id = this.responses.responseDone(ev.response?.id);
        for (const item of ev.response?.output ?? []) this.conversation.upsert(item);
        this.fire('responseDone', {
          responseId: id,
          status: ev.response?.status,
          response: ev.response,
        });
        this.tools.responseDone(id);
        this.connection.maybeRollover();
        break;
      }
      case 'response.output_audio.delta': {
        this.responses.audioDelta(ev);
        break;
      }
      case 'response.output_audio.done': {
        this.responses.audioDone(ev);
        break;
      }
      case 'response.output_audio_transcript.delta':
      case 'response.output_text.delta': {
        this.conversation.appendText(ev.item_id, ev.delta);
        if (this.responses.isCancelled(ev.response_id)) break;
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
        this.tools.functionCall(ev);
        break;
      }
      default:
        break;
    }
  }
}
