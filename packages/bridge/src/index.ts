/**
 * @voxwire/bridge — joins phone calls (Twilio Media Streams, AudioCodes VoiceAI Connect) to a realtime
 * speech model.
 * @packageDocumentation
 */

export {
  AUDIOCODES_FORMAT_PREFERENCE,
  AUDIOCODES_MEDIA_FORMATS,
  type AudioCodesActivity,
  type AudioCodesInbound,
  type AudioCodesMediaFormat,
  type AudioCodesOutbound,
  chooseMediaFormat,
} from './audiocodes/protocol.js';
export {
  AudioCodesConfigError,
  type AudioCodesServer,
  type AudioCodesServerEvents,
  type AudioCodesServerOptions,
  createAudioCodesServer,
} from './audiocodes/server.js';
export { AudioCodesSession, type AudioCodesSessionOptions } from './audiocodes/session.js';
export {
  type BridgeCallOptions,
  type BridgeResult,
  bridgeCall,
  type CallBridge,
  type CallBridgeEvents,
  type LocalVadOptions,
  sessionFormatsFor,
} from './bridge.js';
export type { CallSession, CallSessionEvents } from './call-session.js';
export { CallEndedError } from './errors.js';
export type { BridgeMetrics, LatencySummary } from './metrics.js';
export { CallPlaybackTracker } from './playback-tracker.js';
export {
  CallRecorder,
  type CallRecorderOptions,
  type CallRecording,
  type SavedRecording,
} from './recorder.js';
export { TwilioCallSession, twilioCallSession } from './twilio-session.js';
