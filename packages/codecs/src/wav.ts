import { AudioFormatError } from './errors.js';

/** Sample encodings a WAV file can carry here. */
export type WavEncoding = 'pcm16' | 'float32' | 'mulaw' | 'alaw';

/** Decoded WAV contents; `data` is interleaved, typed by encoding (G.711 stays as codes). */
export type WavAudio =
  | { encoding: 'pcm16'; sampleRate: number; channels: number; data: Int16Array }
  | { encoding: 'float32'; sampleRate: number; channels: number; data: Float32Array }
  | { encoding: 'mulaw' | 'alaw'; sampleRate: number; channels: number; data: Uint8Array };

/** What {@link wav.write} accepts: Int16Array → PCM16, Float32Array → float32, Uint8Array + encoding → G.711. */
export type WavWriteInput =
  | { sampleRate: number; channels: number; data: Int16Array; encoding?: 'pcm16' }
  | { sampleRate: number; channels: number; data: Float32Array; encoding?: 'float32' }
  | { sampleRate: number; channels: number; data: Uint8Array; encoding: 'mulaw' | 'alaw' };

const FORMAT = { pcm: 1, float: 3, alaw: 6, mulaw: 7, extensible: 0xfffe } as const;
const UNKNOWN_SIZE = 0xffffffff; // written by streaming encoders that cannot seek back

function fail(message: string): never {
  throw new AudioFormatError('INVALID_WAV', `WAV: ${message}`);
}

function read(buf: Uint8Array): WavAudio {
  if (!(buf instanceof Uint8Array)) fail(`expected bytes (Buffer/Uint8Array), got ${typeof buf}`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (at: number) => String.fromCharCode(buf[at], buf[at + 1], buf[at + 2], buf[at + 3]);
  if (buf.length < 12) fail(`file is ${buf.length} bytes, too short for a RIFF header`);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE')
    fail(`not a RIFF/WAVE file (starts with ${JSON.stringify(tag(0))})`);
  const riffSize = view.getUint32(4, true);
  if (riffSize !== UNKNOWN_SIZE && riffSize + 8 > buf.length) {
    fail(`truncated: RIFF header declares ${riffSize + 8} bytes, file has ${buf.length}`);
  }
  let fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | null =
    null;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = tag(pos);
    let size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'data' && size === UNKNOWN_SIZE) size = buf.length - body;
    if (body + size > buf.length) {
      fail(`truncated: '${id}' chunk declares ${size} bytes but only ${buf.length - body} remain`);
    }
    if (id === 'fmt ') {
      if (size < 16) fail(`'fmt ' chunk is ${size} bytes, need at least 16`);
      let format = view.getUint16(body, true);
      if (format === FORMAT.extensible) {
        if (size < 40) fail(`WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is ${size} bytes, need 40`);
        format = view.getUint16(body + 24, true); // first two bytes of the sub-format GUID
      }
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) fail(`'data' chunk before 'fmt ' chunk`);
      return decodeData(fmt, buf.subarray(body, body + size));
    }
    // LIST, fact, cue, bext, …: skipped. Chunks are padded to even sizes.
    pos = body + size + (size & 1);
  }
  fail(fmt ? `no 'data' chunk` : `no 'fmt ' chunk`);
}

function decodeData(
  fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number },
  bytes: Uint8Array,
): WavAudio {
  const { format, channels, sampleRate, blockAlign, bits } = fmt;
  if (channels < 1) fail(`header declares ${channels} channels`);
  if (sampleRate < 1) fail(`header declares a sample rate of ${sampleRate} Hz`);
  let encoding: WavEncoding;
  if (format === FORMAT.pcm && bits === 16) encoding = 'pcm16';
  else if (format === FORMAT.float && bits === 32) encoding = 'float32';
  else if (format === FORMAT.mulaw && bits === 8) encoding = 'mulaw';
  else if (format === FORMAT.alaw && bits === 8) encoding = 'alaw';
  else fail(`unsupported format tag ${format} with ${bits} bits (supported: PCM16, float32, mu-law, A-law)`);
  const expectedAlign = (channels * bits) / 8;
  if (blockAlign !== expectedAlign) {
    fail(
      `header declares blockAlign ${blockAlign}, but ${channels} × ${bits}-bit samples need ${expectedAlign}`,
    );
  }
  if (bytes.length % blockAlign !== 0) {
    fail(`data is ${bytes.length} bytes, not a whole number of ${blockAlign}-byte sample frames`);
  }
  // Copy into a fresh, aligned buffer: the result must not alias the caller's file buffer.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (encoding === 'pcm16') return { encoding, sampleRate, channels, data: new Int16Array(copy.buffer) };
  if (encoding === 'float32') return { encoding, sampleRate, channels, data: new Float32Array(copy.buffer) };
  return { encoding, sampleRate, channels, data: copy };
}

function write(input: WavWriteInput): Buffer {
  const { sampleRate, channels, data } = input;
  if (!Number.isInteger(sampleRate) || sampleRate < 1)
    fail(`sampleRate must be a positive integer, got ${sampleRate}`);
  if (!Number.isInteger(channels) || channels < 1 || channels > 65535) {
    fail(`channels must be a positive integer, got ${channels}`);
  }
  let encoding: WavEncoding;
  if (data instanceof Int16Array) encoding = 'pcm16';
  else if (data instanceof Float32Array) encoding = 'float32';
  else if (data instanceof Uint8Array && (input.encoding === 'mulaw' || input.encoding === 'alaw')) {
    encoding = input.encoding;
  } else fail(`data must be Int16Array, Float32Array, or Uint8Array with encoding 'mulaw'/'alaw'`);
  if (input.encoding !== undefined && input.encoding !== encoding) {
    fail(`encoding '${input.encoding}' does not match ${data.constructor.name} data`);
  }
  if (data.length % channels !== 0)
    fail(`${data.length} samples are not a whole number of ${channels}-channel frames`);
  const bits = encoding === 'pcm16' ? 16 : encoding === 'float32' ? 32 : 8;
  const format =
    encoding === 'pcm16'
      ? FORMAT.pcm
      : encoding === 'float32'
        ? FORMAT.float
        : FORMAT[encoding as 'mulaw' | 'alaw'];
  // Non-PCM formats carry cbSize (fmt size 18) and a 'fact' chunk with the frame count.
  const extended = encoding !== 'pcm16';
  const fmtSize = extended ? 18 : 16;
  const dataBytes = data.byteLength;
  const pad = dataBytes & 1;
  const headerSize = 12 + 8 + fmtSize + (extended ? 12 : 0) + 8;
  const out = Buffer.alloc(headerSize + dataBytes + pad);
  let p = 0;
  out.write('RIFF', p);
  out.writeUInt32LE(out.length - 8, p + 4);
  out.write('WAVE', p + 8);
  p = 12;
  out.write('fmt ', p);
  out.writeUInt32LE(fmtSize, p + 4);
  out.writeUInt16LE(format, p + 8);
  out.writeUInt16LE(channels, p + 10);
  out.writeUInt32LE(sampleRate, p + 12);
  out.writeUInt32LE((sampleRate * channels * bits) / 8, p + 16);
  out.writeUInt16LE((channels * bits) / 8, p + 20);
  out.writeUInt16LE(bits, p + 22);
  if (extended) out.writeUInt16LE(0, p + 24);
  p += 8 + fmtSize;
  if (extended) {
    out.write('fact', p);
    out.writeUInt32LE(4, p + 4);
    out.writeUInt32LE(data.length / channels, p + 8);
    p += 12;
  }
  out.write('data', p);
  out.writeUInt32LE(dataBytes, p + 4);
  p += 8;
  out.set(new Uint8Array(data.buffer, data.byteOffset, dataBytes), p);
  return out;
}

/**
 * WAV (RIFF/WAVE) reading and writing for PCM16, float32, mu-law and A-law.
 *
 * `read` skips `LIST` and other chunks (honouring odd-size padding), accepts WAVE_FORMAT_EXTENSIBLE and the
 * streaming data size 0xFFFFFFFF, and rejects truncated files and lying headers (sizes past the end of the
 * file, a blockAlign that does not match the sample format, partial sample frames) with `AudioFormatError`.
 * The returned `data` is a fresh copy. `write` returns a complete file as a Buffer.
 */
export const wav: {
  /** Parses a WAV file. @throws AudioFormatError naming what is wrong */
  read(buf: Uint8Array): WavAudio;
  /** Serialises audio as a WAV file. @throws AudioFormatError for inconsistent input */
  write(input: WavWriteInput): Buffer;
} = { read, write };
