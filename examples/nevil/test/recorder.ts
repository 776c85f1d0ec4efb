// Collects what an AudioCaptureManager hands out, for assertions.
import type { AudioCaptureCallbacks, CaptureState } from '../src/index.js';
import { decodeChunk } from './speech.js';

export interface Chunk {
  pcm: Int16Array;
  volume: number;
  /** Speech-start events seen before this chunk was delivered. */
  speechStartsBefore: number;
}

export class Recorder {
  chunks: Chunk[] = [];
  volumes: number[] = [];
  states: CaptureState[] = [];
  errors: Error[] = [];
  speechStarts = 0;
  speechEnds = 0;

  get sentFrames(): number {
    return this.chunks.reduce((n, c) => n + c.pcm.length, 0);
  }

  callbacks(extra: Partial<AudioCaptureCallbacks> = {}): AudioCaptureCallbacks {
    return {
      onAudioData: (b64, volume) => {
        this.chunks.push({ pcm: decodeChunk(b64), volume, speechStartsBefore: this.speechStarts });
        extra.onAudioData?.(b64, volume);
      },
      onVolumeChange: (v) => {
        this.volumes.push(v);
        extra.onVolumeChange?.(v);
      },
      onStateChange: (s) => {
        this.states.push(s);
        extra.onStateChange?.(s);
      },
      onError: (e) => {
        this.errors.push(e);
        extra.onError?.(e);
      },
      onVadSpeechStart: () => {
        this.speechStarts++;
        extra.onVadSpeechStart?.();
      },
      onVadSpeechEnd: () => {
        this.speechEnds++;
        extra.onVadSpeechEnd?.();
      },
    };
  }
}
