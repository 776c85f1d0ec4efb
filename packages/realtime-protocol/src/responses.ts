import type { RealtimeAudioFormat } from './formats.js';
import type { ClientConversationItem, ConversationItem, ServerConversationItem } from './items.js';
import type { FunctionTool, PromptReference, ReasoningConfig, ToolChoice } from './session.js';

/** Response overrides a client sends in `response.create`. */
export interface ResponseCreateParams {
  instructions?: string;
  output_modalities?: Array<'audio' | 'text'>;
  /** `none`: an out-of-band response, not added to the conversation. */
  conversation?: 'auto' | 'none';
  tool_choice?: ToolChoice;
  tools?: FunctionTool[];
  max_output_tokens?: number | 'inf';
  metadata?: { [key: string]: string };
  input?: ClientConversationItem[];
  audio?: { output?: { format?: RealtimeAudioFormat; voice?: string | { id: string } } };
  prompt?: PromptReference | null;
  reasoning?: ReasoningConfig;
  parallel_tool_calls?: boolean;
}

/** Token usage of a response. */
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

/** Why a response ended the way it did. */
export interface ResponseStatusDetails {
  type: 'completed' | 'cancelled' | 'incomplete' | 'failed';
  reason?: 'turn_detected' | 'client_cancelled' | 'max_output_tokens' | 'content_filter';
  error?: { type: string; code?: string; message?: string };
}

/** The response object a server sends in `response.created` / `response.done`, every field set. */
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
  audio: { output: { format: RealtimeAudioFormat; voice: string } };
  usage: ResponseUsage | null;
  metadata: Record<string, string> | null;
}

/** The response object as a client reads it from any server (fields may be missing). */
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
