import { performance } from 'node:perf_hooks';
import {
  AudioFormatError,
  base64ToBytes,
  bytesToBase64,
  bytesToInt16,
  int16ToBase64,
  mulaw,
  Resampler,
} from '@voxwire/codecs';
import type { WebSocket } from 'ws';
import type { CallSession } from '../call-session.js';
import { CallSessionBase } from '../call-session-base.js';
import { closeReason } from '../clip.js';
import { type AudioCodesErrorCode, AudioCodesProtocolError } from '../errors.js';
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
 * PCM; agent audio goes out as `playStream.*`, one play stream at a time.
 *
 * The Bot API gives no playback acknowledgements, so {@link AudioCodesSession.playedMs} follows VAIC's
 * real-time playout of what we sent: audio plays from the moment it is sent, back to back, and never
 * faster than real time. That is the only position this protocol can provide; Twilio's echoed marks are exact.
 */
export class AudioCodesSession extends CallSessionBase implements CallSession {
  readonly platform = 'audiocodes' as const;
  readonly id: string;
  readonly mediaFormat: AudioCodesMediaFormat;
  readonly inputSampleRate: number;
  readonly wireFormat: 'pcmu' | 'pcm16';
  /** Caller's number or URI from `session.initiate`, when given. */
  readonly caller: string | undefined;
  /** The bot name VAIC asked for. */
  readonly botName: string | undefined;
  private socket: WebSocket | null;
  private readonly now: () => number;
  private userStreaming = false;
  private playStreamId: string | null = null;
  private playStreamCount = 0;
  private readonly resamplers = new Map<number, Resampler>();
  private lastInputRate = 0;
  private totalSentMs = 0;
  private clockBase = 0;
  private closeCode = 1000;
  private readonly maxSendBufferBytes: number;
  private readonly onUnheard: ((err: Error, session: AudioCodesSession) => void) | undefined;

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

  sendAudio(pcm: Int16Array, sampleRate: number): void {
    this.assertOpen();
    if (!(pcm instanceof Int16Array)) throw new TypeError('sendAudio expects an Int16Array of PCM samples');
    if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `sendAudio: sample rate must be a positive integer, got ${sampleRate}`,
      );
    }
    this.lastInputRate = sampleRate;
    const out = this.toWireRate(pcm, sampleRate, false);
    this.sendPcm(out);
  }

  endUtterance(): void {
    if (this.ended || this.lastInputRate === 0) return;
    const tail = this.toWireRate(new Int16Array(0), this.lastInputRate, true);
    if (tail.length > 0) this.sendPcm(tail);
    if (this.playStreamId) {
      this.send('playStream.stop', { streamId: this.playStreamId });
      this.playStreamId = null;
    }
  }

  playedMs(): number {
    return Math.min(this.totalSentMs, Math.max(0, this.now() - this.clockBase));
  }

  sentMs(): number {
    return this.totalSentMs;
  }

  clear(): void {
    const played = this.playedMs();
    this.totalSentMs = played;
    for (const r of this.resamplers.values()) r.reset();
    if (this.playStreamId && !this.ended) this.send('playStream.stop', { streamId: this.playStreamId });
    this.playStreamId = null;
  }

  hangup(reason = 'hangup by bot'): void {
    if (this.ended) return;
    if (this.playStreamId) this.send('playStream.stop', { streamId: this.playStreamId });
    this.playStreamId = null;
    this.send('activities', { activities: [{ type: 'event', name: 'hangup' }] });
    this.finish(reason);
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

  protected override onFinish(): void {
    this.playStreamId = null;
    this.userStreaming = false;
    // The conversation is over for VAIC too: close its socket (after what was sent, e.g. the hang-up).
    const ws = this.socket;
    this.socket = null;
    if (ws && ws.readyState === ws.OPEN) ws.close(this.closeCode, closeReason(this.endReason ?? 'ended'));
  }

  protected override onUnheardError(err: Error): void {
    this.onUnheard?.(err, this);
  }

  private onChunk(audioChunk: string): void {
    if (!this.userStreaming) {
      this.fail('bad_state', 'userStream.chunk before userStream.start: chunk dropped');
      return;
    }
    let pcm: Int16Array;
    try {
      const bytes = base64ToBytes(audioChunk);
      pcm = this.wireFormat === 'pcmu' ? mulaw.decode(bytes) : bytesToInt16(bytes);
    } catch (err) {
      this.fail('bad_audio', `userStream.chunk: ${(err as Error).message}; chunk dropped`, err);
      return;
    }
    if (pcm.length > 0) this.emit('audio', pcm);
  }

  private onActivity(a: AudioCodesActivity): void {
    if (a.type === 'event' && a.name === 'dtmf') {
      // The parser let only keypad digits through as a string.
      this.emit('dtmf', a.value as string);
      return;
    }
    this.emit('activity', a.name ?? a.type, a.value ?? a.parameters);
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
    if (!this.playStreamId) {
      this.playStreamId = `${this.id}-${++this.playStreamCount}`;
      this.send('playStream.start', { streamId: this.playStreamId, mediaFormat: this.mediaFormat });
    }
    const audioChunk = this.wireFormat === 'pcmu' ? bytesToBase64(mulaw.encode(pcm)) : int16ToBase64(pcm);
    this.send('playStream.chunk', { streamId: this.playStreamId, audioChunk });
    const t = this.now();
    // Playout ran dry before this chunk: VAIC starts playing it now, not when the previous audio ended.
    if (t - this.clockBase > this.totalSentMs) this.clockBase = t - this.totalSentMs;
    this.totalSentMs += (pcm.length * 1000) / this.inputSampleRate;
  }

  private send<T extends AudioCodesOutbound['type']>(type: T, body: OutboundBody<T>): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.maxSendBufferBytes) {
      // A close frame would queue behind the backlog too: drop the socket outright.
      this.socket = null;
      this.fail('bad_state', `VAIC stopped reading (${ws.bufferedAmount} bytes unsent); conversation ended`);
      this.finish('VAIC stopped reading');
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify({ type, conversationId: this.id, ...body }));
  }

  private fail(code: AudioCodesErrorCode, message: string, cause?: unknown): void {
    this.report(new AudioCodesProtocolError(code, message, { cause }));
  }
}
