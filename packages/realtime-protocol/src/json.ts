/** A JSON value: tool arguments and results. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A JSON Schema object describing a tool's parameters. The fields a responder reads to extract arguments are
 * typed; any other keyword is allowed.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  description?: string;
  [keyword: string]: unknown;
}
