// Session configuration of Arnold's realtime sessions (the design's values, in the GA session shape).
import { VoxwireError } from '@voxwire/core';
import type { ReconnectOptions, SessionUpdate } from '@voxwire/realtime-client';

/** Audio on Arnold's client WebSocket and on the realtime session: PCM16 little-endian, 24 kHz, mono. */
export const AUDIO_FORMAT = { encoding: 'pcm16', sample_rate: 24000, channels: 1 } as const;

/** What Arnold is told to be. */
export const INSTRUCTIONS = [
  'You are Arnold, an upbeat fitness coach who logs workouts by voice.',
  'When the user reports a set, call log_workout with exercise, reps, weight and unit (lbs or kg).',
  'When asked for recent workouts, call get_recent_workouts; for progress on an exercise, call get_progress.',
  'After log_workout succeeds, say back exactly what was logged (exercise, reps, weight and unit, as in the',
  "tool's message), so the user hears a misheard number and can correct it.",
  'If a tool returns an error, tell the user what was wrong and ask again. Keep answers short.',
].join(' ');

/** Server VAD settings of the realtime session (option `vad`, env `ARNOLD_VAD_*`). */
export interface VadSettings {
  /** Speech probability threshold, 0–1. Design: 0.5. */
  threshold: number;
  /** Audio kept before detected speech, ms (0–5000). Default 300. */
  prefixPaddingMs: number;
  /** Silence that ends the user's turn, ms (0–10000). Design: 200. */
  silenceDurationMs: number;
}

/** The design's VAD: threshold 0.5, silence 200 ms (and OpenAI's default 300 ms prefix). */
export const DEFAULT_VAD: VadSettings = { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 200 };

/** The design's voice. */
export const DEFAULT_VOICE = 'alloy';

/** The model asked for: `gpt-realtime` (the design's `gpt-4o-realtime-preview` is retired). */
export const DEFAULT_MODEL = 'gpt-realtime';

/** Why an {@link ArnoldConfigError} was thrown: `INVALID_CONFIG` (a setting Arnold cannot use). */
export type ArnoldConfigErrorCode = 'INVALID_CONFIG';

/**
 * Thrown at startup for a setting Arnold cannot use (a VAD value out of its range, a malformed environment
 * variable); the message names it.
 */
export class ArnoldConfigError extends VoxwireError<ArnoldConfigErrorCode> {
  /** @param message - names the setting and what it must be */
  constructor(message: string) {
    super('INVALID_CONFIG', message);
  }
}

function inRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max)
    throw new ArnoldConfigError(`${name} must be a number from ${min} to ${max}, not ${value}.`);
  return value;
}

/** `partial` over {@link DEFAULT_VAD}, each value checked against its range. */
export function vadSettings(partial: Partial<VadSettings> = {}): VadSettings {
  const v = { ...DEFAULT_VAD, ...partial };
  return {
    threshold: inRange('VAD threshold', v.threshold, 0, 1),
    prefixPaddingMs: inRange('VAD prefix padding (ms)', v.prefixPaddingMs, 0, 5000),
    silenceDurationMs: inRange('VAD silence duration (ms)', v.silenceDurationMs, 0, 10000),
  };
}

/** The session sent on every (re)connect: the voice, PCM16 24 kHz both ways, server VAD. */
export function sessionConfig(voice = DEFAULT_VOICE, vad: VadSettings = DEFAULT_VAD): SessionUpdate {
  return {
    instructions: INSTRUCTIONS,
    output_modalities: ['audio'],
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        turn_detection: {
          type: 'server_vad',
          threshold: vad.threshold,
          prefix_padding_ms: vad.prefixPaddingMs,
          silence_duration_ms: vad.silenceDurationMs,
        },
        transcription: { model: 'gpt-4o-mini-transcribe' },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice },
    },
  };
}

/** The design's reconnect policy: 5 retries, 1 s initial delay doubling up to 60 s. */
export const RECONNECT: ReconnectOptions = {
  maxRetries: 5,
  initialDelayMs: 1000,
  maxDelayMs: 60000,
  factor: 2,
};

/** Heartbeat towards the backend and towards each client, in ms. */
export const HEARTBEAT_MS = 30000;
