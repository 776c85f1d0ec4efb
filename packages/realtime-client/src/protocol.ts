// Wire shapes of the OpenAI Realtime GA protocol, as this client sends and reads them. Written by hand (not
// re-exported from `openai`) so the package has no runtime or type dependency on the SDK; a type-level test
// proves every client event here is assignable to the SDK's `RealtimeClientEvent`.

/** JSON value, used for tool arguments, results and JSON Schema. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON Schema object describing a tool's parameters. */
export type JsonSchema = { [key: string]: JsonValue };

/** 16-bit little-endian PCM at 24 kHz, the API's native format. */
export interface PcmAudioFormat {
  type: 'audio/pcm';
  rate: 24000;
}
/** G.711 mu-law at 8 kHz (telephony in North America and Japan). */
export interface PcmuAudioFormat {
  type: 'audio/pcmu';
}
/** G.711 A-law at 8 kHz (telephony elsewhere). */
export interface PcmaAudioFormat {
  type: 'audio/pcma';
}
/** Audio formats the GA API accepts for input and output. */
export type RealtimeAudioFormat = PcmAudioFormat | PcmuAudioFormat | PcmaAudioFormat;

/** Server-side voice activity detection. */
export interface ServerVadTurnDetection {
  type: 'server_vad';
  threshold?: number;
  prefix_padding_ms?: number;
  silence_duration_ms?: number;
  create_response?: boolean;
  interrupt_response?: boolean;
  idle_timeout_ms?: number | null;
}
/** Model-based end-of-turn detection. */
export interface SemanticVadTurnDetection {
  type: 'semantic_vad';
  eagerness?: 'low' | 'medium' | 'high' | 'auto';
  create_response?: boolean;
  interrupt_response?: boolean;
}
/** Turn detection; `null` turns it off (the caller commits and creates responses). */
export type TurnDetection = ServerVadTurnDetection | SemanticVadTurnDetection | null;

/** Input transcription settings. */
export interface InputTranscription {
  model?: string;
  language?: string;
  prompt?: string;
}

/** A function tool as declared to the model. */
export interface FunctionToolDefinition {
  type: 'function';
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: JsonSchema;
}

/** Which tool the model may call. */
export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string };

/** GA session configuration (`session.update`'s `session`). All fields but `type` are optional. */
export interface SessionConfig {
  type: 'realtime';
  model?: string;
  instructions?: string;
  output_modalities?: Array<'audio' | 'text'>;
  audio?: {
    input?: {
      format?: RealtimeAudioFormat;
      turn_detection?: TurnDetection;
      transcription?: InputTranscription;
      noise_reduction?: { type?: 'near_field' | 'far_field' };
    };
    output?: {
      format?: RealtimeAudioFormat;
      voice?: string;
      speed?: number;
    };
  };
  tools?: FunctionToolDefinition[];
  tool_choice?: ToolChoice;
  max_output_tokens?: number | 'inf';
}

/** `session.update` fields a caller may change; `type` is filled in. */
export type SessionUpdate = Omit<SessionConfig, 'type'> & { type?: 'realtime' };

/** Content part of a message item. */
export interface InputTextContent {
  type: 'input_text';
  text: string;
}
export interface InputAudioContent {
  type: 'input_audio';
  audio?: string;
  transcript?: string;
}
export interface OutputTextContent {
  type: 'output_text';
  text: string;
}
export interface OutputAudioContent {
  type: 'output_audio';
  audio?: string;
  transcript?: string;
}

/** A user message item. */
export interface UserMessageItem {
  type: 'message';
  role: 'user';
  id?: string;
  content: Array<InputTextContent | InputAudioContent>;
}
/** A system message item. */
export interface SystemMessageItem {
  type: 'message';
  role: 'system';
  id?: string;
  content: InputTextContent[];
}
/** An assistant message item. */
export interface AssistantMessageItem {
  type: 'message';
  role: 'assistant';
  id?: string;
  content: Array<OutputTextContent | OutputAudioContent>;
}
/** A function call the model made. */
export interface FunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id?: string;
  name: string;
  arguments: string;
}
/** The result of a function call, sent back to the model. */
export interface FunctionCallOutputItem {
  type: 'function_call_output';
  id?: string;
  call_id: string;
  output: string;
}
/** Items the client creates. */
export type ClientConversationItem =
  | UserMessageItem
  | SystemMessageItem
  | AssistantMessageItem
  | FunctionCallItem
  | FunctionCallOutputItem;

/** Response overrides for `response.create`. */
export interface ResponseCreateParams {
  instructions?: string;
  output_modalities?: Array<'audio' | 'text'>;
  conversation?: 'auto' | 'none';
  tool_choice?: ToolChoice;
  tools?: FunctionToolDefinition[];
  max_output_tokens?: number | 'inf';
  metadata?: { [key: string]: string };
  input?: ClientConversationItem[];
}

// ---- client → server events ----

export interface SessionUpdateEvent {
  type: 'session.update';
  event_id?: string;
  session: SessionConfig;
}
export interface InputAudioBufferAppendEvent {
  type: 'input_audio_buffer.append';
  event_id?: string;
  /** Base64 audio in the session's input format. */
  audio: string;
}
export interface InputAudioBufferCommitEvent {
  type: 'input_audio_buffer.commit';
  event_id?: string;
}
export interface InputAudioBufferClearEvent {
  type: 'input_audio_buffer.clear';
  event_id?: string;
}
export interface ConversationItemCreateEvent {
  type: 'conversation.item.create';
  event_id?: string;
  previous_item_id?: string;
  item: ClientConversationItem;
}
export interface ConversationItemTruncateEvent {
  type: 'conversation.item.truncate';
  event_id?: string;
  item_id: string;
  content_index: number;
  audio_end_ms: number;
}
export interface ConversationItemDeleteEvent {
  type: 'conversation.item.delete';
  event_id?: string;
  item_id: string;
}
export interface ConversationItemRetrieveEvent {
  type: 'conversation.item.retrieve';
  event_id?: string;
  item_id: string;
}
export interface ResponseCreateEvent {
  type: 'response.create';
  event_id?: string;
  response?: ResponseCreateParams;
}
export interface ResponseCancelEvent {
  type: 'response.cancel';
  event_id?: string;
  response_id?: string;
}
export interface OutputAudioBufferClearEvent {
  type: 'output_audio_buffer.clear';
  event_id?: string;
}

/** Every event this client sends. */
export type ClientEvent =
  | SessionUpdateEvent
  | InputAudioBufferAppendEvent
  | InputAudioBufferCommitEvent
  | InputAudioBufferClearEvent
  | ConversationItemCreateEvent
  | ConversationItemTruncateEvent
  | ConversationItemDeleteEvent
  | ConversationItemRetrieveEvent
  | ResponseCreateEvent
  | ResponseCancelEvent
  | OutputAudioBufferClearEvent;

// ---- server → client events ----

/** An item as the server reports it (any type; fields present depend on `type`). */
export interface ServerConversationItem {
  id?: string;
  object?: 'realtime.item';
  type: string;
  status?: 'completed' | 'incomplete' | 'in_progress';
  role?: 'user' | 'assistant' | 'system';
  content?: Array<{ type?: string; text?: string; transcript?: string | null; audio?: string }>;
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string;
}

/** The response object of `response.created` / `response.done`. */
export interface ServerResponse {
  id?: string;
  object?: 'realtime.response';
  status?: 'completed' | 'cancelled' | 'failed' | 'incomplete' | 'in_progress';
  status_details?: {
    type?: string;
    reason?: string;
    error?: { type?: string; code?: string };
  } | null;
  output?: ServerConversationItem[];
  output_modalities?: Array<'audio' | 'text'>;
  usage?: {
    total_tokens?: number;
    input_tokens?: number;
    output_tokens?: number;
  };
}

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

/** Sample rate of a wire format. */
export function formatSampleRate(format: RealtimeAudioFormat): number {
  return format.type === 'audio/pcm' ? 24000 : 8000;
}
