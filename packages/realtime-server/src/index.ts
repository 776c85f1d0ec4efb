/**
 * @voxwire/realtime-server — a local server that speaks the OpenAI Realtime GA protocol over WebSocket with
 * offline engines (server VAD, @voxwire/speech's espeak-ng speech and pocketsphinx recognition, a rule/tool
 * responder): the stand-in for OpenAI in examples and tests. The protocol's types live in
 * @voxwire/realtime-protocol, the speech engines in @voxwire/speech.
 * @packageDocumentation
 */

export { VoxwireError } from '@voxwire/core';
// The speech engines a server is configured with, re-exported so that one import sets up a server.
export {
  EspeakSynthesizer,
  FormantSynthesizer,
  NullTranscriber,
  PocketsphinxTranscriber,
  type SynthesisOptions,
  type Synthesizer,
  type Transcriber,
} from '@voxwire/speech';
export { type DefaultEnginesOptions, defaultEngines } from './engines/defaults.js';
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
export type {
  RealtimeEngines,
  Responder,
  ResponderContext,
  ResponderItem,
  ResponderReply,
  ResponderToolCall,
} from './engines/types.js';
export {
  RealtimeProtocolError,
  type RealtimeProtocolErrorCode,
  RealtimeServerConfigError,
  type RealtimeServerConfigErrorCode,
  RealtimeServerError,
  type RealtimeServerErrorCode,
  type RealtimeWireErrorCode,
} from './errors.js';
export type { PacingMode } from './pacer.js';
export {
  createRealtimeServer,
  type RealtimeServer,
  type RealtimeServerEvents,
  type RealtimeServerOptions,
} from './server.js';
export { DEFAULT_SERVER_VAD } from './session-config.js';
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
