/**
 * @voxwire/bridge — joins phone calls (Twilio Media Streams, AudioCodes VoiceAI Connect) to a realtime
 * speech model.
 * @packageDocumentation
 */

export {
  type AudioCodesParseLimits,
  type AudioCodesParseResult,
  DEFAULT_PARSE_LIMITS,
  parseAudioCodesMessage,
} from './audiocodes/parse.js';
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
export {
  type AudioCodesConversationMessage,
  AudioCodesSession,
  type AudioCodesSessionOptions,
} from './audiocodes/session.js';
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
export { clip, MAX_QUOTED_CHARS } from './clip.js';
export { type AudioCodesErrorCode, AudioCodesProtocolError, CallEndedError } from './errors.js';
export { closeStalledSocket, guardFrameStalls, WsFrameTracker } from './frame-stall-guard.js';
export type { BridgeMetrics, LatencySummary } from './metrics.js';
export { CallPlaybackTracker } from './playback-tracker.js';
export {
  CallRecorder,
  type CallRecorderOptions,
  type CallRecording,
  type SavedRecording,
} from './recorder.js';
export { refuseUpgrade } from './refuse-upgrade.js';
export { TwilioCallSession, twilioCallSession } from './twilio-session.js';
