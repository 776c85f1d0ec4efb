import { setImmediate as nextTurn } from 'node:timers/promises';
import { type AudioFrame, audioFrame } from '@voxwire/codecs';
import {
  checkTextLength,
  collectPieces,
  DEFAULT_MAX_CHUNK_LENGTH,
  DEFAULT_MAX_TEXT_LENGTH,
  splitForSynthesis,
  throwIfAborted,
} from './synthesis-limits.js';
import type { SynthesisOptions, Synthesizer } from './types.js';

// Formant frequencies (F1, F2, F3 in Hz) of English vowels, Peterson & Barney averages for an adult voice.
const VOWELS: Record<string, [number, number, number]> = {
  a: [730, 1090, 2440],
  e: [530, 1840, 2480],
  i: [270, 2290, 3010],
  o: [570, 840, 2410],
  u: [300, 870, 2240],
  y: [390, 1990, 2550],
};
const FRICATIVES = new Set(['s', 'z', 'f', 'v', 'h', 'x', 'c', 'j']);

/** Options of {@link FormantSynthesizer}. */
export interface FormantSynthesizerOptions {
  /** Output rate, default 16000. */
  sampleRate?: number;
  /** Fundamental frequency at the start of an utterance in Hz, default 140 (falls 25 % towards the end). */
  pitchHz?: number;
  /** Longest text one synthesis accepts (code units); longer is refused with `TEXT_TOO_LONG`. Default 10 000. */
  maxTextLength?: number;
  /** Longest piece rendered in one go before yielding to the event loop. Default 400. */
  maxChunkLength?: number;
}

/**
 * A built-in voice that needs nothing installed: a glottal pulse train through three formant resonators per
 * vowel, noise bursts for fricatives and short closures for stops. Not intelligible English, but speech-like
 * in level, pitch and rhythm (one syllable per vowel group, pauses at punctuation), so VAD, barge-in and
 * pacing behave as with real speech. Deterministic: the same text gives the same samples.
 * Long text is rendered sentence by sentence with a turn of the event loop between pieces, so it never
 * holds the server for long.
 */
export class FormantSynthesizer implements Synthesizer {
  readonly name = 'formant';
  private readonly rate: number;
  private readonly pitch: number;
  private readonly maxTextLength: number;
  private readonly maxChunkLength: number;

  constructor(options: FormantSynthesizerOptions = {}) {
    this.rate = options.sampleRate ?? 16000;
    this.pitch = options.pitchHz ?? 140;
    this.maxTextLength = options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
    this.maxChunkLength = options.maxChunkLength ?? DEFAULT_MAX_CHUNK_LENGTH;
  }

  async synthesize(text: string, options: SynthesisOptions): Promise<AudioFrame> {
    return collectPieces(this.stream(text, options), this.rate);
  }

  /** Speaks `text` sentence by sentence, yielding to the event loop before each piece. */
  async *stream(text: string, options: SynthesisOptions): AsyncGenerator<AudioFrame> {
    checkTextLength(text, this.maxTextLength);
    const pieces = splitForSynthesis(text, this.maxChunkLength);
    if (pieces.length === 0) pieces.push('');
    let position = 0;
    for (const piece of pieces) {
      await nextTurn();
      throwIfAborted(options.signal);
      const frame = audioFrame(this.render(piece, options.speed), this.rate, 1, position);
      position += frame.data.length;
      yield frame;
    }
  }

  /** Renders `text` synchronously, in one piece (keep it short: see {@link FormantSynthesizer.stream}). */
  render(text: string, speed = 1): Int16Array {
    const rate = this.rate;
    const segments = plan(text.toLowerCase());
    const unit = rate / Math.max(0.25, speed);
    let total = 0;
    for (const s of segments) total += Math.round(s.seconds * unit);
    const out = new Float32Array(total + 1);
    let pos = 0;
    let phase = 0;
    let noise = 0x2545f491;
    // Resonator state (two-pole filters in cascade), carried across segments so vowels join smoothly.
    const y1 = [0, 0, 0];
    const y2 = [0, 0, 0];
    for (const seg of segments) {
      const n = Math.round(seg.seconds * unit);
      const ramp = Math.min(n >> 1, Math.round(rate * 0.01));
      if (seg.kind === 'vowel') {
        const coeffs = seg.formants.map((f, k) => resonator(f, 60 + 40 * k, rate));
        for (let i = 0; i < n; i++) {
          const t = (pos + i) / total;
          const f0 = this.pitch * (1 - 0.25 * t);
          phase += f0 / rate;
          let x = 0;
          if (phase >= 1) {
            phase -= 1;
            x = 1; // one glottal pulse per period
          }
          let y = x;
          for (let k = 0; k < 3; k++) {
            const [a1, a2, g] = coeffs[k];
            const v = g * y + a1 * y1[k] + a2 * y2[k];
            y2[k] = y1[k];
            y1[k] = v;
            y = v;
          }
          const env = Math.min(1, i / ramp, (n - i) / ramp);
          out[pos + i] = y * env;
        }
      } else if (seg.kind === 'fricative') {
        let prev = 0;
        for (let i = 0; i < n; i++) {
          noise ^= noise << 13;
          noise ^= noise >>> 17;
          noise ^= noise << 5;
          const white = (noise >>> 0) / 0x100000000 - 0.5;
          const hp = white - prev; // first difference: tilt the noise towards the high band of fricatives
          prev = white;
          const env = Math.min(1, i / ramp, (n - i) / ramp);
          out[pos + i] = hp * 0.25 * env;
        }
      }
      pos += n;
    }
    // Normalise to a speech-like level: peak at -6 dBFS.
    let peak = 0;
    for (let i = 0; i < out.length; i++) peak = Math.max(peak, Math.abs(out[i]));
    const pcm = new Int16Array(out.length);
    const gain = peak > 0 ? 16384 / peak : 0;
    for (let i = 0; i < out.length; i++) pcm[i] = Math.round(out[i] * gain);
    return pcm;
  }
}

type Segment =
  | { kind: 'vowel'; seconds: number; formants: [number, number, number] }
  | { kind: 'fricative'; seconds: number }
  | { kind: 'silence'; seconds: number };

function plan(text: string): Segment[] {
  const segs: Segment[] = [{ kind: 'silence', seconds: 0.05 }];
  for (const token of text.match(/[a-z0-9']+|[.,!?;:]/g) ?? []) {
    if (/^[.,!?;:]$/.test(token)) {
      segs.push({ kind: 'silence', seconds: token === ',' ? 0.15 : 0.3 });
      continue;
    }
    const word = /\d/.test(token) ? 'numbe' : token;
    let i = 0;
    while (i < word.length) {
      const ch = word[i];
      if (VOWELS[ch]) {
        let j = i;
        while (j < word.length && VOWELS[word[j]]) j++;
        segs.push({ kind: 'vowel', seconds: 0.09 + 0.03 * (j - i), formants: VOWELS[ch] });
        i = j;
      } else {
        segs.push(
          FRICATIVES.has(ch) ? { kind: 'fricative', seconds: 0.07 } : { kind: 'silence', seconds: 0.03 },
        );
        i++;
      }
    }
    segs.push({ kind: 'silence', seconds: 0.06 });
  }
  segs.push({ kind: 'silence', seconds: 0.05 });
  return segs;
}

/**
 * Coefficients of a two-pole resonator at `freq` with bandwidth `bw`, unity gain at DC (Klatt's cascade
 * normalisation): in a cascade, each vowel then keeps a similar level whatever its formants.
 */
function resonator(freq: number, bw: number, rate: number): [number, number, number] {
  const r = Math.exp((-Math.PI * bw) / rate);
  const a1 = 2 * r * Math.cos((2 * Math.PI * freq) / rate);
  const a2 = -r * r;
  return [a1, a2, 1 - a1 - a2];
}
