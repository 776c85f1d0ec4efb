// Test signals for this package: the shared implementations of @voxwire/test-support in the argument
// shapes these tests use (rate first, seconds, positional spans).
import { estimatePitchHz, rms as rmsOf, tone } from '@voxwire/test-support';

/** A sine `seconds` long on every channel, peak `amp` of full scale. */
export function toneInt16(rate: number, freq: number, seconds: number, amp = 0.3, channels = 1): Int16Array {
  return tone(freq, rate, Math.round(rate * seconds), amp, { channels });
}

/** RMS of channel `channel` over [start, end) sample frames, as a fraction of full scale. */
export function rms(x: Int16Array, start = 0, end = x.length, channels = 1, channel = 0): number {
  return rmsOf(x, { start, end, channels, channel });
}

/** Frequency from interpolated rising zero crossings of channel 0 over [start, end) frames. */
export function pitch(x: Int16Array, rate: number, start = 0, end = x.length, channels = 1): number {
  return estimatePitchHz(x, rate, { start, end, channels });
}
