import { RingBufferError } from './errors.js';

/** The typed arrays a ring can hold. */
export type RingElementArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** A typed-array constructor for one of the {@link RingElementArray} types (e.g. `Float32Array`). */
export interface RingElementType<T extends RingElementArray> {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/** Element type codes of layout v1 (header word at byte 12). */
export const ELEMENT_TYPE_CODES = {
  Int16Array: 1,
  Float32Array: 2,
  Int32Array: 3,
  Uint8Array: 4,
  Float64Array: 5,
  Int8Array: 6,
  Uint16Array: 7,
  Uint32Array: 8,
} as const;

const BY_CODE: readonly (RingElementType<RingElementArray> | undefined)[] = [
  undefined,
  Int16Array,
  Float32Array,
  Int32Array,
  Uint8Array,
  Float64Array,
  Int8Array,
  Uint16Array,
  Uint32Array,
];

/**
 * Returns the layout type code of a typed-array constructor. Compared by identity with this realm's
 * constructors, so Buffer or Uint8ClampedArray (not in the layout) are refused rather than guessed.
 */
export function typeCodeOf(Type: RingElementType<RingElementArray>): number {
  for (let code = 1; code < BY_CODE.length; code++) if (BY_CODE[code] === Type) return code;
  const name = typeof Type === 'function' ? Type.name : String(Type);
  throw new RingBufferError(
    'TYPE_MISMATCH',
    `unsupported ring element type ${name}; use one of ${Object.keys(ELEMENT_TYPE_CODES).join(', ')}`,
  );
}

/** The name of a layout type code, for error messages. */
export function typeNameOf(code: number): string {
  return BY_CODE[code]?.name ?? `unknown type code ${code}`;
}

/**
 * The arrays a ring of `T` accepts and hands out: the same element type over any buffer (ArrayBuffer or
 * SharedArrayBuffer). `RingBuffer.create(n, Int16Array)` infers `Int16Array<ArrayBuffer>` from the
 * constructor; this widens it so plain `Int16Array` values are accepted.
 */
export type RingArray<T extends RingElementArray> = T extends Int8Array
  ? Int8Array
  : T extends Uint8Array
    ? Uint8Array
    : T extends Int16Array
      ? Int16Array
      : T extends Uint16Array
        ? Uint16Array
        : T extends Int32Array
          ? Int32Array
          : T extends Uint32Array
            ? Uint32Array
            : T extends Float32Array
              ? Float32Array
              : T extends Float64Array
                ? Float64Array
                : never;
