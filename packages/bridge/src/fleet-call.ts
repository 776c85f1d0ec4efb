import { performance } from 'node:perf_hooks';
import { isVoxwireError } from '@voxwire/core';
import type { ResponseDoneEvent } from '@voxwire/realtime-client';
import { AudioCodesCallSession } from './audiocodes-session.js';
import type { CallBridge } from './bridge.js';
import { BridgeError } from './errors.js';
import { TwilioCallSession } from './twilio-session.js';

/**
 * Where a {@link BridgeFleetCall} reports fleet-wide numbers: `FleetMetrics` from `@voxwire/fleet` fits
 * (structurally; the bridge does not depend on the fleet).
 */
export interface FleetCallMetricsSink {
  /** One turn's latency (caller stops speaking → first agent audio), ms. */
  observeTurnLatency(ms: number): void;
  /** Frames received from the caller and sent to the caller since the previous report. */
  countFrames(inbound: number, outbound: number): void;
  /** One error, by its `VoxwireError` code (`INTERNAL` for anything else). */
  countError(code: string): void;
  /**
   * One hop of the audio path, ms: `model` (the caller stops speaking → the model's first audio reaches the
   * bridge) per turn, `barge_in` (the caller's first word → the agent silenced, on the caller-audio clock).
   */
  observeHopLatency?(hop: 'model' | 'barge_in', ms: number): void;
  /** Playout underruns (the caller heard a gap) since the previous report; Twilio calls only. */
  countUnderruns?(n: number): void;
}

/** Options of {@link BridgeFleetCall}. */
export interface BridgeFleetCallOptions {
  /** The caller's number or identity. Default: AudioCodes' `caller`, Twilio's `caller` or `from` stream parameter. */
  caller?: string;
  /** The agent serving the call (bot, prompt or model name). */
  agent?: string;
  /** What the agent says before a {@link BridgeFleetCall.hangup}; empty for none. Default "Thank you for calling. Goodbye." */
  goodbye?: string;
  /** Longest wait for a `say` (or the goodbye) to be generated and played out, ms. Default 8000. */
  speakTimeoutMs?: number;
  /** Fleet-wide counters to feed (turn latency per turn, frames on {@link BridgeFleetCall.flushCounts}, errors). */
  metrics?: FleetCallMetricsSink;
}

/** A call's state as the fleet registry shows it. */
export type BridgeFleetCallState = 'connecting' | 'active' | 'muted' | 'ending' | 'ended';

const DEFAULT_GOODBYE = 'Thank you for calling. Goodbye.';
/** How a `say` is asked of the model: an out-of-band response that repeats one user message verbatim. */
const SAY_INSTRUCTIONS =
  "Repeat the user's message to the caller word for word, in the conversation's language, and say nothing else.";
/** Playout is watched at this period: calls have no "played up to here" event of their own. */
const PLAYOUT_POLL_MS = 50;

/**
 * A bridged call in the shape `@voxwire/fleet`'s `FleetCall` expects (structurally: pass it to
 * `fleet.register()`), so any instance of a fleet can list it and control it:
 *
 * - `hangup(reason)`: the agent says a short goodbye, it plays out (bounded by `speakTimeoutMs`), then the
 *   call is hung up and the model session closed (`bridge.close`);
 * - `say(text)`: the agent says `text` now (an out-of-band response that repeats it), resolving once played;
 * - `injectText(text)`: a user text turn the model answers;
 * - `setMuted(muted)`: the caller's audio stops (or resumes) reaching the model;
 * - `metrics()`: the bridge's per-call numbers, flat (`turns`, `turnLatencyP50Ms`, `chunksIn`, …).
 *
 * Counting costs one increment per frame; fleet-wide counters are fed in batches by {@link flushCounts}.
 */
export class BridgeFleetCall {
  readonly id: string;
  readonly platform: string;
  readonly caller: string | undefined;
  readonly agent: string | undefined;
  /** Epoch ms when the call was bridged. */
  readonly startedAt = Date.now();
  private readonly goodbye: string;
  private readonly speakTimeoutMs: number;
  private readonly sink: FleetCallMetricsSink | undefined;
  private framesIn = 0;
  private framesOut = 0;
  private flushedIn = 0;
  private flushedOut = 0;
  private flushedUnderruns = 0;
  private seenAt = { in: 0, out: 0, ms: Date.now() };
  private turnsSeen = 0;
  private ending: Promise<void> | null = null;
  private connected = false;
  private spoken = 0;

  constructor(
    readonly bridge: CallBridge,
    options: BridgeFleetCallOptions = {},
  ) {
    const call = bridge.call;
    this.id = call.id;
    this.platform = call.platform;
    this.caller = options.caller ?? callerOf(bridge);
    this.agent = options.agent;
    this.goodbye = options.goodbye ?? DEFAULT_GOODBYE;
    this.speakTimeoutMs = options.speakTimeoutMs ?? 8_000;
    this.sink = options.metrics;
    call.on('audio', () => {
      this.framesIn++;
    });
    bridge.realtime.on('audio', () => {
      this.framesOut++;
    });
    bridge.realtime.on('responseDone', () => this.onTurnDone());
    bridge.on('bargeIn', (e) => this.sink?.observeHopLatency?.('barge_in', e.reactionMs));
    bridge.on('error', (err) => this.sink?.countError(isVoxwireError(err) ? err.code : 'INTERNAL'));
    void bridge.ready.then((ok) => {
      this.connected = ok;
    });
  }

  /** `connecting` until the model session is ready, then `active` (`muted`), `ending` during a hang-up, `ended`. */
  get state(): BridgeFleetCallState {
    if (this.bridge.call.ended) return 'ended';
    if (this.ending) return 'ending';
    if (!this.connected) return 'connecting';
    return this.bridge.callerMuted ? 'muted' : 'active';
  }

  /** Epoch ms of the latest audio either way, as of the previous read (read at each registry heartbeat). */
  get lastActivityAt(): number {
    if (this.framesIn !== this.seenAt.in || this.framesOut !== this.seenAt.out)
      this.seenAt = { in: this.framesIn, out: this.framesOut, ms: Date.now() };
    return this.seenAt.ms;
  }

  /** Says the goodbye (when the model is there), waits for it to play out, then ends the call and the model session. */
  hangup(reason: string): Promise<void> {
    this.ending ??= (async () => {
      if (this.goodbye && this.bridge.realtime.connected && !this.bridge.call.ended) {
        await this.speak(this.goodbye).catch(() => {}); // a goodbye that fails does not keep the call up
      }
      await this.bridge.close(`hangup: ${reason}`);
    })();
    return this.ending;
  }

  /**
   * The agent says `text` now; resolves once the caller heard it (or `speakTimeoutMs` passed).
   * @throws BridgeError `CLOSED` when the call or the model session has ended
   */
  say(text: string): Promise<void> {
    return this.speak(text);
  }

  /**
   * A user text turn (as if the caller had said it); the model answers.
   * @throws BridgeError `CLOSED` when the call or the model session has ended
   */
  async injectText(text: string): Promise<void> {
    this.assertLive();
    this.bridge.realtime.sendText(text, { respond: true });
  }

  /** Mutes (true) or unmutes the caller's audio toward the model. */
  setMuted(muted: boolean): void {
    this.bridge.setCallerMuted(muted);
  }

  /** The bridge's per-call numbers, flat: ms with an `Ms` suffix, counts as plain numbers. */
  metrics(): Record<string, number> {
    const m = this.bridge.metrics();
    const out: Record<string, number> = {
      durationMs: Date.now() - this.startedAt,
      turns: m.turns,
      bargeIns: m.bargeIns,
      dtmf: m.dtmf,
      errors: m.errors,
      chunksIn: m.chunksIn,
      chunksOut: m.chunksOut,
      bytesIn: m.bytesIn,
      bytesOut: m.bytesOut,
      droppedInputMs: m.droppedInputMs,
      playedMs: this.bridge.call.playedMs(),
      muted: this.bridge.callerMuted ? 1 : 0,
    };
    const put = (k: string, v: number | undefined) => {
      if (v !== undefined) out[k] = v;
    };
    put('underruns', this.bridge.call.underruns?.());
    put('turnLatencyP50Ms', m.turnLatencyMs.p50);
    put('turnLatencyP95Ms', m.turnLatencyMs.p95);
    put('bargeInReactionP50Ms', m.bargeInReactionMs.p50);
    return out;
  }

  /** Reports frames counted since the previous flush to the metrics sink (call it every second or so, and at the end). */
  flushCounts(): void {
    const inbound = this.framesIn - this.flushedIn;
    const outbound = this.framesOut - this.flushedOut;
    this.flushedIn = this.framesIn;
    this.flushedOut = this.framesOut;
    if (inbound > 0 || outbound > 0) this.sink?.countFrames(inbound, outbound);
    const underruns = this.bridge.call.underruns?.() ?? 0;
    if (underruns > this.flushedUnderruns) this.sink?.countUnderruns?.(underruns - this.flushedUnderruns);
    this.flushedUnderruns = underruns;
  }

  private onTurnDone(): void {
    if (!this.sink) return;
    const t = this.bridge.metrics().turnLatencyMs;
    if (t.count > this.turnsSeen && t.last !== undefined) {
      this.sink.observeTurnLatency(t.last);
      this.sink.observeHopLatency?.('model', t.last);
    }
    this.turnsSeen = t.count;
  }

  private assertLive(): void {
    if (this.bridge.call.ended || !this.bridge.realtime.connected)
      throw new BridgeError('CLOSED', `call ${this.id} has ended or its model session is not connected`);
  }

  /** An out-of-band response repeating `text`; resolves when it is done and played out, or at the timeout. */
  private async speak(text: string): Promise<void> {
    this.assertLive();
    const { realtime, call } = this.bridge;
    const deadline = performance.now() + this.speakTimeoutMs;
    const tag = String(++this.spoken);
    const done = new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        realtime.off('responseDone', onDone);
        call.off('end', finish);
        resolve();
      };
      // Only our response counts: the model may be answering the caller at the same time.
      const onDone = (e: ResponseDoneEvent) => {
        // `metadata` is echoed by OpenAI and the local server, though the client's type leaves it out.
        const meta = (e.response as { metadata?: Record<string, string> | null }).metadata;
        if (meta?.voxwire_say === tag) finish();
      };
      const timer = setTimeout(finish, this.speakTimeoutMs);
      realtime.on('responseDone', onDone);
      call.once('end', finish);
    });
    realtime.createResponse({
      conversation: 'none',
      instructions: SAY_INSTRUCTIONS,
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }],
      tool_choice: 'none',
      metadata: { voxwire_say: tag },
    });
    await done;
    // The response is generated; wait until the caller has heard it (the platform's playback position).
    while (!call.ended && call.playedMs() < call.sentMs() - 1 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, PLAYOUT_POLL_MS));
    }
  }
}

/** The caller's identity where the platform tells it. */
function callerOf(bridge: CallBridge): string | undefined {
  const call = bridge.call;
  if (call instanceof AudioCodesCallSession) return call.session.caller;
  if (call instanceof TwilioCallSession) {
    const p = call.call.customParameters;
    return p.caller ?? p.from ?? p.From;
  }
  return undefined;
}

/** Wraps a bridged call for `fleet.register()`. */
export function bridgeFleetCall(bridge: CallBridge, options?: BridgeFleetCallOptions): BridgeFleetCall {
  return new BridgeFleetCall(bridge, options);
}
