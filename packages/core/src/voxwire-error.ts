/**
 * The base of every error a voxwire package throws or emits. `code` is SCREAMING_SNAKE_CASE and stable
 * across releases: branch on it (or on the subclass), never on `message`.
 *
 * Codes of a wire protocol (the `error.code` of an OpenAI Realtime event, a WebSocket close code) are
 * part of that protocol and keep its spelling; they travel in the error's fields, not in `code`.
 *
 * @typeParam Code - the codes this error class can carry.
 */
export class VoxwireError<Code extends string = string> extends Error {
  /** What went wrong, as a stable SCREAMING_SNAKE_CASE identifier. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    // The subclass's own name, so stack traces and `String(err)` say which package threw it.
    this.name = new.target.name;
  }
}

/**
 * Whether `value` is a {@link VoxwireError}, optionally with the given code. Works across copies of this
 * package (two versions installed side by side), where `instanceof` does not.
 */
export function isVoxwireError<Code extends string>(
  value: unknown,
  code?: Code,
): value is VoxwireError<Code> {
  if (!(value instanceof Error)) return false;
  const c = (value as { code?: unknown }).code;
  if (typeof c !== 'string' || !CODE.test(c)) return false;
  if (!(value instanceof VoxwireError) && !hasVoxwireAncestor(value)) return false;
  return code === undefined || c === code;
}

const CODE = /^[A-Z][A-Z0-9_]*$/;

function hasVoxwireAncestor(value: Error): boolean {
  for (let p = Object.getPrototypeOf(value); p && p !== Error.prototype; p = Object.getPrototypeOf(p)) {
    if (p.constructor?.name === 'VoxwireError') return true;
  }
  return false;
}
