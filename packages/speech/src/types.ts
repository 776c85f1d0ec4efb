import type { AudioFrame } from '@voxwire/codecs';

/** Turns speech into text. */
export interface Transcriber {
  /** Short name reported in logs and transcription usage. */
  readonly name: string;
  /**
   * Transcribes one utterance.
   * @param audio - the speech, mono, at any rate (the engine resamples to its own)
   * @param options - `language` hint; `signal` aborted when the caller goes away: implementations stop work
   * @returns the transcript (may be empty when nothing was recognised)
   */
  transcribe(audio: AudioFrame, options: { language?: string; signal: AbortSignal }): Promise<string>;
}

/** What a synthesis is asked for. */
export interface SynthesisOptions {
  /** The voice name (OpenAI names such as `alloy`, or engine-specific). */
  voice: string;
  /** 0.25–1.5, 1 = normal. */
  speed: number;
  /** Aborted when whoever asked goes away: implementations stop work (and kill their processes). */
  signal: AbortSignal;
}

/** Turns text into speech. */
export interface Synthesizer {
  readonly name: string;
  /**
   * Speaks `text` as one mono frame at the engine's rate (`position` 0).
   * Rejects with a `SynthesisError` when the text is over the engine's limit or the signal aborted.
   */
  synthesize(text: string, options: SynthesisOptions): Promise<AudioFrame>;
  /**
   * Optional: speaks `text` as a sequence of mono frames (sentences), each yielded as soon as it is ready,
   * so long replies start early and no single run gets the whole text; each frame's `position` counts the
   * samples yielded before it. Use `synthesisStream()` to read any synthesizer this way.
   */
  stream?(text: string, options: SynthesisOptions): AsyncIterable<AudioFrame>;
}
