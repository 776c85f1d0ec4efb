/**
 * @voxwire/webrtc — WebRTC audio for voice agents on werift: peers carrying Opus (jitter buffer, loss
 * concealment, real-time paced sending), a WebSocket signaling server, a multi-connection manager and a small
 * browser client.
 * @packageDocumentation
 */

export { WebRtcError, type WebRtcErrorCode } from './errors.js';
export {
  JitterBuffer,
  type JitterBufferOptions,
  type JitterBufferStats,
  type JitterFrameHandler,
  seqDiff,
} from './jitter-buffer.js';
export { type RtpReceiveCounters, RtpReceiveStats } from './receive-stats.js';
export {
  CLIENT_MESSAGE_TYPES,
  type IceCandidateInit,
  parseClientMessage,
  type SignalingClientMessage,
  type SignalingServerMessage,
} from './signaling-messages.js';
