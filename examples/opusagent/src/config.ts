// OpusAgent's environment, read once at startup into typed options. Every variable is checked here: a
// value that cannot mean what its name says stops the start with an OpusAgentConfigError naming it.
import { isAudioCodesMediaFormat } from '@voxwire/audiocodes';
import { VoxwireError } from '@voxwire/core';
import type { OpusAgentOptions } from './agent.js';
import type { LogLevel } from './log.js';

/** Why the configuration was refused. */
export type OpusAgentConfigErrorCode = 'INVALID_CONFIG';

/** A configuration the agent cannot start with (a bad value, or `TWILIO_AUTH_TOKEN` without `PUBLIC_URL`). */
export class OpusAgentConfigError extends VoxwireError<OpusAgentConfigErrorCode> {}

/** Caller voice activity: who ends the caller's turns, and how the agent's own VAD decides. */
export interface VadConfig {
  /**
   * The model's server VAD detects turns (default). Off: the model's turn detection is off and the agent's
   * own VAD ends each turn (commit + response.create).
   */
  enabled: boolean;
  /** 100 ms chunks of speech before the caller counts as speaking (agent VAD). Default 2. */
  speechStartChunks: number;
  /** 100 ms chunks of silence before the caller counts as done speaking (agent VAD). Default 3. */
  speechStopChunks: number;
  /** Silence that ends a turn for the model's server VAD, ms. Default 500. */
  silenceDurationMs: number;
}

/** Options read from the environment as they are (unset: the agent's default). */
type FromEnv =
  | 'publicUrl'
  | 'twilioAuthToken'
  | 'openaiApiKey'
  | 'openaiUrl'
  | 'openaiModel'
  | 'modelUrl'
  | 'instructions'
  | 'maxConnections'
  | 'recordingDir';
/** Options the environment always sets (to the documented default when unset). */
type WithDefault =
  | 'port'
  | 'host'
  | 'modelAudio'
  | 'audiocodesDefaultFormat'
  | 'qualityMonitoring'
  | 'latencyAlertMs'
  | 'chunkAlertBytes'
  | 'logLevel';

/**
 * Everything the environment configures: `startOpusAgent` options (the rest have code defaults), with
 * `audiocodesToken` unset when `VAIC_TOKEN` is (main.ts then makes a random one).
 */
export type OpusAgentEnvConfig = Pick<OpusAgentOptions, FromEnv> &
  Required<Pick<OpusAgentOptions, WithDefault>> & { vad: VadConfig; audiocodesToken?: string };

export const DEFAULT_VAD: Readonly<VadConfig> = Object.freeze({
  enabled: true,
  speechStartChunks: 2,
  speechStopChunks: 3,
  silenceDurationMs: 500,
});

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

type Env = Readonly<Record<string, string | undefined>>;

function bad(message: string): never {
  throw new OpusAgentConfigError('INVALID_CONFIG', message);
}

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const v = text(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return bad(`${name} must be true or false, got "${env[name]}"`);
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = text(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    bad(`${name} must be an integer in ${min}..${max}, got "${v}"`);
  return n;
}

/**
 * `PUBLIC_URL` as the TwiML writes it: `wss://host[/prefix]` (an `https://` URL is taken as its `wss://`
 * twin), no trailing slash, no query (Twilio's `<Stream url>` allows none).
 */
function publicUrl(env: Env): string | undefined {
  const v = text(env, 'PUBLIC_URL');
  if (v === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(v.replace(/^https:/i, 'wss:'));
  } catch {
    return bad(`PUBLIC_URL must be a wss:// URL (e.g. wss://voice.example.com), got "${v}"`);
  }
  if (u.protocol !== 'wss:' || u.search || u.hash) {
    bad(`PUBLIC_URL must be a wss:// URL without query (e.g. wss://voice.example.com), got "${v}"`);
  }
  return `${u.origin.replace(/^https?:/, 'wss:')}${u.pathname.replace(/\/+$/, '')}`;
}

/** The check both startup paths make: a signed Twilio stream needs the URL Twilio signs. */
export function requirePublicUrl(twilioAuthToken: string | undefined, url: string | undefined): void {
  if (twilioAuthToken && !url) {
    bad(
      'TWILIO_AUTH_TOKEN is set but PUBLIC_URL is not: Twilio signs the media-stream URL written in the ' +
        'TwiML, so set PUBLIC_URL to the public wss:// address of this agent (e.g. wss://voice.example.com), ' +
        'or unset TWILIO_AUTH_TOKEN for a local test',
    );
  }
}

/**
 * Reads the agent's configuration from `env` (default `process.env`).
 * @throws OpusAgentConfigError `INVALID_CONFIG` for a value that cannot be used, naming the variable
 */
export function configFromEnv(env: Env = process.env): OpusAgentEnvConfig {
  const twilioAuthToken = text(env, 'TWILIO_AUTH_TOKEN');
  const url = publicUrl(env);
  requirePublicUrl(twilioAuthToken, url);
  const modelAudio = (text(env, 'MODEL_AUDIO_FORMAT') ?? 'passthrough').toLowerCase();
  if (modelAudio !== 'passthrough' && modelAudio !== 'pcm24') {
    bad(`MODEL_AUDIO_FORMAT must be passthrough or pcm24, got "${env.MODEL_AUDIO_FORMAT}"`);
  }
  const acFormat = text(env, 'AUDIOCODES_DEFAULT_FORMAT') ?? 'raw/lpcm16';
  if (!isAudioCodesMediaFormat(acFormat)) {
    bad(
      `AUDIOCODES_DEFAULT_FORMAT must be raw/lpcm16, raw/lpcm16_24, raw/lpcm16_8 or raw/mulaw, got "${acFormat}"`,
    );
  }
  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel))
    bad(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  const recording = flag(env, 'RECORDING_ENABLED', false);
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    host: text(env, 'HOST') ?? '127.0.0.1',
    publicUrl: url,
    twilioAuthToken,
    audiocodesToken: text(env, 'VAIC_TOKEN'),
    openaiApiKey: text(env, 'OPENAI_API_KEY'),
    openaiUrl: text(env, 'OPENAI_REALTIME_URL'),
    openaiModel: text(env, 'OPENAI_MODEL'),
    modelUrl: text(env, 'MODEL_URL'),
    instructions: text(env, 'INSTRUCTIONS'),
    maxConnections: text(env, 'MAX_CONNECTIONS') ? int(env, 'MAX_CONNECTIONS', 256, 1, 100_000) : undefined,
    vad: {
      enabled: flag(env, 'VAD_ENABLED', DEFAULT_VAD.enabled),
      speechStartChunks: int(env, 'SPEECH_START_THRESHOLD', DEFAULT_VAD.speechStartChunks, 1, 50),
      speechStopChunks: int(env, 'SPEECH_STOP_THRESHOLD', DEFAULT_VAD.speechStopChunks, 1, 50),
      silenceDurationMs: int(env, 'SILENCE_DURATION_MS', DEFAULT_VAD.silenceDurationMs, 100, 10_000),
    },
    modelAudio,
    audiocodesDefaultFormat: acFormat,
    qualityMonitoring: flag(env, 'AUDIO_QUALITY_MONITORING', true),
    latencyAlertMs: int(env, 'LATENCY_ALERT_THRESHOLD', 500, 0, 600_000),
    chunkAlertBytes: int(env, 'CHUNK_SIZE_ALERT_THRESHOLD', 3000, 0, 16 * 1024 * 1024),
    recordingDir: recording ? (text(env, 'RECORDING_DIR') ?? 'recordings') : undefined,
    logLevel,
  };
}
