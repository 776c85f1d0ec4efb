import { type AudioFrame, audioFrame } from './frame.js';
import { Resampler } from './resampler.js';

/**
 * Resamples a whole utterance (not a stream) with {@link Resampler}: process then flush, which
 * yields exactly ceil(n · outputRate / inputRate) samples aligned with the input (the filter's latency is
 * paid back by the flush). A frame already at `sampleRate` is returned as is.
 */
export function resampleFrame(frame: AudioFrame, sampleRate: number): AudioFrame {
  if (frame.sampleRate === sampleRate) return frame;
  const resampler = new Resampler({
    inputRate: frame.sampleRate,
    outputRate: sampleRate,
    channels: frame.channels,
  });
  const head = resampler.process(frame.data);
  const tail = resampler.flush();
  let data = head;
  if (tail.length > 0) {
    data = new Int16Array(head.length + tail.length);
    data.set(head);
    data.set(tail, head.length);
  }
  const position = Math.round((frame.position * sampleRate) / frame.sampleRate);
  return audioFrame(data, sampleRate, frame.channels, position);
}
