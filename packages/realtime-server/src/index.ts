/**
 * @voxwire/realtime-server — a local server that speaks the OpenAI Realtime GA protocol over WebSocket with
 * offline engines (server VAD, espeak-ng speech, pocketsphinx recognition, a rule/tool responder): the
 * stand-in for OpenAI in examples and tests.
 * @packageDocumentation
 */

export { type DefaultEnginesOptions, defaultEngines } from './engines/defaults.js';
export { EspeakSynthesizer, type EspeakSynthesizerOptions, readStreamingWav } from './engines/espeak.js';
export { FormantSynthesizer, type FormantSynthesizerOptions } from './engines/formant.js';
export {
  DEBIAN_POCKETSPHINX_MODEL,
  NO_TRANSCRIBER_TEXT,
  NullTranscriber,
  PocketsphinxTranscriber,
  type PocketsphinxTranscriberOptions,
} from './engines/pocketsphinx.js';
export {
  DEFAULT_MAX_INSTRUCTION_RULES,
  DEFAULT_MAX_USER_TEXT_LENGTH,
  extractArguments,
  findPhrase,
  parseInstructionRules,
  type ResponseRule,
  RuleResponder,
  type RuleResponderOptions,
  toolKeywords,
  trimEndPunctuation,
} from './engines/rule-responder.js';
export {
  ScriptedResponder,
  type ScriptedResponderOptions,
  type ScriptStep,
} from './engines/scripted-responder.js';
export {
  DEFAULT_MAX_CHUNK_LENGTH,
  DEFAULT_MAX_TEXT_LENGTH,
  SynthesisError,
  type SynthesisErrorCode,
  splitForSynthesis,
  synthesisStream,
} from './engines/synthesis-limits.js';
export { TranscriptionError, type TranscriptionErrorCode } from './engines/transcription-error.js';
export type {
  PcmAudio,
  RealtimeEngines,
  Responder,
  ResponderContext,
  ResponderItem,
  ResponderReply,
  ResponderToolCall,
  SynthesisOptions,
  Synthesizer,
  Transcriber,
} from './engines/types.js';
export { RealtimeProtocolError, RealtimeServerConfigError } from './errors.js';
export type { PacingMode } from './pacer.js';
export type {
  AssistantMessageItem,
  AudioFormat,
  ClientEventType,
  ContentPart,
  ConversationItem,
  FunctionCallItem,
  FunctionCallOutputItem,
  FunctionTool,
  InputContentPart,
  ItemStatus,
  JsonSchema,
  MessageItem,
  OutputContentPart,
  RealtimeErrorBody,
  RealtimeResponseObject,
  RealtimeSessionConfig,
  ResponseStatusDetails,
  ResponseUsage,
  SemanticVadConfig,
  ServerEvent,
  ServerVadConfig,
  SystemMessageItem,
  ToolChoice,
  TurnDetectionConfig,
  UserMessageItem,
} from './protocol.js';
export { CLIENT_EVENT_TYPES } from './protocol.js';
export { createRealtimeServer, type RealtimeServer, type RealtimeServerOptions } from './server.js';
export { DEFAULT_SERVER_VAD, OPENAI_VOICES } from './session-config.js';
export {
  defaultSegmenter,
  type SegmentEvent,
  type SegmenterFactory,
  type SegmenterListener,
  type SegmenterSettings,
  type SpeechSegmenter,
  type VoxwireVadSegmenterOptions,
  voxwireVadSegmenter,
} from './turn-detection.js';
