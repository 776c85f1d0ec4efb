/**
 * @voxwire/twilio-stream — Twilio Media Streams server (signature check, typed events, per-call session
 * with inbound audio as `pcmu` EncodedFrames or decoded AudioFrames and paced outbound audio with marks and
 * clear), REST call control, TwiML, Twilio conferences over @voxwire/mixer, and a Twilio simulator for tests
 * and load.
 * @packageDocumentation
 */

export type { AnyFrame, AudioFrame, EncodedFrame } from '@voxwire/codecs';
export { VoxwireError } from '@voxwire/core';

export {
  DEFAULT_MAX_QUEUE_MS,
  type TwilioAudioInfo,
  TwilioCall,
  type TwilioCallEvents,
  type TwilioCallOptions,
  type TwilioOutboundStats,
  type TwilioStartInfo,
  type TwilioStopInfo,
} from './call.js';
export {
  TwilioConference,
  type TwilioConferenceEvents,
  type TwilioConferenceJoinOptions,
  type TwilioConferenceLeg,
  type TwilioConferenceOptions,
} from './conference.js';
export {
  SimulatorConnectError,
  type SimulatorConnectErrorCode,
  TwilioRestError,
  type TwilioRestErrorCode,
  TwilioStreamError,
  type TwilioStreamErrorCode,
} from './errors.js';
export type { TwilioGap, TwilioInboundStats } from './inbound.js';
export type { TwilioClearResult, TwilioMarkResult } from './outbound.js';
export {
  BYTES_PER_MS,
  FRAME_BYTES,
  FRAME_MS,
  parseTwilioMessage,
  TWILIO_SAMPLE_RATE,
  type TwilioInboundMessage,
  type TwilioMessageCommon,
  type TwilioOutboundMessage,
  type TwilioParsedMessage,
} from './protocol.js';
export {
  type CreateCallParams,
  type FetchLike,
  type TwilioCallResource,
  type TwilioClientCallOptions,
  type TwilioClientLike,
  TwilioRest,
  type TwilioRestOptions,
} from './rest.js';
export {
  createMediaStreamServer,
  type MediaStreamRejection,
  MediaStreamServer,
  type MediaStreamServerEvents,
  type MediaStreamServerOptions,
} from './server.js';
export {
  computeTwilioSignature,
  signatureAlgorithm,
  type TwilioSignatureAlgorithm,
  type TwilioSignedParams,
  type ValidateSignatureOptions,
  validateTwilioRequestWithBody,
  validateTwilioSignature,
} from './signature.js';
export {
  type SimulatorClearRecord,
  type SimulatorMarkRecord,
  type SimulatorReport,
  TwilioSimulator,
  type TwilioSimulatorEvents,
  type TwilioSimulatorOptions,
} from './simulator.js';
export { type ConnectStreamOptions, twiml } from './twiml.js';
