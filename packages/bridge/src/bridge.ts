import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { clip, MAX_QUOTED_CHARS } from '@voxwire/audiocodes';
import { type AnyFrame, frameDurationMs, frameSamples, isEncodedFrame } from '@voxwire/codecs';
import { emitError } from '@voxwire/core';
import type {
  AudioInfo,
  InterruptedEvent,
  RealtimeClient,
  RealtimeClientEvents,
  SessionUpdate,
} from '@voxwire/realtime-client';
import {
  EnergyVad,
  type QualityAlert,
  QualityMonitor,
  type QualityThresholds,
  type SpeechStartEvent,
  type Vad,
  VadSegmenter,
} from '@voxwire/vad';
import type { CallSession, CallSessionEvents } from './call-session.js';
import { BridgeError } from './errors.js';
import { CallerPcm, pcmFrame } from './frames.js';
import { INPUT_BATCH_MS, InputBatcher } from './input-batcher.js';
import { type BridgeAlert, type BridgeMetrics, BridgeMetricsCollector } from './metrics.js';
import { CallPlaybackTracker } from './playback-tracker.js';
import type { CallRecorder } from './recorder.js';

/** Options of {@link bridgeCall}. */
export interface BridgeCallOptions {
  /**
   * Use the call's own encoding with the model when both allow it (`audio/pcmu` for Twilio, 24 kHz PCM for
   * AudioCodes' `raw/lpcm16_24`), so nothing is resampled. Default true.
   */
  passThrough?: boolean;
  /**
   * A local VAD on the caller's audio that interrupts the model (`realtime.interrupt()`) when the caller
   * talks over the agent: it reacts without a round trip to the model and works when the model's turn
   * detection is off. Barge-in itself belongs to the `RealtimeClient` (its `bargeIn` option, on by default
   * with server VAD); the bridge only tells it what the caller heard and clears the call when it interrupts.
   */
  localVad?: LocalVadOptions;
  /** Forward DTMF digits to the model as a user text turn (default) or ignore them. */
  dtmf?: 'text' | 'ignore';
  /** Register an `end_call` tool so the model can hang up. Default true. */
  hangupTool?: boolean;
  /** Record the call. */
  recorder?: CallRecorder;
  /** Monitor caller audio quality (default on, thresholds from @voxwire/vad's defaults). `false` turns it off. */
  quality?: boolean | Partial<QualityThresholds>;
  /** Where the bridge writes one line per notable event (failures, hang-ups). Default: nowhere. */
  log?: (line: string) => void;
  /** Longest wait for the last agent words to play before an `end_call` hang-up, ms. Default 10000. */
  hangupDrainMs?: number;
  /**
   * G.711 caller audio gathered into one model append, ms (1..1000). Default: the call's `inputBatchMs`
   * (Twilio 40, AudioCodes 100), else 100. Each batch waits for its last frame: shorter answers sooner,
   * longer sends fewer messages.
   */
  inputBatchMs?: number;
  /** An `alert` (`turn-latency`) for every turn whose latency is over this, ms. Default: no alert. */
  latencyAlertMs?: number;
  /** An `alert` (`chunk-size`) for every caller chunk larger than this on the wire, bytes. Default: no alert. */
  chunkAlertBytes?: number;
}

/** Local voice activity detection for barge-in. */
export interface LocalVadOptions {
  /** The VAD; default an `EnergyVad` at the call's input rate. It must run at that rate. */
  vad?: Vad;
  /** Probability at which a frame is speech. Default 0.5. */
  threshold?: number;
  /** Speech must last this long before it counts as a barge-in (filters coughs and clicks), ms. Default 200. */
  minSpeechMs?: number;
  /** Silence that ends the caller's speech, ms. Default 300. */
  minSilenceMs?: number;
  /**
   * The local VAD also ends the caller's turns: when the caller stops speaking the bridge commits the
   * model's input buffer (`input_audio_buffer.commit`) and asks for a response (`response.create`) unless
   * one is in progress. For a model whose turn detection is off; without it a spoken turn gets no answer.
   * The platform also gets the speech events (`speechEvents` capability). Default false.
   */
  commitTurns?: boolean;
}

/** How a bridged call ended. */
export interface BridgeResult {
  reason: string;
  metrics: BridgeMetrics;
}

/** Events of a {@link CallBridge}. */
export interface CallBridgeEvents {
  /** The caller started speaking over the agent; its audio was cleared and the item truncated. */
  bargeIn: [info: { itemId: string; playedMs: number; reactionMs: number }];
  /** A caller-audio quality threshold was breached. */
  qualityAlert: [alert: QualityAlert];
  /** A turn was slower than `latencyAlertMs`, or a caller chunk larger than `chunkAlertBytes`. */
  alert: [alert: BridgeAlert];
  /** Something failed on either side (the bridge may go on). With no listener: a process warning. */
  error: [err: Error];
  /** The bridge ended; both sides are closed. */
  end: [result: BridgeResult];
}

/** Caller audio held while the model session connects, ms. */
const MAX_PENDING_INPUT_MS = 10_000;

const END_CALL_TOOL = {
  name: 'end_call',
  description:
    'Hang up the phone call, after saying goodbye, when the caller is done or asks to end the call.',
  parameters: {
    type: 'object',
    properties: { reason: { type: 'string', description: 'Why the call ends' } },
    additionalProperties: false,
  },
} as const;

/** Session audio formats for a call: its own encoding where the model supports it, else 24 kHz PCM. */
export function sessionFormatsFor(call: CallSession, passThrough = true): SessionUpdate {
  const format =
    passThrough && call.wireFormat === 'pcmu'
      ? ({ type: 'audio/pcmu' } as const)
      : ({ type: 'audio/pcm', rate: 24000 } as const);
  return { audio: { input: { format }, output: { format } } };
}

/**
 * A call joined to a realtime model, from {@link bridgeCall}. Both sides are released when either ends,
 * on {@link CallBridge.close}, or with `await using`.
 */
export class CallBridge extends EventEmitter<CallBridgeEvents> implements AsyncDisposable {
  /** Resolves when the bridge ends, from either side. */
  readonly done: Promise<BridgeResult>;
  /** Resolves when the model session is connected and configured for the call (false if that failed). */
  ready: Promise<boolean> = Promise.resolve(false);
  private resolveDone!: (r: BridgeResult) => void;
  private released: Promise<void> | null = null;
  private readonly stats = new BridgeMetricsCollector();
  private readonly tracker: CallPlaybackTracker;
  /** Created with the first caller audio: its analysis window is large, and many calls never send any. */
  private quality: QualityMonitor | null = null;
  /** Caller samples received: the position of the next caller frame. */
  private readonly localVad: VadSegmenter | null;
  private readonly log: (line: string) => void;
  private readonly detachers: Array<() => void> = [];
  private hangupTimer: NodeJS.Timeout | null = null;
  private speechStoppedAt: number | null = null;
  /** Where the caller's latest speech began, on the caller-audio clock (ms of caller audio received). */
  private speechStartMs: number | null = null;
  private inputMs = 0;
  /** Caller audio is decoded only for what needs PCM (quality monitor, local VAD, recorder). */
  private readonly needsCallerPcm: boolean;
  private readonly pendingInput: AnyFrame[] = [];
  /** Caller G.711 frames gathered into appends of the call's batch length (see {@link InputBatcher}). */
  private readonly input: InputBatcher;
  /** The caller's PCM, decoded into one reused buffer. */
  private readonly callerPcm = new CallerPcm();
  private pendingInputMs = 0;
  /** A model response is in progress (between `response.created` and `response.done`). */
  private responding = false;
  /** A turn was committed while a response ran: answered when that one turns out cancelled (barge-in). */
  private turnWaiting = false;
  /** The local VAD heard speech that no commit has covered yet. */
  private speechUncommitted = false;
  private endReason: string | null = null;
  private muted = false;

  /** @internal Use {@link bridgeCall}. */
  constructor(
    readonly call: CallSession,
    readonly realtime: RealtimeClient,
    private readonly opts: BridgeCallOptions,
  ) {
    super();
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.log = opts.log ?? (() => {});
    this.tracker = new CallPlaybackTracker(call);
    this.input = new InputBatcher(
      (frame) => this.realtime.appendAudio(frame),
      opts.inputBatchMs ?? call.inputBatchMs ?? INPUT_BATCH_MS,
    );
    this.localVad = opts.localVad ? this.createLocalVad(opts.localVad) : null;
    // The client owns barge-in; it learns from the call what the caller has heard of each item.
    realtime.setPlayback(this.tracker);
    this.needsCallerPcm = opts.quality !== false || this.localVad !== null || opts.recorder !== undefined;
    this.wireCall();
    this.wireRealtime();
    if (opts.hangupTool !== false) this.registerHangupTool();
  }

  /** Whether the caller is muted toward the model ({@link CallBridge.setCallerMuted}). */
  get callerMuted(): boolean {
    return this.muted;
  }

  /**
   * Mutes (true) or unmutes the caller toward the model (a supervisor's "mute"): while muted, caller audio
   * is still counted, monitored and recorded, but not sent to the model, so it hears no turn.
   */
  setCallerMuted(muted: boolean): void {
    this.muted = muted;
  }

  /** Per-call numbers so far. */
  metrics(): BridgeMetrics {
    return this.stats.snapshot(this.quality?.summary());
  }

  /**
   * Ends the bridge (if it still runs, with `reason`): hangs up the call and closes the model session.
   * Resolves once both are released; idempotent. The outcome is in {@link CallBridge.done}.
   */
  async close(reason = 'closed by application'): Promise<void> {
    this.end(reason);
    await this.released;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal Starts the model side; failures end the bridge with the reason. */
  start(): void {
    this.ready = (async () => {
      try {
        if (!this.realtime.connected) await this.realtime.connect();
        if (this.endReason !== null) return false;
        this.realtime.updateSession(sessionFormatsFor(this.call, this.opts.passThrough !== false));
        for (const frame of this.pendingInput.splice(0)) this.input.push(frame);
        this.pendingInputMs = 0;
        return true;
      } catch (err) {
        this.fail(err as Error);
        this.end(`model connection failed: ${(err as Error).message}`);
        return false;
      }
    })();
  }

  /**
   * Runs an event handler so that a throw becomes an `error` of the bridge, never an exception in the
   * socket handler that delivered the event.
   */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fail(
        err instanceof Error
          ? err
          : new BridgeError('INTERNAL', `handler failed: ${clip(String(err))}`, { cause: err }),
      );
    }
  }

  private onCall<E extends keyof CallSessionEvents>(
    event: E,
    fn: (...args: CallSessionEvents[E]) => void,
  ): void {
    const call = this.call as EventEmitter<CallSessionEvents>;
    const safe = ((...args: CallSessionEvents[E]) => this.guard(() => fn(...args))) as Parameters<
      typeof call.on<E>
    >[1];
    call.on(event, safe);
    this.detachers.push(() => call.off(event, safe));
  }

  private onModel<E extends keyof RealtimeClientEvents>(
    event: E,
    fn: (...args: RealtimeClientEvents[E]) => void,
  ): void {
    const rt = this.realtime;
    const safe = ((...args: RealtimeClientEvents[E]) => this.guard(() => fn(...args))) as Parameters<
      typeof rt.on<E>
    >[1];
    rt.on(event, safe);
    this.detachers.push(() => rt.off(event, safe));
  }

  private wireCall(): void {
    this.onCall('audio', (frame) => this.onCallerAudio(frame));
    this.onCall('dtmf', ({ digit }) => {
      this.stats.dtmf++;
      if (this.opts.dtmf === 'ignore' || !this.realtime.connected) return;
      this.realtime.sendText(`The caller pressed ${digit} on the phone keypad.`, { respond: true });
    });
    this.onCall('utteranceEnd', () => {
      // The platform ended the utterance before the local VAD heard the silence after it.
      if (this.opts.localVad?.commitTurns && this.speechUncommitted) this.commitTurn();
    });
    this.onCall('error', (err) => this.fail(err));
    this.onCall('end', ({ reason }) => this.end(`call ended: ${reason}`));
  }

  private wireRealtime(): void {
    const speech = this.call.capabilities.speechEvents;
    this.onModel('audio', (frame, info) => this.onAgentAudio(frame, info));
    this.onModel('audioDone', () => {
      if (!this.call.ended) this.call.endUtterance();
    });
    this.onModel('speechStarted', (e) => {
      this.speechStartMs = e.audioStartMs;
      if (speech) this.call.speech({ type: 'started' });
    });
    this.onModel('interrupted', (e) => this.onInterrupted(e));
    this.onModel('speechStopped', () => {
      this.speechStoppedAt = performance.now();
      if (speech) this.call.speech({ type: 'stopped' });
    });
    if (speech) {
      this.onModel('userTranscript', (e) => {
        if (e.done && e.text) this.call.speech({ type: 'transcript', text: e.text });
      });
    }
    this.onModel('response.created', () => {
      this.responding = true;
    });
    this.onModel('responseDone', (e) => {
      this.responding = false;
      const waiting = this.turnWaiting;
      this.turnWaiting = false;
      if (waiting && e.status === 'cancelled' && this.realtime.connected) this.realtime.createResponse();
      this.stats.turns++;
    });
    this.onModel('error', (err) => this.fail(err));
    this.onModel('close', (e) =>
      this.end(`model session closed (${e.code}${e.reason ? ` ${e.reason}` : ''})`),
    );
  }

  private qualityMonitor(): QualityMonitor | null {
    if (this.quality || this.opts.quality === false || this.endReason !== null) return this.quality;
    const q = new QualityMonitor({
      sampleRate: this.call.inputSampleRate,
      thresholds: typeof this.opts.quality === 'object' ? this.opts.quality : undefined,
    });
    q.on('alert', (alert) => this.emit('qualityAlert', alert));
    this.quality = q;
    return q;
  }

  private createLocalVad(o: LocalVadOptions): VadSegmenter {
    const rate = this.call.inputSampleRate;
    const seg = new VadSegmenter({
      vad: o.vad ?? new EnergyVad({ sampleRate: rate }),
      sampleRate: rate,
      threshold: o.threshold ?? 0.5,
      minSpeechMs: o.minSpeechMs ?? 200,
      minSilenceMs: o.minSilenceMs ?? 300,
      prefixPaddingMs: 0,
      includeAudio: false,
    });
    seg.on('speechStart', (e: SpeechStartEvent) =>
      this.guard(() => {
        this.speechStartMs = (e.startSample * 1000) / rate;
        this.speechUncommitted = true;
        if (o.commitTurns && this.call.capabilities.speechEvents) this.call.speech({ type: 'started' });
        if (this.realtime.connected) this.realtime.interrupt();
      }),
    );
    if (o.commitTurns) seg.on('speechEnd', () => this.guard(() => this.commitTurn()));
    return seg;
  }

  /**
   * The caller stopped speaking and the model does not detect turns itself: what was said so far (the
   * partial batch included) becomes the user's turn, and the model is asked to answer it.
   */
  private commitTurn(): void {
    if (!this.speechUncommitted) return; // already committed at the platform's end of the utterance
    this.speechUncommitted = false;
    if (this.call.capabilities.speechEvents) this.call.speech({ type: 'stopped' });
    // A muted caller's words never reached the model: there is no turn to commit.
    if (this.muted || !this.realtime.connected || this.endReason !== null) return;
    this.input.flush();
    this.realtime.commit();
    this.speechStoppedAt = performance.now();
    // As in the design, a response already under way answers; one cancelled by the barge-in does not.
    if (this.responding) this.turnWaiting = true;
    else this.realtime.createResponse();
  }

  private alert(alert: BridgeAlert): void {
    this.stats.alerts[alert.kind]++;
    this.emit('alert', alert);
  }

  private registerHangupTool(): void {
    try {
      this.realtime.addTool(END_CALL_TOOL, (args: unknown) => {
        const reason = (args as { reason?: unknown } | null)?.reason;
        this.hangupAfterPlayout(typeof reason === 'string' && reason ? reason : 'agent ended the call');
        return { ok: true };
      });
    } catch (err) {
      this.log(`bridge ${this.call.id}: end_call tool not registered: ${(err as Error).message}`);
    }
  }

  /**
   * Caller audio goes to the model in the call's own encoding: a pass-through Twilio call's mu-law frames
   * reach `appendAudio` as the bytes of their one base64 decode (gathered into 100 ms batches), and the
   * client sends them on unchanged when the model's input is `audio/pcmu`. PCM is decoded only for the quality monitor, the local VAD and
   * the recorder, when they are on.
   */
  private onCallerAudio(frame: AnyFrame): void {
    const ms = frameDurationMs(frame);
    this.stats.chunksIn++;
    this.stats.bytesIn += frame.data.byteLength;
    this.inputMs += ms;
    const maxChunk = this.opts.chunkAlertBytes;
    if (maxChunk !== undefined && frame.data.byteLength > maxChunk) {
      const bytes = frame.data.byteLength;
      this.alert({
        kind: 'chunk-size',
        value: bytes,
        threshold: maxChunk,
        message: `caller chunk of ${bytes} bytes (${ms.toFixed(0)} ms; over ${maxChunk} bytes)`,
      });
    }
    if (this.needsCallerPcm) {
      // Borrowed: every consumer copies what it keeps before the next frame reuses the buffer.
      const pcm = this.callerPcm.decode(frame);
      this.qualityMonitor()?.push(pcm);
      this.localVad?.push(pcm).catch((err: Error) => this.fail(err));
      this.opts.recorder?.caller(pcm);
    }
    if (this.muted) return;
    if (!this.realtime.connected) {
      // Hold caller audio while the model connects (the caller may speak first); beyond the bound the
      // oldest is dropped and counted, not lost silently.
      this.pendingInput.push(frame);
      this.pendingInputMs += ms;
      while (this.pendingInputMs > MAX_PENDING_INPUT_MS && this.pendingInput.length > 1) {
        const oldMs = frameDurationMs(this.pendingInput.shift()!);
        this.pendingInputMs -= oldMs;
        this.stats.droppedInputMs += oldMs;
      }
      return;
    }
    try {
      this.input.push(frame);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /**
   * The model's audio goes to the call as it came when the call takes that encoding (G.711 from a model
   * in `audio/pcmu` to a Twilio call: no decode, no re-encode); otherwise as PCM, which the call resamples.
   */
  private onAgentAudio(frame: AnyFrame, info: AudioInfo): void {
    if (this.call.ended) return;
    if (this.speechStoppedAt !== null) {
      const latency = performance.now() - this.speechStoppedAt;
      this.stats.turnLatency.add(latency);
      this.speechStoppedAt = null;
      const max = this.opts.latencyAlertMs;
      if (max !== undefined && latency > max) {
        this.alert({
          kind: 'turn-latency',
          value: latency,
          threshold: max,
          message: `turn latency ${latency.toFixed(0)} ms (over ${max} ms)`,
        });
      }
    }
    const out: AnyFrame =
      isEncodedFrame(frame) && !this.call.capabilities.encodings.includes(frame.codec)
        ? pcmFrame(frame)
        : frame;
    this.tracker.onAudio(info.itemId, frameSamples(out), out.sampleRate);
    try {
      this.call.sendAudio(out);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.stats.chunksOut++;
    this.stats.bytesOut += out.data.byteLength;
    this.opts.recorder?.agent(out);
  }

  /**
   * The client interrupted the agent (server VAD barge-in, the local VAD, or the application) and truncated
   * the item to what the caller heard: the call drops what it still had queued, and the recording with it.
   */
  private onInterrupted(e: InterruptedEvent): void {
    if (this.call.capabilities.clear && !this.call.ended) {
      const unheardMs = this.call.sentMs() - this.call.playedMs();
      this.call.clear();
      this.opts.recorder?.clearAgent(unheardMs);
    }
    this.tracker.reset();
    // How far behind the caller's first word the agent went quiet, on the caller-audio clock.
    const reactionMs = this.speechStartMs === null ? 0 : Math.max(0, this.inputMs - this.speechStartMs);
    this.speechStartMs = null;
    this.stats.bargeIns++;
    this.stats.bargeInReaction.add(reactionMs);
    this.emit('bargeIn', { itemId: e.itemId, playedMs: e.playedMs, reactionMs });
  }

  private hangupAfterPlayout(reason: string): void {
    if (this.hangupTimer) return;
    const deadline = performance.now() + (this.opts.hangupDrainMs ?? 10_000);
    const check = () => {
      const drained = this.call.playedMs() >= this.call.sentMs() - 1;
      if (drained || performance.now() >= deadline || this.call.ended) {
        this.hangupTimer = null;
        this.end(reason);
        return;
      }
      this.hangupTimer = setTimeout(check, 50);
    };
    // Let the model's goodbye (the response after the tool output) start before watching for silence.
    this.hangupTimer = setTimeout(check, 300);
  }

  private fail(err: Error): void {
    this.stats.errors++;
    // Error text may quote the peer: the log line is shortened like every echo of peer input.
    this.log(`bridge ${this.call.id}: ${err.name}: ${clip(err.message, 4 * MAX_QUOTED_CHARS)}`);
    emitError(this, err);
  }

  private end(reason: string): void {
    if (this.endReason !== null) return;
    this.endReason = reason;
    this.log(`bridge ${this.call.id}: ended: ${reason}`);
    if (this.hangupTimer) clearTimeout(this.hangupTimer);
    this.hangupTimer = null;
    for (const d of this.detachers.splice(0)) d();
    this.realtime.setPlayback(undefined);
    // Late input on the ended call (a chunk after the hang-up, bad JSON after Twilio's stop) still reports
    // errors: keep a listener, so they are logged rather than turned into process warnings.
    this.call.on('error', (err) =>
      this.log(
        `bridge ${this.call.id}: after the end: ${err.name}: ${clip(err.message, 4 * MAX_QUOTED_CHARS)}`,
      ),
    );
    if (this.opts.hangupTool !== false) {
      try {
        this.realtime.removeTool(END_CALL_TOOL.name);
      } catch {
        // The tool may never have been registered.
      }
    }
    if (!this.call.ended) this.call.hangup(reason);
    this.released = Promise.all([this.call.close(), this.realtime.close(1000, 'call ended')]).then(
      () => {},
      (err: Error) => this.log(`bridge ${this.call.id}: release: ${err.message}`),
    );
    this.quality?.flush();
    this.localVad?.reset();
    const result: BridgeResult = { reason, metrics: this.metrics() };
    this.emit('end', result);
    this.resolveDone(result);
  }
}

/**
 * Joins a phone call to a realtime model session: caller audio to the model (in the call's own encoding when
 * possible), the model's audio to the caller, barge-in that clears the call's playback and truncates the
 * model's item to what the caller actually heard, DTMF as text, an `end_call` tool, and teardown of both
 * sides when either ends or fails.
 *
 * @example
 * ```ts
 * mediaServer.on('call', (twilioCall) => {
 *   const realtime = new RealtimeClient({ url: localServer.url, session: { instructions: 'Be brief.' } });
 *   bridgeCall(twilioCallSession(twilioCall), realtime, { recorder: new CallRecorder() });
 * });
 * ```
 */
export function bridgeCall(
  call: CallSession,
  realtime: RealtimeClient,
  options: BridgeCallOptions = {},
): CallBridge {
  const bridge = new CallBridge(call, realtime, options);
  bridge.start();
  return bridge;
}
