import { clip } from './clip.js';
import { AudioCodesProtocolError } from './errors.js';
import type { AudioCodesActivity, AudioCodesInbound } from './protocol.js';

/** Bounds on what one inbound Bot API message may carry (every one is configurable on the server). */
export interface AudioCodesParseLimits {
  /** Longest string field (ids, names, reasons, formats), in UTF-16 units. Default 1024. */
  maxStringLength?: number;
  /** Most entries in `activities`. Default 64. */
  maxActivities?: number;
  /** Most entries in `supportedMediaFormats`. Default 32. */
  maxMediaFormats?: number;
}

/** The default {@link AudioCodesParseLimits}. */
export const DEFAULT_PARSE_LIMITS: Readonly<Required<AudioCodesParseLimits>> = Object.freeze({
  maxStringLength: 1024,
  maxActivities: 64,
  maxMediaFormats: 32,
});

/** What {@link parseAudioCodesMessage} returns: a validated message, or why the text is not one. */
export type AudioCodesParseResult =
  | { ok: true; message: AudioCodesInbound }
  | {
      ok: false;
      error: AudioCodesProtocolError;
      /** The message's `conversationId`, when it had a valid one (to address the `session.error`). */
      conversationId?: string;
    };

/** DTMF keys a phone can send: digits, `*`, `#` and the A–D column. A fixed pattern, never built from input. */
const DTMF = /^[0-9*#A-Da-d]{1,32}$/;

type Obj = Record<string, unknown>;

/** Thrown inside the validator only and caught at its boundary: the parser itself never throws. */
function bad(message: string): never {
  throw new AudioCodesProtocolError('BAD_FIELD', message);
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses and validates one Bot API message from VAIC. Total: whatever the text, it returns either a message
 * whose every field has the type {@link AudioCodesInbound} promises (extra fields are dropped) or a typed
 * {@link AudioCodesProtocolError}; it never throws. Peer text quoted in errors is shortened.
 */
export function parseAudioCodesMessage(
  text: string,
  limits: AudioCodesParseLimits = DEFAULT_PARSE_LIMITS,
): AudioCodesParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: new AudioCodesProtocolError('BAD_JSON', 'invalid JSON') };
  }
  if (!isObject(raw)) {
    return { ok: false, error: new AudioCodesProtocolError('BAD_JSON', 'a message must be a JSON object') };
  }
  const lim = { ...DEFAULT_PARSE_LIMITS, ...limits };
  const cid = typeof raw.conversationId === 'string' && raw.conversationId !== '' ? raw.conversationId : '';
  const conversationId = cid.length <= lim.maxStringLength ? cid : '';
  try {
    return { ok: true, message: validate(raw, lim) };
  } catch (err) {
    const error =
      err instanceof AudioCodesProtocolError
        ? err
        : new AudioCodesProtocolError('INTERNAL', 'message validation failed', { cause: err });
    return conversationId ? { ok: false, error, conversationId } : { ok: false, error };
  }
}

function validate(m: Obj, lim: Required<AudioCodesParseLimits>): AudioCodesInbound {
  if (typeof m.type !== 'string') bad('message without a "type"');
  const type = m.type;
  const str = (o: Obj, key: string, where: string): string => {
    const v = o[key];
    if (typeof v !== 'string') bad(`${where}: "${key}" must be a string, got ${clip(v)}`);
    if (v.length > lim.maxStringLength) {
      bad(`${where}: "${key}" is ${v.length} chars, over the ${lim.maxStringLength} limit`);
    }
    return v;
  };
  const optStr = (o: Obj, key: string, where: string): string | undefined =>
    o[key] === undefined ? undefined : str(o, key, where);
  const cid = (): string => {
    const v = str(m, 'conversationId', type);
    if (v === '') bad(`${type} without a conversationId`);
    return v;
  };
  const needCid = (): string => {
    if (m.conversationId === undefined) bad(`${type} without a conversationId`);
    return cid();
  };

  switch (type) {
    case 'session.initiate': {
      const conversationId = needCid();
      // Absent means none offered: the server falls back to its default format.
      const formats = m.supportedMediaFormats ?? [];
      if (!Array.isArray(formats)) bad('session.initiate: "supportedMediaFormats" must be an array');
      if (formats.length > lim.maxMediaFormats) {
        bad(`session.initiate: ${formats.length} media formats, over the ${lim.maxMediaFormats} limit`);
      }
      const supportedMediaFormats = formats.map((f: unknown, i) => {
        if (typeof f !== 'string' || f.length > lim.maxStringLength) {
          bad(`session.initiate: supportedMediaFormats[${i}] must be a format name, got ${clip(f, 40)}`);
        }
        return f;
      });
      const expect = m.expectAudioMessages;
      if (expect !== undefined && typeof expect !== 'boolean') {
        bad(`session.initiate: "expectAudioMessages" must be a boolean, got ${clip(expect)}`);
      }
      return {
        type,
        conversationId,
        botName: optStr(m, 'botName', type),
        caller: optStr(m, 'caller', type),
        expectAudioMessages: expect,
        supportedMediaFormats,
      };
    }
    case 'session.resume':
    case 'userStream.start':
    case 'userStream.stop':
      return { type, conversationId: needCid() };
    case 'userStream.chunk': {
      const conversationId = needCid();
      const audioChunk = m.audioChunk;
      // Its size is bounded by the WebSocket message limit, not the string limit.
      if (typeof audioChunk !== 'string') {
        bad(`userStream.chunk: "audioChunk" must be a base64 string, got ${clip(audioChunk)}`);
      }
      return { type, conversationId, audioChunk };
    }
    case 'activities': {
      const conversationId = needCid();
      const list = m.activities;
      if (!Array.isArray(list)) bad(`activities: "activities" must be an array, got ${clip(list)}`);
      if (list.length > lim.maxActivities) {
        bad(`activities: ${list.length} entries, over the ${lim.maxActivities} limit`);
      }
      return { type, conversationId, activities: list.map((a, i) => activity(a, i)) };
    }
    case 'session.end':
      return {
        type,
        conversationId: needCid(),
        reasonCode: optStr(m, 'reasonCode', type),
        reason: optStr(m, 'reason', type),
      };
    case 'connection.validate': {
      const conversationId = m.conversationId === undefined ? undefined : cid();
      return { type, conversationId };
    }
    default:
      throw new AudioCodesProtocolError('UNKNOWN_TYPE', `unknown message type "${clip(type)}"`);
  }

  function activity(a: unknown, i: number): AudioCodesActivity {
    const where = `activities[${i}]`;
    if (!isObject(a)) bad(`${where} must be an object, got ${clip(a)}`);
    const out: AudioCodesActivity = { type: str(a, 'type', where) };
    for (const key of ['name', 'id', 'timestamp', 'language'] as const) {
      const v = optStr(a, key, where);
      if (v !== undefined) out[key] = v;
    }
    if (a.parameters !== undefined) {
      if (!isObject(a.parameters)) bad(`${where}: "parameters" must be an object`);
      out.parameters = a.parameters;
    }
    if (out.type === 'event' && out.name === 'dtmf') {
      const v = a.value;
      const digits = typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 9 ? String(v) : v;
      if (typeof digits !== 'string' || !DTMF.test(digits)) {
        bad(`${where}: DTMF "value" must be keypad digits (0-9, *, #, A-D), got ${clip(v)}`);
      }
      out.value = digits;
    } else if (a.value !== undefined) {
      out.value = a.value;
    }
    return out;
  }
}
