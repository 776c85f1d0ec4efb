/** Events every {@link CallSession} emits. */
export interface CallSessionEvents {
  /** Caller audio as mono Int16 PCM at {@link CallSession.inputSampleRate}. */
  audio: [pcm: Int16Array];
  /** A DTMF digit pressed by the caller. */
  dtmf: [digit: string];
  /** Any other platform activity (AudioCodes `activities` events), passed through by name. */
  activity: [name: string, value: unknown];
  /** The call ended (caller hung up, platform closed the stream, or {@link CallSession.hangup}). */
  end: [reason: string];
  /** Bad input from the platform; the call goes on. */
  error: [err: Error];
}

/**
 * One phone call as the bridge sees it, whatever the platform: caller audio in at a known rate, agent audio
 * out with a playback position the platform confirms, barge-in and hang-up.
 *
 * `TwilioCall` (through {@link twilioCallSession}) and {@link AudioCodesSession} implement it.
 */
export interface CallSession {
  /** Platform-unique call id (Twilio `callSid`, AudioCodes `conversationId`). */
  readonly id: string;
  /** Which platform carries the call. */
  readonly platform: 'twilio' | 'audiocodes';
  /** Sample rate of the PCM in `audio` events. */
  readonly inputSampleRate: number;
  /**
   * The platform's native wire encoding of the call, so the bridge can pick a pass-through format for the
   * model: `pcmu` (8 kHz mu-law) or `pcm16` at {@link CallSession.inputSampleRate}.
   */
  readonly wireFormat: 'pcmu' | 'pcm16';
  /** Sends agent audio (mono Int16 PCM at `sampleRate`); resampled and framed for the platform. */
  sendAudio(pcm: Int16Array, sampleRate: number): void;
  /** Marks the end of one agent utterance: flushes partial frames so the tail is played. */
  endUtterance(): void;
  /**
   * Milliseconds of agent audio the caller has actually heard on this call, cumulative. Audio dropped by
   * {@link CallSession.clear} was never heard and does not count.
   */
  playedMs(): number;
  /** Milliseconds of agent audio accepted by {@link CallSession.sendAudio} so far, cumulative (heard + queued). */
  sentMs(): number;
  /** Barge-in: drops all agent audio not yet played. */
  clear(): void;
  /** Ends the call from our side. */
  hangup(reason?: string): void;
  /** Whether the call has ended. */
  readonly ended: boolean;
  on<E extends keyof CallSessionEvents>(event: E, listener: (...args: CallSessionEvents[E]) => void): this;
  off<E extends keyof CallSessionEvents>(event: E, listener: (...args: CallSessionEvents[E]) => void): this;
  once<E extends keyof CallSessionEvents>(event: E, listener: (...args: CallSessionEvents[E]) => void): this;
}
