import { type AudioFrame, audioFrame, resampleFrame } from '@voxwire/codecs';
import { SynthesisError } from './errors.js';
import type { SynthesisOptions, Synthesizer } from './types.js';

/** Default longest text one synthesis accepts, in UTF-16 code units (about ten minutes of speech). */
export const DEFAULT_MAX_TEXT_LENGTH = 10_000;
/** Default longest piece handed to one synthesis run (one espeak-ng process): a sentence or two. */
export const DEFAULT_MAX_CHUNK_LENGTH = 400;

/** Throws `TEXT_TOO_LONG` when `text` is over `max` code units. */
export function checkTextLength(text: string, max: number, option = 'maxTextLength'): void {
  if (text.length > max) {
    throw new SynthesisError(
      'TEXT_TOO_LONG',
      `text to speak is ${text.length} characters; the limit is ${max} (option ${option})`,
    );
  }
}

/** Throws `ABORTED` when the caller's signal fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new SynthesisError('ABORTED', 'synthesis aborted');
}

const SENTENCE_END = new Set(['.', '!', '?', ';', '\n']);
const SOFT_BREAK = new Set([',', ':', ' ', '\t', '\r', '\n']);

/** Whether a sentence ends after `text[i]` (a stop followed by a space or the end: not "3.5"). */
function sentenceEndsAt(text: string, i: number): boolean {
  return SENTENCE_END.has(text[i]) && (i + 1 >= text.length || SOFT_BREAK.has(text[i + 1]));
}

/**
 * Splits text into pieces of at most `max` code units: the first piece is the first sentence (so speech
 * can start early), later pieces pack whole sentences; a sentence longer than `max` is cut after a comma or
 * a space, else hard. One linear pass, no regular expression: the text is the user's. Blank pieces are
 * dropped.
 */
export function splitForSynthesis(text: string, max = DEFAULT_MAX_CHUNK_LENGTH): string[] {
  const limit = Math.max(1, Math.floor(max));
  const pieces: string[] = [];
  let start = 0;
  let first = true;
  while (start < text.length) {
    const reach = Math.min(text.length, start + limit);
    let cut = -1;
    if (first) {
      for (let i = start; i < reach - 1 && cut < 0; i++) if (sentenceEndsAt(text, i)) cut = i + 1;
    }
    if (cut < 0 && reach < text.length) {
      let soft = -1;
      for (let i = reach - 1; i > start; i--) {
        if (sentenceEndsAt(text, i)) {
          cut = i + 1;
          break;
        }
        if (soft < 0 && SOFT_BREAK.has(text[i])) soft = i + 1;
      }
      if (cut < 0) cut = soft;
    }
    const end = cut > start ? cut : reach;
    const piece = text.slice(start, end).trim();
    if (piece) pieces.push(piece);
    start = end;
    first = false;
  }
  return pieces;
}

/**
 * Joins pieces into one utterance at the first piece's rate (a fallback piece of another rate is resampled),
 * `position` 0.
 */
export function concatPieces(pieces: readonly AudioFrame[], fallbackRate: number): AudioFrame {
  if (pieces.length === 1) return pieces[0].position === 0 ? pieces[0] : { ...pieces[0], position: 0 };
  const sampleRate = pieces[0]?.sampleRate ?? fallbackRate;
  const parts = pieces.map((p) => resampleFrame(p, sampleRate).data);
  let n = 0;
  for (const p of parts) n += p.length;
  const data = new Int16Array(n);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return audioFrame(data, sampleRate);
}

/**
 * The speech of `text` piece by piece: the synthesizer's own stream, or its whole utterance as one piece.
 * Each frame's `position` counts the samples yielded before it.
 */
export async function* synthesisStream(
  synthesizer: Synthesizer,
  text: string,
  options: SynthesisOptions,
): AsyncGenerator<AudioFrame> {
  if (synthesizer.stream) yield* synthesizer.stream(text, options);
  else yield await synthesizer.synthesize(text, options);
}

/** Collects a stream of pieces into one utterance. */
export async function collectPieces(
  pieces: AsyncIterable<AudioFrame>,
  fallbackRate: number,
): Promise<AudioFrame> {
  const all: AudioFrame[] = [];
  for await (const p of pieces) all.push(p);
  return concatPieces(all, fallbackRate);
}

/** Re-stamps mono pieces with their running sample position (a piece keeps its rate). */
export async function* positioned(pieces: AsyncIterable<AudioFrame>): AsyncGenerator<AudioFrame> {
  let position = 0;
  for await (const p of pieces) {
    yield p.position === position ? p : { ...p, position };
    position += p.data.length / p.channels;
  }
}
