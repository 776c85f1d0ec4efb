import { int16ToBase64 } from '@voxwire/codecs';
import { AudioCapture, type BackendName } from '@voxwire/wasapi';
import type { AudioCaptureCallbacks, CaptureState } from './callbacks.js';
import { type AudioCaptureConfig, resolveConfig } from './config.js';
import type { AudioStreamTarget } from './connection-target.js';
import { resolveInputDevice } from './device-list.js';
import { AudioCaptureError, NoDeviceError, RuntimeError } from './errors.js';
import { SpeechGate } from './speech-gate.js';
import { rmsLevel, VolumeMeter } from './volume-meter.js';

/** What {@link AudioCaptureManager.getStats} returns: the design's fields, camelCased, plus extensions. */
export interface AudioCaptureStats {
  state: CaptureState;
  isRecording: boolean;
  isPaused: boolean;
  /** Sample frames captured while recording (paused audio is not counted). */
  totalSamples: number;
  /** Chunks delivered (`onAudioData` calls). */
  totalChunks: number;
  /** Sample frames waiting in the partial chunk. */
  bufferSamples: number;
  bufferMs: number;
  vadEnabled: boolean;
  vadSpeechActive: boolean;
  sampleRate: number;
  channels: number;
  /** Extension: sample frames delivered in chunks. */
  sentSamples: number;
  /** Extension: sample frames the VAD held back as silence (`totalSamples - sentSamples - bufferSamples`). */
  suppressedSamples: number;
  /** Extension: sample frames read from the device and discarded because capture was paused. */
  discardedSamples: number;
  /** Extension: frames the native audio thread dropped because JS did not read in time. */
  droppedFrames: number;
  /** Extension: the open device and backend ('' before `initialize`). */
  deviceId: string;
  backend: BackendName | '';
}

/**
 * Captures microphone audio and hands it out in fixed chunks (default 200 ms of 24 kHz mono PCM16, base64)
 * for the OpenAI Realtime API: the design's `AudioCaptureManager`, camelCased. The native audio thread of
 * @voxwire/wasapi writes into a shared ring and wakes JS once per batch; this class reads the ring into one
 * reused buffer, meters the level, optionally gates silence with a VAD, and cuts chunks.
 *
 * All methods may be called at any time, including from inside callbacks; a method that changes the state
 * takes effect before the next sample is processed.
 */
export class AudioCaptureManager {
  private readonly config: AudioCaptureConfig;
  private callbacks: AudioCaptureCallbacks;
  private readonly target: AudioStreamTarget | undefined;
  private state: CaptureState = 'inactive';
  private capture: AudioCapture | null = null;
  private disposed = false;
  private deviceId = '';
  private backend: BackendName | '' = '';

  private readonly chunk: Int16Array;
  private chunkFill = 0;
  private readScratch: Int16Array = new Int16Array(0);
  /** Set while the ring is being read: a callback calling pause()/resume() must not reuse the scratch buffer. */
  private draining = false;
  private readonly meter: VolumeMeter;
  private gate: SpeechGate | null = null;

  private totalSamples = 0;
  private discardedSamples = 0;
  private sentSamples = 0;
  private totalChunks = 0;
  private lastAppendAt = 0;
  private flushTimer: NodeJS.Timeout | undefined;

  /**
   * @param config - partial {@link AudioCaptureConfig}; the rest are the design's defaults
   * @param callbacks - see {@link AudioCaptureCallbacks}
   * @param connectionManager - where chunks are streamed (e.g. a {@link RealtimeConnectionManager})
   * @throws AudioCaptureError `INVALID_CONFIG`
   */
  constructor(
    config: Partial<AudioCaptureConfig> = {},
    callbacks: AudioCaptureCallbacks = {},
    connectionManager?: AudioStreamTarget,
  ) {
    this.config = resolveConfig(config);
    this.callbacks = { ...callbacks };
    this.target = connectionManager;
    if (
      connectionManager &&
      !connectionManager.appendAudio &&
      (this.config.sampleRate !== 24000 || this.config.channelCount !== 1)
    ) {
      throw new AudioCaptureError(
        'INVALID_CONFIG',
        'a connection manager without appendAudio gets raw input_audio_buffer.append events, which the Realtime API takes only as 24 kHz mono',
      );
    }
    this.chunk = new Int16Array(this.config.chunkSize * this.config.channelCount);
    const windowFrames = (this.config.volumeWindowMs * this.config.sampleRate) / 1000;
    this.meter = new VolumeMeter(windowFrames * this.config.channelCount);
  }

  /** The configuration in use (defaults filled in). */
  getConfig(): Readonly<AudioCaptureConfig> {
    return this.config;
  }

  /**
   * Opens the input device (`deviceId`, `deviceIndex` or the default). Calling it again does nothing.
   * @throws NoDeviceError when there is no such device or no audio backend/server
   * @throws RuntimeError `DISPOSED` after dispose()
   */
  initialize(): void {
    this.assertNotDisposed('initialize');
    if (this.capture) return;
    const c = this.config;
    const device = resolveInputDevice(c.backend, c.deviceIndex, c.deviceId);
    // At least 500 ms: the ring adds no latency (it is drained at every wake-up), only room for JS stalls.
    const bufferMs = Math.max(500, Math.ceil((c.bufferSize * 1000) / c.sampleRate));
    let capture: AudioCapture;
    try {
      capture = new AudioCapture({
        backend: device.backend,
        deviceId: device.id,
        sampleRate: c.sampleRate,
        channels: c.channelCount,
        format: 's16',
        bufferMs,
      });
    } catch (err) {
      throw new NoDeviceError(`cannot open input device "${device.id}": ${(err as Error).message}`, {
        cause: err,
      });
    }
    capture.on('readable', this.onReadable);
    capture.on('error', (err: Error) =>
      this.report(new AudioCaptureError('CAPTURE', `capture failed: ${err.message}`, { cause: err })),
    );
    this.readScratch = new Int16Array(Math.ceil((bufferMs * c.sampleRate) / 1000) * c.channelCount);
    this.capture = capture;
    this.deviceId = device.id;
    this.backend = device.backend;
    if (c.vadEnabled) {
      this.gate = new SpeechGate(
        {
          sampleRate: c.sampleRate,
          channels: c.channelCount,
          threshold: c.vadThreshold,
          prefixPaddingMs: c.vadPrefixPaddingMs,
          silenceMs: c.vadSilenceMs,
          vad: c.vad,
        },
        {
          audio: (view) => this.appendToChunk(view),
          start: () => this.call('onVadSpeechStart'),
          end: () => {
            this.flushChunk();
            this.safely(() => this.target?.speechEnded?.());
            this.call('onVadSpeechEnd');
          },
          error: (err) =>
            this.report(new AudioCaptureError('CAPTURE', `VAD failed: ${String(err)}`, { cause: err })),
        },
      );
    }
  }

  /**
   * Starts capturing.
   * @throws RuntimeError `NOT_INITIALIZED` before initialize(), `ALREADY_RECORDING` when recording or paused,
   *   `DISPOSED` after dispose()
   */
  startRecording(): void {
    this.assertNotDisposed('startRecording');
    if (!this.capture) {
      throw new RuntimeError('NOT_INITIALIZED', 'startRecording() called before initialize()');
    }
    if (this.state !== 'inactive') {
      throw new RuntimeError('ALREADY_RECORDING', `startRecording() called while ${this.state}`);
    }
    this.gate?.reset();
    this.meter.reset();
    this.capture.start();
    this.setState('recording');
  }

  /** Stops capturing: audio still in the ring is processed, an open utterance is ended, the partial chunk sent. */
  stopRecording(): void {
    const capture = this.capture;
    if (this.state === 'inactive' || !capture) return;
    if (capture.state === 'running') capture.stop();
    if (this.state === 'recording') this.onReadable();
    this.gate?.end();
    this.flushChunk();
    this.clearFlushTimer();
    this.setState('inactive');
  }

  /**
   * Pauses: the device keeps running (no restart gap) but audio is discarded until resume(). An open utterance
   * is ended; a partial chunk stays and is auto-flushed after `autoFlushMs` (or sent by flush()).
   */
  pause(): void {
    if (this.state !== 'recording') return;
    this.onReadable(); // what was captured before the call is still processed
    if (this.state !== 'recording') return; // a callback changed the state meanwhile
    this.setStateQuiet('paused');
    this.gate?.end();
    this.armFlushTimer();
    this.call('onStateChange', 'paused');
  }

  /** Resumes after pause(): audio captured from now on is processed. */
  resume(): void {
    if (this.state !== 'paused') return;
    this.discardBuffered();
    this.gate?.reset();
    this.meter.reset();
    this.setState('recording');
  }

  /** Sends the partial chunk now (if any) and asks the connection to send what it holds. */
  flush(): void {
    this.flushChunk();
    this.safely(() => this.target?.flushAudio?.());
  }

  /** RMS level (0..1) of the last meter window. */
  getCurrentVolume(): number {
    return this.meter.level;
  }

  /** `'inactive' | 'recording' | 'paused'`. */
  getState(): CaptureState {
    return this.state;
  }

  /** Counters; see {@link AudioCaptureStats}. */
  getStats(): AudioCaptureStats {
    const ch = this.config.channelCount;
    const bufferSamples = this.chunkFill / ch;
    let droppedFrames = 0;
    if (this.capture && this.capture.state !== 'closed') droppedFrames = this.capture.stats().droppedFrames;
    return {
      state: this.state,
      isRecording: this.state === 'recording',
      isPaused: this.state === 'paused',
      totalSamples: this.totalSamples,
      totalChunks: this.totalChunks,
      bufferSamples,
      bufferMs: (bufferSamples * 1000) / this.config.sampleRate,
      vadEnabled: this.config.vadEnabled,
      vadSpeechActive: this.gate?.active ?? false,
      sampleRate: this.config.sampleRate,
      channels: ch,
      sentSamples: this.sentSamples,
      suppressedSamples: this.totalSamples - this.sentSamples - bufferSamples,
      discardedSamples: this.discardedSamples,
      droppedFrames,
      deviceId: this.deviceId,
      backend: this.backend,
    };
  }

  /** Replaces the callbacks (all of them: pass the ones to keep). */
  setCallbacks(callbacks: AudioCaptureCallbacks): void {
    this.callbacks = { ...callbacks };
  }

  /** Stops (flushing) and closes the device. Idempotent; afterwards only getters work. */
  dispose(): void {
    if (this.disposed) return;
    this.stopRecording();
    this.disposed = true;
    this.clearFlushTimer();
    this.capture?.close();
    this.capture = null;
  }

  // ------------------------------------------------------------------ processing

  /** Drains the capture ring into the reused scratch buffer and processes it (or discards it when paused). */
  private readonly onReadable = (): void => {
    const capture = this.capture;
    if (!capture || capture.state === 'closed' || this.draining) return;
    const ch = this.config.channelCount;
    this.draining = true;
    try {
      for (;;) {
        if (this.capture !== capture || (capture.state as string) === 'closed') return;
        const frames = capture.readInto(this.readScratch);
        if (frames === 0) return;
        if (this.state === 'recording') this.process(this.readScratch.subarray(0, frames * ch));
        else this.discardedSamples += frames;
      }
    } finally {
      this.draining = false;
    }
  };

  private discardBuffered(): void {
    const capture = this.capture;
    if (!capture || capture.state === 'closed' || this.draining) return;
    for (let n = capture.readInto(this.readScratch); n > 0; n = capture.readInto(this.readScratch)) {
      this.discardedSamples += n;
    }
  }

  private process(block: Int16Array): void {
    this.meter.push(block, (level) => this.call('onVolumeChange', level));
    if (this.state !== 'recording') return; // paused/stopped from onVolumeChange
    this.totalSamples += block.length / this.config.channelCount;
    if (this.gate) this.gate.push(block);
    else this.appendToChunk(block);
  }

  /** Adds audio to the chunk, delivering each full chunk; stops taking audio if a callback leaves `recording`. */
  private appendToChunk(src: Int16Array): void {
    const L = this.chunk.length;
    let offset = 0;
    while (offset < src.length && this.state === 'recording') {
      const take = Math.min(L - this.chunkFill, src.length - offset);
      this.chunk.set(src.subarray(offset, offset + take), this.chunkFill);
      this.chunkFill += take;
      offset += take;
      this.lastAppendAt = performance.now();
      if (this.chunkFill === L) this.deliver();
    }
    // Samples a callback refused (it paused or stopped) were counted as processed: take them back out.
    if (offset < src.length && !this.gate)
      this.totalSamples -= (src.length - offset) / this.config.channelCount;
    if (this.chunkFill > 0) this.armFlushTimer();
  }

  private flushChunk(): void {
    if (this.chunkFill > 0) this.deliver();
  }

  /** Sends the chunk buffer's content; the buffer is empty again before any callback runs. */
  private deliver(): void {
    const view = this.chunk.subarray(0, this.chunkFill);
    const frames = this.chunkFill / this.config.channelCount;
    this.chunkFill = 0;
    const volume = rmsLevel(view);
    const base64 = int16ToBase64(view);
    this.totalChunks++;
    this.sentSamples += frames;
    const target = this.target;
    if (target) {
      this.safely(() => {
        if (target.appendAudio) target.appendAudio(view, this.config.sampleRate, this.config.channelCount);
        else target.sendEvent?.({ type: 'input_audio_buffer.append', audio: base64 });
      });
    }
    this.call('onAudioData', base64, volume);
  }

  // ------------------------------------------------------------------ auto-flush

  /** One timer at a time; it flushes a partial chunk that has had no new audio for `autoFlushMs`. */
  private armFlushTimer(): void {
    const ms = this.config.autoFlushMs;
    if (ms <= 0 || this.flushTimer || this.chunkFill === 0 || this.disposed) return;
    const due = Math.max(1, this.lastAppendAt + ms - performance.now());
    this.flushTimer = setTimeout(this.onFlushTimer, due);
    this.flushTimer.unref();
  }

  private readonly onFlushTimer = (): void => {
    this.flushTimer = undefined;
    // Audio may be waiting in the ring (JS was busy): take it first, so steady audio is never split.
    if (this.state === 'recording') this.onReadable();
    if (this.chunkFill === 0) return;
    if (performance.now() - this.lastAppendAt >= this.config.autoFlushMs) this.flushChunk();
    else this.armFlushTimer();
  };

  private clearFlushTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  // ------------------------------------------------------------------ helpers

  private setState(state: CaptureState): void {
    if (this.state === state) return;
    this.state = state;
    this.call('onStateChange', state);
  }

  private setStateQuiet(state: CaptureState): void {
    this.state = state;
  }

  private assertNotDisposed(method: string): void {
    if (this.disposed) throw new RuntimeError('DISPOSED', `${method}() called after dispose()`);
  }

  /** Calls a callback; an exception goes to onError (and, if that throws too, to a process warning). */
  private call<K extends keyof AudioCaptureCallbacks>(
    name: K,
    ...args: Parameters<NonNullable<AudioCaptureCallbacks[K]>>
  ): void {
    const fn = this.callbacks[name] as ((...a: typeof args) => void) | undefined;
    if (!fn) return;
    try {
      fn(...args);
    } catch (err) {
      this.report(new AudioCaptureError('CALLBACK', `${name} threw: ${String(err)}`, { cause: err }));
    }
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.report(
        new AudioCaptureError('CONNECTION', `the connection refused audio: ${String(err)}`, { cause: err }),
      );
    }
  }

  private report(error: AudioCaptureError): void {
    const onError = this.callbacks.onError;
    if (!onError) {
      process.emitWarning(error);
      return;
    }
    try {
      onError(error);
    } catch (err) {
      process.emitWarning(new AudioCaptureError('CALLBACK', `onError threw: ${String(err)}`, { cause: err }));
    }
  }
}
