// Session configuration of Arnold's realtime sessions (the design's values, in the GA session shape).
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

/** The session sent on every (re)connect: voice alloy, PCM16 24 kHz both ways, server VAD 0.5 / 200 ms. */
export function sessionConfig(voice = 'alloy'): SessionUpdate {
  return {
    instructions: INSTRUCTIONS,
    output_modalities: ['audio'],
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        turn_detection: {
          type: 'server_vad',
          threshold: 0.5,
          prefix_padding_ms: 300,
          silence_duration_ms: 200,
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
