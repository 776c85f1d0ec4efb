// The floor rows of the webrtc benchmark: the unavoidable parts of one echoed 20 ms frame, measured alone in
// this process (CPU time, best of interleaved rounds): Opus decode + encode, and SRTP protect + unprotect of
// one packet each way with Node's crypto (a fresh cipher per packet: Node cannot re-key or re-IV one).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import OpusScript from 'opusscript';
import { TONE_HZ } from './protocol.js';

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

function tone(): Buffer {
  const pcm = Buffer.alloc(1920);
  for (let i = 0; i < 960; i++)
    pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * TONE_HZ * i) / 48000) * 8000), 2 * i);
  return pcm;
}

function opus(): () => void {
  const enc = new OpusScript(48000, 1, OpusScript.Application.VOIP);
  const dec = new OpusScript(48000, 1, OpusScript.Application.VOIP);
  const packet = Buffer.from(enc.encode(tone(), 960));
  return () => {
    enc.encode(dec.decode(packet), 960);
  };
}

/**
 * The same with @discordjs/opus (libopus built natively at install), in VoIP mode like the others; null when it
 * is not built for this Node (its binary is per Node ABI), so that row is left out instead of failing the suite.
 */
function opusNative(): (() => void) | null {
  let OpusEncoder: new (
    rate: number,
    channels: number,
  ) => {
    encode(pcm: Buffer): Buffer;
    decode(packet: Buffer): Buffer;
    applyEncoderCTL(ctl: number, value: number): void;
  };
  try {
    ({ OpusEncoder } = createRequire(import.meta.url)('@discordjs/opus'));
  } catch {
    return null;
  }
  const codec = new OpusEncoder(48000, 1);
  codec.applyEncoderCTL(4000, 2048); // OPUS_SET_APPLICATION, OPUS_APPLICATION_VOIP
  const packet = codec.encode(tone());
  return () => {
    codec.encode(codec.decode(packet));
  };
}

/** CPU µs per frame of each floor part, best of 5 interleaved rounds. */
export function measureFloors(): FloorRow[] {
  const native = opusNative();
  const tasks: Record<string, () => void> = {
    'Opus decode + encode (opusscript, WASM)': opus(),
    ...(native ? { 'Opus decode + encode (@discordjs/opus, native)': native } : {}),
    'SRTP protect + unprotect, AES-128-GCM (Node crypto)': srtpGcm(),
    'SRTP protect + unprotect, AES-CM + HMAC-SHA1-80 (Node crypto)': srtpCm(),
  };
  const best = new Map<string, number>();
  for (let round = 0; round < 5; round++) {
    for (const [name, fn] of Object.entries(tasks)) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < 400; i++) fn();
      const c = process.cpuUsage(c0);
      best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, (c.user + c.system) / 400));
    }
  }
  return [...best].map(([name, usPerFrame]) => ({ name, usPerFrame }));
}
