import { EventEmitter } from 'node:events';
import type { AudioFrame } from '@voxwire/codecs';
import { emitError } from '@voxwire/core';
import { AudioMixer, type MixerError } from '@voxwire/mixer';
import type { TwilioCall } from './call.js';
import { TWILIO_SAMPLE_RATE } from './protocol.js';

/** Options of {@link TwilioConference}. */
export interface TwilioConferenceOptions {
  /** Mix rate in Hz (default 8000, the phone rate; legs whose `pcm` rate differs are resampled). */
  sampleRate?: number;
  /** Per-leg jitter-buffer depth before playout starts, ms (default: the mixer's, 2 frames). */
  jitterMs?: number;
  /** Most audio a leg may queue before the oldest is dropped, ms (default: the mixer's, 500). */
  maxBufferMs?: number;
  /** Drive the mix yourself with {@link TwilioConference.mixFrame} instead of the mixer's 20 ms clock. */
  manualClock?: boolean;
}

/** Options of {@link TwilioConference.join}. */
export interface TwilioConferenceJoinOptions {
  /** Leg id (default: the call's `callSid`). */
  id?: string;
  /** Linear gain of this leg in the others' mix (default 1). */
  gain?: number;
}

/** A leg of a {@link TwilioConference}, as its `join` event reports it. */
export interface TwilioConferenceLeg {
  id: string;
  call: TwilioCall;
}

/** Events of a {@link TwilioConference}. */
export interface TwilioConferenceEvents {
  /** A call joined. */
  join: [leg: TwilioConferenceLeg];
  /** A leg left (its stream stopped, or {@link TwilioConference.leave}). */
  leave: [leg: { id: string }];
  /** A leg's output failed (`MixerError` `OUTPUT_FAILED`); the conference keeps mixing. */
  error: [error: MixerError];
}

interface Leg {
  call: TwilioCall;
  onPcm: (frame: AudioFrame) => void;
  onStop: () => void;
  unregister: () => void;
}

/**
 * Joins several Twilio calls into one conference through @voxwire/mixer: every leg hears everyone but itself
 * (mix-minus), at a fixed 20 ms frame clock, with per-leg jitter buffers, gain, mute and a limiter. A leg
 * leaves when its stream stops.
 *
 * (Named `TwilioConference`, not a "bridge": in voxwire `bridge` is the package that connects a call to a
 * model. This is Twilio-specific mixing and lives with the Twilio transport.)
 */
export class TwilioConference extends EventEmitter<TwilioConferenceEvents> implements AsyncDisposable {
  /** The mixer underneath (stats, latency). */
  readonly mixer: AudioMixer;
  private readonly opts: TwilioConferenceOptions;
  private readonly legs = new Map<string, Leg>();
  private closed = false;

  constructor(options: TwilioConferenceOptions = {}) {
    super();
    this.opts = options;
    this.mixer = new AudioMixer({ sampleRate: options.sampleRate ?? TWILIO_SAMPLE_RATE, frameMs: 20 });
    // Errors reach this conference's listeners, or become a process warning without any (emitError).
    this.mixer.on('error', (err) => emitError(this, err));
  }

  /** Ids of the legs in the conference. */
  get participants(): string[] {
    return [...this.legs.keys()];
  }

  /**
   * Adds a call. Its caller audio (the `pcm` event) goes into the mix; it receives the mix of all other legs.
   * @returns the leg id
   * @throws MixerError `DUPLICATE_STREAM` when the id is taken, `CLOSED` after {@link close}
   */
  join(call: TwilioCall, options: TwilioConferenceJoinOptions = {}): string {
    const id = options.id ?? call.callSid;
    this.mixer.addStream(id, {
      sampleRate: call.sampleRate,
      channels: 1,
      gain: options.gain,
      jitterMs: this.opts.jitterMs,
      maxBufferMs: this.opts.maxBufferMs,
    });
    const leg: Leg = {
      call,
      onPcm: (frame) => this.mixer.pushAudio(id, frame),
      onStop: () => this.leave(id),
      // The mixer lends its frame; sendAudio encodes it before returning, so no copy is needed.
      unregister: this.mixer.registerOutput((frame) => call.sendAudio(frame), { exclude: [id] }),
    };
    call.on('pcm', leg.onPcm);
    call.once('stop', leg.onStop);
    this.legs.set(id, leg);
    if (!this.opts.manualClock && !this.mixer.running) this.mixer.start();
    this.emit('join', { id, call });
    return id;
  }

  /** Removes a leg (its call stays connected). */
  leave(id: string): void {
    const leg = this.legs.get(id);
    if (!leg) return;
    this.legs.delete(id);
    leg.call.off('pcm', leg.onPcm);
    leg.call.off('stop', leg.onStop);
    leg.unregister();
    if (this.mixer.hasStream(id)) this.mixer.removeStream(id);
    if (this.legs.size === 0 && this.mixer.running) this.mixer.stop();
    this.emit('leave', { id });
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

  /**
   * Removes every leg (their calls stay connected) and closes the mixer. Idempotent; `join()` afterwards
   * throws `CLOSED`.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.legs.keys()]) this.leave(id);
    await this.mixer.close();
  }

  /** `await using conference = new TwilioConference()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
