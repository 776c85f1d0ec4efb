import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import {
  type AnyFrame,
  type AudioFrame,
  alaw,
  type EncodedFrame,
  type ResamplerQuality,
} from '@voxwire/codecs';
import { closeWebSocket, DEFAULT_CLOSE_TIMEOUT_MS, emitError } from '@voxwire/core';
import type { RawData, WebSocket } from 'ws';
import { TwilioStreamError } from './errors.js';
import {
  DEFAULT_MAX_GAP_MS,
  InboundDecoder,
  InboundTimeline,
  mulawSilence,
  pcmuFrame,
  type TwilioGap,
  type TwilioInboundStats,
} from './inbound.js';
import { OutboundPlayout, type TwilioClearResult, type TwilioMarkResult } from './outbound.js';
import {
  BYTES_PER_MS,
  parseTwilioMessage,
  quote,
  TWILIO_SAMPLE_RATE,
  type TwilioParsedMessage,
  type TwilioStartBody,
} from './protocol.js';
import { IdleWatchdog } from './watchdog.js';

const LIVE: TwilioAudioInfo = Object.freeze({ filled: false });
const FILLED: TwilioAudioInfo = Object.freeze({ filled: true });

/** Stream metadata from Twilio's `start` message. */
export type TwilioStartInfo = TwilioStartBody;

/** The second argument of the `audio` and `pcm` events. */
export interface TwilioAudioInfo {
  /** True when this frame is silence inserted for missing audio (a gap of at most `maxGapMs`). */
  readonly filled: boolean;
}

/** Why the stream ended. */
export interface TwilioStopInfo {
  /** `stop` when Twilio sent a stop message, `closed` when the socket closed without one. */
  reason: 'stop' | 'closed';
  callSid: string;
  accountSid: string;
}

/** Events of a {@link TwilioCall}. */
export interface TwilioCallEvents {
  /** The `start` message arrived; `streamSid`, `callSid` and `customParameters` are set. */
  start: [info: TwilioStartInfo];
  /**
   * Caller audio as Twilio sent it: an 8 kHz mono `pcmu` {@link EncodedFrame} whose `data` is the `media`
   * payload's bytes (one base64 decode, no other copy; the listener owns them). `position` is the frame's
   * first sample in the call's stream, from Twilio's `media.timestamp`. Gaps of at most `maxGapMs` are
   * filled with mu-law silence frames (`info.filled`). Pass it to a model that speaks G.711 as is.
   */
  audio: [frame: EncodedFrame, info: TwilioAudioInfo];
  /**
   * Caller audio decoded to PCM at the call's `sampleRate` (fresh arrays the listener may keep). Decoded
   * only while this event has a listener: pass-through calls never pay for it. Positions count samples at
   * `sampleRate`, without holes (gaps are filled, `info.filled`), jumping only where the timeline resynced.
   */
  pcm: [frame: AudioFrame, info: TwilioAudioInfo];
  /** A key press. */
  dtmf: [digit: string];
  /** An utterance mark resolved: played to the end, or flushed by clear/hang-up. */
  mark: [result: TwilioMarkResult];
  /** The confirmed outbound playback position advanced (ms). */
  played: [playedMs: number];
  /** Inbound audio went missing; silence was inserted on `audio` and `pcm` (unless longer than `maxGapMs`). */
  gap: [gap: TwilioGap];
  /** The stream ended (Twilio `stop`, or the socket closed). Emitted once. */
  stop: [info: TwilioStopInfo];
  /** A protocol problem in one message; the call keeps running. */
  error: [error: TwilioStreamError];
}

/** Outbound counters of a call ({@link TwilioCall.outboundStats}). */
export interface TwilioOutboundStats {
  /** Audio dropped from the local queue to stay under `maxQueueMs`, in ms. */
  overflowDroppedMs: number;
  /**
   * Times Twilio ran out of audio in the middle of an utterance (the caller heard a gap): everything sent
   * was confirmed played by a progress mark before the utterance ended. Needs `progressMarks` (the default).
   */
  underruns: number;
}

/** Default of {@link TwilioCallOptions.maxQueueMs}: two minutes of outbound audio. */
export const DEFAULT_MAX_QUEUE_MS = 120_000;

/** Per-call options, set on the server. */
export interface TwilioCallOptions {
  /** Sample rate of the `pcm` event's frames (default 8000). */
  sampleRate?: number;
  /** Most outbound audio ahead of confirmed playback, in ms (default 500). */
  maxAheadMs?: number;
  /** Send a mark after every outbound frame to know playback to the frame (default true). */
  progressMarks?: boolean;
  /**
   * Most outbound audio, in ms, that may wait locally behind the `maxAheadMs` sent to Twilio. Beyond it, the
   * oldest waiting audio is dropped and counted in `outboundStats.overflowDroppedMs`. The default, 120000
   * (two minutes), is far more than any text-to-speech burst, which must not lose a word, yet bounds what
   * a runaway producer can pile up. Set it low (e.g. 200) for a continuous live feed (a mix, a microphone)
   * whose clock runs slightly faster than Twilio's, so the surplus does not become delay that never goes
   * away. `Infinity` removes the bound. Needs `progressMarks` (pacing).
   */
  maxQueueMs?: number;
  /**
   * Longest jump in `media.timestamp` filled with silence on the `audio` and `pcm` events, in ms (default
   * 5000). A longer one is not filled: the call reports `GAP_TOO_LARGE` and its timeline follows the new
   * timestamp.
   */
  maxGapMs?: number;
  /** Close the stream (1008) when no `start` arrived within this many ms of the upgrade (default 10000; 0 = never). */
  startTimeoutMs?: number;
  /**
   * Close the stream (1008) when no whole message arrived for this long, in ms (default 20000; 0 = never).
   * Twilio sends a media frame every 20 ms for the whole call, so only a dead or stalled peer (one stuck
   * half-way through a frame) trips it; it fires between one and two times this after the last message.
   */
  idleTimeoutMs?: number;
  /**
   * Close the stream (1008) when more than this many bytes wait in the socket's send buffer: the far end
   * stopped reading (default 4 MiB). With pacing (`progressMarks`) at most `maxAheadMs` is ever in flight;
   * without it every burst goes to the socket at once, and 4 MiB holds about five minutes of audio, more
   * than any text-to-speech burst.
   */
  maxBufferedBytes?: number;
  /** How long `close()` waits for the far end's close frame before destroying the socket, in ms (default 2000). */
  closeTimeoutMs?: number;
  /**
   * Resampler preset between 8 kHz and other rates (default `'low'`: ≥ 60 dB alias rejection, already below
   * the ~38 dB SNR of G.711 mu-law, at about half the CPU of `'medium'`).
   */
  resamplerQuality?: ResamplerQuality;
  /** Called by `hangup()` before the socket closes, e.g. to end the call over the REST API. */
  onHangup?: (call: TwilioCall) => Promise<void> | void;
  /** Where call errors go when the call has no `error` listener (the server forwards them). */
  onUnhandledError?: (error: TwilioStreamError, call: TwilioCall) => void;
}

/**
 * One Twilio Media Stream: caller audio in (as the mu-law Twilio sent, or PCM at the rate you asked for),
 * your audio out in exact 20 ms frames, paced against Twilio's mark echoes, with barge-in (`clear`) and
 * playback position known from marks rather than guessed from the clock.
 *
 * Release it with {@link close} (or `await using`); {@link hangup} also ends the call over REST when the
 * server has `onHangup`.
 */
export class TwilioCall extends EventEmitter<TwilioCallEvents> implements AsyncDisposable {
  /** Stream id (from `start`; empty before). */
  streamSid = '';
  /** Call id (from `start`; empty before). */
  callSid = '';
  /** Account id (from `start`; empty before). */
  accountSid = '';
  /** `<Parameter>` values from the TwiML (from `start`; empty before). */
  customParameters: Record<string, string> = {};
  /** Sample rate of the `pcm` event. */
  readonly sampleRate: number;
  /** The HTTP upgrade request (headers, remote address). */
  readonly request: IncomingMessage;

  private readonly ws: WebSocket;
  private readonly options: TwilioCallOptions;
  private readonly outbound: OutboundPlayout;
  private readonly timeline: InboundTimeline;
  private readonly decoder: InboundDecoder;
  private readonly idle: IdleWatchdog;
  private readonly startTimer: NodeJS.Timeout | null;
  private readonly maxBufferedBytes: number;
  private closing: Promise<void> | null = null;
  private startInfo: TwilioStartInfo | null = null;
  private stopped = false;
  private pcmaBuf = new Int16Array(0);
  private readonly startWaiters: Array<(info: TwilioStartInfo) => void> = [];

  /** @internal Created by the media-stream server for each accepted WebSocket. */
  constructor(ws: WebSocket, request: IncomingMessage, options: TwilioCallOptions = {}) {
    super();
    this.ws = ws;
    this.request = request;
    this.options = options;
    this.sampleRate = options.sampleRate ?? TWILIO_SAMPLE_RATE;
    if (!Number.isInteger(this.sampleRate) || this.sampleRate <= 0 || this.sampleRate > 768_000) {
      throw new TwilioStreamError(
        'INVALID_CONFIG',
        `sampleRate must be a positive integer, got ${this.sampleRate}`,
      );
    }
    const quality = options.resamplerQuality ?? 'low';
    this.decoder = new InboundDecoder(this.sampleRate, quality);
    this.timeline = new InboundTimeline(options.maxGapMs ?? DEFAULT_MAX_GAP_MS);
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.outbound = new OutboundPlayout({
      send: (text) => this.sendText(text),
      maxAheadMs: options.maxAheadMs ?? 500,
      progressMarks: options.progressMarks ?? true,
      maxQueueMs: options.maxQueueMs ?? DEFAULT_MAX_QUEUE_MS,
      resamplerQuality: quality,
      onMark: (r) => this.emit('mark', r),
      onPlayed: (ms) => this.emit('played', ms),
    });
    this.idle = new IdleWatchdog(options.idleTimeoutMs ?? 20_000, () =>
      this.timeOut(`no message for ${options.idleTimeoutMs ?? 20_000} ms`),
    );
    const startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.startTimer =
      startTimeoutMs > 0 && Number.isFinite(startTimeoutMs)
        ? setTimeout(() => this.timeOut(`no "start" within ${startTimeoutMs} ms`), startTimeoutMs).unref()
        : null;
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onClose());
    // ws reports protocol violations (oversized or malformed frames) here, then closes with 1009/1002.
    ws.on('error', (err) =>
      this.fail(new TwilioStreamError('BAD_MESSAGE', `socket error: ${err.message}`, { cause: err })),
    );
  }

  /** True once `start` arrived and until the stream ends. */
  get active(): boolean {
    return this.startInfo !== null && !this.stopped;
  }

  /** Inbound counters: frames, gaps, missing messages, inserted silence. */
  get inboundStats(): Readonly<TwilioInboundStats> {
    return this.timeline.stats;
  }

  /** Outbound counters: audio dropped to stay under `maxQueueMs`, underruns. */
  get outboundStats(): TwilioOutboundStats {
    return { overflowDroppedMs: this.outbound.overflowDroppedMs(), underruns: this.outbound.underruns() };
  }

  /** Resolves with the `start` metadata (at once when it already arrived). */
  whenStarted(): Promise<TwilioStartInfo> {
    if (this.startInfo) return Promise.resolve(this.startInfo);
    return new Promise((resolve) => this.startWaiters.push(resolve));
  }

  /**
   * Queues audio for the caller as part of the current utterance, cut into 160-byte frames; a partial frame
   * waits for the next call or for {@link endUtterance}. The frame's `position` is not used: audio plays in
   * the order it is queued.
   *
   * - an 8 kHz mono `pcmu` {@link EncodedFrame}: its bytes go out unchanged (one base64 encode per frame);
   * - an 8 kHz mono `pcma` frame: transcoded to mu-law;
   * - a mono {@link AudioFrame} at any rate: resampled to 8 kHz and mu-law encoded.
   *
   * The frame is read before this returns, so a borrowed frame (a mixer output) needs no copy.
   * @throws TwilioStreamError `INVALID_ARGUMENT` for anything else (Opus, stereo, a G.711 frame not at 8 kHz)
   */
  sendAudio(frame: AnyFrame): void {
    if (typeof frame !== 'object' || frame === null) {
      throw new TwilioStreamError('INVALID_ARGUMENT', 'sendAudio expects an AudioFrame or EncodedFrame');
    }
    if (frame.channels !== 1) {
      throw new TwilioStreamError(
        'INVALID_ARGUMENT',
        `sendAudio: a phone call is mono, got a ${String(frame.channels)}-channel frame`,
      );
    }
    if (!('codec' in frame) || frame.codec === undefined) {
      const pcm = (frame as AudioFrame).data;
      if (!(pcm instanceof Int16Array)) {
        throw new TwilioStreamError(
          'INVALID_ARGUMENT',
          'sendAudio expects an AudioFrame with Int16Array data',
        );
      }
      this.outbound.sendAudio(pcm, frame.sampleRate);
      return;
    }
    const encoded = frame as EncodedFrame;
    if ((encoded.codec !== 'pcmu' && encoded.codec !== 'pcma') || encoded.sampleRate !== TWILIO_SAMPLE_RATE) {
      throw new TwilioStreamError(
        'INVALID_ARGUMENT',
        `sendAudio: Twilio carries 8 kHz G.711; got ${String(encoded.codec)} at ${String(encoded.sampleRate)} Hz (decode it to an AudioFrame first)`,
      );
    }
    if (!(encoded.data instanceof Uint8Array)) {
      throw new TwilioStreamError(
        'INVALID_ARGUMENT',
        'sendAudio expects an EncodedFrame with Uint8Array data',
      );
    }
    if (encoded.codec === 'pcmu') {
      this.outbound.sendMulaw(encoded.data);
      return;
    }
    if (this.pcmaBuf.length < encoded.data.length) this.pcmaBuf = new Int16Array(encoded.data.length * 2);
    const pcm = alaw.decode(encoded.data, this.pcmaBuf).subarray(0, encoded.data.length);
    this.outbound.sendAudio(pcm, TWILIO_SAMPLE_RATE);
  }

  /**
   * Ends the current utterance: the last partial frame is padded with mu-law silence (`0xFF`) and a mark
   * follows it.
   * @param name - mark name (default `utterance-<n>`)
   * @returns resolves when Twilio echoes the mark (`played: true`) or the audio is cleared or the call ends
   */
  endUtterance(name?: string): Promise<TwilioMarkResult> {
    return this.outbound.endUtterance(name);
  }

  /** Confirmed outbound playback position, ms since the call's first outbound audio (from mark echoes). */
  playedMs(): number {
    return this.outbound.playedMs();
  }

  /**
   * End of the outbound audio queued so far, in the same timeline as {@link playedMs}. Record it when a
   * response starts; `playedMs() - start` is then how much of that response the caller heard.
   */
  sentMs(): number {
    return this.outbound.sentMs();
  }

  /** Outbound audio queued or buffered at Twilio but not yet confirmed played, in ms. */
  bufferedMs(): number {
    return this.outbound.bufferedMs();
  }

  /**
   * Barge-in: drops the local queue and the unfinished utterance, sends `clear` so Twilio drops its buffer,
   * resolves pending utterance marks as flushed. The outbound timeline continues from the played position.
   */
  clear(): TwilioClearResult {
    return this.outbound.clear();
  }

  /**
   * Ends the stream: calls the server's `onHangup` (e.g. REST `Status=completed`) when configured, then
   * closes the WebSocket, which makes Twilio leave `<Connect><Stream>`.
   */
  async hangup(): Promise<void> {
    try {
      await this.options.onHangup?.(this);
    } finally {
      if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING)
        this.ws.close(1000, 'hangup');
    }
  }

  /**
   * Closes the stream with a close frame (`code` 1000 by default, 1001 when the server shuts down) and
   * resolves once the socket is closed; a far end that does not answer within `closeTimeoutMs` is cut off.
   * Idempotent: later calls return the first call's promise. Pending utterance marks resolve as not played.
   */
  close(code = 1000, reason = 'normal closure'): Promise<void> {
    this.closing ??= closeWebSocket(
      this.ws,
      code,
      reason,
      this.options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    );
    return this.closing;
  }

  /** `await using call = …` closes the stream at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private timeOut(why: string): void {
    if (this.closing) return;
    this.fail(new TwilioStreamError('TIMEOUT', `${why}; closing the stream`));
    void this.close(1008, 'timeout');
  }

  private sendText(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      if (!this.closing) {
        this.fail(
          new TwilioStreamError(
            'SLOW_CONSUMER',
            `${this.ws.bufferedAmount} bytes wait unread in the send buffer (at most ${this.maxBufferedBytes}); closing the stream`,
          ),
        );
        void this.close(1008, 'not reading');
      }
      return;
    }
    this.ws.send(text);
  }

  private fail(error: TwilioStreamError): void {
    try {
      if (this.listenerCount('error') === 0 && this.options.onUnhandledError)
        this.options.onUnhandledError(error, this);
      else emitError(this, error);
    } catch (listenerError) {
      // An error listener that throws must not turn one bad message into a crash.
      process.emitWarning(listenerError instanceof Error ? listenerError : String(listenerError));
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    // After `stop` nothing more is expected: late messages do not keep the socket alive.
    if (!this.stopped) this.idle.note();
    if (isBinary) {
      this.fail(
        new TwilioStreamError('BINARY_FRAME', 'binary WebSocket frame ignored: Twilio sends JSON text'),
      );
      return;
    }
    const msg = parseTwilioMessage(data.toString());
    if (msg instanceof TwilioStreamError) {
      this.fail(msg);
      return;
    }
    try {
      this.handle(msg);
    } catch (err) {
      // Protocol errors of this message, or a throwing listener: reported, never thrown out of the socket.
      if (err instanceof TwilioStreamError) this.fail(err);
      else
        this.fail(
          new TwilioStreamError('BAD_MESSAGE', `message handling failed: ${quote(String(err))}`, {
            cause: err,
          }),
        );
    }
  }

  private handle(msg: TwilioParsedMessage): void {
    const event = msg.event;
    if (event !== 'connected') this.timeline.sequence(msg.sequenceNumber);
    if (event !== 'connected' && event !== 'start' && this.startInfo === null) {
      throw new TwilioStreamError('MEDIA_BEFORE_START', `"${event}" arrived before "start"; ignored`);
    }
    if (this.startInfo && msg.streamSid !== undefined && msg.streamSid !== this.streamSid) {
      throw new TwilioStreamError(
        'WRONG_STREAM',
        `message for stream ${quote(msg.streamSid)} on stream ${this.streamSid}; ignored`,
      );
    }
    if (this.stopped && event !== 'connected') {
      throw new TwilioStreamError('BAD_MESSAGE', `"${event}" after "stop"; ignored`);
    }
    switch (msg.event) {
      case 'connected':
        return;
      case 'start':
        this.onStart(msg.start);
        return;
      case 'media':
        this.onMedia(msg.payload, msg.timestampMs);
        return;
      case 'dtmf':
        this.emit('dtmf', msg.digit);
        return;
      case 'mark':
        if (!this.outbound.onMarkEcho(msg.name)) {
          throw new TwilioStreamError('UNKNOWN_MARK', `echo of mark ${quote(msg.name)} that was never sent`);
        }
        return;
      case 'stop':
        this.finish('stop');
        return;
    }
  }

  private onStart(info: TwilioStartBody): void {
    if (this.startInfo)
      throw new TwilioStreamError('DUPLICATE_START', 'second "start" on this stream; ignored');
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startInfo = info;
    this.streamSid = info.streamSid;
    this.callSid = info.callSid;
    this.accountSid = info.accountSid;
    this.customParameters = info.customParameters;
    this.outbound.start(info.streamSid);
    this.emit('start', info);
    for (const w of this.startWaiters.splice(0)) w(info);
  }

  private onMedia(payload: Uint8Array, timestampMs: number | undefined): void {
    const timeline = this.timeline;
    const gap = timeline.frame(timestampMs, payload.length);
    const startMs = timeline.lastStartMs;
    const wantEncoded = this.listenerCount('audio') > 0;
    const wantPcm = this.listenerCount('pcm') > 0;
    if (gap) {
      this.emit('gap', gap);
      if (gap.filledMs > 0) {
        const fillStartMs = gap.atMs - gap.filledMs;
        if (wantEncoded) mulawSilence(gap.filledMs, fillStartMs, (f) => this.emit('audio', f, FILLED));
        if (wantPcm) this.decoder.fillSilence(gap.filledMs, fillStartMs, (f) => this.emit('pcm', f, FILLED));
        else this.decoder.skip(gap.filledMs);
      }
      if (gap.missingMs > 0 && gap.filledMs === 0) {
        this.decoder.skip(gap.missingMs);
        // Reported, and the frame itself still delivered below: it is fine, only its timestamp is not.
        this.fail(
          new TwilioStreamError(
            'GAP_TOO_LARGE',
            `timestamp jumped ${gap.missingMs} ms (more than maxGapMs); not filled, timeline resynced`,
          ),
        );
      }
    }
    if (wantEncoded) this.emit('audio', pcmuFrame(payload, Math.round(startMs * BYTES_PER_MS)), LIVE);
    if (wantPcm) this.emit('pcm', this.decoder.decode(payload, startMs), LIVE);
    else this.decoder.skip(payload.length / BYTES_PER_MS);
  }

  private finish(reason: 'stop' | 'closed'): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.startTimer) clearTimeout(this.startTimer);
    if (this.listenerCount('pcm') > 0) {
      const tail = this.decoder.flush();
      if (tail.data.length > 0) this.emit('pcm', tail, LIVE);
    }
    this.outbound.close();
    this.emit('stop', { reason, callSid: this.callSid, accountSid: this.accountSid });
  }

  private onClose(): void {
    this.idle.stop();
    if (this.startTimer) clearTimeout(this.startTimer);
    this.finish('closed');
  }
}
