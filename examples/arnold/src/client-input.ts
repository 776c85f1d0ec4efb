// Checking what a client sends on /realtime/stream before it reaches the realtime session.
import { VoxwireError } from '@voxwire/core';

/** A control message from the client. */
export type ControlMessage =
  | { type: 'text_input'; text: string }
  | { type: 'commit' }
  /** Interrupt Arnold; `played_ms` (optional) is a playback report made just before it. */
  | { type: 'interrupt'; played_ms?: number }
  /**
   * The client's playback position in the stream of Arnold's audio on this connection: ms of it played, or
   * dropped unplayed (on `interrupted`, `speech_started`).
   */
  | { type: 'playback'; played_ms: number }
  | { type: 'ping' };

/**
 * The `code` of a refused client message on the wire (`{type:"error", source:"client", code, message}`), in
 * the protocol's lowercase spelling: part of what clients read, so never renamed.
 */
export type ClientInputWireCode =
  | 'invalid_json'
  | 'invalid_message'
  | 'unknown_type'
  | 'invalid_audio'
  | 'busy';

/** Codes of {@link ClientInputError}: the wire codes in SCREAMING_SNAKE_CASE (`INVALID_JSON`, `BUSY`, …). */
export type ClientInputErrorCode = Uppercase<ClientInputWireCode>;

/**
 * Why a client message was refused. Sent back as `{type:"error", source:"client", code, message}` with
 * {@link wireCode} (not `code`) as the wire's `code`; the socket stays open.
 */
export class ClientInputError extends VoxwireError<ClientInputErrorCode> {
  /** The `code` sent to the client, in the wire's spelling (`code` lowercased, e.g. `invalid_json`). */
  readonly wireCode: ClientInputWireCode;

  /**
   * @param code - e.g. `INVALID_MESSAGE`, `BUSY`
   * @param message - what was wrong, sent to the client as is
   */
  constructor(code: ClientInputErrorCode, message: string) {
    super(code, message);
    this.wireCode = code.toLowerCase() as ClientInputWireCode;
  }
}

const MAX_TEXT = 4000;
/** Largest playback position accepted, in ms (a week of Arnold talking without pause). */
export const MAX_PLAYED_MS = 7 * 24 * 3600 * 1000;

/** A `played_ms` field: a finite number of ms, 0 to {@link MAX_PLAYED_MS}. */
function playedMs(type: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_PLAYED_MS)
    throw new ClientInputError(
      'INVALID_MESSAGE',
      `${type} needs "played_ms", a number of milliseconds from 0 to ${MAX_PLAYED_MS}; got ${JSON.stringify(value)?.slice(0, 64)}.`,
    );
  return value;
}

/** Parses a JSON control message. */
export function parseControl(raw: string): ControlMessage {
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch (err) {
    throw new ClientInputError('INVALID_JSON', `Malformed JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
    throw new ClientInputError('INVALID_MESSAGE', 'A control message must be a JSON object with a "type".');
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'text_input':
      if (typeof m.text !== 'string' || m.text.trim() === '')
        throw new ClientInputError('INVALID_MESSAGE', 'text_input needs a non-empty "text" string.');
      if (m.text.length > MAX_TEXT)
        throw new ClientInputError('INVALID_MESSAGE', `text_input is limited to ${MAX_TEXT} characters.`);
      return { type: 'text_input', text: m.text.trim() };
    case 'playback':
      return { type: 'playback', played_ms: playedMs('playback', m.played_ms) };
    case 'interrupt':
      return m.played_ms === undefined
        ? { type: 'interrupt' }
        : { type: 'interrupt', played_ms: playedMs('interrupt', m.played_ms) };
    case 'commit':
    case 'ping':
      return { type: m.type };
    default:
      throw new ClientInputError(
        'UNKNOWN_TYPE',
        `Unknown message type ${JSON.stringify(m.type)?.slice(0, 64)}; expected text_input, commit, interrupt, playback or ping.`,
      );
  }
}

const CONTAINERS: ReadonlyArray<[string, number[]]> = [
  ['WAV (RIFF)', [0x52, 0x49, 0x46, 0x46]],
  ['Ogg', [0x4f, 0x67, 0x67, 0x53]],
  ['FLAC', [0x66, 0x4c, 0x61, 0x43]],
  ['MP3 (ID3)', [0x49, 0x44, 0x33]],
  ['WebM/Matroska', [0x1a, 0x45, 0xdf, 0xa3]],
];

/**
 * Checks a binary frame is raw PCM16: an even number of bytes and not a recognisable container/compressed
 * format (which would play as loud noise if taken as samples). Headerless compressed audio cannot be
 * told from PCM by its first bytes (an MPEG frame sync is also a small negative sample), so it is not checked.
 */
export function checkPcmFrame(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new ClientInputError('INVALID_AUDIO', 'Empty audio frame.');
  if (bytes.length % 2 !== 0)
    throw new ClientInputError(
      'INVALID_AUDIO',
      `Audio frames must be PCM16 (an even number of bytes), got ${bytes.length} bytes.`,
    );
  for (const [name, magic] of CONTAINERS) {
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b))
      throw new ClientInputError(
        'INVALID_AUDIO',
        `Got a ${name} file; send raw PCM16 little-endian, 24000 Hz, mono (no header).`,
      );
  }
}
