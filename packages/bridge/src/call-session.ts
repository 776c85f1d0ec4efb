import type { EventEmitter } from 'node:events';
import type { AnyFrame, EncodedCodec } from '@voxwire/codecs';
import type { AsyncCloseable } from '@voxwire/core';

/** Events every {@link CallSession} emits. */
export interface CallSessionEvents {
  /**
   * Caller audio in the call's own encoding ({@link CallSession.wireFormat}): an `EncodedFrame` (`pcmu`,
   * 8 kHz) for a G.711 call, an `AudioFrame` (mono PCM at {@link CallSession.inputSampleRate}) for a PCM
   * call. Nothing is decoded for a listener that does not need PCM. The listener owns the frame.
   */
  audio: [frame: AnyFrame];
  /** A DTMF key pressed by the caller. */
  dtmf: [event: { digit: string }];
  /**
   * The platform says the caller's utterance ended (AudioCodes `userStream.stop`; Twilio never says so).
   * With `localVad.commitTurns` the bridge commits the turn here if its VAD has not yet.
   */
  utteranceEnd: [info: { reason: string }];
  /** Any other platform activity (AudioCodes `activities` events), passed through by name. */
  activity: [event: { name: string; value: unknown }];
  /** The call ended (caller hung up, platform closed the stream, or {@link CallSession.hangup}). */
  end: [info: { reason: string }];
  /** Bad input from the platform; the call goes on. */
  error: [err: Error];
}

/**
 * What a platform can do, so generic code (the bridge) asks for a capability instead of testing which
 * platform carries the call.
 */
export interface CallCapabilities {
  /**
   * Encoded codecs {@link CallSession.sendAudio} sends unchanged (pass-through: a G.711 call takes the
   * model's mu-law bytes as they are). PCM `AudioFrame`s at any rate are always accepted.
   */
  readonly encodings: readonly EncodedCodec[];
  /** {@link CallSession.clear} drops agent audio queued at the platform (barge-in can silence the agent). */
  readonly clear: boolean;
  /**
   * {@link CallSession.playedMs} is confirmed by the platform (Twilio's echoed marks); otherwise it is
   * estimated from real-time playout of what was sent (AudioCodes' Bot API has no acknowledgements).
   */
  readonly confirmedPlayback: boolean;
  /**
   * The platform wants the caller's speech events and transcripts ({@link CallSession.speech}): AudioCodes
   * VAIC uses them for its own barge-in and recognition reports.
   */
  readonly speechEvents: boolean;
}

/** What {@link CallSession.speech} tells a platform that has {@link CallCapabilities.speechEvents}. */
export type CallSpeechEvent =
  | { type: 'started' }
  | { type: 'stopped' }
  | { type: 'transcript'; text: string };

/**
 * One phone call as the bridge sees it, whatever the platform: caller audio in its own encoding, agent
 * audio out with a playback position the platform confirms (or estimates), barge-in and hang-up.
 *
 * {@link twilioCallSession} and {@link audioCodesCallSession} adapt the two platforms' calls. `close()`
 * hangs up and resolves once the platform's connection is released.
 */
export interface CallSession extends EventEmitter<CallSessionEvents>, AsyncCloseable {
  /** Platform-unique call id (Twilio `callSid`, AudioCodes `conversationId`). */
  readonly id: string;
  /** Which platform carries the call, for logs (`twilio`, `audiocodes`); behaviour follows {@link capabilities}. */
  readonly platform: string;
  /** What this platform can do. */
  readonly capabilities: CallCapabilities;
  /** Sample rate of the caller audio (8000 for a G.711 call). */
  readonly inputSampleRate: number;
  /**
   * The call's own encoding, so the bridge can pick a pass-through format for the model: `pcmu` (8 kHz
   * mu-law, `audio` frames are `EncodedFrame`s) or `pcm16` at {@link CallSession.inputSampleRate}.
   */
  readonly wireFormat: 'pcmu' | 'pcm16';
  /**
   * How much G.711 caller audio the bridge gathers into one model append, ms (see the bridge's
   * `inputBatchMs`). Optional: without it the bridge uses 100 ms. A batch waits for its last frame, so this
   * is latency added to every turn; Twilio calls say 40 (two 20 ms frames).
   */
  readonly inputBatchMs?: number;
  /**
   * Plays agent audio: a mono PCM frame at any rate (resampled and encoded for the platform) or an encoded
   * frame in one of {@link CallCapabilities.encodings} (sent unchanged).
   * @throws CallEndedError after the call ended; the platform's error for audio it cannot take
   */
  sendAudio(frame: AnyFrame): void;
  /** Marks the end of one agent utterance: flushes partial frames so the tail is played. */
  endUtterance(): void;
  /**
   * Milliseconds of agent audio the caller has actually heard on this call, cumulative. Audio dropped by
   * {@link CallSession.clear} was never heard and does not count.
   */
  playedMs(): number;
  /** Milliseconds of agent audio accepted by {@link CallSession.sendAudio} so far, cumulative (heard + queued). */
  sentMs(): number;
  /**
   * Times the platform ran out of agent audio in the middle of an utterance (the caller heard a gap), when
   * the platform reports playback (Twilio's progress marks); absent where it cannot be known.
   */
  underruns?(): number;
  /** Barge-in: drops all agent audio not yet played (a no-op without {@link CallCapabilities.clear}). */
  clear(): void;
  /** Tells the platform about the caller's speech (a no-op without {@link CallCapabilities.speechEvents}). */
  speech(event: CallSpeechEvent): void;
  /** Ends the call from our side (on the wire: Twilio closes the stream, AudioCodes gets a `hangup` activity). */
  hangup(reason?: string): void;
  /** Whether the call has ended. */
  readonly ended: boolean;
}
