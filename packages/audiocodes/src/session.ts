import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import {
  type AnyFrame,
  alaw,
  audioFrame,
  base64ToBytes,
  bytesToBase64,
  bytesToInt16,
  type EncodedFrame,
  encodedFrame,
  int16ToBase64,
  isEncodedFrame,
  mulaw,
  Resampler,
} from '@voxwire/codecs';
import type { AsyncCloseable } from '@voxwire/core';
import type { WebSocket } from 'ws';
import { closeReason } from './clip.js';
import { AudioCodesError, AudioCodesProtocolError, type AudioCodesProtocolErrorCode } from './errors.js';
import {
  AUDIOCODES_MEDIA_FORMATS,
  type AudioCodesActivity,
  type AudioCodesInbound,
  type AudioCodesMediaFormat,
  type AudioCodesOutbound,
} from './protocol.js';

/** Options of an {@link AudioCodesSession}; the server fills them in. */
export interface AudioCodesSessionOptions {
  /** Monotonic clock in ms, for the playback position (injectable for tests). Default `performance.now`. */
  now?: () => number;
  /**
   * Most bytes waiting in the socket's send buffer; past it VAIC is not reading, and the conversation
   * ends and its socket is dropped instead of buffering audio without bound. Default 4 MiB.
   */
  maxSendBufferBytes?: number;
  /** Where errors go when the session has no `error` listener (the server forwards them to its own). */
  onUnheardError?: (err: Error, session: AudioCodesSession) => void;
  /** `participant` of every `playStream.*` message. Default `"caller"`. */
  participant?: string;
}

/** Events of an {@link AudioCodesSession}. */
export interface AudioCodesSessionEvents {
  /**
   * Caller audio, one frame per `userStream.chunk`, in the conversation's media format: an `AudioFrame`
   * (mono PCM at {@link AudioCodesSession.inputSampleRate}) for the `raw/lpcm16*` formats, an
   * `EncodedFrame` (`pcmu`, 8 kHz) for `raw/mulaw`. The listener owns the frame.
   */
  audio: [frame: AnyFrame];
  /** A DTMF key (or keys) pressed by the caller. */
  dtmf: [event: { digit: string }];
  /**
   * VAIC stopped the caller's audio stream (`userStream.stop`): the end of an utterance when VAIC runs its
   * own speech detection. `atSample` is the caller-audio position where it stopped.
   */
  userStreamStop: [info: { atSample: number }];
  /** Any other `activities` entry (`start`, custom events), as VAIC sent it. */
  activity: [activity: AudioCodesActivity];
  /** The conversation ended (`session.end`, the bot's hang-up, a lost socket that was not resumed, …). */
  end: [info: { reason: string }];
  /** Bad input from VAIC ({@link AudioCodesProtocolError}); the call goes on. */
  error: [err: Error];
}

/** Messages the server hands to a conversation once it is accepted. */
export type AudioCodesConversationMessage = Extract<
  AudioCodesInbound,
  { type: 'userStream.start' | 'userStream.stop' | 'userStream.chunk' | 'activities' | 'session.end' }
>;

type OutboundBody<T extends AudioCodesOutbound['type']> = Omit<
  Extract<AudioCodesOutbound, { type: T }>,
  'type' | 'conversationId'
>;

/**
 * One VoiceAI Connect conversation. Caller audio arrives in `userStream.chunk` messages and is emitted as
 * frames; agent audio goes out as `playStream.*`, one play stream at a time.
 *
 * The Bot API gives no playback acknowledgements, so {@link AudioCodesSession.playedMs} follows VAIC's
 * real-time playout of what we sent: audio plays from the moment it is sent, back to back, and never
 * faster than real time. That is the only position this protocol can provide; Twilio's echoed marks are exact.
 *
 * Errors go through {@link AudioCodesSession.report}: a conversation nobody listens to any more (ended,
 * detached from its bridge) must not turn a late bad message into an unhandled `error` event.
 */
export class AudioCodesSession extends EventEmitter<AudioCodesSessionEvents> implements AsyncCloseable {
  readonly id: string;
  readonly mediaFormat: AudioCodesMediaFormat;
  /** Sample rate of the conversation's audio, both ways. */
  readonly inputSampleRate: number;
  /** The conversation's wire encoding: 16-bit PCM, or 8 kHz mu-law (`raw/mulaw`). */
  readonly wireFormat: 'pcmu' | 'pcm16';
  /** Caller's number or URI from `session.initiate`, when given. */
  readonly caller: string | undefined;
  /** The bot name VAIC asked for. */
  readonly botName: string | undefined;
  /** Errors reported while nobody listened to `error` (late input after the call ended, mostly). */
  unheardErrors = 0;
  private socket: WebSocket | null;
  private readonly now: () => number;
  private endedReason: string | null = null;
  private socketClosed: Promise<void> = Promise.resolve();
  private userStreaming = false;
  private playStreamId: string | null = null;
  private playStreamCount = 0;
  private readonly resamplers = new Map<number, Resampler>();
  private lastInputRate = 0;
  private inputPosition = 0;
  private totalSentMs = 0;
  private clockBase = 0;
  private closeCode = 1000;
  private readonly maxSendBufferBytes: number;
  /** Who the bot's play streams are for (`participant` on `playStream.*`). */
  readonly participant: string;
  private readonly onUnheard: ((err: Error, session: AudioCodesSession) => void) | undefined;

  /** @internal Created by the server for each accepted `session.initiate`. */
  constructor(
    socket: WebSocket,
    init: Extract<AudioCodesInbound, { type: 'session.initiate' }>,
    mediaFormat: AudioCodesMediaFormat,
    opts: AudioCodesSessionOptions = {},
  ) {
    super();
    this.socket = socket;
    this.id = init.conversationId;
    this.caller = init.caller;
    this.botName = init.botName;
    this.mediaFormat = mediaFormat;
    const fmt = AUDIOCODES_MEDIA_FORMATS[mediaFormat];
    this.inputSampleRate = fmt.sampleRate;
    this.wireFormat = fmt.encoding === 'mulaw' ? 'pcmu' : 'pcm16';
    this.now = opts.now ?? (() => performance.now());
    this.onUnheard = opts.onUnheardError;
    this.maxSendBufferBytes = opts.maxSendBufferBytes ?? 4 * 1024 * 1024;
    this.participant = opts.participant ?? 'caller';
  }

  /** Whether the conversation has ended. */
  get ended(): boolean {
    return this.endedReason !== null;
  }

  /** Why the conversation ended, or null while it runs. */
  get endReason(): string | null {
    return this.endedReason;
  }

  /** Whether VAIC is currently streaming caller audio (between `userStream.start` and `.stop`). */
  get userStreamActive(): boolean {
    return this.userStreaming;
  }

  /** @internal Hands a resumed conversation its new socket; returns the one it replaces, if any. */
  attach(socket: WebSocket): WebSocket | null {
    const old = this.socket;
    this.socket = socket;
    return old === socket ? null : old;
  }

  /** @internal Whether `socket` is the one this conversation talks on now. */
  isAttachedTo(socket: WebSocket): boolean {
    return this.socket === socket;
  }

  /** @internal The socket dropped without `session.end`; the server may resume or end the session later. */
  detach(): void {
    this.socket = null;
    this.userStreaming = false;
  }

  /**
   * @internal Ends the conversation from the server's side (idle, shutdown): tells VAIC to hang up, then
   * closes the socket with `code`.
   */
  shutdown(reason: string, code: number): void {
    if (this.ended) return;
    this.closeCode = code;
    this.hangup(reason);
  }

  /** @internal Dispatches a validated message addressed to this conversation; late ones are ignored. */
  handle(msg: AudioCodesConversationMessage): void {
    if (this.ended) return;
    switch (msg.type) {
      case 'userStream.start':
        this.userStreaming = true;
        this.send('userStream.started', {});
        return;
      case 'userStream.stop':
        this.userStreaming = false;
        this.send('userStream.stopped', {});
        this.emit('userStreamStop', { atSample: this.inputPosition });
        return;
      case 'userStream.chunk':
        this.onChunk(msg.audioChunk);
        return;
      case 'activities':
        for (const a of msg.activities) {
          if (this.ended) return; // a listener hung up on an earlier activity
          this.onActivity(a);
        }
        return;
      case 'session.end':
        this.finish(msg.reason ?? msg.reasonCode ?? 'session.end');
        return;
    }
  }

  /**
   * Plays agent audio to the caller, in the current play stream (one is started when none is open).
   * Mono PCM at any rate is resampled to the conversation's rate and encoded for its format; a `pcmu`
   * frame on a `raw/mulaw` conversation is sent unchanged (nothing decodes and re-encodes it).
   * @throws AudioCodesError `CLOSED` after the conversation ended, `INVALID_ARGUMENT` for audio that is
   *   not a mono frame (or an Opus frame, which this protocol cannot carry)
   */
  sendAudio(frame: AnyFrame): void {
    if (this.endedReason !== null) {
      throw new AudioCodesError('CLOSED', `conversation ${this.id} has ended (${this.endedReason})`);
    }
    if (isEncodedFrame(frame)) {
      this.sendEncoded(frame);
      return;
    }
    if (!(frame?.data instanceof Int16Array) || frame.channels !== 1) {
      throw new AudioCodesError('INVALID_ARGUMENT', 'sendAudio expects a mono AudioFrame of Int16 PCM');
    }
    if (!Number.isInteger(frame.sampleRate) || frame.sampleRate <= 0) {
      throw new AudioCodesError(
        'INVALID_ARGUMENT',
        `sendAudio: sample rate must be a positive integer, got ${frame.sampleRate}`,
      );
    }
    this.sendPcmAt(frame.data, frame.sampleRate);
  }

  /** Ends one agent utterance: flushes the resampler's tail and stops the play stream. */
  endUtterance(): void {
    if (this.ended) return;
    if (this.lastInputRate !== 0) {
      const tail = this.toWireRate(new Int16Array(0), this.lastInputRate, true);
      if (tail.length > 0) this.sendPcm(tail);
    }
    if (this.playStreamId) {
      this.send('playStream.stop', { streamId: this.playStreamId, participant: this.participant });
      this.playStreamId = null;
    }
  }

  /** Milliseconds of agent audio the caller has heard so far (real-time playout of what was sent). */
  playedMs(): number {
    return Math.min(this.totalSentMs, Math.max(0, this.now() - this.clockBase));
  }

  /** Milliseconds of agent audio sent so far (heard + still playing), less what {@link clear} dropped. */
  sentMs(): number {
    return this.totalSentMs;
  }

  /** Barge-in: stops the play stream; what was sent but not yet heard is forgotten. */
  clear(): void {
    const played = this.playedMs();
    this.totalSentMs = played;
    for (const r of this.resamplers.values()) r.reset();
    if (this.playStreamId && !this.ended)
      this.send('playStream.stop', { streamId: this.playStreamId, participant: this.participant });
    this.playStreamId = null;
  }

  /** Ends the call from the bot's side: the `hangup` activity, then the socket closes with 1000. */
  hangup(reason = 'hangup by bot'): void {
    if (this.ended) return;
    if (this.playStreamId)
      this.send('playStream.stop', { streamId: this.playStreamId, participant: this.participant });
    this.playStreamId = null;
    this.send('activities', { activities: [{ type: 'event', name: 'hangup' }] });
    this.finish(reason);
  }

  /**
   * Hangs up (if the call still runs) and resolves once the conversation's socket has closed. Idempotent.
   */
  async close(): Promise<void> {
    this.hangup('closed by application');
    await this.socketClosed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Tells VAIC the bot's VAD heard the caller start speaking (VAIC uses it for barge-in). */
  speechStarted(): void {
    this.send('userStream.speech.started', {});
  }

  /** Tells VAIC the caller stopped speaking. */
  speechStopped(): void {
    this.send('userStream.speech.stopped', {});
  }

  /** Tells VAIC the caller's utterance was committed for recognition. */
  speechCommitted(): void {
    this.send('userStream.speech.committed', {});
  }

  /** Sends a partial recognition result. */
  hypothesis(text: string): void {
    this.send('userStream.speech.hypothesis', { alternatives: [{ text }] });
  }

  /** Sends a final recognition result. */
  recognition(text: string, confidence = 1): void {
    this.send('userStream.speech.recognition', { alternatives: [{ text, confidence }] });
  }

  /**
   * @internal Reports bad input: an `error` event when someone listens, else counted in
   * {@link AudioCodesSession.unheardErrors} and handed to the server (which emits it as its own `error`).
   */
  report(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else {
      this.unheardErrors++;
      this.onUnheard?.(err, this);
    }
  }

  /**
   * @internal Marks the conversation ended, closes its socket (after what was sent, e.g. the hang-up),
   * emits `end` once.
   */
  finish(reason: string): void {
    if (this.endedReason !== null) return;
    this.endedReason = reason;
    this.playStreamId = null;
    this.userStreaming = false;
    const ws = this.socket;
    this.socket = null;
    if (ws && ws.readyState !== ws.CLOSED) {
      this.socketClosed = new Promise((resolve) => ws.once('close', () => resolve()));
      if (ws.readyState === ws.OPEN) ws.close(this.closeCode, closeReason(reason));
    }
    this.emit('end', { reason });
  }

  private onChunk(audioChunk: string): void {
    if (!this.userStreaming) {
      this.fail('BAD_STATE', 'userStream.chunk before userStream.start: chunk dropped');
      return;
    }
    let frame: AnyFrame;
    try {
      const bytes = base64ToBytes(audioChunk);
      frame =
        this.wireFormat === 'pcmu'
          ? encodedFrame('pcmu', bytes, { position: this.inputPosition })
          : audioFrame(bytesToInt16(bytes), this.inputSampleRate, 1, this.inputPosition);
    } catch (err) {
      this.fail('BAD_AUDIO', `userStream.chunk: ${(err as Error).message}; chunk dropped`, err);
      return;
    }
    const samples = isEncodedFrame(frame) ? frame.samples : frame.data.length;
    if (samples === 0) return;
    this.inputPosition += samples;
    this.emit('audio', frame);
  }

  private onActivity(a: AudioCodesActivity): void {
    if (a.type === 'event' && a.name === 'dtmf') {
      // The parser let only keypad digits through as a string.
      this.emit('dtmf', { digit: a.value as string });
      return;
    }
    this.emit('activity', a);
  }

  private sendEncoded(frame: EncodedFrame): void {
    if ((frame.codec !== 'pcmu' && frame.codec !== 'pcma') || frame.channels !== 1) {
      throw new AudioCodesError(
        'INVALID_ARGUMENT',
        `sendAudio: a ${frame.codec} frame with ${frame.channels} channel(s) cannot be played; send mono G.711 or PCM`,
      );
    }
    if (frame.codec === 'pcmu' && this.wireFormat === 'pcmu' && frame.sampleRate === this.inputSampleRate) {
      this.sendWire(bytesToBase64(frame.data), frame.data.length);
      return;
    }
    const law = frame.codec === 'pcmu' ? mulaw : alaw;
    this.sendPcmAt(law.decode(frame.data), frame.sampleRate);
  }

  private sendPcmAt(pcm: Int16Array, sampleRate: number): void {
    this.lastInputRate = sampleRate;
    this.sendPcm(this.toWireRate(pcm, sampleRate, false));
  }

  private toWireRate(pcm: Int16Array, rate: number, flush: boolean): Int16Array {
    if (rate === this.inputSampleRate) return pcm;
    let r = this.resamplers.get(rate);
    if (!r) {
      r = new Resampler({ inputRate: rate, outputRate: this.inputSampleRate });
      this.resamplers.set(rate, r);
    }
    if (!flush) return r.process(pcm) as Int16Array;
    const tail = r.flush() as Int16Array;
    r.reset();
    return tail;
  }

  private sendPcm(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    this.sendWire(
      this.wireFormat === 'pcmu' ? bytesToBase64(mulaw.encode(pcm)) : int16ToBase64(pcm),
      pcm.length,
    );
  }

  /** Sends one chunk of wire audio (`samples` at the conversation's rate) in the current play stream. */
  private sendWire(audioChunk: string, samples: number): void {
    if (samples === 0) return;
    if (!this.playStreamId) {
      this.playStreamId = `${this.id}-${++this.playStreamCount}`;
      this.send('playStream.start', {
        streamId: this.playStreamId,
        mediaFormat: this.mediaFormat,
        participant: this.participant,
      });
    }
    this.send('playStream.chunk', { streamId: this.playStreamId, audioChunk, participant: this.participant });
    const t = this.now();
    // Playout ran dry before this chunk: VAIC starts playing it now, not when the previous audio ended.
    if (t - this.clockBase > this.totalSentMs) this.clockBase = t - this.totalSentMs;
    this.totalSentMs += (samples * 1000) / this.inputSampleRate;
  }

  private send<T extends AudioCodesOutbound['type']>(type: T, body: OutboundBody<T>): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.maxSendBufferBytes) {
      // A close frame would queue behind the backlog too: drop the socket outright.
      this.socket = null;
      this.fail(
        'LIMIT_EXCEEDED',
        `VAIC stopped reading (${ws.bufferedAmount} bytes unsent); conversation ended`,
      );
      this.finish('VAIC stopped reading');
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify({ type, conversationId: this.id, ...body }));
  }

  private fail(code: AudioCodesProtocolErrorCode, message: string, cause?: unknown): void {
    this.report(new AudioCodesProtocolError(code, message, { cause }));
  }
}
