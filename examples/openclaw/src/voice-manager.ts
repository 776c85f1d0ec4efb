// OpenClaw's TwilioVoiceManager: the media stream server, REST call control and per-call audio routing hooks.
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { VoxwireError } from '@voxwire/core';
import {
  createMediaStreamServer,
  type MediaStreamServer,
  type TwilioCall,
  TwilioRest,
  twiml,
} from '@voxwire/twilio-stream';
import type { Logger } from './logger.js';

/** The design's `TwilioConferenceBridge`: calls-only conferences over @voxwire/mixer (mix-minus legs). */
export { TwilioConference as TwilioConferenceBridge } from '@voxwire/twilio-stream';

/** Options of {@link TwilioVoiceManager}. */
export interface TwilioVoiceManagerOptions {
  accountSid?: string;
  authToken?: string;
  /** The caller id of outbound calls (`TWILIO_PHONE_NUMBER`). */
  phoneNumber?: string;
  /** Public `wss://…` URL of the media stream (what the TwiML names and Twilio signs). */
  mediaStreamUrl?: string;
  /** Public webhook URL answering with the TwiML (used by makeCall when set; else inline TwiML). */
  webhookUrl?: string;
  /** REST base URL (tests point it at a local stand-in) and fetch implementation. */
  restBaseUrl?: string;
  fetch?: typeof fetch;
  /** Rate of call audio handed to `onCallAudio` (default 8000, the phone rate). */
  sampleRate?: number;
  log: Logger;
}

/** Events of {@link TwilioVoiceManager}. */
export interface TwilioVoiceManagerEvents {
  /** A call's media stream started (its `callSid` is known). */
  call: [call: TwilioCall];
  /** A call's media stream ended. */
  'call-end': [callSid: string, reason: string];
}

/** Why call control refused: `UNKNOWN_CALL` (no such call, or it ended), `NOT_CONFIGURED` (Twilio settings missing). */
export type VoiceManagerErrorCode = 'UNKNOWN_CALL' | 'NOT_CONFIGURED';

/** Thrown by call control for an unknown call or missing configuration. */
export class VoiceManagerError extends VoxwireError<VoiceManagerErrorCode> {}

/**
 * Twilio voice for OpenClaw: accepts media streams, tracks calls by `callSid`, places and ends calls over REST,
 * and hands each call's audio to `onCallAudio`.
 */
export class TwilioVoiceManager extends EventEmitter<TwilioVoiceManagerEvents> {
  /** Caller audio of every call: Int16 PCM at `sampleRate`. */
  onCallAudio: ((callSid: string, pcm: Int16Array) => void) | undefined;
  readonly sampleRate: number;
  private readonly opts: TwilioVoiceManagerOptions;
  private readonly rest: TwilioRest | undefined;
  private readonly active = new Map<string, TwilioCall>();
  private server: MediaStreamServer | undefined;

  constructor(options: TwilioVoiceManagerOptions) {
    super();
    this.opts = options;
    this.sampleRate = options.sampleRate ?? 8000;
    this.rest =
      options.accountSid && options.authToken
        ? new TwilioRest({
            accountSid: options.accountSid,
            authToken: options.authToken,
            baseUrl: options.restBaseUrl,
            fetch: options.fetch,
          })
        : undefined;
  }

  /** Calls whose media stream is running, by call SID. */
  get calls(): ReadonlyMap<string, TwilioCall> {
    return this.active;
  }

  /**
   * Accepts Twilio media streams on `server` at `path` (signed upgrades only when an auth token and a
   * public URL are configured).
   */
  async startMediaStreamServer(server: Server, path = '/media-stream'): Promise<MediaStreamServer> {
    const { authToken, mediaStreamUrl } = this.opts;
    const media = await createMediaStreamServer({
      server,
      path,
      authToken: authToken && mediaStreamUrl ? authToken : undefined,
      publicUrl: authToken && mediaStreamUrl ? mediaStreamUrl : undefined,
      sampleRate: this.sampleRate,
      onHangup: this.rest ? (call) => this.rest?.hangup(call.callSid) : undefined,
    });
    if (authToken && !mediaStreamUrl)
      this.opts.log.warn(
        'TWILIO_AUTH_TOKEN set without MEDIA_STREAM_URL: media stream signatures are not checked',
      );
    media.on('rejected', (r) => this.opts.log.warn('media stream refused', { ...r }));
    media.on('error', (err, call) =>
      this.opts.log.warn('media stream error', { err, callSid: call?.callSid }),
    );
    media.on('call', (call) => {
      call.on('error', (err) => this.opts.log.warn('call error', { callSid: call.callSid, err }));
      call.whenStarted().then(
        () => this.adopt(call),
        () => {},
      );
    });
    this.server = media;
    return media;
  }

  private adopt(call: TwilioCall): void {
    const sid = call.callSid;
    if (!call.active || this.active.has(sid)) return;
    this.active.set(sid, call);
    call.on('pcm', (frame) => this.onCallAudio?.(sid, frame.data));
    call.once('stop', (info) => {
      if (this.active.get(sid) === call) this.active.delete(sid);
      this.emit('call-end', sid, info.reason);
    });
    this.emit('call', call);
  }

  /** TwiML connecting a call to this server's media stream (the webhook's answer). */
  twiml(fallbackUrl: string): string {
    return twiml.connectStream({ url: this.opts.mediaStreamUrl ?? fallbackUrl });
  }

  /**
   * Places an outbound call that streams into OpenClaw.
   * @returns the call SID
   * @throws VoiceManagerError `NOT_CONFIGURED` without account SID, auth token, phone number and a stream URL
   */
  async makeCall(to: string): Promise<string> {
    const { phoneNumber, webhookUrl, mediaStreamUrl } = this.opts;
    if (!this.rest || !phoneNumber || (!webhookUrl && !mediaStreamUrl))
      throw new VoiceManagerError(
        'NOT_CONFIGURED',
        'makeCall needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER and WEBHOOK_URL or MEDIA_STREAM_URL',
      );
    const target = webhookUrl
      ? { url: webhookUrl }
      : { twiml: twiml.connectStream({ url: mediaStreamUrl as string }) };
    const res = await this.rest.createCall({ to, from: phoneNumber, ...target });
    this.opts.log.info('call placed', { callSid: res.sid, to, status: res.status });
    return res.sid;
  }

  /**
   * Ends a call: over REST (when configured) and by closing its media stream.
   * @throws VoiceManagerError `UNKNOWN_CALL` when the call is neither streaming nor reachable over REST
   */
  async hangupCall(callSid: string): Promise<void> {
    const call = this.active.get(callSid);
    if (call) {
      await call.hangup();
      return;
    }
    if (!this.rest) throw new VoiceManagerError('UNKNOWN_CALL', `no active call ${callSid}`);
    await this.rest.hangup(callSid);
  }

  /**
   * Plays PCM to one call (resampled to 8 kHz mu-law, paced by Twilio's mark echoes).
   * @throws VoiceManagerError `UNKNOWN_CALL` (also after the call ended); TwilioStreamError for unusable audio
   */
  sendAudioToCall(callSid: string, pcm: Int16Array, sampleRate: number): void {
    const call = this.active.get(callSid);
    if (!call) throw new VoiceManagerError('UNKNOWN_CALL', `no active call ${callSid}`);
    if (!call.active) throw new VoiceManagerError('UNKNOWN_CALL', `call ${callSid} has ended`);
    call.sendAudio({ data: pcm, sampleRate, channels: 1, position: 0 });
  }

  /** Hangs up the streams and stops accepting new ones. */
  async close(): Promise<void> {
    // The server's close waits for these same (idempotent) closes.
    for (const call of this.active.values()) void call.close(1001, 'shutting down');
    this.active.clear();
    await this.server?.close();
    this.server = undefined;
  }
}
