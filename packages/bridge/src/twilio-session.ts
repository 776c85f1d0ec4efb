import { type AnyFrame, alaw, encodedFrame, isEncodedFrame } from '@voxwire/codecs';
import type { TwilioCall } from '@voxwire/twilio-stream';
import type { CallCapabilities, CallSession, CallSpeechEvent } from './call-session.js';
import { CallSessionBase } from './call-session-base.js';
import { BridgeError } from './errors.js';

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
  private position = 0;
  private closing: Promise<void> | null = null;

  constructor(readonly call: TwilioCall) {
    super();
    // `media`, not `audio`: the payload is the call's mu-law after one base64 decode; subscribing to
    // `audio` would make the stream decode (and resample) every frame for nothing.
    call.on('media', (m) => {
      if (this.ended) return;
      const frame = encodedFrame('pcmu', m.payload, { position: this.position });
      this.position += m.payload.length;
      this.emit('audio', frame);
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

  sendAudio(frame: AnyFrame): void {
    this.assertOpen();
    if (isEncodedFrame(frame)) {
      if (frame.codec === 'pcmu' && frame.sampleRate === 8000 && frame.channels === 1) {
        this.call.sendMulaw(frame.data);
        return;
      }
      if (frame.codec === 'pcma' && frame.channels === 1) {
        this.call.sendAudio(alaw.decode(frame.data), frame.sampleRate);
        return;
      }
      throw new BridgeError('INVALID_ARGUMENT', `a Twilio call cannot play ${frame.codec} audio`);
    }
    if (frame.channels !== 1) throw new BridgeError('INVALID_ARGUMENT', 'a Twilio call plays mono audio');
    this.call.sendAudio(frame.data, frame.sampleRate);
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
