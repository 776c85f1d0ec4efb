// Conversation items in two views: what a client creates (`conversation.item.create`, `response.input`),
// with optional ids and no status, and what a server reports (`realtime.item` objects, every field set).

/** Text content a client sends. */
export interface InputTextContent {
  type: 'input_text';
  text: string;
}
/** Audio content a client sends (base64 in the session's input format). */
export interface InputAudioContent {
  type: 'input_audio';
  audio?: string;
  transcript?: string;
}
/** Assistant text content. */
export interface OutputTextContent {
  type: 'output_text';
  text: string;
}
/** Assistant audio content. */
export interface OutputAudioContent {
  type: 'output_audio';
  audio?: string;
  transcript?: string;
}

/** A user message a client creates. */
export interface UserMessageItem {
  type: 'message';
  role: 'user';
  id?: string;
  content: Array<InputTextContent | InputAudioContent>;
}
/** A system message a client creates. */
export interface SystemMessageItem {
  type: 'message';
  role: 'system';
  id?: string;
  content: InputTextContent[];
}
/** An assistant message a client creates (e.g. a greeting it wants in the history). */
export interface AssistantMessageItem {
  type: 'message';
  role: 'assistant';
  id?: string;
  content: Array<OutputTextContent | OutputAudioContent>;
}
/** A function call, as a client re-creates it in the history. */
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
/** Items a client creates. */
export type ClientConversationItem =
  | UserMessageItem
  | SystemMessageItem
  | AssistantMessageItem
  | FunctionCallItem
  | FunctionCallOutputItem;

// ---- items as a server reports them ----

/** A content part of a user or system message, as a server reports it. */
export interface InputContentPart {
  type: 'input_text' | 'input_audio' | 'input_image';
  text?: string;
  /** An `input_image`'s data URL. */
  image_url?: string;
  detail?: 'auto' | 'low' | 'high';
  /** Base64 audio, only in `conversation.item.retrieved` and when a client sends input audio. */
  audio?: string;
  /** Transcript of `input_audio`: `null` until transcribed (or when transcription is off). */
  transcript?: string | null;
}

/** A content part of an assistant message, as a server reports it. */
export interface OutputContentPart {
  type: 'output_text' | 'output_audio';
  text?: string;
  /** Base64 audio, only in `conversation.item.retrieved`. */
  audio?: string;
  transcript?: string;
}

/** Any content part of a reported message item. */
export type ContentPart = InputContentPart | OutputContentPart;

/** Status of a reported item. */
export type ItemStatus = 'completed' | 'incomplete' | 'in_progress';

interface RealtimeMessageBase {
  id: string;
  object: 'realtime.item';
  type: 'message';
  status: ItemStatus;
}

/** A user message as a server reports it. */
export interface RealtimeUserMessageItem extends RealtimeMessageBase {
  role: 'user';
  content: InputContentPart[];
}

/** A system message as a server reports it. */
export interface RealtimeSystemMessageItem extends RealtimeMessageBase {
  role: 'system';
  content: Array<InputContentPart & { type: 'input_text' }>;
}

/** An assistant message as a server reports it. */
export interface RealtimeAssistantMessageItem extends RealtimeMessageBase {
  role: 'assistant';
  content: OutputContentPart[];
}

/** Any message as a server reports it. */
export type RealtimeMessageItem =
  | RealtimeUserMessageItem
  | RealtimeSystemMessageItem
  | RealtimeAssistantMessageItem;

/** A function call as a server reports it. */
export interface RealtimeFunctionCallItem {
  id: string;
  object: 'realtime.item';
  type: 'function_call';
  status: ItemStatus;
  name: string;
  call_id: string;
  arguments: string;
}

/** A function call's output as a server reports it. */
export interface RealtimeFunctionCallOutputItem {
  id: string;
  object: 'realtime.item';
  type: 'function_call_output';
  status: ItemStatus;
  call_id: string;
  output: string;
}

/** A conversation item as a server reports it, every field set. */
export type ConversationItem =
  | RealtimeMessageItem
  | RealtimeFunctionCallItem
  | RealtimeFunctionCallOutputItem;

/**
 * An item as a client reads it from any server (fields present depend on `type`; a proxy or an older server
 * may leave some out).
 */
export interface ServerConversationItem {
  id?: string;
  object?: 'realtime.item';
  type: string;
  status?: ItemStatus;
  role?: 'user' | 'assistant' | 'system';
  content?: Array<{ type?: string; text?: string; transcript?: string | null; audio?: string }>;
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string;
}
