import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type {
  AudioChunk,
  RealtimeClient,
  RealtimeClientError,
  SessionUpdate,
  UserTranscriptEvent,
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
import { AudioCodesSession } from './audiocodes/session.js';
import type { CallSession } from './call-session.js';
import { clip, MAX_QUOTED_CHARS } from './clip.js';
import { type BridgeMetrics, BridgeMetricsCollector } from './metrics.js';
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
   * What detects the caller talking over the agent: the model's server VAD `speech_started` (default), a
   * local VAD on the caller's audio (`local`: reacts without a round trip to the model and works when the
   * model's turn detection is off), or nothing (`off`).
   */
  bargeIn?: 'server' | 'local' | 'off';
  /** The local barge-in detector (`bargeIn: 'local'`). */
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
}

/** Local voice activity detection for barge-in. */
export interface LocalVadOptions {
  /** The VAD; default an `EnergyVad` at the call's input rate. It must run at that rate. */
  vad?: Vad;
  /** Probability at which a frame is speech. Default 0.5. */
  threshold?: number;
  /** Speech must last this long before it counts as a barge-in (filters coughs and clicks), ms. Default 200. */
  minSpeechMs?: number;
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
  /** Something failed on either side (the bridge may go on). */
  error: [err: Error];
  /** The bridge ended; both sides are closed. */
  end: [result: BridgeResult];
}

/** A call joined to a realtime model. */
export interface CallBridge {
  readonly call: CallSession;
  readonly realtime: RealtimeClient;
  /** Resolves when the model session is connected and configured for the call (false if that failed). */
  readonly ready: Promise<boolean>;
  /** Resolves when the bridge ends, from either side. */
  readonly done: Promise<BridgeResult>;
  metrics(): BridgeMetrics;
  /** Ends the bridge: hangs up the call and closes the model session. */
  close(reason?: string): Promise<BridgeResult>;
  on<E extends keyof CallBridgeEvents>(event: E, l: (...args: CallBridgeEvents[E]) => void): this;
  off<E extends keyof CallBridgeEvents>(event: E, l: (...args: CallBridgeEvents[E]) => void): this;
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

class CallBridgeImpl extends EventEmitter implements CallBridge {
  readonly done: Promise<BridgeResult>;
  ready: Promise<boolean> = Promise.resolve(false);
  private resolveDone!: (r: BridgeResult) => void;
  private readonly stats = new BridgeMetricsCollector();
  private readonly tracker: CallPlaybackTracker;
  /** Created with the first caller audio: its analysis window is large, and many calls never send any. */
  private quality: QualityMonitor | null = null;
  /** Caller samples received: the position of the next caller frame. */
  private callerSamples = 0;
  private readonly localVad: VadSegmenter | null;
  private readonly log: (line: string) => void;
  private readonly detachers: Array<() => void> = [];
  private hangupTimer: NodeJS.Timeout | null = null;
  private speechStoppedAt: number | null = null;
  private inputMs = 0;
  private readonly pendingInput: Int16Array[] = [];
  private pendingInputMs = 0;
  private endReason: string | null = null;

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
    this.localVad = opts.bargeIn === 'local' ? this.createLocalVad(opts.localVad ?? {}) : null;
    this.wireCall();
    this.wireRealtime();
    if (opts.hangupTool !== false) this.registerHangupTool();
  }

  metrics(): BridgeMetrics {
    return this.stats.snapshot(this.quality?.summary());
  }

  async close(reason = 'closed by application'): Promise<BridgeResult> {
    this.end(reason);
    return this.done;
  }

  /** Starts the model side; failures end the bridge with the reason. */
  start(): void {
    this.ready = (async () => {
      try {
        if (!this.realtime.connected) await this.realtime.connect();
        if (this.endReason !== null) return false;
        this.realtime.updateSession(sessionFormatsFor(this.call, this.opts.passThrough !== false));
        for (const pcm of this.pendingInput.splice(0))
          this.realtime.appendAudio(pcm, this.call.inputSampleRate);
        this.pendingInputMs = 0;
        return true;
      } catch (err) {
        this.fail(err as Error);
        this.end(`model connection failed: ${(err as Error).message}`);
        return false;
      }
    })();
  }

  private listen<T extends EventEmitter | RealtimeClient>(
    target: T,
    event: string,
    fn: (...args: never[]) => void,
  ): void {
    const t = target as unknown as EventEmitter;
    // Every handler is total: a throw in one becomes an `error` of the bridge, never an exception in the
    // socket handler that delivered the event.
    const safe = (...args: unknown[]) => {
      try {
        (fn as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
      }
    };
    t.on(event, safe);
    this.detachers.push(() => t.off(event, safe));
  }

  private wireCall(): void {
    const call = this.call;
    this.listen(call as unknown as EventEmitter, 'audio', (pcm: Int16Array) => this.onCallerAudio(pcm));
    this.listen(call as unknown as EventEmitter, 'dtmf', (digit: string) => {
      this.stats.dtmf++;
      if (this.opts.dtmf === 'ignore' || !this.realtime.connected) return;
      this.realtime.sendText(`The caller pressed ${digit} on the phone keypad.`, { respond: true });
    });
    this.listen(call as unknown as EventEmitter, 'error', (err: Error) => this.fail(err));
    this.listen(call as unknown as EventEmitter, 'end', (reason: string) =>
      this.end(`call ended: ${reason}`),
    );
  }

  private wireRealtime(): void {
    const rt = this.realtime;
    this.listen(rt, 'audio', (chunk: AudioChunk) => this.onAgentAudio(chunk));
    this.listen(rt, 'audioDone', () => {
      if (!this.call.ended) this.call.endUtterance();
    });
    this.listen(rt, 'speechStarted', (e: { itemId: string; audioStartMs: number }) =>
      this.onSpeechStarted(e),
    );
    this.listen(rt, 'speechStopped', () => {
      this.speechStoppedAt = performance.now();
      if (this.call instanceof AudioCodesSession) this.call.speechStopped();
    });
    this.listen(rt, 'userTranscript', (e: UserTranscriptEvent) => {
      if (this.call instanceof AudioCodesSession && e.done && e.text) this.call.recognition(e.text);
    });
    this.listen(rt, 'responseDone', () => {
      this.stats.turns++;
    });
    this.listen(rt, 'error', (err: RealtimeClientError) => this.fail(err));
    this.listen(rt, 'close', (e: { code: number; reason: string }) =>
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
      minSilenceMs: 300,
      prefixPaddingMs: 0,
      includeAudio: false,
    });
    seg.on('speechStart', (e: SpeechStartEvent) => this.bargeIn((e.startSample * 1000) / rate));
    return seg;
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

  private onCallerAudio(pcm: Int16Array): void {
    this.stats.chunksIn++;
    this.stats.bytesIn += pcm.byteLength;
    this.inputMs += (pcm.length * 1000) / this.call.inputSampleRate;
    const frame = {
      data: pcm,
      sampleRate: this.call.inputSampleRate,
      channels: 1,
      position: this.callerSamples,
    };
    this.callerSamples += pcm.length;
    this.qualityMonitor()?.push(frame);
    this.localVad?.push(frame).catch((err: Error) => this.fail(err));
    this.opts.recorder?.caller(pcm, this.call.inputSampleRate);
    if (!this.realtime.connected) {
      // Hold caller audio while the model connects (the caller may speak first); beyond the bound the
      // oldest is dropped and counted, not lost silently.
      this.pendingInput.push(pcm);
      this.pendingInputMs += (pcm.length * 1000) / this.call.inputSampleRate;
      while (this.pendingInputMs > MAX_PENDING_INPUT_MS && this.pendingInput.length > 1) {
        const old = this.pendingInput.shift()!;
        const ms = (old.length * 1000) / this.call.inputSampleRate;
        this.pendingInputMs -= ms;
        this.stats.droppedInputMs += ms;
      }
      return;
    }
    try {
      this.realtime.appendAudio(pcm, this.call.inputSampleRate);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private onAgentAudio(chunk: AudioChunk): void {
    if (this.call.ended) return;
    if (this.speechStoppedAt !== null) {
      this.stats.turnLatency.add(performance.now() - this.speechStoppedAt);
      this.speechStoppedAt = null;
    }
    this.tracker.onAudio(chunk.itemId, chunk.pcm.length, chunk.sampleRate);
    try {
      this.call.sendAudio(chunk.pcm, chunk.sampleRate);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.stats.chunksOut++;
    this.stats.bytesOut += chunk.pcm.byteLength;
    this.opts.recorder?.agent(chunk.pcm, chunk.sampleRate);
  }

  private onSpeechStarted(e: { itemId: string; audioStartMs: number }): void {
    if (this.call instanceof AudioCodesSession) this.call.speechStarted();
    if (this.opts.bargeIn === undefined || this.opts.bargeIn === 'server') this.bargeIn(e.audioStartMs);
  }

  /** Silences the agent and truncates its item to what was heard; `speechStartMs` on the caller-audio clock. */
  private bargeIn(speechStartMs: number): void {
    const playing = this.tracker.playingItem();
    if (!playing) return;
    const playedMs = this.tracker.playedMs(playing);
    const unheardMs = this.call.sentMs() - this.call.playedMs();
    this.call.clear();
    this.opts.recorder?.clearAgent(unheardMs);
    this.tracker.reset();
    try {
      this.realtime.interrupt({ itemId: playing, playedMs });
    } catch (err) {
      this.fail(err as Error);
    }
    // How far behind the caller's first word the agent went quiet, on the caller-audio clock.
    const reactionMs = Math.max(0, this.inputMs - speechStartMs);
    this.stats.bargeIns++;
    this.stats.bargeInReaction.add(reactionMs);
    this.emit('bargeIn', { itemId: playing, playedMs, reactionMs });
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
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private end(reason: string): void {
    if (this.endReason !== null) return;
    this.endReason = reason;
    this.log(`bridge ${this.call.id}: ended: ${reason}`);
    if (this.hangupTimer) clearTimeout(this.hangupTimer);
    this.hangupTimer = null;
    for (const d of this.detachers.splice(0)) d();
    // Late input on the ended call (a chunk after the hang-up, bad JSON after Twilio's stop) still reports
    // errors: keep a listener, or an `error` event with none would end the process.
    (this.call as unknown as EventEmitter).on('error', (err: Error) =>
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
    this.realtime.close(1000, 'call ended');
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
  const bridge = new CallBridgeImpl(call, realtime, options);
  bridge.start();
  return bridge;
}
