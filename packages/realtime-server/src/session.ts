import { audioFrame } from '@voxwire/codecs';
import {
  CLIENT_EVENT_TYPES,
  type ClientEventType,
  type ConversationItem,
  fieldsOf,
  formatSampleRate,
  RESPONSE_FIELDS,
  type RealtimeSessionConfig,
} from '@voxwire/realtime-protocol';
import { decodeInputAudio, encodeOutputAudio } from './audio/format.js';
import { Conversation, type ItemRecord } from './conversation.js';
import type { RealtimeEngines } from './engines/types.js';
import { RealtimeProtocolError } from './errors.js';
import { IdFactory } from './ids.js';
import { InputAudioBuffer } from './input-buffer.js';
import { parseClientItem } from './items.js';
import { DEFAULT_AHEAD_SPEED, type PacingMode } from './pacer.js';
import { ResponseRun, type ResponseSettings } from './response.js';
import {
  applySessionUpdate,
  defaultSession,
  parseAudioFormat,
  parseMaxOutputTokens,
  parseOutputModalities,
  parsePrompt,
  parseReasoning,
  parseToolChoice,
  parseTools,
  parseVoice,
} from './session-config.js';
import { heardText } from './speech.js';
import type { SegmenterFactory, SpeechSegmenter } from './turn-detection.js';
import { RateLimitWindow } from './usage.js';
import {
  isObject,
  type JsonObject,
  rejectUnknown,
  requireArray,
  requireBoolean,
  requireEnum,
  requireNumber,
  requireObject,
  requireString,
} from './validate.js';

/** Silence that ends a turn for each `semantic_vad` eagerness (approximating OpenAI's model-based VAD). */
const SEMANTIC_SILENCE_MS = { low: 1500, medium: 800, high: 300, auto: 800 } as const;
/** OpenAI refuses to commit less than this. */
const MIN_COMMIT_MS = 100;
/**
 * Audio kept between turns beyond the prefix padding: a segmenter confirms speech some frames after its
 * onset (minimum speech duration, look-back), and the onset minus the padding must still be held then.
 */
const DETECTION_MARGIN_MS = 1000;
/** 15 MiB of PCM16, OpenAI's input buffer limit. */
const MAX_INPUT_BYTES = 15 * 1024 * 1024;

/** What one session may hold (see the README's Limits). */
export interface SessionLimits {
  /** Items per conversation; client-created items beyond are refused, the server's drop the oldest. */
  maxItems: number;
  /** Audio of one item, ms. */
  maxItemAudioMs: number;
  /** Audio kept over the whole conversation, ms; beyond, the oldest items' audio is released. */
  maxConversationAudioMs: number;
}

/** The limits a session gets unless the server is configured otherwise. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxItems: 1000,
  maxItemAudioMs: 5 * 60_000,
  maxConversationAudioMs: 5 * 60_000,
};

/** How a session talks to its transport and engines. */
export interface SessionOptions {
  model: string;
  /** `transcription` (`?intent=transcription`): input transcription only, no responses. */
  kind?: 'realtime' | 'transcription';
  engines: RealtimeEngines;
  pacing: PacingMode;
  /** Playback speeds per second in `ahead` pacing. */
  aheadSpeed?: number;
  /** Audio per `response.output_audio.delta`, ms. */
  chunkMs: number;
  limits?: SessionLimits;
  segmenter: SegmenterFactory;
  /** Sends one serialised server event. */
  send(json: string): void;
  /** Applied to the default session before `session.created`. */
  configure?: (session: RealtimeSessionConfig) => void;
}

interface VadState {
  segmenter: SpeechSegmenter;
  /** Absolute input position of the segmenter's sample 0. */
  base: number;
  /** The turn in progress, if speech has started. */
  speech: { itemId: string; start: number } | null;
}

/**
 * One Realtime session: the state behind one WebSocket. Parses and validates client events, keeps the
 * session config, input audio buffer, conversation and the active response, and emits server events.
 * Every refused client event gets an `error` event; nothing here closes the socket.
 */
export class RealtimeSession {
  readonly id: string;
  private readonly ids = new IdFactory();
  private config: RealtimeSessionConfig;
  private readonly kind: 'realtime' | 'transcription';
  private readonly limits: SessionLimits;
  private readonly conversation: Conversation;
  /** Id of the latest response, named by `output_audio_buffer.cleared`. */
  private lastResponseId: string | null = null;
  private readonly conversationId: string;
  private input: InputAudioBuffer;
  /** Milliseconds of input received before the current input format took effect. */
  private msBase = 0;
  private vad: VadState | null = null;
  private active: ResponseRun | null = null;
  private autoResponsePending = false;
  private responses = 0;
  private audioProduced = false;
  private closed = false;
  private readonly lifetime = new AbortController();
  private readonly rateLimits = new RateLimitWindow();

  constructor(private readonly options: SessionOptions) {
    this.kind = options.kind ?? 'realtime';
    this.limits = options.limits ?? DEFAULT_SESSION_LIMITS;
    this.conversation = new Conversation({
      maxItems: this.limits.maxItems,
      maxAudioMs: this.limits.maxConversationAudioMs,
    });
    this.id = this.ids.next('sess');
    this.conversationId = this.ids.next('conv');
    this.config = defaultSession(this.id, options.model, Math.floor(Date.now() / 1000));
    if (this.kind === 'transcription') {
      // A transcription session transcribes every turn; nothing answers.
      this.config.audio.input.transcription = { model: 'gpt-4o-transcribe' };
    }
    options.configure?.(this.config);
    this.input = new InputAudioBuffer(MAX_INPUT_BYTES / 2);
    this.resetVad();
  }

  /** Sends `session.created`; call once the socket is open. */
  start(): void {
    this.emit('session.created', { session: this.sessionObject() });
  }

  /** Current session configuration (a copy). */
  get session(): RealtimeSessionConfig {
    return structuredClone(this.config);
  }

  /** The session as `session.created`/`updated` report it: a transcription session shows its input only. */
  private sessionObject(): Record<string, unknown> {
    const c = structuredClone(this.config);
    if (this.kind === 'realtime') return c as unknown as Record<string, unknown>;
    return {
      type: 'transcription',
      object: 'realtime.transcription_session',
      id: c.id,
      expires_at: c.expires_at,
      include: c.include,
      audio: { input: c.audio.input },
    };
  }

  /** Handles one WebSocket message. Never throws. */
  handleMessage(data: string, isBinary = false): void {
    if (this.closed) return;
    let eventId: string | null = null;
    try {
      if (isBinary) {
        throw new RealtimeProtocolError(
          'INVALID_TYPE',
          'Binary frames are not supported: send client events as JSON text frames.',
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch (err) {
        throw new RealtimeProtocolError(
          'INVALID_JSON',
          `The message is not valid JSON: ${(err as Error).message}.`,
        );
      }
      if (!isObject(parsed)) {
        throw new RealtimeProtocolError(
          'INVALID_TYPE',
          'A client event must be a JSON object with a "type" field.',
        );
      }
      if (parsed.event_id !== undefined) {
        eventId = typeof parsed.event_id === 'string' ? parsed.event_id : null;
        requireString(parsed.event_id, 'event_id');
      }
      const type = requireEnum(parsed.type, 'type', CLIENT_EVENT_TYPES);
      this.dispatch(type, parsed);
    } catch (err) {
      this.reportError(err, eventId);
    }
  }

  /** Stops everything: active response, pending engine work. */
  close(): void {
    if (this.closed) return;
    this.active?.cancel('client_cancelled');
    this.closed = true;
    this.vad?.segmenter.close();
    this.lifetime.abort();
  }

  private reportError(err: unknown, eventId: string | null): void {
    const error =
      err instanceof RealtimeProtocolError
        ? err
        : new RealtimeProtocolError(
            'SERVER_ERROR',
            `Internal error: ${(err as Error)?.message ?? String(err)}`,
            null,
            'server_error',
          );
    this.emit('error', { error: error.toBody(eventId) });
  }

  private emit(type: string, fields: Record<string, unknown>): void {
    if (this.closed) return;
    this.options.send(JSON.stringify({ type, event_id: this.ids.next('event'), ...fields }));
  }

  private dispatch(type: ClientEventType, ev: JsonObject): void {
    switch (type) {
      case 'session.update':
        rejectUnknown(ev, ['type', 'event_id', 'session'], '');
        this.onSessionUpdate(ev.session);
        break;
      case 'input_audio_buffer.append':
        rejectUnknown(ev, ['type', 'event_id', 'audio'], '');
        this.onAppend(requireString(ev.audio, 'audio'));
        break;
      case 'input_audio_buffer.commit':
        rejectUnknown(ev, ['type', 'event_id'], '');
        this.onCommit();
        break;
      case 'input_audio_buffer.clear':
        rejectUnknown(ev, ['type', 'event_id'], '');
        this.input.clear();
        this.resetVad();
        this.emit('input_audio_buffer.cleared', {});
        break;
      case 'conversation.item.create':
        rejectUnknown(ev, ['type', 'event_id', 'item', 'previous_item_id'], '');
        this.onItemCreate(ev);
        break;
      case 'conversation.item.delete':
        rejectUnknown(ev, ['type', 'event_id', 'item_id'], '');
        this.onItemDelete(requireString(ev.item_id, 'item_id'));
        break;
      case 'conversation.item.retrieve':
        rejectUnknown(ev, ['type', 'event_id', 'item_id'], '');
        this.onItemRetrieve(requireString(ev.item_id, 'item_id'));
        break;
      case 'conversation.item.truncate':
        rejectUnknown(ev, ['type', 'event_id', 'item_id', 'content_index', 'audio_end_ms'], '');
        this.onItemTruncate(ev);
        break;
      case 'response.create':
        rejectUnknown(ev, ['type', 'event_id', 'response'], '');
        this.onResponseCreate(ev.response);
        break;
      case 'response.cancel':
        rejectUnknown(ev, ['type', 'event_id', 'response_id'], '');
        this.onResponseCancel(
          ev.response_id === undefined ? undefined : requireString(ev.response_id, 'response_id'),
        );
        break;
      case 'output_audio_buffer.clear':
        rejectUnknown(ev, ['type', 'event_id'], '');
        this.onOutputClear();
        break;
    }
  }

  // ---- session ------------------------------------------------------------------------------------------

  private onSessionUpdate(patch: unknown): void {
    const next = applySessionUpdate(this.config, patch, this.audioProduced, this.kind);
    const formatChanged = next.audio.input.format.type !== this.config.audio.input.format.type;
    const vadChanged =
      JSON.stringify(next.audio.input.turn_detection) !==
      JSON.stringify(this.config.audio.input.turn_detection);
    if (formatChanged) {
      // Positions restart at the new rate; keep the session clock continuous in ms.
      this.msBase = this.ms(this.input.end);
      this.input = new InputAudioBuffer(MAX_INPUT_BYTES / 2);
    }
    this.config = next;
    if (formatChanged || vadChanged) this.resetVad();
    this.emit('session.updated', { session: this.sessionObject() });
  }

  // ---- input audio --------------------------------------------------------------------------------------

  private get inputRate(): number {
    return formatSampleRate(this.config.audio.input.format);
  }

  /** Session milliseconds of an absolute input position. */
  private ms(position: number): number {
    return Math.round(this.msBase + (position * 1000) / this.inputRate);
  }

  private resetVad(): void {
    this.vad?.segmenter.close();
    this.vad = null;
    const td = this.config.audio.input.turn_detection;
    if (!td || this.closed) return;
    const threshold = td.type === 'server_vad' ? td.threshold : 0.5;
    const silenceDurationMs =
      td.type === 'server_vad' ? td.silence_duration_ms : SEMANTIC_SILENCE_MS[td.eagerness];
    const state = { base: this.input.end, speech: null } as VadState;
    state.segmenter = this.options.segmenter(
      { sampleRate: this.inputRate, threshold, silenceDurationMs },
      {
        boundary: (event) => {
          if (this.vad !== state || this.closed) return;
          const position = state.base + event.sample;
          if (event.type === 'start') {
            if (!state.speech) this.onSpeechStarted(state, position);
          } else if (state.speech) {
            this.onSpeechStopped(state, state.speech, position);
          }
        },
        error: (err) => {
          if (this.vad !== state) return;
          this.vad = null;
          this.reportError(
            new RealtimeProtocolError(
              'SERVER_ERROR',
              `Server VAD failed and is off for this session: ${err.message}`,
              null,
              'server_error',
            ),
            null,
          );
        },
      },
    );
    this.vad = state;
  }

  private get prefixSamples(): number {
    const td = this.config.audio.input.turn_detection;
    const ms = td?.type === 'server_vad' ? td.prefix_padding_ms : 300;
    return Math.round((ms * this.inputRate) / 1000);
  }

  private onAppend(audio: string): void {
    const pcm = decodeInputAudio(audio, this.config.audio.input.format);
    this.input.append(pcm);
    const vad = this.vad;
    if (!vad) return;
    vad.segmenter.push(pcm);
    if (vad.speech && this.ms(this.input.end) - this.ms(vad.speech.start) > this.limits.maxItemAudioMs) {
      this.onSpeechTooLong(vad);
    } else if (!vad.speech) {
      // Between turns only the prefix padding (before an onset still being confirmed) can become part of an
      // utterance: older audio is silence by the VAD's judgement and is let go to bound memory.
      this.input.dropBefore(
        this.input.end - this.prefixSamples - Math.round((DETECTION_MARGIN_MS * this.inputRate) / 1000),
      );
    }
  }

  private onSpeechStarted(vad: VadState, position: number): void {
    const start = Math.max(this.input.begin, position - this.prefixSamples);
    const itemId = this.ids.next('item');
    vad.speech = { itemId, start };
    this.emit('input_audio_buffer.speech_started', { audio_start_ms: this.ms(start), item_id: itemId });
    const td = this.config.audio.input.turn_detection;
    if (this.active && td?.interrupt_response) this.active.cancel('turn_detected');
  }

  private onSpeechStopped(vad: VadState, speech: { itemId: string; start: number }, position: number): void {
    vad.speech = null;
    const end = Math.min(position, this.input.end);
    this.emit('input_audio_buffer.speech_stopped', { audio_end_ms: this.ms(end), item_id: speech.itemId });
    this.commitRange(speech.start, end, speech.itemId);
    if (this.kind === 'realtime' && this.config.audio.input.turn_detection?.create_response) {
      if (this.active) this.autoResponsePending = true;
      else this.startResponse(this.settingsFrom(undefined));
    }
  }

  /**
   * A turn longer than an item may hold is committed where it stands, and the segmenter starts over (the
   * remaining speech becomes the next turn).
   */
  private onSpeechTooLong(vad: VadState): void {
    const speech = vad.speech;
    if (!speech) return;
    this.onSpeechStopped(vad, speech, this.input.end);
    this.resetVad();
  }

  private onCommit(): void {
    const heldMs = (this.input.size * 1000) / this.inputRate;
    if (heldMs < MIN_COMMIT_MS) {
      throw new RealtimeProtocolError(
        'INPUT_AUDIO_BUFFER_COMMIT_EMPTY',
        `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${heldMs.toFixed(2)}ms of audio.`,
      );
    }
    if (heldMs > this.limits.maxItemAudioMs) {
      throw new RealtimeProtocolError(
        'ITEM_AUDIO_TOO_LONG',
        `Error committing input audio buffer: it holds ${Math.round(heldMs)} ms, more than the limit of ${this.limits.maxItemAudioMs} ms per item; clear it or commit more often.`,
      );
    }
    const itemId = this.vad?.speech?.itemId ?? this.ids.next('item');
    this.commitRange(this.input.begin, this.input.end, itemId);
    this.resetVad();
  }

  /** Moves input [start, end) into a new user item and emits committed/added/done, then transcribes. */
  private commitRange(start: number, end: number, itemId: string): void {
    const pcm = this.input.copy(start, end);
    this.input.dropBefore(end);
    const format = this.config.audio.input.format;
    const record: ItemRecord = {
      item: {
        id: itemId,
        object: 'realtime.item',
        type: 'message',
        role: 'user',
        status: 'completed',
        content: [{ type: 'input_audio', transcript: null }],
      },
      audio: { pcm, sampleRate: this.inputRate, format },
    };
    const previous = this.conversation.insert(record);
    this.emit('input_audio_buffer.committed', { previous_item_id: previous, item_id: itemId });
    this.emit('conversation.item.added', { previous_item_id: previous, item: structuredClone(record.item) });
    this.emit('conversation.item.done', { previous_item_id: previous, item: structuredClone(record.item) });
    this.transcribe(record);
  }

  /** Transcribes user audio when the session asks for it or the responder reads words. */
  private transcribe(record: ItemRecord): void {
    const wanted = this.config.audio.input.transcription;
    if (!record.audio || (!wanted && !this.options.engines.responder.needsTranscripts)) return;
    const audio = audioFrame(record.audio.pcm, record.audio.sampleRate);
    const itemId = record.item.id;
    const seconds = audio.data.length / audio.sampleRate;
    record.transcribing = this.options.engines.transcriber
      .transcribe(audio, { language: wanted?.language, signal: this.lifetime.signal })
      .then(
        (transcript) => {
          record.transcript = transcript;
          if (!wanted) return;
          if (record.item.type === 'message') record.item.content[0].transcript = transcript;
          if (transcript) {
            this.emit('conversation.item.input_audio_transcription.delta', {
              item_id: itemId,
              content_index: 0,
              delta: transcript,
            });
          }
          this.emit('conversation.item.input_audio_transcription.completed', {
            item_id: itemId,
            content_index: 0,
            transcript,
            usage: { type: 'duration', seconds: Number(seconds.toFixed(3)) },
          });
        },
        (err: Error) => {
          if (!wanted || this.closed) return;
          this.emit('conversation.item.input_audio_transcription.failed', {
            item_id: itemId,
            content_index: 0,
            error: {
              type: 'transcription_error',
              code: 'transcriber_failed',
              message: err.message,
              param: null,
            },
          });
        },
      );
  }

  // ---- conversation items -------------------------------------------------------------------------------

  private onItemCreate(ev: JsonObject): void {
    const previousId =
      ev.previous_item_id === undefined ? undefined : requireString(ev.previous_item_id, 'previous_item_id');
    if (previousId !== undefined && previousId !== 'root' && !this.conversation.has(previousId)) {
      throw new RealtimeProtocolError(
        'INVALID_VALUE',
        `Error adding item: the previous item with id '${previousId}' does not exist.`,
        'previous_item_id',
      );
    }
    if (this.conversation.full) {
      throw new RealtimeProtocolError(
        'CONVERSATION_ITEMS_LIMIT',
        `Error adding item: the conversation holds its limit of ${this.limits.maxItems} items; delete some first.`,
        'item',
      );
    }
    const record = this.parseItem(ev.item, 'item');
    const item = record.item;
    if (this.conversation.has(item.id)) {
      throw new RealtimeProtocolError(
        'ITEM_ALREADY_EXISTS',
        `Error adding item: an item with id '${item.id}' already exists.`,
        'item.id',
      );
    }
    if (item.type === 'function_call_output' && !this.conversation.findCall(item.call_id)) {
      throw new RealtimeProtocolError(
        'INVALID_VALUE',
        `Error adding item: no function_call item with call_id '${item.call_id}' is in the conversation.`,
        'item.call_id',
      );
    }
    const previous = this.conversation.insert(record, previousId);
    this.emit('conversation.item.added', { previous_item_id: previous, item: structuredClone(item) });
    this.emit('conversation.item.done', { previous_item_id: previous, item: structuredClone(item) });
    if (record.audio && record.transcript === undefined) this.transcribe(record);
  }

  /** A client item, with its audio checked against the per-item limit. */
  private parseItem(raw: unknown, param: string): ItemRecord {
    const record = parseClientItem(raw, param, () => this.ids.next('item'), this.config.audio.input.format);
    const audio = record.audio;
    if (audio && (audio.pcm.length * 1000) / audio.sampleRate > this.limits.maxItemAudioMs) {
      throw new RealtimeProtocolError(
        'ITEM_AUDIO_TOO_LONG',
        `Error adding item: its audio is longer than the limit of ${this.limits.maxItemAudioMs} ms per item.`,
        `${param}.content`,
      );
    }
    return record;
  }

  private onItemDelete(itemId: string): void {
    if (!this.conversation.delete(itemId)) {
      throw new RealtimeProtocolError(
        'ITEM_DELETE_INVALID_ITEM_ID',
        `Error deleting item: the item with id '${itemId}' does not exist.`,
        'item_id',
      );
    }
    this.emit('conversation.item.deleted', { item_id: itemId });
  }

  private onItemRetrieve(itemId: string): void {
    const record = this.conversation.get(itemId);
    if (!record) {
      throw new RealtimeProtocolError(
        'ITEM_RETRIEVE_INVALID_ITEM_ID',
        `Error retrieving item: the item with id '${itemId}' does not exist.`,
        'item_id',
      );
    }
    const item: ConversationItem = structuredClone(record.item);
    if (record.audio && item.type === 'message') {
      const part = item.content.find((c) => c.type === 'input_audio' || c.type === 'output_audio');
      if (part)
        part.audio = encodeOutputAudio(
          record.audio.pcm,
          record.audio.format,
          new Uint8Array(record.audio.pcm.length),
        );
    }
    this.emit('conversation.item.retrieved', { item });
  }

  private onItemTruncate(ev: JsonObject): void {
    const itemId = requireString(ev.item_id, 'item_id');
    const contentIndex = requireNumber(ev.content_index, 'content_index', { min: 0, integer: true });
    const audioEndMs = requireNumber(ev.audio_end_ms, 'audio_end_ms', { min: 0, integer: true });
    const record = this.conversation.get(itemId);
    if (!record) {
      throw new RealtimeProtocolError(
        'ITEM_TRUNCATE_INVALID_ITEM_ID',
        `Error truncating item: the item with id '${itemId}' does not exist.`,
        'item_id',
      );
    }
    const item = record.item;
    if (item.type !== 'message' || item.role !== 'assistant') {
      throw new RealtimeProtocolError(
        'INVALID_VALUE',
        `Error truncating item: only assistant messages can be truncated.`,
        'item_id',
      );
    }
    // Stop generating the rest of an item the client has already cut off.
    if (this.active?.itemIds.has(itemId)) this.active.cancel('client_cancelled');
    const part = item.content[contentIndex];
    const speech = record.speech;
    if (part?.type !== 'output_audio' || !speech) {
      throw new RealtimeProtocolError(
        'INVALID_VALUE',
        `Error truncating item: content_index ${contentIndex} of item '${itemId}' is not an audio part.`,
        'content_index',
      );
    }
    // While the item streams, only what was sent can have been played; afterwards, what the item holds.
    const available = speech.streaming ? speech.sent : (record.audio?.pcm.length ?? 0);
    const durationMs = (available * 1000) / speech.sampleRate;
    if (audioEndMs > Math.ceil(durationMs)) {
      throw new RealtimeProtocolError(
        'INVALID_VALUE',
        `Error truncating item: audio_end_ms ${audioEndMs} is longer than the item's audio (${Math.round(durationMs)} ms).`,
        'audio_end_ms',
      );
    }
    const keep = Math.min(available, Math.round((audioEndMs * speech.sampleRate) / 1000));
    speech.cut = Math.min(keep, speech.cut ?? keep);
    if (!speech.streaming && record.audio) {
      this.conversation.setAudio(record, { ...record.audio, pcm: record.audio.pcm.subarray(0, speech.cut) });
    }
    // No text the user did not hear stays in context: the transcript is cut where playback stopped.
    const heard = heardText(speech.text, speech.cut, speech.total);
    part.transcript = heard;
    record.transcript = heard;
    this.emit('conversation.item.truncated', {
      item_id: itemId,
      content_index: contentIndex,
      audio_end_ms: audioEndMs,
    });
  }

  // ---- responses ----------------------------------------------------------------------------------------

  private settingsFrom(raw: unknown): ResponseSettings {
    const c = this.config;
    const settings: ResponseSettings = {
      instructions: c.instructions,
      tools: c.tools,
      toolChoice: c.tool_choice,
      modalities: c.output_modalities,
      format: c.audio.output.format,
      voice: c.audio.output.voice,
      speed: c.audio.output.speed,
      maxOutputTokens: c.max_output_tokens,
      addToConversation: true,
      metadata: null,
    };
    if (raw === undefined) return settings;
    const r = requireObject(raw, 'response');
    rejectUnknown(r, fieldsOf(RESPONSE_FIELDS), 'response');
    // Accepted and validated, not applied: the offline responder neither reasons, fetches stored prompts,
    // nor runs calls in parallel.
    if (r.reasoning !== undefined) parseReasoning(r.reasoning, 'response.reasoning');
    if (r.prompt !== undefined && r.prompt !== null) parsePrompt(r.prompt, 'response.prompt');
    if (r.parallel_tool_calls !== undefined)
      requireBoolean(r.parallel_tool_calls, 'response.parallel_tool_calls');
    if (r.instructions !== undefined)
      settings.instructions = requireString(r.instructions, 'response.instructions');
    if (r.output_modalities !== undefined)
      settings.modalities = parseOutputModalities(r.output_modalities, 'response.output_modalities');
    if (r.tools !== undefined) settings.tools = parseTools(r.tools, 'response.tools');
    if (r.tool_choice !== undefined)
      settings.toolChoice = parseToolChoice(r.tool_choice, settings.tools, 'response.tool_choice');
    if (r.max_output_tokens !== undefined)
      settings.maxOutputTokens = parseMaxOutputTokens(r.max_output_tokens, 'response.max_output_tokens');
    if (r.conversation !== undefined) {
      const conv = requireString(r.conversation, 'response.conversation');
      if (conv !== 'auto' && conv !== 'none') {
        throw new RealtimeProtocolError(
          'INVALID_VALUE',
          `Invalid value: '${conv}'. Supported values are: 'auto', 'none'.`,
          'response.conversation',
        );
      }
      settings.addToConversation = conv === 'auto';
    }
    if (r.metadata !== undefined && r.metadata !== null) {
      const meta = requireObject(r.metadata, 'response.metadata');
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(meta)) out[k] = requireString(v, `response.metadata.${k}`);
      settings.metadata = out;
    }
    if (r.audio !== undefined) {
      const audio = requireObject(r.audio, 'response.audio');
      rejectUnknown(audio, fieldsOf(RESPONSE_FIELDS.audio), 'response.audio');
      if (audio.output !== undefined) {
        const output = requireObject(audio.output, 'response.audio.output');
        rejectUnknown(output, fieldsOf(RESPONSE_FIELDS.audio.output), 'response.audio.output');
        if (output.format !== undefined)
          settings.format = parseAudioFormat(output.format, 'response.audio.output.format');
        if (output.voice !== undefined)
          settings.voice = parseVoice(output.voice, 'response.audio.output.voice');
      }
    }
    if (r.input !== undefined) {
      const input = requireArray(r.input, 'response.input');
      if (input.length > this.limits.maxItems) {
        throw new RealtimeProtocolError(
          'INVALID_VALUE',
          `Invalid value for 'response.input': at most ${this.limits.maxItems} items, got ${input.length}.`,
          'response.input',
        );
      }
      settings.input = input.map((raw, i) => this.resolveInputItem(raw, `response.input[${i}]`));
    }
    return settings;
  }

  private resolveInputItem(raw: unknown, param: string): ItemRecord {
    const obj = requireObject(raw, param);
    if (obj.type === 'item_reference') {
      rejectUnknown(obj, ['type', 'id'], param);
      const id = requireString(obj.id, `${param}.id`);
      const record = this.conversation.get(id);
      if (!record)
        throw new RealtimeProtocolError(
          'INVALID_VALUE',
          `Item reference '${id}' is not in the conversation.`,
          `${param}.id`,
        );
      return record;
    }
    const record = this.parseItem(obj, param);
    if (record.audio && record.transcript === undefined) this.transcribe(record);
    return record;
  }

  private onResponseCreate(raw: unknown): void {
    if (this.kind === 'transcription') {
      throw new RealtimeProtocolError(
        'INVALID_REQUEST',
        'This is a transcription session (intent=transcription): it transcribes input audio and creates no responses.',
        null,
      );
    }
    if (this.active) {
      throw new RealtimeProtocolError(
        'CONVERSATION_ALREADY_HAS_ACTIVE_RESPONSE',
        `Conversation already has an active response in progress: ${this.active.id}. Wait until the response is finished before creating a new one.`,
      );
    }
    this.startResponse(this.settingsFrom(raw));
  }

  private startResponse(settings: ResponseSettings): void {
    const run = new ResponseRun(
      {
        sessionId: this.id,
        conversationId: this.conversationId,
        engines: this.options.engines,
        ids: this.ids,
        conversation: this.conversation,
        pacing: this.options.pacing,
        chunkMs: this.options.chunkMs,
        aheadSpeed: this.options.aheadSpeed ?? DEFAULT_AHEAD_SPEED,
        emit: (type, fields) => this.emit(type, fields),
        finished: (response, outputTokens) => {
          if (this.active === run) this.active = null;
          if (
            response.output.some(
              (i) => i.type === 'message' && i.content.some((c) => c.type === 'output_audio'),
            )
          ) {
            this.audioProduced = true;
          }
          const total = (response.usage?.input_tokens ?? 0) + outputTokens;
          this.emit('rate_limits.updated', { rate_limits: this.rateLimits.record(total) });
          if (this.autoResponsePending && !this.closed) {
            this.autoResponsePending = false;
            this.startResponse(this.settingsFrom(undefined));
          }
        },
      },
      settings,
      this.responses++,
    );
    this.active = run;
    this.lastResponseId = run.id;
    void run.run();
  }

  private onResponseCancel(responseId: string | undefined): void {
    if (!this.active) {
      throw new RealtimeProtocolError(
        'RESPONSE_CANCEL_NOT_ACTIVE',
        'Cancellation failed: no active response found.',
        null,
      );
    }
    if (responseId !== undefined && responseId !== this.active.id) {
      throw new RealtimeProtocolError(
        'RESPONSE_CANCEL_NOT_ACTIVE',
        `Cancellation failed: response '${responseId}' is not the active response (${this.active.id}).`,
        'response_id',
      );
    }
    this.active.cancel('client_cancelled');
  }

  private onOutputClear(): void {
    this.active?.cancel('client_cancelled');
    // The event names the response whose audio was cleared; before any response there is nothing to clear.
    if (this.lastResponseId) this.emit('output_audio_buffer.cleared', { response_id: this.lastResponseId });
  }
}
