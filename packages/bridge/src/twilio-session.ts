import type { TwilioCall } from '@voxwire/twilio-stream';
import type { CallSession } from './call-session.js';
import { CallSessionBase } from './call-session-base.js';

/**
 * The {@link CallSession} view of a Twilio Media Stream call. Playback positions come from Twilio's echoed
 * marks (exact to a frame), so barge-in truncates the model's item to what the caller really heard.
 * After the call ends, late audio and keys from the stream are ignored and late protocol errors are only
 * reported (to `error` listeners, if any are left).
 */
export class TwilioCallSession extends CallSessionBase implements CallSession {
  readonly platform = 'twilio' as const;
  readonly wireFormat = 'pcmu' as const;
  constructor(readonly call: TwilioCall) {
    super();
    call.on('audio', (pcm) => {
      if (!this.ended) this.emit('audio', pcm);
    });
    call.on('dtmf', (digit) => {
      if (!this.ended) this.emit('dtmf', digit);
    });
    call.on('error', (err) => this.report(err));
    call.on('stop', (info) => this.finish(info.reason === 'stop' ? 'caller hung up' : 'stream closed'));
  }

  /** Twilio's `callSid` (the stream's id before `start` arrives). */
  get id(): string {
    return this.call.callSid || this.call.streamSid;
  }

  get inputSampleRate(): number {
    return this.call.sampleRate;
  }

  sendAudio(pcm: Int16Array, sampleRate: number): void {
    this.assertOpen();
    this.call.sendAudio(pcm, sampleRate);
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

  hangup(reason = 'hangup by bot'): void {
    if (this.ended) return;
    this.finish(reason);
    this.call.hangup().catch((err: unknown) => this.report(err as Error));
  }
}

/** Wraps a `TwilioCall` as a {@link CallSession}. */
export function twilioCallSession(call: TwilioCall): TwilioCallSession {
  return new TwilioCallSession(call);
}
