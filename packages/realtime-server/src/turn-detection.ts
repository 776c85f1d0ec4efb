/**
 * Server VAD seam: the session feeds input PCM to a {@link SpeechSegmenter} and turns the boundaries it
 * reports into `input_audio_buffer.speech_started/stopped`. Positions are in samples at the input rate,
 * counted from the segmenter's creation (the session adds its own offset). Boundaries are reported through
 * a callback so detectors that score frames asynchronously (Silero on onnxruntime) fit too.
 */
import { EnergyVad, type Vad, VadSegmenter } from '@voxwire/vad';

/** A speech boundary found by a segmenter. */
export type SegmentEvent =
  /** Speech began at `sample` (the first speech sample, before any prefix padding). */
  | { type: 'start'; sample: number }
  /** Speech is over: `sample` is where the silence timer ran out (last speech + silence duration). */
  | { type: 'end'; sample: number };

/** Streaming speech detector: output independent of how the input is chunked. */
export interface SpeechSegmenter {
  /** Feeds samples; boundaries go to the callback given to the factory, in order. */
  push(pcm: Int16Array): void;
  /** Stops delivering boundaries (the session replaced or closed it). */
  close(): void;
}

/** Settings a segmenter is built from: the session's `turn_detection`. */
export interface SegmenterSettings {
  sampleRate: number;
  /** Activation threshold, 0..1 (OpenAI's `threshold`). */
  threshold: number;
  /** Silence that ends a turn (OpenAI's `silence_duration_ms`). */
  silenceDurationMs: number;
}

/** Where a segmenter reports: boundaries in order, and a failure of its detector (it stops after one). */
export interface SegmenterListener {
  boundary(event: SegmentEvent): void;
  error(error: Error): void;
}

/** Builds a segmenter for a session; pass one as `vad` to `createRealtimeServer` to use your own. */
export type SegmenterFactory = (settings: SegmenterSettings, listener: SegmenterListener) => SpeechSegmenter;

/** Options of {@link voxwireVadSegmenter}. */
export interface VoxwireVadSegmenterOptions {
  /**
   * Creates the frame detector for a session's input rate; default
   * `new EnergyVad({ sampleRate, frameMs: 10, stopFrames: 1 })` (@voxwire/vad). Return a `SileroVad` for model-based detection (needs onnxruntime-node).
   */
  createVad?: (sampleRate: number) => Vad;
  /** Speech must last this long before it counts (clicks do not open a turn). Default 100 ms. */
  minSpeechMs?: number;
}

/**
 * Server VAD on @voxwire/vad's `VadSegmenter`: a session's `threshold` and `silence_duration_ms` become the
 * segmenter's `threshold` and `minSilenceMs`; the prefix padding is applied by the session, which holds the
 * audio. `speechEnd.endSample` (just after the last speech) plus the silence duration is the turn's end,
 * matching OpenAI's `audio_end_ms`, which includes the silence.
 */
export function voxwireVadSegmenter(options: VoxwireVadSegmenterOptions = {}): SegmenterFactory {
  // 10 ms frames for fine boundaries; no hang-over in the VAD itself (stopFrames 1): the session's silence
  // duration, applied by the segmenter, is what bridges pauses, so a turn's end is not pushed late by both.
  const createVad =
    options.createVad ?? ((sampleRate: number) => new EnergyVad({ sampleRate, frameMs: 10, stopFrames: 1 }));
  return (settings, listener) => {
    const segmenter = new VadSegmenter({
      vad: createVad(settings.sampleRate),
      sampleRate: settings.sampleRate,
      threshold: settings.threshold,
      minSilenceMs: settings.silenceDurationMs,
      minSpeechMs: options.minSpeechMs ?? 100,
      prefixPaddingMs: 0,
      includeAudio: false,
    });
    const silenceSamples = Math.round((settings.silenceDurationMs * settings.sampleRate) / 1000);
    let open = true;
    let position = 0;
    segmenter.on('speechStart', (e) => {
      if (open) listener.boundary({ type: 'start', sample: e.startSample });
    });
    segmenter.on('speechEnd', (e) => {
      if (open && e.reason !== 'flush')
        listener.boundary({ type: 'end', sample: e.endSample + silenceSamples });
    });
    return {
      push(pcm) {
        // Synchronous VADs have fired their events when push returns; async ones fire them later, in order.
        const frame = { data: pcm, sampleRate: settings.sampleRate, channels: 1, position };
        position += pcm.length;
        segmenter.push(frame).catch((err: Error) => {
          if (!open) return;
          open = false;
          listener.error(err);
        });
      },
      close() {
        open = false;
        segmenter.reset();
      },
    };
  };
}

/** The default: @voxwire/vad's energy VAD behind its segmenter. */
export const defaultSegmenter: SegmenterFactory = voxwireVadSegmenter();
