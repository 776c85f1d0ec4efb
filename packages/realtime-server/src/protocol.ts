/**
 * Wire shapes of the OpenAI Realtime GA protocol as this server sends and accepts them. They mirror the
 * official `openai` package's `openai/resources/realtime/realtime` types (a test checks assignability), kept
 * here so the server has no runtime or type dependency on that package.
 */

/** An audio format of the GA session (`audio.input.format` / `audio.output.format`). */
export type AudioFormat =
  | { type: 'audio/pcm'; rate: 24000 }
  | { type: 'audio/pcmu' }
  | { type: 'audio/pcma' };

/** Server-side turn detection from amplitude/probability with a silence timer. */
export interface ServerVadConfig {
  type: 'server_vad';
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
  create_response: boolean;
  interrupt_response: boolean;
  idle_timeout_ms: number | null;
}

/** Semantic VAD: approximated here by server VAD with a silence timer chosen from `eagerness`. */
export interface SemanticVadConfig {
  type: 'semantic_vad';
  eagerness: 'low' | 'medium' | 'high' | 'auto';
  create_response: boolean;
  interrupt_response: boolean;
}

export type TurnDetectionConfig = ServerVadConfig | SemanticVadConfig;

/** A function tool the responder may call. */
export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: JsonSchema;
}

/** The subset of JSON Schema the rule responder reads to extract arguments. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  description?: string;
  [key: string]: unknown;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string };

/**
 * A hosted MCP tool: accepted, kept and echoed so SDK configurations work unchanged, but never called (an
 * offline server reaches no MCP server); responders see only function tools.
 */
export interface McpTool {
  type: 'mcp';
  server_label: string;
  [field: string]: unknown;
}

/** Any tool of a session or response. */
export type SessionTool = FunctionTool | McpTool;

/** `tool_choice` as a session keeps it: an MCP choice is kept, and means "no function call" offline. */
export type SessionToolChoice = ToolChoice | { type: 'mcp'; server_label: string; name?: string | null };

/** Input transcription settings; `language` is given to the transcriber, the rest is kept and echoed. */
export interface TranscriptionConfig {
  model: string;
  language?: string;
  languages?: string[];
  prompt?: string;
  keywords?: string[];
  delay?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
}

/** Reasoning effort: kept and echoed (the offline responder does not reason). */
export interface ReasoningConfig {
  effort?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
}

/** The GA session object sent in `session.created` / `session.updated`. */
export interface RealtimeSessionConfig {
  type: 'realtime';
  object: 'realtime.session';
  id: string;
  model: string;
  output_modalities: Array<'audio' | 'text'>;
  instructions: string;
  tools: SessionTool[];
  tool_choice: SessionToolChoice;
  max_output_tokens: number | 'inf';
  /** Kept and echoed; present once a client set it. */
  reasoning?: ReasoningConfig;
  /** Kept and echoed; present once a client set it (the responder's calls are always in order). */
  parallel_tool_calls?: boolean;
  tracing: null | 'auto' | Record<string, unknown>;
  truncation:
    | 'auto'
    | 'disabled'
    | { type: 'retention_ratio'; retention_ratio: number; token_limits?: { post_instructions?: number } };
  /** A stored prompt reference; kept and echoed (the offline responder does not fetch prompts). */
  prompt: null | { id: string; version?: string; variables?: Record<string, string> };
  expires_at: number;
  include: null | Array<'item.input_audio_transcription.logprobs'>;
  audio: {
    input: {
      format: AudioFormat;
      transcription: null | TranscriptionConfig;
      noise_reduction: null | { type?: 'near_field' | 'far_field'; strength?: number };
      turn_detection: TurnDetectionConfig | null;
    };
    output: {
      format: AudioFormat;
      voice: string;
      speed: number;
    };
  };
}

/** A content part of a user or system message. */
export interface InputContentPart {
  type: 'input_text' | 'input_audio' | 'input_image';
  text?: string;
  /** An `input_image`'s data URL (kept in the conversation; the offline responder does not look at it). */
  image_url?: string;
  detail?: 'auto' | 'low' | 'high';
  /** Base64 audio, only in `conversation.item.retrieved` and when a client sends input audio. */
  audio?: string;
  /** Transcript of `input_audio`: `null` until transcribed (or when transcription is off). */
  transcript?: string | null;
}

/** A content part of an assistant message. */
export interface OutputContentPart {
  type: 'output_text' | 'output_audio';
  text?: string;
  /** Base64 audio, only in `conversation.item.retrieved`. */
  audio?: string;
  transcript?: string;
}

/** Any content part of a message item. */
export type ContentPart = InputContentPart | OutputContentPart;

export type ItemStatus = 'completed' | 'incomplete' | 'in_progress';

interface MessageBase {
  id: string;
  object: 'realtime.item';
  type: 'message';
  status: ItemStatus;
}

export interface UserMessageItem extends MessageBase {
  role: 'user';
  content: InputContentPart[];
}

export interface SystemMessageItem extends MessageBase {
  role: 'system';
  content: Array<InputContentPart & { type: 'input_text' }>;
}

export interface AssistantMessageItem extends MessageBase {
  role: 'assistant';
  content: OutputContentPart[];
}

export type MessageItem = UserMessageItem | SystemMessageItem | AssistantMessageItem;

export interface FunctionCallItem {
  id: string;
  object: 'realtime.item';
  type: 'function_call';
  status: ItemStatus;
  name: string;
  call_id: string;
  arguments: string;
}

export interface FunctionCallOutputItem {
  id: string;
  object: 'realtime.item';
  type: 'function_call_output';
  status: ItemStatus;
  call_id: string;
  output: string;
}

/** A conversation item as it appears on the wire. */
export type ConversationItem = MessageItem | FunctionCallItem | FunctionCallOutputItem;

export interface ResponseUsage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_token_details: {
    text_tokens: number;
    audio_tokens: number;
    image_tokens: number;
    cached_tokens: number;
    cached_tokens_details: { text_tokens: number; audio_tokens: number; image_tokens: number };
  };
  output_token_details: { text_tokens: number; audio_tokens: number };
}

export interface ResponseStatusDetails {
  type: 'completed' | 'cancelled' | 'incomplete' | 'failed';
  reason?: 'turn_detected' | 'client_cancelled' | 'max_output_tokens' | 'content_filter';
  error?: { type: string; code?: string; message?: string };
}

/** The response object of `response.created` / `response.done`. */
export interface RealtimeResponseObject {
  object: 'realtime.response';
  id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed' | 'incomplete';
  status_details: ResponseStatusDetails | null;
  output: ConversationItem[];
  /** The default conversation's id, or `null` for an out-of-band (`conversation: "none"`) response. */
  conversation_id: string | null;
  output_modalities: Array<'audio' | 'text'>;
  max_output_tokens: number | 'inf';
  audio: { output: { format: AudioFormat; voice: string } };
  usage: ResponseUsage | null;
  metadata: Record<string, string> | null;
}

/** The `error` object of an `error` server event. */
export interface RealtimeErrorBody {
  type: string;
  code: string | null;
  message: string;
  param: string | null;
  event_id: string | null;
}

/** Any server event: a `type`, the server's `event_id`, and the event's fields. */
export interface ServerEvent {
  type: string;
  event_id: string;
  [field: string]: unknown;
}

/** Every client event type this server understands. */
export const CLIENT_EVENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'conversation.item.delete',
  'conversation.item.retrieve',
  'conversation.item.truncate',
  'response.create',
  'response.cancel',
  'output_audio_buffer.clear',
] as const;

export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];
