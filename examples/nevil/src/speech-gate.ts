import { EnergyVad, type Vad, VadSegmenter } from '@voxwire/vad';
import { SampleHistory } from './sample-history.js';

/** Where {@link SpeechGate} sends what it lets through. */
export interface SpeechGateSink {
  /** Audio to send (a view valid during the call): the prefix padding, then live audio while speech lasts. */
  audio(view: Int16Array): void;
  start(): void;
  end(): void;
  error(err: unknown): void;
}

/** Options of {@link SpeechGate}. */
export interface SpeechGateOptions {
  sampleRate: number;
  channels: number;
  /** RMS threshold of the energy VAD. */
  threshold: number;
  prefixPaddingMs: number;
  silenceMs: number;
  /** A detector instead of the energy VAD (may be asynchronous, e.g. Silero). */
  vad?: Vad;
}

const ENERGY_RATES = [8000, 16000, 24000, 48000];
/** History beyond the prefix: the segmenter's 200 ms onset look-back, 100 ms min speech, and slack for a slow VAD. */
const HISTORY_SLACK_MS = 1500;

/**
 * Lets speech through, with padding: a VAD segmenter scores the audio; on `speechStart` the audio from the
 * onset minus the prefix padding is replayed from a history ring, then live audio flows until `speechEnd`
 * (which comes `silenceMs` after the last speech, so the trailing silence is sent as well: a server VAD on the
 * far end needs it to see the turn end). Works with synchronous and asynchronous detectors.
 */
export class SpeechGate {
  private readonly segmenter: VadSegmenter;
  private readonly history: SampleHistory;
  private readonly channels: number;
  private readonly sink: SpeechGateSink;
  private total = 0;
  private sentTo = 0;
  private open = false;

  constructor(options: SpeechGateOptions, sink: SpeechGateSink) {
    this.channels = options.channels;
    this.sink = sink;
    const vad =
      options.vad ??
      new EnergyVad({
        sampleRate: ENERGY_RATES.includes(options.sampleRate) ? options.sampleRate : 16000,
        threshold: options.threshold,
        frameMs: 20,
      });
    this.segmenter = new VadSegmenter({
      vad,
      sampleRate: options.sampleRate,
      channels: options.channels,
      prefixPaddingMs: options.prefixPaddingMs,
      minSilenceMs: options.silenceMs,
      includeAudio: false,
    });
    const historyFrames = Math.ceil(
      ((options.prefixPaddingMs + HISTORY_SLACK_MS) * options.sampleRate) / 1000,
    );
    this.history = new SampleHistory(historyFrames * options.channels);
    this.segmenter.on('speechStart', (e) => {
      this.open = true;
      this.sentTo = Math.max(e.audioStartSample * this.channels, this.history.start);
      this.sink.start();
      this.drain();
    });
    this.segmenter.on('speechEnd', () => {
      if (!this.open) return;
      this.drain();
      this.open = false;
      this.sink.end();
    });
  }

  private readonly onVadError = (err: unknown): void => this.sink.error(err);

  /** Whether speech is going on (audio is being let through). */
  get active(): boolean {
    return this.open;
  }

  /** Adds captured audio (interleaved); events and `sink.audio` happen inside for synchronous detectors. */
  push(block: Int16Array): void {
    this.history.write(block);
    const position = this.total / this.channels;
    this.total += block.length;
    const frame = { data: block, sampleRate: this.segmenter.sampleRate, channels: this.channels, position };
    this.segmenter.push(frame).catch(this.onVadError);
    if (this.open) this.drain();
  }

  /** Ends an open utterance now (sends what is owed, then `sink.end`) and starts a fresh stream. */
  end(): void {
    if (this.open) {
      this.drain();
      this.open = false;
      this.sink.end();
    }
    this.reset();
  }

  /** Drops all state silently. */
  reset(): void {
    this.segmenter.reset();
    this.history.reset();
    this.total = 0;
    this.sentTo = 0;
    this.open = false;
  }

  private drain(): void {
    const from = this.sentTo;
    const to = this.total;
    if (to <= from) return;
    this.sentTo = to;
    this.history.read(from, to, this.sink.audio);
  }
}
