import { EventEmitter } from 'node:events';
import { AudioMixer } from '@voxwire/mixer';
import type { TwilioCall } from './call.js';
import { TWILIO_SAMPLE_RATE } from './protocol.js';

/** Options of {@link ConferenceBridge}. */
export interface ConferenceBridgeOptions {
  /** Mix rate in Hz (default 8000, the phone rate; legs at other `audio` rates are resampled). */
  sampleRate?: number;
  /** Per-leg jitter-buffer depth before playout starts, ms (default: the mixer's, 2 frames). */
  jitterMs?: number;
  /** Most audio a leg may queue before the oldest is dropped, ms (default: the mixer's, 500). */
  maxBufferMs?: number;
  /** Drive the mix yourself with {@link ConferenceBridge.mixFrame} instead of the mixer's 20 ms clock. */
  manualClock?: boolean;
}

/** Options of {@link ConferenceBridge.join}. */
export interface ConferenceJoinOptions {
  /** Leg id (default: the call's `callSid`). */
  id?: string;
  /** Linear gain of this leg in the others' mix (default 1). */
  gain?: number;
}

/** Events of a {@link ConferenceBridge}. */
export interface ConferenceBridgeEvents {
  join: [id: string, call: TwilioCall];
  leave: [id: string];
  error: [error: Error];
}

interface Leg {
  call: TwilioCall;
  onAudio: (pcm: Int16Array) => void;
  onStop: () => void;
  unregister: () => void;
}

/**
 * Joins several Twilio calls into one conference through @voxwire/mixer: every leg hears everyone but itself
 * (mix-minus), at a fixed 20 ms frame clock, with per-leg jitter buffers, gain, mute and a limiter. A leg
 * leaves when its stream stops.
 */
export class ConferenceBridge extends EventEmitter<ConferenceBridgeEvents> {
  /** The mixer underneath (stats, latency). */
  readonly mixer: AudioMixer;
  private readonly opts: ConferenceBridgeOptions;
  private readonly legs = new Map<string, Leg>();

  constructor(options: ConferenceBridgeOptions = {}) {
    super();
    this.opts = options;
    this.mixer = new AudioMixer({ sampleRate: options.sampleRate ?? TWILIO_SAMPLE_RATE, frameMs: 20 });
    this.mixer.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
  }

  /** Ids of the legs in the conference. */
  get participants(): string[] {
    return [...this.legs.keys()];
  }

  /**
   * Adds a call. Its caller audio goes into the mix; it receives the mix of all other legs.
   * @returns the leg id
   * @throws MixerError `DUPLICATE_STREAM` when the id is taken
   */
  join(call: TwilioCall, options: ConferenceJoinOptions = {}): string {
    const id = options.id ?? call.callSid;
    this.mixer.addStream(id, {
      sampleRate: call.sampleRate,
      channels: 1,
      gain: options.gain,
      jitterMs: this.opts.jitterMs,
      maxBufferMs: this.opts.maxBufferMs,
    });
    const rate = this.mixer.sampleRate;
    const leg: Leg = {
      call,
      onAudio: (pcm) => this.mixer.pushAudio(id, pcm),
      onStop: () => this.leave(id),
      // The mixer reuses the frame; sendAudio encodes it before returning, so no copy is needed.
      unregister: this.mixer.registerOutput((frame) => call.sendAudio(frame, rate), { exclude: [id] }),
    };
    call.on('audio', leg.onAudio);
    call.once('stop', leg.onStop);
    this.legs.set(id, leg);
    if (!this.opts.manualClock && !this.mixer.running) this.mixer.start();
    this.emit('join', id, call);
    return id;
  }

  /** Removes a leg (its call stays connected). */
  leave(id: string): void {
    const leg = this.legs.get(id);
    if (!leg) return;
    this.legs.delete(id);
    leg.call.off('audio', leg.onAudio);
    leg.call.off('stop', leg.onStop);
    leg.unregister();
    this.mixer.removeStream(id);
    if (this.legs.size === 0 && this.mixer.running) this.mixer.stop();
    this.emit('leave', id);
  }

  /** Mutes a leg in everyone else's mix. */
  mute(id: string): void {
    this.mixer.mute(id);
  }

  /** Unmutes a leg. */
  unmute(id: string): void {
    this.mixer.unmute(id);
  }

  /** Sets a leg's gain in everyone else's mix, ramped. */
  setGain(id: string, gain: number): void {
    this.mixer.setGain(id, gain);
  }

  /** Mixes and sends one frame now (with `manualClock`). */
  mixFrame(): void {
    this.mixer.mixFrame();
  }

  /** Removes every leg and stops the clock. */
  close(): void {
    for (const id of [...this.legs.keys()]) this.leave(id);
    if (this.mixer.running) this.mixer.stop();
  }
}
