import { type AnyFrame, type AudioFrame, alaw, audioFrame, isEncodedFrame, mulaw } from '@voxwire/codecs';
import { BridgeError } from './errors.js';

/**
 * The PCM of a caller frame: a PCM frame as it is, a G.711 frame decoded (the one decode a pass-through
 * call pays, and only for a consumer that needs PCM: VAD, quality monitor, recorder).
 */
export function pcmFrame(frame: AnyFrame): AudioFrame {
  if (!isEncodedFrame(frame)) return frame;
  if (frame.codec === 'opus') throw new BridgeError('INVALID_ARGUMENT', 'the bridge does not decode Opus');
  const law = frame.codec === 'pcmu' ? mulaw : alaw;
  return audioFrame(law.decode(frame.data), frame.sampleRate, frame.channels, frame.position);
}
