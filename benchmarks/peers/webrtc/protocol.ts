// IPC messages between the webrtc benchmark's parent and its two children (the server under test and the
// callers). The parent relays offers and answers, so no signaling server's cost lands on either side.

/** A server stack under test. */
export type Stack =
  | 'voxwire'
  | 'voxwire-native'
  | 'voxwire-published'
  | 'voxwire-cjs'
  | 'werift'
  | 'wrtc'
  | 'datachannel'
  | 'datachannel-native'
  | 'aiortc'
  | 'udp';

/** Whether a stack's echo runs Opus natively (@discordjs/opus) instead of opusscript (WASM). */
export const nativeOpus = (stack: Stack): boolean => stack.endsWith('-native');

export type ToServer =
  | { type: 'offer'; id: string; sdp: string }
  | { type: 'udp-port' }
  | { type: 'stats' }
  | { type: 'stop' };

export type FromServer =
  | { type: 'ready' }
  | { type: 'answer'; id: string; sdp: string }
  | { type: 'udp-port'; port: number }
  | { type: 'stats'; cpuUs: number; framesIn: number; framesOut: number; concealed: number };

export type ToCallers =
  | { type: 'grow'; n: number }
  | { type: 'answer'; id: string; sdp: string }
  | { type: 'stats' }
  | { type: 'stop' };

export type FromCallers =
  | { type: 'offer'; id: string; sdp: string }
  | { type: 'connected' }
  | { type: 'stats'; framesReceived: number; pitchOk: number; peers: number };

/** The callers' tone: the server echoes it, the callers check its pitch on the way back. */
export const TONE_HZ = 440;
/** Its peak, as a fraction of full scale (8000 of 32767). */
export const TONE_AMPLITUDE = 8000 / 32767;
