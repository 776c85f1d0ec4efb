import { base64ToBytes } from '@voxwire/codecs';
import { TwilioStreamError } from './errors.js';

// Wire shapes of Twilio Media Streams (bidirectional, <Connect><Stream>). Twilio sends every number-like
// field as a string; the parsers below accept numbers too, because simulators and proxies differ.

/** Bytes in one 20 ms frame of 8 kHz mu-law. */
export const FRAME_BYTES = 160;
/** Duration of one frame in milliseconds. */
export const FRAME_MS = 20;
/** Twilio's media sample rate. */
export const TWILIO_SAMPLE_RATE = 8000;
/** mu-law bytes per millisecond at 8 kHz. */
export const BYTES_PER_MS = 8;

/** `connected`: the first message on a stream. */
export interface TwilioConnectedMessage {
  event: 'connected';
  protocol: string;
  version: string;
}

/** The `start` message's body. */
export interface TwilioStartBody {
  streamSid: string;
  accountSid: string;
  callSid: string;
  tracks: string[];
  customParameters: Record<string, string>;
  mediaFormat: { encoding: string; sampleRate: number; channels: number };
}

/** `start`: stream metadata, once, before any media. */
export interface TwilioStartMessage {
  event: 'start';
  sequenceNumber: string;
  streamSid: string;
  start: TwilioStartBody;
}

/** `media`: one chunk of caller audio, base64 mu-law. */
export interface TwilioMediaMessage {
  event: 'media';
  sequenceNumber: string;
  streamSid: string;
  media: { track: string; chunk: string; timestamp: string; payload: string };
}

/** `dtmf`: a key press on the caller's phone. */
export interface TwilioDtmfMessage {
  event: 'dtmf';
  sequenceNumber: string;
  streamSid: string;
  dtmf: { track: string; digit: string };
}

/** `mark`: echo of a mark the server sent, once the audio before it played or was cleared. */
export interface TwilioMarkMessage {
  event: 'mark';
  sequenceNumber: string;
  streamSid: string;
  mark: { name: string };
}

/** `stop`: the stream ended. */
export interface TwilioStopMessage {
  event: 'stop';
  sequenceNumber: string;
  streamSid: string;
  stop: { accountSid: string; callSid: string };
}

/** Any message Twilio sends to the media-stream server. */
export type TwilioInboundMessage =
  | TwilioConnectedMessage
  | TwilioStartMessage
  | TwilioMediaMessage
  | TwilioDtmfMessage
  | TwilioMarkMessage
  | TwilioStopMessage;

/** Any message the server sends to Twilio. */
export type TwilioOutboundMessage =
  | { event: 'media'; streamSid: string; media: { payload: string } }
  | { event: 'mark'; streamSid: string; mark: { name: string } }
  | { event: 'clear'; streamSid: string };

type Json = Record<string, unknown>;

/** Longest `streamSid`/`callSid`/`accountSid` accepted (Twilio's are 34 characters). */
export const MAX_SID_CHARS = 64;
/** Longest text of an attacker-supplied value quoted in an error message. */
export const MAX_QUOTED_CHARS = 60;

/** Fields every parsed message carries. */
export interface TwilioMessageCommon {
  /** Twilio's message counter, when present and a whole number. */
  sequenceNumber: number | undefined;
  /** The stream the message names, when present. */
  streamSid: string | undefined;
}

/**
 * One inbound message, validated and typed by {@link parseTwilioMessage}: numbers parsed, the media payload
 * decoded, every string bounded.
 */
export type TwilioParsedMessage = TwilioMessageCommon &
  (
    | { event: 'connected' }
    | { event: 'start'; start: TwilioStartBody }
    | {
        event: 'media';
        /** The decoded mu-law bytes: a whole number of 160-byte frames, never empty. */
        payload: Uint8Array;
        /** `media.timestamp` in ms, when present and a whole number. */
        timestampMs: number | undefined;
        /** `media.chunk`, when present and a whole number. */
        chunk: number | undefined;
      }
    | { event: 'dtmf'; digit: string }
    | { event: 'mark'; name: string }
    | { event: 'stop' }
  );

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Quotes untrusted text for an error message, cut to {@link MAX_QUOTED_CHARS} characters so that a 60 KB mark
 * name or sid does not end up in logs whole.
 */
export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text);
}

/** Reads an integer field that Twilio sends as a string; `undefined` when absent or not a safe whole number. */
export function intField(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  // At most 15 digits: always a safe integer, and the pattern never sees a long string.
  if (typeof v === 'string' && v.length <= 16 && /^-?\d{1,15}$/.test(v)) return Number(v);
  return undefined;
}

function objectField(obj: Json, key: string, event: string): Json {
  const v = obj[key];
  if (!isObject(v)) throw new TwilioStreamError('BAD_MESSAGE', `"${event}" message has no "${key}" object`);
  return v;
}

function stringField(obj: Json, key: string, event: string, maxChars = Number.POSITIVE_INFINITY): string {
  const v = obj[key];
  if (typeof v !== 'string')
    throw new TwilioStreamError('BAD_MESSAGE', `"${event}" message has no string "${key}"`);
  if (v.length > maxChars)
    throw new TwilioStreamError(
      'BAD_MESSAGE',
      `"${event}" message has a "${key}" of ${v.length} characters (at most ${maxChars})`,
    );
  return v;
}

/** Parses a `start` body into typed stream metadata. */
function parseStart(msg: Json): TwilioStartBody {
  const start = objectField(msg, 'start', 'start');
  const streamSid = stringField(start, 'streamSid', 'start', MAX_SID_CHARS);
  const callSid = stringField(start, 'callSid', 'start', MAX_SID_CHARS);
  const accountSid =
    typeof start.accountSid === 'string' && start.accountSid.length <= MAX_SID_CHARS ? start.accountSid : '';
  const tracks = Array.isArray(start.tracks)
    ? start.tracks.filter((t): t is string => typeof t === 'string')
    : [];
  const customParameters: Record<string, string> = {};
  if (isObject(start.customParameters)) {
    for (const [k, v] of Object.entries(start.customParameters)) {
      // Only scalar values (an object's toString is the sender's to choose), and no prototype keys.
      if (k === '__proto__') continue;
      if (typeof v === 'string') customParameters[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') customParameters[k] = String(v);
    }
  }
  const mf = isObject(start.mediaFormat) ? start.mediaFormat : {};
  const mediaFormat = {
    encoding: typeof mf.encoding === 'string' ? mf.encoding.slice(0, MAX_SID_CHARS) : 'audio/x-mulaw',
    sampleRate: intField(mf.sampleRate) ?? TWILIO_SAMPLE_RATE,
    channels: intField(mf.channels) ?? 1,
  };
  return { streamSid, accountSid, callSid, tracks, customParameters, mediaFormat };
}

const DTMF_DIGITS = new Set('0123456789*#ABCDabcd'.split(''));

function parseMedia(msg: Json): {
  payload: Uint8Array;
  timestampMs: number | undefined;
  chunk: number | undefined;
} {
  const media = objectField(msg, 'media', 'media');
  const b64 = stringField(media, 'payload', 'media');
  let payload: Uint8Array;
  try {
    payload = base64ToBytes(b64);
  } catch (cause) {
    throw new TwilioStreamError(
      'BAD_BASE64',
      `media payload is not valid base64 (${b64.length} chars); frame dropped`,
      { cause },
    );
  }
  if (payload.length === 0 || payload.length % FRAME_BYTES !== 0) {
    throw new TwilioStreamError(
      'BAD_FRAME_SIZE',
      `media payload of ${payload.length} bytes is not a whole number of 20 ms frames (${FRAME_BYTES} bytes); frame dropped`,
    );
  }
  return { payload, timestampMs: intField(media.timestamp), chunk: intField(media.chunk) };
}

function parseObject(text: string): Json & { event: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TwilioStreamError('MALFORMED_JSON', `message is not valid JSON: ${quote(text)}`, { cause });
  }
  if (!isObject(value) || typeof value.event !== 'string') {
    throw new TwilioStreamError(
      'MALFORMED_JSON',
      `message is not an object with a string "event": ${quote(text)}`,
    );
  }
  return value as Json & { event: string };
}

function parseOrThrow(text: string): TwilioParsedMessage {
  const msg = parseObject(text);
  const common: TwilioMessageCommon = {
    sequenceNumber: intField(msg.sequenceNumber),
    streamSid: typeof msg.streamSid === 'string' ? msg.streamSid : undefined,
  };
  if (common.streamSid !== undefined && common.streamSid.length > MAX_SID_CHARS) {
    throw new TwilioStreamError('WRONG_STREAM', `message for stream ${quote(common.streamSid)}; ignored`);
  }
  switch (msg.event) {
    case 'connected':
      return { ...common, event: 'connected' };
    case 'start':
      return { ...common, event: 'start', start: parseStart(msg) };
    case 'media':
      return { ...common, event: 'media', ...parseMedia(msg) };
    case 'dtmf': {
      const digit = stringField(objectField(msg, 'dtmf', 'dtmf'), 'digit', 'dtmf');
      if (!DTMF_DIGITS.has(digit))
        throw new TwilioStreamError('BAD_MESSAGE', `"dtmf" digit ${quote(digit)} is not a key of a phone`);
      return { ...common, event: 'dtmf', digit };
    }
    case 'mark':
      return {
        ...common,
        event: 'mark',
        name: stringField(objectField(msg, 'mark', 'mark'), 'name', 'mark'),
      };
    case 'stop':
      return { ...common, event: 'stop' };
    default:
      throw new TwilioStreamError('UNKNOWN_EVENT', `unknown event ${quote(msg.event)}; ignored`);
  }
}

/**
 * Parses and validates one text frame from Twilio. Total: it never throws, whatever the input.
 * @returns the typed message, or a `TwilioStreamError` saying what is wrong (`MALFORMED_JSON`,
 *   `UNKNOWN_EVENT`, `BAD_MESSAGE`, `BAD_BASE64`, `BAD_FRAME_SIZE`, `WRONG_STREAM`)
 */
export function parseTwilioMessage(text: string): TwilioParsedMessage | TwilioStreamError {
  try {
    return parseOrThrow(text);
  } catch (err) {
    return err instanceof TwilioStreamError
      ? err
      : new TwilioStreamError('BAD_MESSAGE', 'message could not be read', { cause: err });
  }
}

/** Escapes a string for a JSON string literal; names and sids are plain ASCII in practice, so this is rare. */
export function jsonString(s: string): string {
  return JSON.stringify(s);
}
