import type { AnyFrame } from '@voxwire/codecs';
import type { TwilioCall } from '@voxwire/twilio-stream';
import type { CallCapabilities, CallSession, CallSpeechEvent } from './call-session.js';
import { CallSessionBase } from './call-session-base.js';

const TWILIO_CAPABILITIES: CallCapabilities = Object.freeze({
  encodings: Object.freeze(['pcmu'] as const),
  clear: true,
  confirmedPlayback: true,
  speechEvents: false,
});

/**
 * The {@link CallSession} view of a Twilio Media Stream call. Caller audio is Twilio's mu-law, handed on
 * as `EncodedFrame`s after the one base64 decode (never decoded here); agent mu-law is sent unchanged.
 * Playback positions come from Twilio's echoed marks (exact to a frame), so barge-in truncates the model's
 * item to what the caller really heard. After the call ends, late audio and keys from the stream are
 * ignored and late protocol errors are only reported (to `error` listeners, if any are left).
 */
export class TwilioCallSession extends CallSessionBase implements CallSession {
  readonly platform = 'twilio';
  readonly capabilities = TWILIO_CAPABILITIES;
  readonly wireFormat = 'pcmu' as const;
  readonly inputSampleRate = 8000;
  /** Two 20 ms frames per model append (the OpusAgent design's ~40 ms buffer): 60 ms less per turn than 100. */
  readonly inputBatchMs = 40;
  private closing: Promise<void> | null = null;

  constructor(readonly call: TwilioCall) {
    super();
    // `audio`, not `pcm`: the frame is the call's mu-law after one base64 decode (gaps filled with
    // silence); listening to `pcm` would make the stream decode every frame for nothing.
    call.on('audio', (frame) => {
      if (!this.ended) this.emit('audio', frame);
    });
    call.on('dtmf', (digit) => {
      if (!this.ended) this.emit('dtmf', { digit });
    });
    call.on('error', (err) => this.report(err));
    call.on('stop', (info) => this.finish(info.reason === 'stop' ? 'caller hung up' : 'stream closed'));
  }

  /** Twilio's `callSid` (the stream's id before `start` arrives). */
  get id(): string {
    return this.call.callSid || this.call.streamSid;
  }

  /** A `pcmu` frame is queued unchanged; PCM (any rate) and `pcma` are converted by the stream. */
  sendAudio(frame: AnyFrame): void {
    this.assertOpen();
    this.call.sendAudio(frame);
  }

  endUtterance(): void {
    if (this.ended) return;
    // The mark's promise settles when Twilio echoes it; positions are read through playedMs().
    void this.call.endUtterance();
  }

  playedMs(): number {
    return this.call.playedMs();
  }

  sentMs(): number {
    return this.call.sentMs();
  }

  underruns(): number {
    return this.call.outboundStats.underruns;
  }

  clear(): void {
    if (!this.ended) this.call.clear();
  }

  /** Twilio has no use for the caller's speech events: a no-op (`capabilities.speechEvents` is false). */
  speech(_event: CallSpeechEvent): void {}

  hangup(reason = 'hangup by bot'): void {
    if (this.ended) return;
    this.finish(reason);
    this.closing = this.call.hangup().catch((err: unknown) => this.report(err as Error));
  }

  async close(): Promise<void> {
    this.hangup('closed by application');
    await (this.closing ?? this.call.close());
  }
}

/** Wraps a `TwilioCall` as a {@link CallSession}. */
export function twilioCallSession(call: TwilioCall): TwilioCallSession {
  return new TwilioCallSession(call);
}
