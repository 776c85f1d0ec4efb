import type { AnyFrame } from '@voxwire/codecs';
import type { RealtimeClientError } from './errors.js';
import type { ServerEvent, ServerEventOf, ServerEventType, ServerResponse } from './protocol.js';
import type { OverflowInfo } from './send-queue.js';

// The events of RealtimeClient: payload types and the typed EventEmitter map.

/** Which assistant audio an `audio` frame belongs to (the event's second argument). */
export interface AudioInfo {
  responseId: string;
  itemId: string;
  contentIndex: number;
}

/** Assistant speech text (transcript of the audio, or text output). */
export interface TranscriptEvent {
  itemId: string;
  responseId: string;
  /** New text ('' on the final event). */
  delta: string;
  /** All text of the item so far. */
  text: string;
  done: boolean;
}

/** Transcript of the user's audio. */
export interface UserTranscriptEvent {
  itemId: string;
  delta: string;
  text: string;
  done: boolean;
}

/** A function call from the model. */
export interface ToolCallEvent {
  callId: string;
  name: string;
  itemId: string;
  responseId: string;
  /** The raw argument string. */
  rawArguments: string;
  /** Whether a handler registered with `addTool` runs it (otherwise call `sendToolOutput`). */
  handled: boolean;
}

/** A finished tool call. */
export interface ToolResultEvent {
  callId: string;
  name: string;
  output: string;
  error?: RealtimeClientError;
}

/** A finished response. */
export interface ResponseDoneEvent {
  responseId: string;
  status: ServerResponse['status'];
  response: ServerResponse;
}

/**
 * Assistant audio was interrupted: whatever plays it should drop what it has queued of `itemId`
 * (and anything after it).
 */
export interface InterruptedEvent {
  /** The item that was playing. */
  itemId: string;
  /** How much of it was heard: the `audio_end_ms` it was truncated to. */
  playedMs: number;
}

/** A reconnection is about to be attempted. */
export interface ReconnectingEvent {
  attempt: number;
  delayMs: number;
  /** Why: the close code/reason, or `rollover` for a planned switch to a fresh session. */
  reason: string;
  planned: boolean;
}

/** A reconnection succeeded and the session was restored. */
export interface ReconnectedEvent {
  attempt: number;
  /** Conversation items re-created in the new session. */
  restoredItems: number;
  planned: boolean;
  /** A response was in progress when the connection dropped (its partial text is in the restored context). */
  responseCut: boolean;
  /** A new response was requested for it (option `resumeResponse`). */
  resumed: boolean;
}

/** The client closed for good. */
export interface CloseEvent {
  code: number;
  reason: string;
  /** Queued messages never sent, and the audio among them. */
  unsentMessages: number;
  unsentAudioMs: number;
}

/** A server event of a type this client does not know. */
export interface UnknownEvent {
  type: string;
  event: { [key: string]: unknown };
}

/**
 * Events of {@link RealtimeClient} (Node's typed `EventEmitter` map): the high-level ones, and every known
 * server event by its wire `type` (`client.on('response.done', (ev) => …)`).
 */
export interface RealtimeHighLevelEvents {
  /**
   * Assistant audio. With a G.711 output format (`audio/pcmu`, `audio/pcma`) and no `outputSampleRate`,
   * an {@link EncodedFrame} (codec `pcmu`/`pcma`, 8 kHz mono) holding the bytes of the delta as they came;
   * otherwise an `AudioFrame` (PCM16 mono at 24 kHz, or at `outputSampleRate`). `position` counts the
   * samples of this item's audio delivered before the frame. The listener owns the frame.
   */
  audio: [frame: AnyFrame, info: AudioInfo];
  /** An item's audio is complete. */
  audioDone: [event: { itemId: string; responseId: string }];
  transcript: [event: TranscriptEvent];
  userTranscript: [event: UserTranscriptEvent];
  speechStarted: [event: { itemId: string; audioStartMs: number }];
  speechStopped: [event: { itemId: string; audioEndMs: number }];
  toolCall: [event: ToolCallEvent];
  toolResult: [event: ToolResultEvent];
  responseDone: [event: ResponseDoneEvent];
  interrupted: [event: InterruptedEvent];
  /** Emitted through `emitError` from `@voxwire/core`: with no listener it becomes a process warning. */
  error: [error: RealtimeClientError];
  reconnecting: [event: ReconnectingEvent];
  reconnected: [event: ReconnectedEvent];
  overflow: [info: OverflowInfo];
  unknown: [event: UnknownEvent];
  close: [event: CloseEvent];
  /** Every known server event. */
  event: [event: ServerEvent];
}

/** Every event the client emits: the high-level ones, and each server event by its wire `type`. */
export type RealtimeClientEvents = RealtimeHighLevelEvents & {
  [K in Exclude<ServerEventType, 'error'>]: [event: ServerEventOf<K>];
};
