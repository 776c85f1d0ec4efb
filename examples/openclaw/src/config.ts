// OpenClaw configuration: the design's `.env` variables, parsed without a dependency, with the audio presets.
import { existsSync, readFileSync } from 'node:fs';
import type { AudioCoreConfig, BackendName } from '@voxwire/wasapi';
import type { IceServer } from '@voxwire/webrtc';
import { ConfigError, type ConfigErrorCode } from './config-error.js';
import { iceServersFromEnv } from './ice-config.js';

export { ConfigError, type ConfigErrorCode };

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
  /**
   * Public signaling URL (`ws://` or `wss://`) the served page connects to, e.g. a reverse proxy in front of
   * this process or another host; default: the page's own origin, path `/webrtc`.
   */
  signalingUrl?: string;
  /** Certificate and key files (PEM): the web, signaling and Twilio servers speak https/wss. */
  tls?: { certPath: string; keyPath: string };
  /** `local`: OpenClaw's own mixer is the room; `janus`: it also joins a Janus AudioBridge room. */
  room: RoomConfig;
  audio: {
    sampleRate: number;
    channels: number;
    blockSize: number;
    latency: 'low' | 'high';
    /** Device period and ring sizes from `latency` (see {@link deviceTiming}). */
    periodMs: number;
    playbackBufferMs: number;
    captureBufferMs: number;
    /** `null` (virtual devices) by default on Linux and macOS, `wasapi` on Windows; `pulse` on request. */
    backend: BackendName;
    /** Capture device id (default: the backend's default; `null:silence` on the null backend). */
    inputDevice?: string;
    outputDevice?: string;
  };
  /** STUN/TURN servers from `ICE_SERVERS` and `ICE_SERVER_n` (+ `ICE_USERNAME_n` / `ICE_CREDENTIAL_n`). */
  iceServers: IceServer[];
  /** `relay`: only TURN-relayed paths (ICE_TRANSPORT_POLICY), for the server's peers and the served page. */
  iceTransportPolicy: 'all' | 'relay';
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

/** Where the room lives: OpenClaw's mixer alone, or also a Janus AudioBridge room it joins. */
export type RoomConfig =
  | { kind: 'local' }
  | {
      kind: 'janus';
      /** Janus' WebSocket API, e.g. `ws://janus.example:8188`. */
      url: string;
      apiSecret?: string;
      /** AudioBridge room id; created when missing. */
      roomId: number;
      pin?: string;
      /** The plugin's admin key, when Janus needs one to create rooms. */
      adminKey?: string;
    };

/**
 * The device side of `AUDIO_LATENCY`. The block size (`AUDIO_BLOCK_SIZE`) is the mix frame: what the mixer
 * ticks and every participant gets. The latency setting alone picks how the device is driven, so both are
 * honoured together: `low` = periods of at most 10 ms and a playback ring of 3 blocks (≥ 40 ms); `high` =
 * periods of at least 20 ms and rings of 200 ms (playback) / 400 ms (capture), fewer wake-ups and more
 * headroom against dropouts.
 */
export function deviceTiming(
  latency: 'low' | 'high',
  blockMs: number,
): { periodMs: number; playbackBufferMs: number; captureBufferMs: number } {
  if (latency === 'low')
    return {
      periodMs: Math.min(blockMs, 10),
      playbackBufferMs: Math.max(40, 3 * blockMs),
      captureBufferMs: 200,
    };
  const periodMs = Math.max(blockMs, 20);
  return { periodMs, playbackBufferMs: Math.max(200, 2 * periodMs), captureBufferMs: 400 };
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
  const iceServers = iceServersFromEnv(env);
  const iceTransportPolicy = nonEmpty(env.ICE_TRANSPORT_POLICY) ?? 'all';
  if (iceTransportPolicy !== 'all' && iceTransportPolicy !== 'relay')
    throw new ConfigError('ICE_TRANSPORT_POLICY', `expected all or relay, got "${iceTransportPolicy}"`);
  if (
    iceTransportPolicy === 'relay' &&
    !iceServers.some((s) => [s.urls].flat().some((u) => u.startsWith('turn')))
  )
    throw new ConfigError('ICE_TRANSPORT_POLICY', 'relay needs a TURN server (ICE_SERVER_n or ICE_SERVERS)');
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
    signalingUrl: signalingUrlFromEnv(env),
    tls: tlsFromEnv(env),
    room: roomFromEnv(env),
    audio: {
      sampleRate,
      channels,
      blockSize,
      latency,
      ...deviceTiming(latency, blockMs),
      backend,
      inputDevice: nonEmpty(env.AUDIO_INPUT_DEVICE),
      outputDevice: nonEmpty(env.AUDIO_OUTPUT_DEVICE),
    },
    iceServers,
    iceTransportPolicy,
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

function signalingUrlFromEnv(env: Record<string, string | undefined>): string | undefined {
  const url = nonEmpty(env.SIGNALING_URL);
  if (url !== undefined && !(URL.canParse(url) && /^wss?:$/.test(new URL(url).protocol)))
    throw new ConfigError('SIGNALING_URL', `expected a ws:// or wss:// URL, got "${url}"`);
  return url;
}

function tlsFromEnv(env: Record<string, string | undefined>): OpenClawConfig['tls'] {
  const certPath = nonEmpty(env.TLS_CERT);
  const keyPath = nonEmpty(env.TLS_KEY);
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined) throw new ConfigError('TLS_CERT', 'TLS_KEY is set: give the certificate too');
  if (keyPath === undefined) throw new ConfigError('TLS_KEY', 'TLS_CERT is set: give the private key too');
  for (const [name, path] of [
    ['TLS_CERT', certPath],
    ['TLS_KEY', keyPath],
  ] as const)
    if (!existsSync(path)) throw new ConfigError(name, `no such file: ${path}`);
  return { certPath, keyPath };
}

function roomFromEnv(env: Record<string, string | undefined>): RoomConfig {
  const kind = nonEmpty(env.ROOM) ?? 'local';
  if (kind === 'local') return { kind };
  if (kind !== 'janus') throw new ConfigError('ROOM', `expected local or janus, got "${kind}"`);
  const url = nonEmpty(env.JANUS_URL);
  if (url === undefined || !(URL.canParse(url) && /^wss?:$/.test(new URL(url).protocol)))
    throw new ConfigError('JANUS_URL', `ROOM=janus needs Janus' ws:// or wss:// API URL, got "${url ?? ''}"`);
  return {
    kind,
    url,
    apiSecret: nonEmpty(env.JANUS_API_SECRET),
    roomId: int(env, 'JANUS_ROOM', 1234, 1, 2 ** 31 - 1),
    pin: nonEmpty(env.JANUS_ROOM_PIN),
    adminKey: nonEmpty(env.JANUS_ADMIN_KEY),
  };
}
