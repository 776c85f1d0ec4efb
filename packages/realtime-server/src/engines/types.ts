import type { ConversationItem, FunctionTool, ToolChoice } from '../protocol.js';

/** Mono PCM with its rate: the audio type at every engine seam. */
export interface PcmAudio {
  /** 16-bit samples, mono. */
  pcm: Int16Array;
  /** Samples per second. */
  sampleRate: number;
}

/** Turns speech into text. */
export interface Transcriber {
  /** Short name reported in logs and transcription usage. */
  readonly name: string;
  /**
   * Transcribes one committed utterance.
   * @param audio - the user's audio, mono, at the session's input rate
   * @param signal - aborted when the session closes; implementations should stop work
   * @returns the transcript (may be empty when nothing was recognised)
   */
  transcribe(audio: PcmAudio, options: { language?: string; signal: AbortSignal }): Promise<string>;
}

/** What a synthesis is asked for. */
export interface SynthesisOptions {
  /** The session's voice name (OpenAI names such as `alloy`, or engine-specific). */
  voice: string;
  /** 0.25–1.5, 1 = normal. */
  speed: number;
  /** Aborted when the session, client or response that asked goes away: implementations stop work (and kill their processes). */
  signal: AbortSignal;
}

/** Turns text into speech. */
export interface Synthesizer {
  readonly name: string;
  /**
   * Speaks `text`. The server resamples the result to the session's output rate.
   * Rejects with a `SynthesisError` when the text is over the engine's limit or the signal aborted.
   */
  synthesize(text: string, options: SynthesisOptions): Promise<PcmAudio>;
  /**
   * Optional: speaks `text` as a sequence of pieces (sentences), each yielded as soon as it is ready, so
   * long replies start early and no single run gets the whole text. Use `synthesisStream()` to read any
   * synthesizer this way.
   */
  stream?(text: string, options: SynthesisOptions): AsyncIterable<PcmAudio>;
}

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
