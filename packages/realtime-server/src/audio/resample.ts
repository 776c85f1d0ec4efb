import { Resampler } from '@voxwire/codecs';

/**
 * Resamples a whole utterance (not a stream) with @voxwire/codecs' resampler: process then flush, which
 * yields exactly ceil(n · outputRate / inputRate) samples aligned with the input (the filter's latency is
 * paid back by the flush).
 */
export function resampleUtterance(pcm: Int16Array, inputRate: number, outputRate: number): Int16Array {
  if (inputRate === outputRate) return pcm;
  const resampler = new Resampler({ inputRate, outputRate });
  const head = resampler.process(pcm);
  const tail = resampler.flush();
  if (tail.length === 0) return head;
  const joined = new Int16Array(head.length + tail.length);
  joined.set(head);
  joined.set(tail, head.length);
  return joined;
}
