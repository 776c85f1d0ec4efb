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

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function preview(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/**
 * Parses one text frame into a JSON object with a string `event`.
 * @throws TwilioStreamError `malformed_json` when it is not one
 */
export function parseEnvelope(text: string): Json & { event: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TwilioStreamError('malformed_json', `message is not valid JSON: ${preview(text)}`, { cause });
  }
  if (!isObject(value) || typeof value.event !== 'string') {
    throw new TwilioStreamError(
      'malformed_json',
      `message is not an object with a string "event": ${preview(text)}`,
    );
  }
  return value as Json & { event: string };
}

/** Reads an integer field that Twilio sends as a string; `undefined` when absent or not a whole number. */
export function intField(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

/** Returns `obj[key]` when it is an object, else throws a `bad_message` error naming the event. */
export function objectField(obj: Json, key: string): Json {
  const v = obj[key];
  if (!isObject(v))
    throw new TwilioStreamError('bad_message', `"${obj.event}" message has no "${key}" object`);
  return v;
}

/** Returns `obj[key]` when it is a string, else throws a `bad_message` error naming the event. */
export function stringField(obj: Json, key: string, event: string): string {
  const v = obj[key];
  if (typeof v !== 'string')
    throw new TwilioStreamError('bad_message', `"${event}" message has no string "${key}"`);
  return v;
}

/** Parses a `start` body into typed stream metadata. */
export function parseStart(msg: Json): TwilioStartBody {
  const start = objectField(msg, 'start');
  const streamSid = stringField(start, 'streamSid', 'start');
  const callSid = stringField(start, 'callSid', 'start');
  const accountSid = typeof start.accountSid === 'string' ? start.accountSid : '';
  const tracks = Array.isArray(start.tracks)
    ? start.tracks.filter((t): t is string => typeof t === 'string')
    : [];
  const customParameters: Record<string, string> = {};
  if (isObject(start.customParameters)) {
    for (const [k, v] of Object.entries(start.customParameters)) customParameters[k] = String(v);
  }
  const mf = isObject(start.mediaFormat) ? start.mediaFormat : {};
  const mediaFormat = {
    encoding: typeof mf.encoding === 'string' ? mf.encoding : 'audio/x-mulaw',
    sampleRate: intField(mf.sampleRate) ?? TWILIO_SAMPLE_RATE,
    channels: intField(mf.channels) ?? 1,
  };
  return { streamSid, accountSid, callSid, tracks, customParameters, mediaFormat };
}

/** Escapes a string for a JSON string literal; names and sids are plain ASCII in practice, so this is rare. */
export function jsonString(s: string): string {
  return JSON.stringify(s);
}
