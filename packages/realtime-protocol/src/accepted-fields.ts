/**
 * The GA request fields, as trees: each key is a field; `true` marks a value validated or kept as a whole
 * (a scalar, a free-form map, an MCP tool's filters). @voxwire/realtime-server rejects keys outside these
 * trees; its tests walk the official `openai` package's declarations of `session.update`,
 * `response.create` and `conversation.item.create` against them (so a field OpenAI adds fails a test rather
 * than a user's whole update), and this package's tests walk its own client types against them (so a
 * client never sends a field the local server refuses).
 */

/** A tree of accepted field names; `true` is a leaf. */
export interface FieldTree {
  readonly [field: string]: FieldTree | true;
}

/** The keys of a tree node, for `rejectUnknown`. */
export function fieldsOf(tree: FieldTree): readonly string[] {
  return Object.keys(tree);
}

/**
 * The dotted field paths (`audio.input.format.type`) the tree does not accept; a `true` leaf accepts
 * everything under it. Used to check a declaration of the protocol (the SDK's, or this package's client
 * types) against the trees.
 */
export function unacceptedFields(tree: FieldTree, paths: Iterable<string>): string[] {
  return [...paths].filter((path) => {
    let node: FieldTree | true = tree;
    for (const key of path.split('.')) {
      if (node === true) return false;
      const next: FieldTree | true | undefined = Object.hasOwn(node, key) ? node[key] : undefined;
      if (next === undefined) return true;
      node = next;
    }
    return false;
  });
}

const FORMAT = { type: true, rate: true } as const;

/** `audio.input.transcription`: `languages`, `keywords`, `delay` are kept and echoed; `language` is applied. */
export const TRANSCRIPTION_FIELDS = {
  model: true,
  language: true,
  languages: true,
  prompt: true,
  keywords: true,
  delay: true,
} as const;

export const NOISE_REDUCTION_FIELDS = { type: true, strength: true } as const;

/** Server VAD and semantic VAD fields together (the parser checks which belong to which `type`). */
export const TURN_DETECTION_FIELDS = {
  type: true,
  threshold: true,
  prefix_padding_ms: true,
  silence_duration_ms: true,
  create_response: true,
  interrupt_response: true,
  idle_timeout_ms: true,
  eagerness: true,
} as const;

export const AUDIO_INPUT_FIELDS = {
  format: FORMAT,
  transcription: TRANSCRIPTION_FIELDS,
  noise_reduction: NOISE_REDUCTION_FIELDS,
  turn_detection: TURN_DETECTION_FIELDS,
} as const;

const VOICE = { id: true } as const;

export const AUDIO_OUTPUT_FIELDS = { format: FORMAT, voice: VOICE, speed: true } as const;

/** Function tools are used; MCP tools are kept and echoed (nothing offline can call them). */
export const TOOL_FIELDS = {
  type: true,
  name: true,
  description: true,
  parameters: true,
  server_label: true,
  server_url: true,
  server_description: true,
  connector_id: true,
  authorization: true,
  headers: true,
  allowed_tools: true,
  allowed_callers: true,
  require_approval: true,
  defer_loading: true,
  tunnel_id: true,
} as const;

/** Function tools' own fields: an MCP field on a `function` tool is still refused. */
export const FUNCTION_TOOL_FIELDS = { type: true, name: true, description: true, parameters: true } as const;

export const TOOL_CHOICE_FIELDS = { type: true, name: true, server_label: true } as const;

export const PROMPT_FIELDS = { id: true, version: true, variables: true } as const;

export const TRACING_FIELDS = { group_id: true, workflow_name: true, metadata: true } as const;

export const TRUNCATION_FIELDS = {
  type: true,
  retention_ratio: true,
  token_limits: { post_instructions: true },
} as const;

export const REASONING_FIELDS = { effort: true } as const;

/** A message's content part: text, audio, or an image (kept in the conversation, not read offline). */
export const CONTENT_PART_FIELDS = {
  type: true,
  text: true,
  audio: true,
  transcript: true,
  image_url: true,
  detail: true,
} as const;

/** The item kinds a client may add (MCP items need an MCP server and are refused). */
export const ITEM_FIELDS = {
  id: true,
  object: true,
  type: true,
  status: true,
  role: true,
  content: CONTENT_PART_FIELDS,
  name: true,
  call_id: true,
  arguments: true,
  output: true,
} as const;

/** Item types {@link ITEM_FIELDS} covers. */
export const CLIENT_ITEM_TYPES = ['message', 'function_call', 'function_call_output'] as const;

/** `session.update`'s `session` of a conversation (`type: "realtime"`) or transcription session. */
export const SESSION_FIELDS = {
  type: true,
  model: true,
  instructions: true,
  output_modalities: true,
  audio: { input: AUDIO_INPUT_FIELDS, output: AUDIO_OUTPUT_FIELDS },
  tools: TOOL_FIELDS,
  tool_choice: TOOL_CHOICE_FIELDS,
  max_output_tokens: true,
  tracing: TRACING_FIELDS,
  truncation: TRUNCATION_FIELDS,
  prompt: PROMPT_FIELDS,
  include: true,
  reasoning: REASONING_FIELDS,
  parallel_tool_calls: true,
} as const satisfies FieldTree;

/** The fields a transcription session's `session.update` may carry. */
export const TRANSCRIPTION_SESSION_FIELDS = {
  type: true,
  audio: { input: AUDIO_INPUT_FIELDS },
  include: true,
} as const satisfies FieldTree;

/** `response.create`'s `response`. */
export const RESPONSE_FIELDS = {
  instructions: true,
  output_modalities: true,
  tools: TOOL_FIELDS,
  tool_choice: TOOL_CHOICE_FIELDS,
  conversation: true,
  input: ITEM_FIELDS,
  metadata: true,
  max_output_tokens: true,
  audio: { output: { format: FORMAT, voice: VOICE } },
  prompt: PROMPT_FIELDS,
  reasoning: REASONING_FIELDS,
  parallel_tool_calls: true,
} as const satisfies FieldTree;
