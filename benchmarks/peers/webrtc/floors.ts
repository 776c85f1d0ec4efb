// The floor rows of the webrtc benchmark: the unavoidable parts of one echoed 20 ms frame, measured alone in
// this process (CPU time, best of interleaved rounds): Opus decode + encode, and SRTP protect + unprotect of
// one packet each way with Node's crypto (a fresh cipher per packet: Node cannot re-key or re-IV one).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { tone } from '@voxwire/test-support';
import OpusScript from 'opusscript';
import { bestCpuMicros } from '../../suite.js';
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

function opus(): () => void {
  const enc = new OpusScript(48000, 1, OpusScript.Application.VOIP);
  const dec = new OpusScript(48000, 1, OpusScript.Application.VOIP);
  const packet = Buffer.from(enc.encode(toneFrame(), 960));
  return () => {
    enc.encode(dec.decode(packet), 960);
  };
}

/** The same with @discordjs/opus (libopus built natively at install); null (row left out) when not built here. */
function opusNative(): (() => void) | null {
  const codec = nativeVoipOpus();
  if (!codec) return null;
  const packet = codec.encode(toneFrame());
  return () => {
    codec.encode(codec.decode(packet));
  };
}

/** CPU µs per frame of each floor part, best of 5 interleaved rounds. */
export function measureFloors(): FloorRow[] {
  const native = opusNative();
  const parts: Record<string, () => void> = {
    'Opus decode + encode (opusscript, WASM)': opus(),
    ...(native ? { 'Opus decode + encode (@discordjs/opus, native)': native } : {}),
    'SRTP protect + unprotect, AES-128-GCM (Node crypto)': srtpGcm(),
    'SRTP protect + unprotect, AES-CM + HMAC-SHA1-80 (Node crypto)': srtpCm(),
  };
  // Each part is set up once and timed in every round.
  const tasks = Object.fromEntries(Object.entries(parts).map(([name, call]) => [name, () => ({ call })]));
  return bestCpuMicros(tasks, 400).map(({ name, us }) => ({ name, usPerFrame: us }));
}
