/**
 * @voxwire/webrtc — WebRTC audio for voice agents on werift: peers carrying Opus (jitter buffer, loss
 * concealment, real-time paced sending), a WebSocket signaling server, a multi-connection manager and a small
 * browser client. Audio goes in and out as `AudioFrame`s (and Opus `EncodedFrame`s) of `@voxwire/codecs`;
 * errors are `WebRtcError`s, a `VoxwireError`.
 * @packageDocumentation
 */

export type { AudioFrame, EncodedFrame, OpusApplication } from '@voxwire/codecs';
export { VoxwireError } from '@voxwire/core';
export { browserClientPath, browserDemoPage } from './browser-client.js';
export type { OpusBackendPreference } from './codec-adapter.js';
export { WebRtcError, type WebRtcErrorCode } from './errors.js';
export { FrameClock, type FrameClockStats, type FrameSlotHandler } from './frame-clock.js';
export {
  type FrameDecoder,
  InboundAudio,
  type InboundAudioOptions,
  type InboundFrameInfo,
  type OutputConverter,
} from './inbound-audio.js';
export {
  JanusAudioBridge,
  type JanusAudioBridgeEvents,
  type JanusAudioBridgeJoined,
  type JanusAudioBridgeJoinOptions,
  type JanusAudioBridgeOptions,
  type JanusAudioBridgeRoomOptions,
} from './janus/audiobridge.js';
export {
  JanusClient,
  type JanusClientEvents,
  type JanusClientOptions,
  type JanusReconnectInfo,
} from './janus/client.js';
export { type JanusDetachReason, JanusHandle, type JanusHandleEvents } from './janus/handle.js';
export { JANUS_CORE_ERRORS, JanusError } from './janus/janus-error.js';
export type { JanusIncoming, JanusJsep, JanusPluginData, JanusPluginResponse } from './janus/messages.js';
export type { JanusParticipant } from './janus/participants.js';
export {
  JanusVideoRoom,
  type JanusVideoRoomOptions,
  type JanusVideoRoomRoomOptions,
} from './janus/videoroom.js';
export {
  JanusVideoRoomPublisher,
  type JanusVideoRoomPublisherEvents,
} from './janus/videoroom-publisher.js';
export {
  JanusVideoRoomSubscriber,
  type JanusVideoRoomSubscriberEvents,
} from './janus/videoroom-subscriber.js';
export {
  JitterBuffer,
  type JitterBufferOptions,
  type JitterBufferStats,
  type JitterFrameHandler,
  seqDiff,
} from './jitter-buffer.js';
export {
  type ConnectionAudioHandler,
  type ConnectionAudioInfo,
  WebRtcManager,
  type WebRtcManagerEvents,
  type WebRtcManagerOptions,
} from './manager.js';
export {
  type FrameEncoder,
  OutboundAudio,
  type OutboundAudioOptions,
  type OutboundAudioStats,
} from './outbound-audio.js';
export {
  type AudioFrameInfo,
  type IceCandidateInfo,
  type IceCandidatePairInfo,
  type IceServer,
  WebRtcAudioPeer,
  type WebRtcAudioPeerEvents,
  type WebRtcAudioPeerOptions,
  type WebRtcAudioStats,
  type WebRtcConnectionState,
} from './peer.js';
export { type RtpReceiveCounters, RtpReceiveStats } from './receive-stats.js';
export {
  CLIENT_MESSAGE_TYPES,
  type IceCandidateInit,
  parseClientMessage,
  type SignalingClientMessage,
  type SignalingServerMessage,
} from './signaling-messages.js';
export {
  createSignalingServer,
  SignalingServer,
  type SignalingServerEvents,
  type SignalingServerOptions,
  type SignalingSession,
} from './signaling-server.js';
export {
  createTurnRestCredential,
  type TurnRestCredential,
  type TurnRestCredentialOptions,
  turnCredentialExpiry,
  turnIceServer,
} from './turn-credentials.js';
export { isWeriftPatched } from './werift-patch.js';
export {
  applyWeriftPatch,
  installedWeriftDir,
  WERIFT_PATCH_VERSION,
  type WeriftPatchOptions,
  type WeriftPatchResult,
} from './werift-patch-apply.js';
