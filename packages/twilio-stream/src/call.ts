import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { base64ToBytes, type ResamplerQuality } from '@voxwire/codecs';
import type { RawData, WebSocket } from 'ws';
import { TwilioStreamError } from './errors.js';
import { InboundDecoder, InboundTimeline, type TwilioGap, type TwilioInboundStats } from './inbound.js';
import { OutboundPlayout, type TwilioClearResult, type TwilioMarkResult } from './outbound.js';
import {
  FRAME_BYTES,
  intField,
  objectField,
  parseEnvelope,
  parseStart,
  stringField,
  TWILIO_SAMPLE_RATE,
  type TwilioStartBody,
} from './protocol.js';

/** Stream metadata from Twilio's `start` message. */
export type TwilioStartInfo = TwilioStartBody;

/** One inbound `media` frame, raw, for pass-through users. */
export interface TwilioMediaFrame {
  /** The mu-law bytes (8 kHz mono), decoded from base64; a fresh buffer the listener may keep. */
  payload: Uint8Array;
  /** Stream time of the frame (Twilio's `timestamp`), in ms. */
  timestampMs: number;
  /** Twilio's chunk counter. */
  chunk: number;
  /** Twilio's message sequence number. */
  sequenceNumber: number;
}

/** Format of the PCM delivered by the `audio` event. */
export interface TwilioAudioInfo {
  sampleRate: number;
  channels: 1;
  /** True when this chunk is silence inserted for missing audio. */
  filled: boolean;
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
  /** Caller audio as Int16 PCM at the call's `sampleRate` (fresh arrays the listener may keep). */
  audio: [pcm: Int16Array, info: TwilioAudioInfo];
  /** Caller audio as raw mu-law frames, for pass-through. */
  media: [frame: TwilioMediaFrame];
  /** A key press. */
  dtmf: [digit: string];
  /** An utterance mark resolved: played to the end, or flushed by clear/hang-up. */
  mark: [result: TwilioMarkResult];
  /** The confirmed outbound playback position advanced (ms). */
  played: [playedMs: number];
  /** Inbound audio went missing; silence was inserted on `audio`. */
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
}

/** Per-call options, set on the server. */
export interface TwilioCallOptions {
  /** Sample rate of the `audio` event's PCM (default 8000). */
  sampleRate?: number;
  /** Most outbound audio ahead of confirmed playback, in ms (default 500). */
  maxAheadMs?: number;
  /** Send a mark after every outbound frame to know playback to the frame (default true). */
  progressMarks?: boolean;
  /**
   * Most outbound audio, in ms, that may wait locally behind the `maxAheadMs` sent to Twilio. Beyond it, the
   * oldest waiting audio is dropped and counted in `outboundStats.overflowDroppedMs`. The default,
   * `Infinity`, keeps everything: text-to-speech arrives in bursts that must not lose a word. Set it for a
   * continuous live feed (a mix, a microphone) whose clock runs slightly faster than Twilio's, so the
   * surplus does not become delay that never goes away. Needs `progressMarks` (pacing).
   */
  maxQueueMs?: number;
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
 * One Twilio Media Stream: caller audio in (as PCM at the rate you asked for, or raw mu-law), your audio out
 * in exact 20 ms frames, paced against Twilio's mark echoes, with barge-in (`clear`) and playback position
 * known from marks rather than guessed from the clock.
 */
export class TwilioCall extends EventEmitter<TwilioCallEvents> {
  /** Stream id (from `start`; empty before). */
  streamSid = '';
  /** Call id (from `start`; empty before). */
  callSid = '';
  /** Account id (from `start`; empty before). */
  accountSid = '';
  /** `<Parameter>` values from the TwiML (from `start`; empty before). */
  customParameters: Record<string, string> = {};
  /** Sample rate of the `audio` event. */
  readonly sampleRate: number;
  /** The HTTP upgrade request (headers, remote address). */
  readonly request: IncomingMessage;

  private readonly ws: WebSocket;
  private readonly options: TwilioCallOptions;
  private readonly outbound: OutboundPlayout;
  private readonly timeline = new InboundTimeline();
  private readonly decoder: InboundDecoder;
  private startInfo: TwilioStartInfo | null = null;
  private stopped = false;
  private readonly startWaiters: Array<(info: TwilioStartInfo) => void> = [];

  /** @internal Created by the media-stream server for each accepted WebSocket. */
  constructor(ws: WebSocket, request: IncomingMessage, options: TwilioCallOptions = {}) {
    super();
    this.ws = ws;
    this.request = request;
    this.options = options;
    this.sampleRate = options.sampleRate ?? TWILIO_SAMPLE_RATE;
    if (!Number.isInteger(this.sampleRate) || this.sampleRate <= 0) {
      throw new TwilioStreamError(
        'bad_config',
        `sampleRate must be a positive integer, got ${this.sampleRate}`,
      );
    }
    const quality = options.resamplerQuality ?? 'low';
    this.decoder = new InboundDecoder(this.sampleRate, quality);
    this.outbound = new OutboundPlayout({
      send: (text) => this.sendText(text),
      maxAheadMs: options.maxAheadMs ?? 500,
      progressMarks: options.progressMarks ?? true,
      maxQueueMs: options.maxQueueMs ?? Number.POSITIVE_INFINITY,
      resamplerQuality: quality,
      onMark: (r) => this.emit('mark', r),
      onPlayed: (ms) => this.emit('played', ms),
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', (err) =>
      this.fail(new TwilioStreamError('bad_message', `socket error: ${err.message}`, { cause: err })),
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

  /** Outbound counters: audio dropped to stay under `maxQueueMs`. */
  get outboundStats(): TwilioOutboundStats {
    return { overflowDroppedMs: this.outbound.overflowDroppedMs() };
  }

  /** Resolves with the `start` metadata (at once when it already arrived). */
  whenStarted(): Promise<TwilioStartInfo> {
    if (this.startInfo) return Promise.resolve(this.startInfo);
    return new Promise((resolve) => this.startWaiters.push(resolve));
  }

  /**
   * Queues PCM for the caller as part of the current utterance. It is resampled to 8 kHz, mu-law encoded and
   * cut into 160-byte frames; a partial frame waits for the next call or for {@link endUtterance}.
   * @throws TwilioStreamError `bad_argument` for a non-Int16Array or an invalid rate
   */
  sendAudio(pcm: Int16Array, sampleRate: number): void {
    this.outbound.sendAudio(pcm, sampleRate);
  }

  /** Queues 8 kHz mu-law bytes (any length) as part of the current utterance, unchanged. */
  sendMulaw(codes: Uint8Array): void {
    this.outbound.sendMulaw(codes);
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
   * Subscribes to playback progress.
   * @returns a function that unsubscribes
   */
  onPlayed(listener: (playedMs: number) => void): () => void {
    this.on('played', listener);
    return () => this.off('played', listener);
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

  /** Drops the connection at once, without a close handshake. */
  terminate(): void {
    this.ws.terminate();
  }

  private sendText(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  private fail(error: TwilioStreamError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else if (this.options.onUnhandledError) this.options.onUnhandledError(error, this);
    else process.emitWarning(error);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.fail(
        new TwilioStreamError('binary_frame', 'binary WebSocket frame ignored: Twilio sends JSON text'),
      );
      return;
    }
    try {
      this.handle(parseEnvelope(data.toString()));
    } catch (err) {
      if (err instanceof TwilioStreamError) this.fail(err);
      else
        this.fail(
          new TwilioStreamError('bad_message', `message handling failed: ${String(err)}`, { cause: err }),
        );
    }
  }

  private handle(msg: Record<string, unknown> & { event: string }): void {
    const event = msg.event;
    if (event !== 'connected') this.timeline.sequence(intField(msg.sequenceNumber));
    if (event !== 'connected' && event !== 'start' && this.startInfo === null) {
      if (event === 'media' || event === 'dtmf' || event === 'mark' || event === 'stop') {
        throw new TwilioStreamError('media_before_start', `"${event}" arrived before "start"; ignored`);
      }
    }
    if (this.startInfo && typeof msg.streamSid === 'string' && msg.streamSid !== this.streamSid) {
      throw new TwilioStreamError(
        'wrong_stream',
        `message for stream ${msg.streamSid} on stream ${this.streamSid}; ignored`,
      );
    }
    switch (event) {
      case 'connected':
        return;
      case 'start':
        this.onStart(msg);
        return;
      case 'media':
        this.onMedia(msg);
        return;
      case 'dtmf': {
        const dtmf = objectField(msg, 'dtmf');
        this.emit('dtmf', stringField(dtmf, 'digit', 'dtmf'));
        return;
      }
      case 'mark': {
        const name = stringField(objectField(msg, 'mark'), 'name', 'mark');
        if (!this.outbound.onMarkEcho(name)) {
          throw new TwilioStreamError(
            'unknown_mark',
            `echo of mark ${JSON.stringify(name)} that was never sent`,
          );
        }
        return;
      }
      case 'stop':
        this.finish('stop');
        return;
      default:
        throw new TwilioStreamError(
          'unknown_event',
          `unknown event ${JSON.stringify(event.slice(0, 40))}; ignored`,
        );
    }
  }

  private onStart(msg: Record<string, unknown>): void {
    if (this.startInfo)
      throw new TwilioStreamError('duplicate_start', 'second "start" on this stream; ignored');
    const info = parseStart(msg);
    this.startInfo = info;
    this.streamSid = info.streamSid;
    this.callSid = info.callSid;
    this.accountSid = info.accountSid;
    this.customParameters = info.customParameters;
    this.outbound.start(info.streamSid);
    this.emit('start', info);
    for (const w of this.startWaiters.splice(0)) w(info);
  }

  private onMedia(msg: Record<string, unknown>): void {
    if (this.stopped) throw new TwilioStreamError('bad_message', '"media" after "stop"; ignored');
    const media = objectField(msg, 'media');
    const b64 = stringField(media, 'payload', 'media');
    let payload: Uint8Array;
    try {
      payload = base64ToBytes(b64);
    } catch (cause) {
      throw new TwilioStreamError(
        'bad_base64',
        `media payload is not valid base64 (${b64.length} chars); frame dropped`,
        { cause },
      );
    }
    if (payload.length === 0 || payload.length % FRAME_BYTES !== 0) {
      throw new TwilioStreamError(
        'bad_frame_size',
        `media payload of ${payload.length} bytes is not a whole number of 20 ms frames (${FRAME_BYTES} bytes); frame dropped`,
      );
    }
    const timestampMs = intField(media.timestamp);
    const gap = this.timeline.frame(timestampMs, payload.length);
    const wantAudio = this.listenerCount('audio') > 0;
    if (gap) {
      this.emit('gap', gap);
      if (wantAudio && gap.missingMs > 0) {
        this.emit('audio', this.decoder.silenceFor(gap.missingMs), {
          sampleRate: this.sampleRate,
          channels: 1,
          filled: true,
        });
      }
    }
    if (this.listenerCount('media') > 0) {
      this.emit('media', {
        payload,
        timestampMs: timestampMs ?? -1,
        chunk: intField(media.chunk) ?? -1,
        sequenceNumber: intField(msg.sequenceNumber) ?? -1,
      });
    }
    if (wantAudio) {
      this.emit('audio', this.decoder.decode(payload), {
        sampleRate: this.sampleRate,
        channels: 1,
        filled: false,
      });
    }
  }

  private finish(reason: 'stop' | 'closed'): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.listenerCount('audio') > 0) {
      const tail = this.decoder.flush();
      if (tail.length > 0)
        this.emit('audio', tail, { sampleRate: this.sampleRate, channels: 1, filled: false });
    }
    this.outbound.close();
    this.emit('stop', { reason, callSid: this.callSid, accountSid: this.accountSid });
  }

  private onClose(): void {
    this.finish('closed');
  }
}
