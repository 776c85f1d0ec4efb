import type { ConversationItem, FunctionTool, ToolChoice } from '@voxwire/realtime-protocol';
import type { Synthesizer, Transcriber } from '@voxwire/speech';

/** A tool call the responder wants the client to run. */
export interface ResponderToolCall {
  /** Name of one of the tools in context. */
  name: string;
  /** Arguments object (serialised to JSON on the wire) or an already serialised JSON string. */
  arguments: Record<string, unknown> | string;
}

/** What a responder answers: text to speak, tool calls, or both (text first). */
export interface ResponderReply {
  text?: string;
  toolCalls?: ResponderToolCall[];
}

/** A conversation item with the text the responder can read (transcripts resolved). */
export type ResponderItem = ConversationItem & {
  /** The item's words: text content, audio transcript, or `undefined` when nothing is known. */
  readonly text?: string;
};

/** Everything a responder may base its reply on. */
export interface ResponderContext {
  /** Session (or response-override) instructions. */
  instructions: string;
  tools: FunctionTool[];
  toolChoice: ToolChoice;
  /** The items in context, oldest first (the conversation, or `response.input` for out-of-band responses). */
  items: readonly ResponderItem[];
  /** Id of the session asking (stable for its lifetime). */
  sessionId: string;
  /** How many responses this session created before this one (0 for the first). */
  responseIndex: number;
  /** Aborted when the response is cancelled. */
  signal: AbortSignal;
}

/** Decides what the assistant says or which tool it calls. */
export interface Responder {
  readonly name: string;
  /** Whether replies depend on the words the user said: when false, user audio is not transcribed for it. */
  readonly needsTranscripts: boolean;
  respond(context: ResponderContext): ResponderReply | Promise<ResponderReply>;
}

/** The engines a server uses; any engine left out gets the default. */
export interface RealtimeEngines {
  transcriber: Transcriber;
  synthesizer: Synthesizer;
  responder: Responder;
}
