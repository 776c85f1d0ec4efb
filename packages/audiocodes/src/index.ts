/**
 * @voxwire/audiocodes — the AudioCodes VoiceAI Connect Bot API endpoint (streaming mode): VAIC connects
 * with a bearer token, each accepted conversation is an {@link AudioCodesSession} with caller audio as
 * frames, play streams for agent audio, DTMF, activities and hang-up.
 * @packageDocumentation
 */

export { VoxwireError } from '@voxwire/core';
export { clip, closeReason, MAX_QUOTED_CHARS } from './clip.js';
export {
  AudioCodesError,
  type AudioCodesErrorCode,
  AudioCodesProtocolError,
  type AudioCodesProtocolErrorCode,
} from './errors.js';
export { closeStalledSocket, guardFrameStalls, WsFrameTracker } from './frame-stall-guard.js';
export {
  type AudioCodesParseLimits,
  type AudioCodesParseResult,
  DEFAULT_PARSE_LIMITS,
  parseAudioCodesMessage,
} from './parse.js';
export {
  AUDIOCODES_DEFAULT_FORMAT,
  AUDIOCODES_MEDIA_FORMATS,
  AUDIOCODES_PREFERRED_FORMAT,
  type AudioCodesActivity,
  type AudioCodesInbound,
  type AudioCodesMediaFormat,
  type AudioCodesOutbound,
  type AudioCodesParticipant,
  chooseMediaFormat,
  isAudioCodesMediaFormat,
} from './protocol.js';
export { refuseUpgrade } from './refuse-upgrade.js';
export {
  AudioCodesServer,
  type AudioCodesServerEvents,
  type AudioCodesServerOptions,
  createAudioCodesServer,
} from './server.js';
export {
  type AudioCodesConversationMessage,
  AudioCodesSession,
  type AudioCodesSessionEvents,
  type AudioCodesSessionOptions,
} from './session.js';
export { AudioCodesTestClient, type AudioCodesTestMessage } from './test-client.js';
