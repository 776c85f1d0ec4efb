import { RealtimeClientError } from './errors.js';
import type { JsonSchema, JsonValue } from './protocol.js';

/** A tool the model may call. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: JsonSchema;
}

/** What a handler gets besides the arguments. */
export interface ToolContext {
  callId: string;
  name: string;
  /** Aborted when the handler times out or the client closes. */
  signal: AbortSignal;
}

/**
 * Runs a tool. The return value is sent to the model: a string as is, anything else as JSON. A throw is
 * sent as `{"error": message}`.
 */
export type ToolHandler = (args: JsonValue, context: ToolContext) => unknown;

/** Per-tool settings. */
export interface ToolOptions {
  /** How long the handler may run before the model is told it timed out. Default: the client's `toolTimeoutMs`. */
  timeoutMs?: number;
}

/** Outcome of one tool call, as sent to the model. */
export interface ToolOutcome {
  /** The `function_call_output.output` string. */
  output: string;
  /** Set when the call failed (bad arguments, throw, timeout). */
  error?: RealtimeClientError;
}

/** Parses the model's argument string; a failure is returned, not thrown. */
export function parseToolArguments(
  raw: string,
): { ok: true; value: JsonValue } | { ok: false; message: string } {
  if (raw.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(raw) as JsonValue };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

function errorOutput(message: string): string {
  return JSON.stringify({ error: message });
}

/**
 * Parses the arguments, runs the handler with a timeout, and turns every outcome into the output string the
 * model gets. Never throws.
 */
export async function runTool(
  handler: ToolHandler,
  rawArguments: string,
  context: { callId: string; name: string },
  timeoutMs: number,
  closeSignal: AbortSignal,
): Promise<ToolOutcome> {
  const parsed = parseToolArguments(rawArguments);
  if (!parsed.ok) {
    const message = `arguments for tool "${context.name}" are not valid JSON (${parsed.message})`;
    return { output: errorOutput(message), error: new RealtimeClientError('TOOL', message) };
  }
  const controller = new AbortController();
  const onClose = () => controller.abort(closeSignal.reason);
  closeSignal.addEventListener('abort', onClose, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new RealtimeClientError('TOOL', `tool "${context.name}" timed out after ${timeoutMs} ms`);
        controller.abort(err);
        reject(err);
      }, timeoutMs);
    });
    const result = await Promise.race([
      Promise.resolve().then(() => handler(parsed.value, { ...context, signal: controller.signal })),
      timeout,
    ]);
    if (typeof result === 'string') return { output: result };
    try {
      return { output: JSON.stringify(result === undefined ? { ok: true } : result) };
    } catch (err) {
      const message = `tool "${context.name}" returned a value that is not JSON-serialisable (${(err as Error).message})`;
      return {
        output: errorOutput(message),
        error: new RealtimeClientError('TOOL', message, { cause: err }),
      };
    }
  } catch (err) {
    const error =
      err instanceof RealtimeClientError
        ? err
        : new RealtimeClientError(
            'TOOL',
            `tool "${context.name}" failed: ${(err as Error)?.message ?? String(err)}`,
            {
              cause: err,
            },
          );
    return { output: errorOutput(error.message), error };
  } finally {
    clearTimeout(timer);
    closeSignal.removeEventListener('abort', onClose);
  }
}
