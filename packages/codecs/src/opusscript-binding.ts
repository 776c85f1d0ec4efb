import { createRequire } from 'node:module';
import { AudioFormatError } from './errors.js';
import type { OpusBackend } from './opus-backend.js';
import { OPUS_SET_BITRATE, OPUS_SET_COMPLEXITY } from './opus-ctl.js';

/*
 * libopus compiled to WebAssembly by the `opusscript` package, driven here directly instead of through that
 * package's own wrapper (its index.js). The wrapper makes its PCM views with `HEAPU16.subarray(pointer, …)`,
 * using a byte address as an element index, so every encode writes the input, and every decode makes
 * libopus write the output, at twice the address it allocated: over whatever else lives there, which with a
 * few encoders and decoders in one process is their state. Seen as "Encode error: Bad argument" on the
 * third WebRTC peer, and "memory access out of bounds" when one is deleted. The compiled module itself is
 * sound; this binding allocates its own buffers and passes their real addresses.
 *
 * The module's calling convention (opusscript's C++ side): `_encode(in, bytes, out, frameSize)` reads the
 * PCM as `bytes` little-endian bytes, one per 16-bit slot at `in`, packs them in place, and writes the
 * packet at `out`; `_decode(in, bytes, out)` reads the packet at `in` and writes each sample as two
 * 16-bit slots (low byte, high byte) at `out`, returning samples per channel.
 */

interface OpusScriptHandler {
  _encode(input: number, bytes: number, output: number, frameSize: number): number;
  _decode(input: number, bytes: number, output: number): number;
  _encoder_ctl(ctl: number, value: number): number;
  _decoder_ctl(ctl: number, value: number): number;
}

interface OpusScriptModule {
  OpusScriptHandler: {
    new (sampleRate: number, channels: number, application: number): OpusScriptHandler;
    destroy_handler(handler: OpusScriptHandler): void;
  };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  HEAPU16: Uint16Array;
}

const OPUS_ERRORS: Record<number, string> = {
  [-1]: 'bad argument',
  [-2]: 'buffer too small',
  [-3]: 'internal error',
  [-4]: 'invalid packet',
  [-5]: 'unimplemented',
  [-6]: 'invalid state',
  [-7]: 'memory allocation failed',
};
/** Largest frame libopus decodes: 120 ms at 48 kHz, per channel. */
const MAX_FRAME_SAMPLES = 5760;
/** Largest packet opusscript's encoder writes (its `MAX_PACKET_SIZE`). */
const MAX_PACKET_BYTES = 1276 * 3;

/** A block of the module's heap. */
interface HeapBuffer {
  ptr: number;
  bytes: number;
}

const load = createRequire(import.meta.url);
let wasm: OpusScriptModule | undefined;

/** The one WebAssembly instance all encoders and decoders share (its heap grows as needed). */
function opusModule(): OpusScriptModule {
  wasm ??= (load('opusscript/build/opusscript_native_wasm.js') as () => OpusScriptModule)();
  return wasm;
}

function opusError(op: string, code: number): Error {
  return new Error(`${op} error: ${OPUS_ERRORS[code] ?? `libopus error ${code}`}`);
}

/** One opusscript handler (a libopus encoder and decoder pair) with buffers at addresses it owns. */
export class OpusScriptCodec implements OpusBackend {
  readonly name = 'opusscript';
  private readonly mod: OpusScriptModule;
  private handler: OpusScriptHandler | undefined;
  private readonly channels: number;
  /** Scratch in the module's heap for the input of `_encode` / `_decode`, and for their output; grown on demand. */
  private readonly input: HeapBuffer = { ptr: 0, bytes: 0 };
  private readonly output: HeapBuffer = { ptr: 0, bytes: 0 };

  constructor(sampleRate: number, channels: number, application: number) {
    this.mod = opusModule();
    this.channels = channels;
    this.handler = new this.mod.OpusScriptHandler(sampleRate, channels, application);
  }

  /** Encodes one frame of `frameSamples` samples per channel, given as little-endian PCM16 bytes. */
  encode(pcm: Uint8Array, frameSamples: number): Buffer {
    const h = this.live();
    // The C side reads up to 4 bytes of scratch per input byte (its in-place packing loop runs `bytes` times).
    const input = this.reserve(this.input, pcm.length * 4);
    const output = this.reserve(this.output, MAX_PACKET_BYTES);
    // One byte per 16-bit slot, as `_encode` expects; the typed-array set widens them natively.
    this.mod.HEAPU16.set(pcm, input >> 1);
    const len = h._encode(input, pcm.length, output, frameSamples);
    if (len < 0) throw opusError('Encode', len);
    return Buffer.from(this.mod.HEAPU8.subarray(output, output + len));
  }

  /** Decodes one packet (empty: conceal one lost frame) to little-endian PCM16 bytes. */
  decode(packet: Uint8Array): Buffer {
    const h = this.live();
    const input = this.reserve(this.input, Math.max(packet.length, 1));
    const output = this.reserve(this.output, MAX_FRAME_SAMPLES * this.channels * 4);
    this.mod.HEAPU8.set(packet, input);
    const samples = h._decode(input, packet.length, output);
    if (samples < 0) throw opusError('Decode', samples);
    // Each byte came back in its own 16-bit slot: narrowing them with a typed-array set packs the PCM.
    const bytes = samples * this.channels * 2;
    const out = Buffer.allocUnsafe(bytes);
    out.set(this.mod.HEAPU16.subarray(output >> 1, (output >> 1) + bytes));
    return out;
  }

  /** Sets the encoder's target bitrate (bits/s). */
  setBitrate(bitrate: number): void {
    const code = this.live()._encoder_ctl(OPUS_SET_BITRATE, bitrate);
    if (code < 0) throw opusError('Encoder CTL', code);
  }

  /** Sets the encoder's complexity (0–10). */
  setComplexity(complexity: number): void {
    const code = this.live()._encoder_ctl(OPUS_SET_COMPLEXITY, complexity);
    if (code < 0) throw opusError('Encoder CTL', code);
  }

  /**
   * Frees the handler and the buffers (Emscripten memory is not garbage collected). Safe to call more than
   * once; the codec is unusable afterwards.
   */
  destroy(): void {
    if (!this.handler) return;
    this.mod.OpusScriptHandler.destroy_handler(this.handler);
    this.handler = undefined;
    for (const b of [this.input, this.output]) {
      if (b.ptr) this.mod._free(b.ptr);
      b.ptr = b.bytes = 0;
    }
  }

  private live(): OpusScriptHandler {
    if (!this.handler) throw new AudioFormatError('CLOSED', 'Opus codec used after destroy() or close()');
    return this.handler;
  }

  /** The address of `buffer`, reallocated first when it holds fewer than `bytes`. */
  private reserve(buffer: HeapBuffer, bytes: number): number {
    if (bytes > buffer.bytes) {
      if (buffer.ptr) this.mod._free(buffer.ptr);
      buffer.ptr = buffer.bytes = 0; // stays empty if the allocation below throws
      buffer.ptr = this.allocate(bytes);
      buffer.bytes = bytes;
    }
    return buffer.ptr;
  }

  private allocate(bytes: number): number {
    const ptr = this.mod._malloc(bytes);
    if (!ptr) throw opusError('Opus', -7);
    return ptr;
  }
}
