// The floor rows of the webrtc benchmark: the unavoidable parts of one echoed 20 ms frame, measured alone in
// this process (CPU time, best of interleaved rounds): Opus decode + encode, and SRTP protect + unprotect of
// one packet each way with Node's crypto (a fresh cipher per packet: Node cannot re-key or re-IV one).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { tone } from '@voxwire/test-support';
import OpusScript from 'opusscript';
import { bestCpuMicros, type CpuRound } from '../../suite.js';
import { nativeVoipOpus } from './native-opus.js';
import { TONE_AMPLITUDE, TONE_HZ } from './protocol.js';

export interface FloorRow {
  name: string;
  usPerFrame: number;
}

const HEADER = Buffer.from('80ef0001000003c012345678', 'hex');

function srtpGcm(): () => void {
  const key = randomBytes(16);
  const salt = randomBytes(12);
  const payload = randomBytes(80);
  const iv = Buffer.alloc(12);
  return () => {
    // protect then unprotect one packet (AEAD_AES_128_GCM, RFC 7714)
    salt.copy(iv);
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ 1) >>> 0, 8);
    const c = createCipheriv('aes-128-gcm', key, iv);
    c.setAAD(HEADER);
    const enc = Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
    const d = createDecipheriv('aes-128-gcm', key, iv);
    d.setAAD(HEADER);
    d.setAuthTag(enc.subarray(enc.length - 16));
    d.update(enc.subarray(0, enc.length - 16));
    d.final();
  };
}

function srtpCm(): () => void {
  const key = randomBytes(16);
  const auth = randomBytes(20);
  const payload = randomBytes(80);
  const iv = randomBytes(16);
  const roc = Buffer.alloc(4);
  return () => {
    // protect then unprotect one packet (AES_CM_128_HMAC_SHA1_80, RFC 3711)
    const enc = createCipheriv('aes-128-ctr', key, iv).update(payload);
    const tag = createHmac('sha1', auth).update(HEADER).update(enc).update(roc).digest().subarray(0, 10);
    const check = createHmac('sha1', auth).update(HEADER).update(enc).update(roc).digest().subarray(0, 10);
    if (!check.equals(tag)) throw new Error('tag');
    createDecipheriv('aes-128-ctr', key, iv).update(enc);
  };
}

/** One 20 ms frame of the callers' tone, as little-endian PCM16 bytes. */
function toneFrame(): Buffer {
  const pcm = tone(TONE_HZ, 48000, 960, TONE_AMPLITUDE);
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/**
 * Opus decode + encode with opusscript: on one codec pair (its state hot in the CPU's caches, as no server has
 * it), or `pairs` of them in turn, as an echo server with that many connections calls them.
 */
function opus(pairs = 1): CpuRound {
  const codecs = Array.from({ length: pairs }, () => ({
    enc: new OpusScript(48000, 1, OpusScript.Application.VOIP),
    dec: new OpusScript(48000, 1, OpusScript.Application.VOIP),
  }));
  const packet = Buffer.from(codecs[0].enc.encode(toneFrame(), 960));
  let i = 0;
  return {
    call() {
      const { enc, dec } = codecs[i];
      i = (i + 1) % pairs;
      enc.encode(dec.decode(packet), 960);
    },
    // opusscript's WASM heap is fixed: about a hundred codecs fit, and nothing frees them but delete().
    close() {
      for (const { enc, dec } of codecs) {
        enc.delete();
        dec.delete();
      }
    },
  };
}

/** The same with @discordjs/opus (libopus built natively at install); null (row left out) when not built here. */
function opusNative(pairs = 1): CpuRound | null {
  const codecs: NonNullable<ReturnType<typeof nativeVoipOpus>>[] = [];
  for (let p = 0; p < pairs; p++) {
    const codec = nativeVoipOpus();
    if (!codec) return null;
    codecs.push(codec);
  }
  const packet = codecs[0].encode(toneFrame());
  let i = 0;
  return {
    call() {
      const codec = codecs[i];
      i = (i + 1) % pairs;
      codec.encode(codec.decode(packet));
    },
  };
}

/** Codec pairs taken in turn by the "in turn" Opus rows: the benchmark's largest connection count. */
const IN_TURN = 32;

/** CPU µs per frame of each floor part, best of 5 interleaved rounds. */
export function measureFloors(): FloorRow[] {
  const native = opusNative();
  const nativeInTurn = opusNative(IN_TURN);
  const parts: Record<string, CpuRound> = {
    'Opus decode + encode (opusscript, WASM)': opus(),
    ...(native ? { 'Opus decode + encode (@discordjs/opus, native)': native } : {}),
    [`Opus decode + encode, ${IN_TURN} codec pairs in turn (opusscript, WASM)`]: opus(IN_TURN),
    ...(nativeInTurn
      ? { [`Opus decode + encode, ${IN_TURN} codec pairs in turn (@discordjs/opus, native)`]: nativeInTurn }
      : {}),
    'SRTP protect + unprotect, AES-128-GCM (Node crypto)': { call: srtpGcm() },
    'SRTP protect + unprotect, AES-CM + HMAC-SHA1-80 (Node crypto)': { call: srtpCm() },
  };
  try {
    // Each part is set up once and timed in every round (its codecs keep their state from round to round).
    const tasks = Object.fromEntries(
      Object.entries(parts).map(([name, part]) => [name, () => ({ call: part.call })]),
    );
    return bestCpuMicros(tasks, 400).map(({ name, us }) => ({ name, usPerFrame: us }));
  } finally {
    for (const part of Object.values(parts)) part.close?.();
  }
}
