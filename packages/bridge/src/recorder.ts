import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AnyFrame, alaw, isEncodedFrame, mulaw, Resampler, wav } from '@voxwire/codecs';
import { BridgeError } from './errors.js';

/** Samples per storage block: one second at the recorder's rate (blocks avoid re-copying a growing array). */
const blockSeconds = 1;

/** A mono Int16 track stored in fixed blocks, written at arbitrary sample positions. */
class Track {
  private readonly blocks: Int16Array[] = [];
  length = 0;

  constructor(private readonly blockSize: number) {}

  write(pos: number, pcm: Int16Array): void {
    let src = 0;
    while (src < pcm.length) {
      const at = pos + src;
      const b = Math.floor(at / this.blockSize);
      while (this.blocks.length <= b) this.blocks.push(new Int16Array(this.blockSize));
      const off = at - b * this.blockSize;
      const n = Math.min(this.blockSize - off, pcm.length - src);
      this.blocks[b].set(pcm.subarray(src, src + n), off);
      src += n;
    }
    this.length = Math.max(this.length, pos + pcm.length);
  }

  /** Silences everything from `pos` on and shortens the track to `pos`. */
  truncate(pos: number): void {
    if (pos >= this.length) return;
    const b = Math.floor(pos / this.blockSize);
    if (b < this.blocks.length) this.blocks[b].fill(0, pos - b * this.blockSize);
    this.blocks.length = Math.min(this.blocks.length, b + 1);
    this.length = pos;
  }

  toArray(length = this.length): Int16Array {
    const out = new Int16Array(length);
    for (let b = 0; b < this.blocks.length && b * this.blockSize < length; b++) {
      const block = this.blocks[b];
      out.set(block.subarray(0, Math.min(this.blockSize, length - b * this.blockSize)), b * this.blockSize);
    }
    return out;
  }
}

/** Options of {@link CallRecorder}. */
export interface CallRecorderOptions {
  /**
   * Sample rate of the recording. Default: the rate of the first audio recorded, so a bridged call whose
   * two sides share a rate (a pass-through Twilio call: 8 kHz both ways; AudioCodes `raw/lpcm16_24` with
   * a 24 kHz model) is stored unchanged, without resampling either side.
   */
  sampleRate?: number;
}

/** Files written by {@link CallRecorder.save}. */
export interface SavedRecording {
  caller: string;
  agent: string;
  /** Mono mix, or stereo (left caller, right agent) with `stereo: true`. */
  mixed: string;
  summary: string;
}

/** What a recording holds, as aligned mono tracks. */
export interface CallRecording {
  sampleRate: number;
  /** Caller and agent on one timeline (sample 0 = first caller audio), same length. */
  caller: Int16Array;
  agent: Int16Array;
  /** caller + agent, clipped to 16 bits. */
  mixed: Int16Array;
  durationMs: number;
  /** Agent audio cut short by barge-in (ms of agent audio removed as never heard). */
  clearedMs: number;
}

/**
 * Records a bridged call: caller audio on the caller's own clock (it arrives in real time) and agent audio
 * placed where it starts playing on that clock, so both speakers line up; audio cleared by barge-in is removed
 * because the caller never heard it.
 */
export class CallRecorder {
  private rate: number | undefined;
  private callerTrack = new Track(1);
  private agentTrack = new Track(1);
  private readonly resamplers = new Map<string, Resampler>();
  private callerPos = 0;
  private agentPos = 0;
  private clearedSamples = 0;

  /** @throws BridgeError `INVALID_ARGUMENT` for a sample rate that is not a positive integer */
  constructor(options: CallRecorderOptions = {}) {
    const rate = options.sampleRate;
    if (rate !== undefined && (!Number.isInteger(rate) || rate <= 0)) {
      throw new BridgeError(
        'INVALID_ARGUMENT',
        `CallRecorder: sampleRate must be a positive integer, got ${rate}`,
      );
    }
    if (rate !== undefined) this.setRate(rate);
  }

  /** Sample rate of the recording (until the first audio, when none was given: 0). */
  get sampleRate(): number {
    return this.rate ?? 0;
  }

  /** Caller audio as it arrives (mono; G.711 frames are decoded, other rates resampled). */
  caller(frame: AnyFrame): void {
    const x = this.toRate('caller', frame);
    this.callerTrack.write(this.callerPos, x);
    this.callerPos += x.length;
  }

  /** Agent audio as it is handed to the platform: it plays after what is queued, or now if nothing is. */
  agent(frame: AnyFrame): void {
    const x = this.toRate('agent', frame);
    const at = Math.max(this.agentPos, this.callerPos);
    this.agentTrack.write(at, x);
    this.agentPos = at + x.length;
  }

  /**
   * Barge-in: the last `unheardMs` of agent audio were cleared before the caller heard them (the platform's
   * queued-but-unplayed amount, `sentMs() - playedMs()` just before `clear()`), so they leave the recording.
   */
  clearAgent(unheardMs: number): void {
    if (this.rate === undefined) return;
    const cut = Math.min(Math.round((Math.max(0, unheardMs) * this.rate) / 1000), this.agentPos);
    if (cut > 0) {
      this.clearedSamples += cut;
      this.agentPos -= cut;
      this.agentTrack.truncate(this.agentPos);
    }
    this.resamplers.get('agent')?.reset();
  }

  /** The aligned tracks recorded so far. */
  recording(): CallRecording {
    const length = Math.max(this.callerTrack.length, this.agentTrack.length);
    const caller = this.callerTrack.toArray(length);
    const agent = this.agentTrack.toArray(length);
    const mixed = new Int16Array(length);
    for (let i = 0; i < length; i++) {
      const v = caller[i] + agent[i];
      mixed[i] = Math.min(32767, Math.max(-32768, v));
    }
    return {
      sampleRate: this.sampleRate,
      caller,
      agent,
      mixed,
      durationMs: this.rate ? (length * 1000) / this.rate : 0,
      clearedMs: this.rate ? (this.clearedSamples * 1000) / this.rate : 0,
    };
  }

  /**
   * Writes `caller.wav`, `agent.wav`, `mixed.wav` (mono mix, or stereo caller-left/agent-right) and
   * `summary.json` (duration, cleared agent audio, and whatever `summary` adds, e.g. a bridge's metrics).
   */
  async save(
    dir: string,
    options: { stereo?: boolean; summary?: Record<string, unknown> } = {},
  ): Promise<SavedRecording> {
    const rec = this.recording();
    await mkdir(dir, { recursive: true });
    const files: SavedRecording = {
      caller: join(dir, 'caller.wav'),
      agent: join(dir, 'agent.wav'),
      mixed: join(dir, 'mixed.wav'),
      summary: join(dir, 'summary.json'),
    };
    const mono = (data: Int16Array) => wav.write({ sampleRate: rec.sampleRate, channels: 1, data });
    let mixed = mono(rec.mixed);
    if (options.stereo) {
      const lr = new Int16Array(rec.caller.length * 2);
      for (let i = 0; i < rec.caller.length; i++) {
        lr[2 * i] = rec.caller[i];
        lr[2 * i + 1] = rec.agent[i];
      }
      mixed = wav.write({ sampleRate: rec.sampleRate, channels: 2, data: lr });
    }
    const summary = {
      sampleRate: rec.sampleRate,
      durationMs: rec.durationMs,
      clearedAgentMs: rec.clearedMs,
      stereo: options.stereo === true,
      ...options.summary,
    };
    await Promise.all([
      writeFile(files.caller, mono(rec.caller)),
      writeFile(files.agent, mono(rec.agent)),
      writeFile(files.mixed, mixed),
      writeFile(files.summary, `${JSON.stringify(summary, null, 2)}\n`),
    ]);
    return files;
  }

  private setRate(rate: number): number {
    this.rate = rate;
    this.callerTrack = new Track(rate * blockSeconds);
    this.agentTrack = new Track(rate * blockSeconds);
    return rate;
  }

  private toRate(track: 'caller' | 'agent', frame: AnyFrame): Int16Array {
    if (frame.channels !== 1) throw new BridgeError('INVALID_ARGUMENT', 'CallRecorder records mono audio');
    let pcm: Int16Array;
    if (!isEncodedFrame(frame)) pcm = frame.data;
    else if (frame.codec === 'pcmu') pcm = mulaw.decode(frame.data);
    else if (frame.codec === 'pcma') pcm = alaw.decode(frame.data);
    else throw new BridgeError('INVALID_ARGUMENT', `CallRecorder cannot decode ${frame.codec} audio`);
    const rate = frame.sampleRate;
    const out = this.rate ?? this.setRate(rate);
    if (rate === out) return pcm;
    let r = this.resamplers.get(track);
    if (!r || r.inputRate !== rate) {
      r = new Resampler({ inputRate: rate, outputRate: out });
      this.resamplers.set(track, r);
    }
    return r.process(pcm) as Int16Array;
  }
}
