import type { AudioCodesSession } from '@voxwire/audiocodes';
import type { AnyFrame } from '@voxwire/codecs';
import type { CallCapabilities, CallSession, CallSpeechEvent } from './call-session.js';
import { CallSessionBase } from './call-session-base.js';

const PCM_CAPABILITIES: CallCapabilities = Object.freeze({
  encodings: Object.freeze([] as const),
  clear: true,
  confirmedPlayback: false,
  speechEvents: true,
});
const MULAW_CAPABILITIES: CallCapabilities = Object.freeze({
  ...PCM_CAPABILITIES,
  encodings: Object.freeze(['pcmu'] as const),
});

/**
 * The {@link CallSession} view of an AudioCodes VoiceAI Connect conversation (`@voxwire/audiocodes`).
 * Caller audio comes in the conversation's format (PCM, or mu-law bytes on `raw/mulaw`); the caller's
 * speech events and transcripts go to VAIC (it uses them for its own barge-in and reports). The Bot API
 * has no playback acknowledgements: `playedMs()` follows real-time playout of what was sent.
 */
export class AudioCodesCallSession extends CallSessionBase implements CallSession {
  readonly platform = 'audiocodes';
  readonly capabilities: CallCapabilities;
  readonly inputSampleRate: number;
  readonly wireFormat: 'pcmu' | 'pcm16';
  /**
   * `raw/mulaw` chunks are gathered into 100 ms appends (VAIC sends chunks of about that length, so this
   * rarely waits); PCM chunks go to the client as they come and it batches them (its `batchMs`).
   */
  readonly inputBatchMs = 100;

  constructor(readonly session: AudioCodesSession) {
    super();
    this.inputSampleRate = session.inputSampleRate;
    this.wireFormat = session.wireFormat;
    this.capabilities = session.wireFormat === 'pcmu' ? MULAW_CAPABILITIES : PCM_CAPABILITIES;
    session.on('audio', (frame) => {
      if (!this.ended) this.emit('audio', frame);
    });
    session.on('dtmf', (e) => {
      if (!this.ended) this.emit('dtmf', e);
    });
    session.on('userStreamStop', () => {
      if (!this.ended) this.emit('utteranceEnd', { reason: 'userStream.stop' });
    });
    session.on('activity', (a) => {
      if (!this.ended) this.emit('activity', { name: a.name ?? a.type, value: a.value ?? a.parameters });
    });
    session.on('error', (err) => this.report(err));
    session.on('end', ({ reason }) => this.finish(reason));
    if (session.ended) this.finish(session.endReason ?? 'ended');
  }

  /** The conversation id. */
  get id(): string {
    return this.session.id;
  }

  sendAudio(frame: AnyFrame): void {
    this.assertOpen();
    this.session.sendAudio(frame);
  }

  endUtterance(): void {
    this.session.endUtterance();
  }

  playedMs(): number {
    return this.session.playedMs();
  }

  sentMs(): number {
    return this.session.sentMs();
  }

  clear(): void {
    this.session.clear();
  }

  speech(event: CallSpeechEvent): void {
    if (this.ended) return;
    if (event.type === 'started') this.session.speechStarted();
    else if (event.type === 'stopped') this.session.speechStopped();
    else if (event.text) this.session.recognition(event.text);
  }

  hangup(reason = 'hangup by bot'): void {
    this.session.hangup(reason);
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

/** Wraps an AudioCodes conversation as a {@link CallSession}. */
export function audioCodesCallSession(session: AudioCodesSession): AudioCodesCallSession {
  return new AudioCodesCallSession(session);
}
