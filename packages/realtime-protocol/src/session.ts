import type { RealtimeAudioFormat } from './formats.js';
import type { JsonSchema } from './json.js';

/** Server-side turn detection as a session reports it: amplitude/probability with a silence timer. */
export interface ServerVadConfig {
  type: 'server_vad';
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
  create_response: boolean;
  interrupt_response: boolean;
  idle_timeout_ms: number | null;
}

/** Model-based end-of-turn detection as a session reports it. */
export interface SemanticVadConfig {
  type: 'semantic_vad';
  eagerness: 'low' | 'medium' | 'high' | 'auto';
  create_response: boolean;
  interrupt_response: boolean;
}

/** Turn detection as a session reports it. */
export type TurnDetectionConfig = ServerVadConfig | SemanticVadConfig;

/** Server VAD as a client sets it: every field but `type` optional. */
export type ServerVadTurnDetection = Pick<ServerVadConfig, 'type'> & Partial<Omit<ServerVadConfig, 'type'>>;
/** Semantic VAD as a client sets it: every field but `type` optional. */
export type SemanticVadTurnDetection = Pick<SemanticVadConfig, 'type'> &
  Partial<Omit<SemanticVadConfig, 'type'>>;
/** Turn detection as a client sets it; `null` turns it off (the caller commits and creates responses). */
export type TurnDetection = ServerVadTurnDetection | SemanticVadTurnDetection | null;

/** A function tool as declared to the model. */
export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: JsonSchema;
}

/** Which function the model may call. */
export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string };

/**
 * A hosted MCP tool: a server may keep and echo it (the local server never calls it: an offline server
 * reaches no MCP server).
 */
export interface McpTool {
  type: 'mcp';
  server_label: string;
  [field: string]: unknown;
}

/** Any tool of a session or response. */
export type SessionTool = FunctionTool | McpTool;

/** `tool_choice` as a session keeps it, MCP choices included. */
export type SessionToolChoice = ToolChoice | { type: 'mcp'; server_label: string; name?: string | null };

/** Input transcription settings as a session reports them. */
export interface TranscriptionConfig {
  model: string;
  language?: string;
  languages?: string[];
  prompt?: string;
  keywords?: string[];
  delay?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
}

/** Input transcription settings as a client sets them. */
export type InputTranscription = Partial<TranscriptionConfig>;

/** Reasoning effort. */
export interface ReasoningConfig {
  effort?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
}

/** Input noise reduction. */
export interface NoiseReductionConfig {
  type?: 'near_field' | 'far_field';
  strength?: number;
}

/** Conversation truncation. */
export type TruncationConfig =
  | 'auto'
  | 'disabled'
  | { type: 'retention_ratio'; retention_ratio: number; token_limits?: { post_instructions?: number } };

/** A stored prompt reference. */
export interface PromptReference {
  id: string;
  version?: string | null;
  variables?: Record<string, string>;
}

/** Tracing settings. */
export type TracingConfig =
  | null
  | 'auto'
  | { group_id?: string; workflow_name?: string; metadata?: Record<string, unknown> };

/** Extra output a session may include. */
export type SessionInclude = Array<'item.input_audio_transcription.logprobs'>;

/** The GA session object a server sends in `session.created` / `session.updated`. */
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
  /** Present once a client set it. */
  reasoning?: ReasoningConfig;
  /** Present once a client set it. */
  parallel_tool_calls?: boolean;
  tracing: TracingConfig;
  truncation: TruncationConfig;
  prompt: null | PromptReference;
  expires_at: number;
  include: null | SessionInclude;
  audio: {
    input: {
      format: RealtimeAudioFormat;
      transcription: null | TranscriptionConfig;
      noise_reduction: null | NoiseReductionConfig;
      turn_detection: TurnDetectionConfig | null;
    };
    output: {
      format: RealtimeAudioFormat;
      voice: string;
      speed: number;
    };
  };
}

/** GA session configuration a client sends (`session.update`'s `session`). All fields but `type` are optional. */
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
      noise_reduction?: NoiseReductionConfig;
    };
    output?: {
      format?: RealtimeAudioFormat;
      /** A voice name (a server reports a custom voice's `{ id }` by its id, so readers see a string too). */
      voice?: string;
      speed?: number;
    };
  };
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  max_output_tokens?: number | 'inf';
  reasoning?: ReasoningConfig;
  parallel_tool_calls?: boolean;
  tracing?: TracingConfig;
  truncation?: TruncationConfig;
  prompt?: PromptReference | null;
  include?: SessionInclude;
}

/** `session.update` fields a caller may change; `type` is filled in. */
export type SessionUpdate = Omit<SessionConfig, 'type'> & { type?: 'realtime' };

/** Voices OpenAI offers; servers and synthesizers accept other names too. */
export const OPENAI_VOICES: readonly string[] = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'sage',
  'shimmer',
  'verse',
  'marin',
  'cedar',
];
