import { type AnyFrame, type AudioFrame, alaw, audioFrame, isEncodedFrame, mulaw } from '@voxwire/codecs';
import { BridgeError } from './errors.js';

/**
 * The PCM of a frame: a PCM frame as it is, a G.711 frame decoded into a new array (agent audio to a call
 * that does not take the model's encoding: the call owns what it is given).
 */
export function pcmFrame(frame: AnyFrame): AudioFrame {
  if (!isEncodedFrame(frame)) return frame;
  if (frame.codec === 'opus') throw new BridgeError('INVALID_ARGUMENT', 'the bridge does not decode Opus');
  const law = frame.codec === 'pcmu' ? mulaw : alaw;
  return audioFrame(law.decode(frame.data), frame.sampleRate, frame.channels, frame.position);
}

/** A frame whose fields are rewritten for every caller frame (see {@link CallerPcm}). */
type LentFrame = { -readonly [K in keyof AudioFrame]: AudioFrame[K] };

/**
 * The caller's PCM for the consumers that need it (quality monitor, local VAD, recorder), decoded into one
 * buffer reused for every frame: a pass-through Twilio call pays a table decode per 20 ms frame but no
 * allocation. The frame returned is *borrowed*: valid until the next {@link CallerPcm.decode}; every
 * consumer copies what it keeps (the monitor into its window, the segmenter into its frames, the recorder
 * into its tracks).
 */
export class CallerPcm {
  private buffer = new Int16Array(0);
  private readonly frame: LentFrame = { data: this.buffer, sampleRate: 8000, channels: 1, position: 0 };

  decode(frame: AnyFrame): AudioFrame {
    if (!isEncodedFrame(frame)) return frame;
    if (frame.codec === 'opus') throw new BridgeError('INVALID_ARGUMENT', 'the bridge does not decode Opus');
    const n = frame.data.length;
    // Grows to the largest frame seen (Twilio: 160 samples), then stays.
    if (this.buffer.length < n) this.buffer = new Int16Array(n);
    const law = frame.codec === 'pcmu' ? mulaw : alaw;
    const lent = this.frame;
    lent.data = law.decode(frame.data, this.buffer.length === n ? this.buffer : this.buffer.subarray(0, n));
    lent.sampleRate = frame.sampleRate;
    lent.channels = frame.channels;
    lent.position = frame.position;
    return lent;
  }
}
