/**
 * @voxwire/realtime-protocol — the OpenAI Realtime GA protocol as @voxwire/realtime-client and
 * @voxwire/realtime-server both speak it: client and server events, the session object, conversation
 * items, audio formats (and their codec and rate), the accepted request fields, and type guards. Types and
 * pure helpers only: no sockets, no dependency on the `openai` SDK.
 * @packageDocumentation
 */

export { VoxwireError } from '@voxwire/core';
export {
  AUDIO_INPUT_FIELDS,
  AUDIO_OUTPUT_FIELDS,
  CLIENT_ITEM_TYPES,
  CONTENT_PART_FIELDS,
  type FieldTree,
  FUNCTION_TOOL_FIELDS,
  fieldsOf,
  ITEM_FIELDS,
  NOISE_REDUCTION_FIELDS,
  PROMPT_FIELDS,
  REASONING_FIELDS,
  RESPONSE_FIELDS,
  SESSION_FIELDS,
  TOOL_CHOICE_FIELDS,
  TOOL_FIELDS,
  TRACING_FIELDS,
  TRANSCRIPTION_FIELDS,
  TRANSCRIPTION_SESSION_FIELDS,
  TRUNCATION_FIELDS,
  TURN_DETECTION_FIELDS,
  unacceptedFields,
} from './accepted-fields.js';
export * from './client-events.js';
export {
  AUDIO_FORMAT_TYPES,
  formatCodec,
  formatOfCodec,
  formatSampleRate,
  isAudioFormatType,
  type PcmAudioFormat,
  type PcmaAudioFormat,
  type PcmuAudioFormat,
  type RealtimeAudioCodec,
  type RealtimeAudioFormat,
  type RealtimeAudioFormatType,
} from './formats.js';
export type * from './items.js';
export type { JsonSchema, JsonValue } from './json.js';
export type * from './responses.js';
export * from './server-events.js';
export * from './session.js';
