/**
 * Jarvis: a voice assistant as two services — audio (streaming STT/TTS with VAD) and core (chat with
 * plugins, web UI) — built on @voxwire/vad, @voxwire/codecs and the engines of @voxwire/speech.
 * @packageDocumentation
 */
export { type AudioService, type AudioServiceOptions, startAudioService } from './audio-service.js';
export { AudioSession, resampleTo } from './audio-session.js';
export {
  authenticate,
  BEARER_PROTOCOL_PREFIX,
  bearerToken,
  JARVIS_PROTOCOL,
  type Principal,
  requireSameUser,
  TokenStore,
} from './auth.js';
export { type ChatReply, handleChat, SMALL_TALK_PHRASES, smallTalk } from './chat.js';
export { type AudioConfig, DEFAULT_AUDIO_CONFIG, mergeAudioConfig } from './config.js';
export { CoreClient } from './core-client.js';
export { type CoreService, type CoreServiceOptions, startCoreService } from './core-service.js';
export { createSpeechEngines, type SpeechEngineOptions, type SpeechEngines } from './engines/engines.js';
export { OfflineRecognizers } from './engines/offline.js';
export {
  OpenAiEngineError,
  type OpenAiEngineErrorCode,
  type OpenAiEngineOptions,
  OpenAiSynthesizer,
  OpenAiTranscriber,
} from './engines/openai.js';
export { espeakVoice, openAiVoice } from './engines/voices.js';
export { JarvisError, type JarvisErrorCode, type JarvisWireCode } from './errors.js';
export { type Jarvis, type JarvisOptions, startJarvis } from './jarvis.js';
export { LatencyStat, type SessionMetrics } from './metrics.js';
export { HighPassFilter } from './noise-filter.js';
export * from './plugins/index.js';
