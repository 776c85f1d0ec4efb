/**
 * @voxwire/realtime-client — OpenAI Realtime (GA) WebSocket client: typed events, audio in and out at any
 * rate, tools, interruption with truncation to what was actually played, reconnect with session restore,
 * bounded send queue, metrics.
 * @packageDocumentation
 */

export { VoxwireError } from '@voxwire/core';
export { backoffDelay, DEFAULT_RECONNECT, type ReconnectOptions, type ReconnectPolicy } from './backoff.js';
export { RealtimeClient } from './client.js';
export type { ConversationEntry } from './conversation.js';
export { RealtimeClientError, type RealtimeClientErrorCode } from './errors.js';
export type {
  AudioInfo,
  CloseEvent,
  InterruptedEvent,
  RealtimeClientEvents,
  RealtimeHighLevelEvents,
  ReconnectedEvent,
  ReconnectingEvent,
  ResponseDoneEvent,
  ToolCallEvent,
  ToolResultEvent,
  TranscriptEvent,
  UnknownEvent,
  UserTranscriptEvent,
} from './events.js';
export type { RealtimeMetrics } from './metrics.js';
export { CLOSE_GRACE_MS } from './open-socket.js';
export type { RealtimeClientOptions } from './options.js';
export { PlaybackTimeline, type PlaybackTracker } from './playback.js';
export type * from './protocol.js';
export { BETA_EVENT_ALIASES, formatSampleRate, SERVER_EVENT_TYPES } from './protocol.js';
export type { OverflowInfo } from './send-queue.js';
export type { WebSocketClientOptions, WebSocketConstructor, WebSocketLike } from './socket.js';
export {
  parseToolArguments,
  type ToolContext,
  type ToolDefinition,
  type ToolHandler,
  type ToolOptions,
} from './tools.js';
