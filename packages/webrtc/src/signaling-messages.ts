import { WebRtcError, type WebRtcErrorCode } from './errors.js';

/** An ICE candidate as browsers serialise `RTCIceCandidate.toJSON()`. */
export interface IceCandidateInit {
  /** The `candidate:` attribute line, without the `a=` prefix; empty string means end of candidates. */
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/**
 * Messages a client sends to the signaling server. `id` names a call session chosen by the client (one
 * WebSocket can carry several). Without `to`, a message addresses the server itself (the server answers
 * offers with its own {@link WebRtcAudioPeer}); with `to`, it is relayed to that peer of the client's room.
 */
export type SignalingClientMessage =
  | { type: 'join'; room: string }
  | { type: 'leave' }
  | { type: 'offer'; id: string; sdp: string; to?: string }
  | { type: 'answer'; id: string; sdp: string; to?: string }
  | { type: 'candidate'; id: string; candidate: IceCandidateInit | null; to?: string }
  | { type: 'bye'; id: string; to?: string }
  | { type: 'ping' };

/** Messages the signaling server sends to a client. `from` is set on messages relayed from a room peer. */
export type SignalingServerMessage =
  | { type: 'welcome'; peerId: string }
  | { type: 'joined'; room: string; peers: string[] }
  | { type: 'peer-joined'; room: string; peerId: string }
  | { type: 'peer-left'; room: string; peerId: string }
  | { type: 'offer'; id: string; sdp: string; from: string }
  | { type: 'answer'; id: string; sdp: string; from?: string }
  | { type: 'candidate'; id: string; candidate: IceCandidateInit | null; from?: string }
  | { type: 'bye'; id: string; from?: string; reason?: string }
  | { type: 'pong' }
  | { type: 'error'; code: WebRtcErrorCode; message: string; id?: string };

/** The `type` values a client may send. */
export const CLIENT_MESSAGE_TYPES = ['join', 'leave', 'offer', 'answer', 'candidate', 'bye', 'ping'] as const;

const MAX_ID_LENGTH = 128;

/** Quotes client text for an error message, cut short so a huge value is not echoed back whole. */
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function fail(message: string): never {
  throw new WebRtcError('PROTOCOL_ERROR', message);
}

function requireString(msg: Record<string, unknown>, key: string, maxLength: number): string {
  const v = msg[key];
  if (typeof v !== 'string' || v.length === 0)
    fail(`"${String(msg.type)}" needs a non-empty string "${key}"`);
  if (v.length > maxLength) fail(`"${key}" is longer than ${maxLength} characters`);
  return v;
}

function optionalString(msg: Record<string, unknown>, key: string): string | undefined {
  const v = msg[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID_LENGTH) {
    fail(`"${key}" must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
  return v;
}

function parseCandidate(v: unknown): IceCandidateInit | null {
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) fail('"candidate" must be an object or null');
  const c = v as Record<string, unknown>;
  if (typeof c.candidate !== 'string') fail('"candidate.candidate" must be a string');
  if (c.sdpMid !== undefined && c.sdpMid !== null && typeof c.sdpMid !== 'string') {
    fail('"candidate.sdpMid" must be a string or null');
  }
  if (
    c.sdpMLineIndex !== undefined &&
    c.sdpMLineIndex !== null &&
    !(typeof c.sdpMLineIndex === 'number' && Number.isInteger(c.sdpMLineIndex) && c.sdpMLineIndex >= 0)
  ) {
    fail('"candidate.sdpMLineIndex" must be a non-negative integer or null');
  }
  const out: IceCandidateInit = { candidate: c.candidate };
  if (c.sdpMid !== undefined) out.sdpMid = c.sdpMid as string | null;
  if (c.sdpMLineIndex !== undefined) out.sdpMLineIndex = c.sdpMLineIndex as number | null;
  if (typeof c.usernameFragment === 'string') out.usernameFragment = c.usernameFragment;
  return out;
}

/**
 * Parses and validates one client message.
 * @param text - the WebSocket text frame
 * @param maxSdpLength - longest SDP accepted (characters)
 * @throws WebRtcError `PROTOCOL_ERROR` naming what is wrong: not JSON, not an object, unknown `type`, a missing
 *   or mistyped field
 */
export function parseClientMessage(text: string, maxSdpLength = 64 * 1024): SignalingClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    fail(`message is not valid JSON: ${String((err as Error).message).slice(0, 120)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('message must be a JSON object');
  const msg = value as Record<string, unknown>;
  const to = optionalString(msg, 'to');
  switch (msg.type) {
    case 'join':
      return { type: 'join', room: requireString(msg, 'room', MAX_ID_LENGTH) };
    case 'leave':
      return { type: 'leave' };
    case 'ping':
      return { type: 'ping' };
    case 'offer':
    case 'answer': {
      const out = {
        type: msg.type,
        id: requireString(msg, 'id', MAX_ID_LENGTH),
        sdp: requireString(msg, 'sdp', maxSdpLength),
      };
      return to === undefined ? out : { ...out, to };
    }
    case 'candidate': {
      if (!('candidate' in msg))
        fail('"candidate" needs a "candidate" field (an object, or null for end of candidates)');
      const out = {
        type: 'candidate' as const,
        id: requireString(msg, 'id', MAX_ID_LENGTH),
        candidate: parseCandidate(msg.candidate),
      };
      return to === undefined ? out : { ...out, to };
    }
    case 'bye': {
      const out = { type: 'bye' as const, id: requireString(msg, 'id', MAX_ID_LENGTH) };
      return to === undefined ? out : { ...out, to };
    }
    default:
      if (typeof msg.type !== 'string') fail('message needs a string "type"');
      fail(`unknown message type ${quote(msg.type)}; expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}`);
  }
}
