import { type AudioFrame, audioFrame } from '@voxwire/codecs';
import type { AudioMixer } from '../src/index.js';

/** Wraps PCM as an {@link AudioFrame} (mono unless told). */
export function frame(data: Int16Array, rate: number, channels = 1): AudioFrame {
  return audioFrame(data, rate, channels);
}

/** Drives `mixer.mixFrame()` `frames` times and concatenates the Int16 frames. */
export function collect(mixer: AudioMixer, frames: number): Int16Array {
  const len = mixer.frameSize * mixer.channels;
  const out = new Int16Array(frames * len);
  for (let f = 0; f < frames; f++) out.set(mixer.mixFrame().data, f * len);
  return out;
}
