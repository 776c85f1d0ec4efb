// The audio routing of OpenClaw: every source (device microphone, WebRTC peer, phone call, the agent) is a
// mixer input; every sink gets its own mix-minus output (everything but itself), so nobody hears their own
// voice and the model does not hear its own answer.
import { EventEmitter } from 'node:events';
import { AudioMixer, type InputStats, type LatencyStats } from '@voxwire/mixer';

/** How a participant joins the mix. */
export interface ParticipantOptions {
  /** Rate of the audio the participant pushes. */
  sampleRate: number;
  /** Channels of the pushed audio (N → mono by averaging; default 1). */
  channels?: number;
  /** Jitter-buffer depth before playout, ms (default: two frames). */
  jitterMs?: number;
  /** Most audio the participant may queue in the mixer, ms (default 500). */
  maxBufferMs?: number;
  gain?: number;
  /**
   * Receives the mix of everybody else, one frame at a time (mono at the router's rate). The array is reused:
   * copy it to keep it. Omit for a source that hears nothing.
   */
  send?: (frame: Int16Array, sampleRate: number) => void;
  /** Other inputs this participant must not hear either (e.g. the device speaker does not replay the mic). */
  alsoExclude?: readonly string[];
}

/** Events of {@link AudioRouter}. */
export interface AudioRouterEvents {
  join: [id: string];
  leave: [id: string];
  /** A participant's `send` threw; the others and the clock carry on. */
  error: [id: string, error: Error];
}

interface Participant {
  unregister?: () => void;
  /** Peak-hold level (linear RMS, decaying with a 0.5 s time constant). */
  level: number;
  sampleRate: number;
  options: ParticipantOptions;
  sendErrors: number;
}

/** Options of {@link AudioRouter}. */
export interface AudioRouterOptions {
  sampleRate: number;
  frameMs: number;
  /** Do not run the mixer's clock: call {@link AudioRouter.tick} yourself (tests, a device-driven clock). */
  manualClock?: boolean;
}

/** Mix-minus routing of named participants over one {@link AudioMixer}. */
export class AudioRouter extends EventEmitter<AudioRouterEvents> {
  readonly mixer: AudioMixer;
  readonly sampleRate: number;
  readonly frameMs: number;
  private readonly participants = new Map<string, Participant>();
  private readonly manual: boolean;

  constructor(options: AudioRouterOptions) {
    super();
    this.sampleRate = options.sampleRate;
    this.frameMs = options.frameMs;
    this.manual = options.manualClock ?? false;
    this.mixer = new AudioMixer({ sampleRate: options.sampleRate, channels: 1, frameMs: options.frameMs });
    // Output failures are reported per participant by the wrapper in add(); this only keeps the count.
    this.mixer.on('error', () => {});
  }

  /** Ids of the participants in the mix. */
  ids(): string[] {
    return [...this.participants.keys()];
  }

  has(id: string): boolean {
    return this.participants.has(id);
  }

  get size(): number {
    return this.participants.size;
  }

  /**
   * Adds a participant: its audio goes into the mix; `send` (if given) gets everyone else.
   * @throws MixerError `DUPLICATE_STREAM` when the id is taken, `BAD_OPTIONS` for unusable options
   */
  add(id: string, options: ParticipantOptions): void {
    this.addInput(id, options);
    const p: Participant = { level: 0, sampleRate: options.sampleRate, options, sendErrors: 0 };
    const send = options.send;
    if (send) {
      const rate = this.sampleRate;
      p.unregister = this.mixer.registerOutput(
        (frame) => {
          try {
            send(frame.data, rate);
          } catch (err) {
            p.sendErrors++;
            // Report the first failure and every 500th after it: a dead far end must not flood the log.
            if (p.sendErrors % 500 === 1) this.emit('error', id, err as Error);
          }
        },
        { exclude: [id, ...(options.alsoExclude ?? [])] },
      );
    }
    this.participants.set(id, p);
    this.emit('join', id);
  }

  private addInput(id: string, o: ParticipantOptions): void {
    this.mixer.addStream(id, {
      sampleRate: o.sampleRate,
      channels: o.channels ?? 1,
      jitterMs: o.jitterMs,
      maxBufferMs: o.maxBufferMs,
      gain: o.gain,
    });
  }

  /** Removes a participant and its output (no-op when absent). */
  remove(id: string): void {
    const p = this.participants.get(id);
    if (!p) return;
    this.participants.delete(id);
    p.unregister?.();
    this.mixer.removeStream(id);
    this.emit('leave', id);
  }

  /** Pushes a participant's audio (ignored once it has left, e.g. a packet racing the hang-up). */
  push(id: string, pcm: Int16Array): void {
    const p = this.participants.get(id);
    if (!p || pcm.length === 0) return;
    let sum = 0;
    for (let i = 0; i < pcm.length; i++) {
      const v = pcm[i] as number;
      sum += v * v;
    }
    const rms = Math.sqrt(sum / pcm.length) / 32768;
    const decayed = p.level * Math.exp(-pcm.length / (p.sampleRate * 0.5));
    p.level = Math.max(rms, decayed);
    this.mixer.pushAudio(id, {
      data: pcm,
      sampleRate: p.sampleRate,
      channels: p.options.channels ?? 1,
      position: 0,
    });
  }

  /** Drops what a participant has queued (the agent's answer on barge-in), keeping it in the mix. */
  flush(id: string): void {
    if (!this.participants.has(id)) return;
    this.mixer.clearStream(id);
  }

  /** The participant with the highest recent level, among those not excluded (undefined when all are silent). */
  loudest(exclude: readonly string[] = [], floor = 0.003): string | undefined {
    let best: string | undefined;
    let level = floor;
    for (const [id, p] of this.participants) {
      if (exclude.includes(id)) continue;
      if (p.level > level) {
        level = p.level;
        best = id;
      }
    }
    return best;
  }

  /** Per-input mixer statistics (buffer depth, underruns, overruns, added latency). */
  inputs(): InputStats[] {
    return this.mixer.stats().inputs;
  }

  /** OpenClaw's mixer latency monitor: avg/p95/max of the mix's added latency. */
  latencyStats(): LatencyStats {
    return this.mixer.latencyStats();
  }

  /** Mixes one frame now (manual clock). */
  tick(): void {
    this.mixer.mixFrame();
  }

  start(): void {
    if (!this.manual) this.mixer.start();
  }

  /** Stops the clock and removes everyone. */
  close(): void {
    this.mixer.stop();
    for (const id of [...this.participants.keys()]) this.remove(id);
  }
}
