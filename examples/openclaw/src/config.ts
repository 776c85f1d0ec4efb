// OpenClaw configuration: the design's `.env` variables, parsed without a dependency, with the audio presets.
import { existsSync, readFileSync } from 'node:fs';
import type { AudioCoreConfig, BackendName } from '@voxwire/wasapi';

/** OpenClaw's `AudioConfig` presets (48 kHz; block size in frames). */
export const AUDIO_PRESETS = {
  /** Low-latency voice: 10 ms blocks, mono. */
  VOICE: { sampleRate: 48000, channels: 1, blockSize: 480, latency: 'low' },
  /** Standard: 20 ms blocks, mono. */
  STANDARD: { sampleRate: 48000, channels: 1, blockSize: 960, latency: 'low' },
  /** Music: 20 ms blocks, stereo. */
  MUSIC: { sampleRate: 48000, channels: 2, blockSize: 960, latency: 'low' },
} as const satisfies Record<string, AudioCoreConfig>;

/** Name of an {@link AUDIO_PRESETS} entry. */
export type AudioPresetName = keyof typeof AUDIO_PRESETS;

/** Everything OpenClaw reads from the environment / `.env`. */
export interface OpenClawConfig {
  twilio: {
    accountSid?: string;
    authToken?: string;
    phoneNumber?: string;
    /** Public `wss://…/media-stream` URL Twilio dials (TwiML and signature check). */
    mediaStreamUrl?: string;
    /** Public `https://…/voice-webhook` URL (outbound calls' TwiML). */
    webhookUrl?: string;
  };
  /** Public signaling URL, for logs and the demo page. */
  signalingUrl?: string;
  audio: {
    sampleRate: number;
    channels: number;
    blockSize: number;
    latency: 'low' | 'high';
    /** `null` (virtual devices) by default on Linux and macOS, `wasapi` on Windows; `pulse` on request. */
    backend: BackendName;
    /** Capture device id (default: the backend's default; `null:silence` on the null backend). */
    inputDevice?: string;
    outputDevice?: string;
  };
  /** STUN/TURN URLs from `ICE_SERVER_1`, `ICE_SERVER_2`, … */
  iceServers: string[];
  host: string;
  signalingPort: number;
  twilioPort: number;
  openaiApiKey?: string;
  openaiModel: string;
  instructions: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Performance report interval, ms (default 5000; 0 = off). */
  monitorIntervalMs: number;
}

/** Thrown for a variable that cannot be used (the message names it and what is expected). */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses `.env` text: `KEY=value` lines, `export ` prefixes, `#` comments, single/double quotes (double
 * quotes understand `\n`), inline ` #` comments after unquoted values.
 */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1] as string;
    let value = m[2] as string;
    const q = value[0];
    if ((q === '"' || q === "'") && value.lastIndexOf(q) > 0) {
      value = value.slice(1, value.lastIndexOf(q));
      if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      const hash = value.search(/\s#/);
      if (hash >= 0) value = value.slice(0, hash);
      value = value.trim();
    }
    out[key] = value;
  }
  return out;
}

/**
 * Loads `.env` (when present) under the process environment: variables already set win, as with dotenv.
 * @returns the merged variables (the process environment itself is not modified)
 */
export function loadEnv(
  file = '.env',
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...env };
}

function int(env: Record<string, string | undefined>, name: string, def: number, min: number, max: number) {
  const v = env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(name, `expected an integer in ${min}..${max}, got "${v}"`);
  return n;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

const BACKENDS: readonly BackendName[] = ['wasapi', 'pulse', 'alsa', 'null'];

/**
 * Builds the configuration from variables (see README for the list).
 * @throws ConfigError for a value out of range
 */
export function configFromEnv(env: Record<string, string | undefined>): OpenClawConfig {
  const presetName = nonEmpty(env.AUDIO_PRESET)?.toUpperCase();
  if (presetName !== undefined && !(presetName in AUDIO_PRESETS))
    throw new ConfigError('AUDIO_PRESET', `expected VOICE, STANDARD or MUSIC, got "${env.AUDIO_PRESET}"`);
  const preset = AUDIO_PRESETS[(presetName ?? 'STANDARD') as AudioPresetName];
  const sampleRate = int(env, 'AUDIO_SAMPLE_RATE', preset.sampleRate, 8000, 192000);
  const channels = int(env, 'AUDIO_CHANNELS', preset.channels, 1, 2);
  const blockSize = int(env, 'AUDIO_BLOCK_SIZE', preset.blockSize, 1, sampleRate);
  const blockMs = (blockSize * 1000) / sampleRate;
  if (!Number.isInteger(blockMs) || blockMs < 5 || blockMs > 100)
    throw new ConfigError(
      'AUDIO_BLOCK_SIZE',
      `must be a whole number of ms between 5 and 100 at ${sampleRate} Hz, got ${blockSize} frames (${blockMs} ms)`,
    );
  const latency = nonEmpty(env.AUDIO_LATENCY) ?? 'low';
  if (latency !== 'low' && latency !== 'high')
    throw new ConfigError('AUDIO_LATENCY', `expected low or high, got "${latency}"`);
  const backend = (nonEmpty(env.AUDIO_BACKEND) ??
    nonEmpty(env.VOXWIRE_AUDIO_BACKEND) ??
    (process.platform === 'win32' ? 'wasapi' : 'null')) as BackendName;
  if (!BACKENDS.includes(backend))
    throw new ConfigError('AUDIO_BACKEND', `expected one of ${BACKENDS.join(', ')}, got "${backend}"`);
  const iceServers = Object.keys(env)
    .filter((k) => /^ICE_SERVER_\d+$/.test(k) && nonEmpty(env[k]))
    .sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)))
    .map((k) => env[k] as string);
  const logLevel = (nonEmpty(env.LOG_LEVEL) ?? 'info') as OpenClawConfig['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new ConfigError('LOG_LEVEL', `expected debug, info, warn or error, got "${logLevel}"`);
  return {
    twilio: {
      accountSid: nonEmpty(env.TWILIO_ACCOUNT_SID),
      authToken: nonEmpty(env.TWILIO_AUTH_TOKEN),
      phoneNumber: nonEmpty(env.TWILIO_PHONE_NUMBER),
      mediaStreamUrl: nonEmpty(env.MEDIA_STREAM_URL),
      webhookUrl: nonEmpty(env.WEBHOOK_URL),
    },
    signalingUrl: nonEmpty(env.SIGNALING_URL),
    audio: {
      sampleRate,
      channels,
      blockSize,
      latency,
      backend,
      inputDevice: nonEmpty(env.AUDIO_INPUT_DEVICE),
      outputDevice: nonEmpty(env.AUDIO_OUTPUT_DEVICE),
    },
    iceServers,
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    signalingPort: int(env, 'SIGNALING_PORT', 8765, 0, 65535),
    twilioPort: int(env, 'TWILIO_PORT', 8766, 0, 65535),
    openaiApiKey: nonEmpty(env.OPENAI_API_KEY),
    openaiModel: nonEmpty(env.OPENAI_MODEL) ?? 'gpt-realtime',
    instructions:
      nonEmpty(env.AGENT_INSTRUCTIONS) ??
      'You are OpenClaw, a desktop assistant talking with the people on this conference. Keep answers short.',
    logLevel,
    monitorIntervalMs: int(env, 'MONITOR_INTERVAL_MS', 5000, 0, 3_600_000),
  };
}
