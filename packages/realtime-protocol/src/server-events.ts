import type { ServerConversationItem } from './items.js';
import type { ServerResponse } from './responses.js';
import type { SessionConfig } from './session.js';

/** The error object of a server `error` event. */
export interface ServerError {
  type: string;
  code?: string | null;
  message: string;
  param?: string | null;
  event_id?: string | null;
}

interface ServerEventBase {
  event_id: string;
}
export interface ErrorEvent extends ServerEventBase {
  type: 'error';
  error: ServerError;
}
export interface SessionCreatedEvent extends ServerEventBase {
  type: 'session.created';
  session: SessionConfig & { id?: string; expires_at?: number };
}
export interface SessionUpdatedEvent extends ServerEventBase {
  type: 'session.updated';
  session: SessionConfig & { id?: string; expires_at?: number };
}
export interface SpeechStartedEvent extends ServerEventBase {
  type: 'input_audio_buffer.speech_started';
  audio_start_ms: number;
  item_id: string;
}
export interface SpeechStoppedEvent extends ServerEventBase {
  type: 'input_audio_buffer.speech_stopped';
  audio_end_ms: number;
  item_id: string;
}
export interface InputAudioBufferCommittedEvent extends ServerEventBase {
  type: 'input_audio_buffer.committed';
  item_id: string;
  previous_item_id?: string | null;
}
export interface InputAudioBufferClearedEvent extends ServerEventBase {
  type: 'input_audio_buffer.cleared';
}
export interface InputAudioBufferTimeoutTriggeredEvent extends ServerEventBase {
  type: 'input_audio_buffer.timeout_triggered';
  audio_start_ms: number;
  audio_end_ms: number;
  item_id: string;
}
export interface ConversationItemEvent extends ServerEventBase {
  type: 'conversation.item.added' | 'conversation.item.done' | 'conversation.item.created';
  item: ServerConversationItem;
  previous_item_id?: string | null;
}
export interface ConversationItemRetrievedEvent extends ServerEventBase {
  type: 'conversation.item.retrieved';
  item: ServerConversationItem;
}
export interface ConversationItemDeletedEvent extends ServerEventBase {
  type: 'conversation.item.deleted';
  item_id: string;
}
export interface ConversationItemTruncatedEvent extends ServerEventBase {
  type: 'conversation.item.truncated';
  item_id: string;
  content_index: number;
  audio_end_ms: number;
}
export interface InputTranscriptionDeltaEvent extends ServerEventBase {
  type: 'conversation.item.input_audio_transcription.delta';
  item_id: string;
  content_index?: number;
  delta?: string;
}
export interface InputTranscriptionCompletedEvent extends ServerEventBase {
  type: 'conversation.item.input_audio_transcription.completed';
  item_id: string;
  content_index: number;
  transcript: string;
}
export interface InputTranscriptionFailedEvent extends ServerEventBase {
  type: 'conversation.item.input_audio_transcription.failed';
  item_id: string;
  content_index: number;
  error: { type?: string; code?: string; message?: string; param?: string };
}
export interface ResponseLifecycleEvent extends ServerEventBase {
  type: 'response.created' | 'response.done';
  response: ServerResponse;
}
export interface ResponseOutputItemEvent extends ServerEventBase {
  type: 'response.output_item.added' | 'response.output_item.done';
  response_id: string;
  output_index: number;
  item: ServerConversationItem;
}
export interface ResponseContentPartEvent extends ServerEventBase {
  type: 'response.content_part.added' | 'response.content_part.done';
  response_id: string;
  item_id: string;
  output_index: number;
  content_index: number;
  part: { type?: 'text' | 'audio'; text?: string; transcript?: string; audio?: string };
}
export interface ResponseOutputAudioDeltaEvent extends ServerEventBase {
  type: 'response.output_audio.delta';
  response_id: string;
  item_id: string;
  output_index: number;
  content_index: number;
  /** Base64 audio in the session's output format. */
  delta: string;
}
export interface ResponseOutputAudioDoneEvent extends ServerEventBase {
  type: 'response.output_audio.done';
  response_id: string;
  item_id: string;
  output_index: number;
  content_index: number;
}
export interface ResponseTextDeltaEvent extends ServerEventBase {
  type: 'response.output_audio_transcript.delta' | 'response.output_text.delta';
  response_id: string;
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}
export interface ResponseAudioTranscriptDoneEvent extends ServerEventBase {
  type: 'response.output_audio_transcript.done';
  response_id: string;
  item_id: string;
  output_index: number;
  content_index: number;
  transcript: string;
}
export interface ResponseTextDoneEvent extends ServerEventBase {
  type: 'response.output_text.done';
  response_id: string;
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
}
export interface FunctionCallArgumentsDeltaEvent extends ServerEventBase {
  type: 'response.function_call_arguments.delta';
  response_id: string;
  item_id: string;
  output_index: number;
  call_id: string;
  delta: string;
}
export interface FunctionCallArgumentsDoneEvent extends ServerEventBase {
  type: 'response.function_call_arguments.done';
  response_id: string;
  item_id: string;
  output_index: number;
  call_id: string;
  name: string;
  arguments: string;
}
export interface OutputAudioBufferEvent extends ServerEventBase {
  type: 'output_audio_buffer.started' | 'output_audio_buffer.stopped' | 'output_audio_buffer.cleared';
  response_id: string;
}
export interface RateLimitsUpdatedEvent extends ServerEventBase {
  type: 'rate_limits.updated';
  rate_limits: Array<{ name?: string; limit?: number; remaining?: number; reset_seconds?: number }>;
}

/** Every server event this client knows by name. */
export type ServerEvent =
  | ErrorEvent
  | SessionCreatedEvent
  | SessionUpdatedEvent
  | SpeechStartedEvent
  | SpeechStoppedEvent
  | InputAudioBufferCommittedEvent
  | InputAudioBufferClearedEvent
  | InputAudioBufferTimeoutTriggeredEvent
  | ConversationItemEvent
  | ConversationItemRetrievedEvent
  | ConversationItemDeletedEvent
  | ConversationItemTruncatedEvent
  | InputTranscriptionDeltaEvent
  | InputTranscriptionCompletedEvent
  | InputTranscriptionFailedEvent
  | ResponseLifecycleEvent
  | ResponseOutputItemEvent
  | ResponseContentPartEvent
  | ResponseOutputAudioDeltaEvent
  | ResponseOutputAudioDoneEvent
  | ResponseTextDeltaEvent
  | ResponseAudioTranscriptDoneEvent
  | ResponseTextDoneEvent
  | FunctionCallArgumentsDeltaEvent
  | FunctionCallArgumentsDoneEvent
  | OutputAudioBufferEvent
  | RateLimitsUpdatedEvent;

/** Names of all known server events. */
export type ServerEventType = ServerEvent['type'];

/** The known server event with the given `type`. */
export type ServerEventOf<T extends ServerEventType> = ServerEvent extends infer E
  ? // Distributes over the union, and also finds events whose `type` is itself a union (item added/done).
    E extends { type: infer U }
    ? T extends U
      ? E
      : never
    : never
  : never;

/** Every known server event type, at run time (used to tell known from unknown events). */
export const SERVER_EVENT_TYPES: ReadonlySet<string> = new Set<ServerEventType>([
  'error',
  'session.created',
  'session.updated',
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'input_audio_buffer.committed',
  'input_audio_buffer.cleared',
  'input_audio_buffer.timeout_triggered',
  'conversation.item.added',
  'conversation.item.done',
  'conversation.item.created',
  'conversation.item.retrieved',
  'conversation.item.deleted',
  'conversation.item.truncated',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.completed',
  'conversation.item.input_audio_transcription.failed',
  'response.created',
  'response.done',
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_audio.delta',
  'response.output_audio.done',
  'response.output_audio_transcript.delta',
  'response.output_audio_transcript.done',
  'response.output_text.delta',
  'response.output_text.done',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'output_audio_buffer.started',
  'output_audio_buffer.stopped',
  'output_audio_buffer.cleared',
  'rate_limits.updated',
]);

/** Beta-era server event names still seen from proxies, mapped to their GA names. */
export const BETA_EVENT_ALIASES: Readonly<Record<string, ServerEventType>> = {
  'response.audio.delta': 'response.output_audio.delta',
  'response.audio.done': 'response.output_audio.done',
  'response.audio_transcript.delta': 'response.output_audio_transcript.delta',
  'response.audio_transcript.done': 'response.output_audio_transcript.done',
  'response.text.delta': 'response.output_text.delta',
  'response.text.done': 'response.output_text.done',
};

/** Whether `type` names a server event this module knows. */
export function isServerEventType(type: unknown): type is ServerEventType {
  return typeof type === 'string' && SERVER_EVENT_TYPES.has(type);
}

/**
 * Any server event as a server builds it before sending: a `type`, the server's `event_id`, and the
 * event's fields. The typed view for readers is {@link ServerEvent}.
 */
export interface RawServerEvent {
  type: string;
  event_id: string;
  [field: string]: unknown;
}

/** The `error` object of an `error` event, every field set, as a server sends it. */
export interface RealtimeErrorBody {
  type: string;
  code: string | null;
  message: string;
  param: string | null;
  event_id: string | null;
}
