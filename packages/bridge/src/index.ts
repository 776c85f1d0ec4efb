/**
 * @voxwire/bridge — joins phone calls (Twilio Media Streams through `@voxwire/twilio-stream`, AudioCodes
 * VoiceAI Connect through `@voxwire/audiocodes`) to a realtime speech model.
 * @packageDocumentation
 */

export { VoxwireError } from '@voxwire/core';
export { AudioCodesCallSession, audioCodesCallSession } from './audiocodes-session.js';
export {
  type BridgeCallOptions,
  type BridgeResult,
  bridgeCall,
  CallBridge,
  type CallBridgeEvents,
  type LocalVadOptions,
  sessionFormatsFor,
} from './bridge.js';
export type {
  CallCapabilities,
  CallSession,
  CallSessionEvents,
  CallSpeechEvent,
} from './call-session.js';
export { BridgeError, type BridgeErrorCode, CallEndedError } from './errors.js';
export {
  BridgeFleetCall,
  type BridgeFleetCallOptions,
  type BridgeFleetCallState,
  bridgeFleetCall,
  type FleetCallMetricsSink,
} from './fleet-call.js';
export type { BridgeMetrics, LatencySummary } from './metrics.js';
export { CallPlaybackTracker } from './playback-tracker.js';
export {
  CallRecorder,
  type CallRecorderOptions,
  type CallRecording,
  type SavedRecording,
} from './recorder.js';
export { TwilioCallSession, twilioCallSession } from './twilio-session.js';
