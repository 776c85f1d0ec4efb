import type {
  FunctionTool,
  JsonSchema,
  McpTool,
  RealtimeAudioFormat,
  RealtimeSessionConfig,
  ReasoningConfig,
  SessionTool,
  SessionToolChoice,
  ToolChoice,
  TranscriptionConfig,
  TurnDetectionConfig,
} from '@voxwire/realtime-protocol';
import {
  AUDIO_INPUT_FIELDS,
  AUDIO_OUTPUT_FIELDS,
  FUNCTION_TOOL_FIELDS,
  fieldsOf,
  NOISE_REDUCTION_FIELDS,
  PROMPT_FIELDS,
  REASONING_FIELDS,
  SESSION_FIELDS,
  TOOL_CHOICE_FIELDS,
  TOOL_FIELDS,
  TRACING_FIELDS,
  TRANSCRIPTION_FIELDS,
  TRANSCRIPTION_SESSION_FIELDS,
  TRUNCATION_FIELDS,
} from '@voxwire/realtime-protocol';
import { RealtimeProtocolError } from './errors.js';
import {
  isObject,
  type JsonObject,
  rejectUnknown,
  requireArray,
  requireBoolean,
  requireEnum,
  requireNumber,
  requireObject,
  requireString,
} from './validate.js';

/** The server VAD settings OpenAI applies when a session starts. */
export const DEFAULT_SERVER_VAD = {
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 500,
  create_response: true,
  interrupt_response: true,
  idle_timeout_ms: null,
} as const;

/** A fresh GA session as `session.created` reports it. */
export function defaultSession(id: string, model: string, nowSeconds: number): RealtimeSessionConfig {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id,
    model,
    output_modalities: ['audio'],
    instructions: '',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    expires_at: nowSeconds + 3600,
    include: null,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: { ...DEFAULT_SERVER_VAD },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1 },
    },
  };
}

export function parseAudioFormat(value: unknown, param: string): RealtimeAudioFormat {
  const obj = requireObject(value, param);
  rejectUnknown(obj, fieldsOf(AUDIO_OUTPUT_FIELDS.format), param);
  const type = requireEnum(obj.type, `${param}.type`, ['audio/pcm', 'audio/pcmu', 'audio/pcma'] as const);
  if (type === 'audio/pcm') {
    if (obj.rate !== undefined && obj.rate !== 24000) {
      throw new RealtimeProtocolError(
        'INVALID_VALUE',
        `Invalid value: ${JSON.stringify(obj.rate)}. Supported values are: 24000.`,
        `${param}.rate`,
      );
    }
    return { type, rate: 24000 };
  }
  if (obj.rate !== undefined && obj.rate !== 8000) {
    throw new RealtimeProtocolError(
      'UNKNOWN_PARAMETER',
      `Unknown parameter: '${param}.rate' for '${type}'.`,
      `${param}.rate`,
    );
  }
  return { type };
}

function parseTurnDetection(
  value: unknown,
  current: TurnDetectionConfig | null,
  param: string,
): TurnDetectionConfig | null {
  if (value === null) return null;
  const obj = requireObject(value, param);
  const type = requireEnum(obj.type, `${param}.type`, ['server_vad', 'semantic_vad'] as const);
  if (type === 'server_vad') {
    rejectUnknown(
      obj,
      [
        'type',
        'threshold',
        'prefix_padding_ms',
        'silence_duration_ms',
        'create_response',
        'interrupt_response',
        'idle_timeout_ms',
      ],
      param,
    );
    const base = current?.type === 'server_vad' ? current : DEFAULT_SERVER_VAD;
    return {
      type,
      threshold:
        obj.threshold === undefined
          ? base.threshold
          : requireNumber(obj.threshold, `${param}.threshold`, { min: 0, max: 1 }),
      prefix_padding_ms:
        obj.prefix_padding_ms === undefined
          ? base.prefix_padding_ms
          : requireNumber(obj.prefix_padding_ms, `${param}.prefix_padding_ms`, {
              min: 0,
              max: 10000,
              integer: true,
            }),
      silence_duration_ms:
        obj.silence_duration_ms === undefined
          ? base.silence_duration_ms
          : requireNumber(obj.silence_duration_ms, `${param}.silence_duration_ms`, {
              min: 0,
              max: 10000,
              integer: true,
            }),
      create_response:
        obj.create_response === undefined
          ? base.create_response
          : requireBoolean(obj.create_response, `${param}.create_response`),
      interrupt_response:
        obj.interrupt_response === undefined
          ? base.interrupt_response
          : requireBoolean(obj.interrupt_response, `${param}.interrupt_response`),
      idle_timeout_ms:
        obj.idle_timeout_ms === undefined
          ? base.idle_timeout_ms
          : obj.idle_timeout_ms === null
            ? null
            : requireNumber(obj.idle_timeout_ms, `${param}.idle_timeout_ms`, {
                min: 5000,
                max: 30000,
                integer: true,
              }),
    };
  }
  rejectUnknown(obj, ['type', 'eagerness', 'create_response', 'interrupt_response'], param);
  const base =
    current?.type === 'semantic_vad'
      ? current
      : { eagerness: 'auto' as const, create_response: true, interrupt_response: true };
  return {
    type,
    eagerness:
      obj.eagerness === undefined
        ? base.eagerness
        : requireEnum(obj.eagerness, `${param}.eagerness`, ['low', 'medium', 'high', 'auto'] as const),
    create_response:
      obj.create_response === undefined
        ? base.create_response
        : requireBoolean(obj.create_response, `${param}.create_response`),
    interrupt_response:
      obj.interrupt_response === undefined
        ? base.interrupt_response
        : requireBoolean(obj.interrupt_response, `${param}.interrupt_response`),
  };
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Validates a `tools` array: function tools are used, MCP tools kept as given (see {@link McpTool}). */
export function parseTools(value: unknown, param: string): SessionTool[] {
  const list = requireArray(value, param);
  const names = new Set<string>();
  return list.map((raw, i): SessionTool => {
    const p = `${param}[${i}]`;
    const tool = requireObject(raw, p);
    rejectUnknown(tool, fieldsOf(TOOL_FIELDS), p);
    if (tool.type === 'mcp') {
      requireString(tool.server_label, `${p}.server_label`, { nonEmpty: true });
      return structuredClone(tool) as McpTool;
    }
    rejectUnknown(tool, fieldsOf(FUNCTION_TOOL_FIELDS), p);
    if (tool.type !== undefined) requireEnum(tool.type, `${p}.type`, ['function', 'mcp'] as const);
    const name = requireString(tool.name, `${p}.name`, { nonEmpty: true });
    // A fixed pattern over bounded input: no user text reaches a RegExp source.
    if (!TOOL_NAME.test(name)) {
      throw new RealtimeProtocolError(
        'INVALID_VALUE',
        `Invalid value for '${p}.name': '${name.slice(0, 80)}' must match ^[a-zA-Z0-9_-]{1,64}$.`,
        `${p}.name`,
      );
    }
    if (names.has(name)) {
      throw new RealtimeProtocolError(
        'INVALID_VALUE',
        `Duplicate tool name '${name}' in '${param}'.`,
        `${p}.name`,
      );
    }
    names.add(name);
    const out: FunctionTool = { type: 'function', name };
    if (tool.description !== undefined) out.description = requireString(tool.description, `${p}.description`);
    if (tool.parameters !== undefined)
      out.parameters = requireObject(tool.parameters, `${p}.parameters`) as JsonSchema;
    return out;
  });
}

/** The function tools among `tools`: what a responder may call. */
export function functionTools(tools: readonly SessionTool[]): FunctionTool[] {
  return tools.filter((t): t is FunctionTool => t.type === 'function');
}

/** Validates `tool_choice` against the tools that will be in effect. */
export function parseToolChoice(value: unknown, tools: SessionTool[], param: string): SessionToolChoice {
  if (typeof value === 'string') return requireEnum(value, param, ['auto', 'none', 'required'] as const);
  const obj = requireObject(value, param);
  rejectUnknown(obj, fieldsOf(TOOL_CHOICE_FIELDS), param);
  const type = requireEnum(obj.type, `${param}.type`, ['function', 'mcp'] as const);
  if (type === 'mcp') {
    const choice: SessionToolChoice = {
      type,
      server_label: requireString(obj.server_label, `${param}.server_label`, { nonEmpty: true }),
    };
    if (obj.name !== undefined)
      choice.name = obj.name === null ? null : requireString(obj.name, `${param}.name`);
    return choice;
  }
  rejectUnknown(obj, ['type', 'name'], param);
  const name = requireString(obj.name, `${param}.name`, { nonEmpty: true });
  if (!tools.some((t) => t.type === 'function' && t.name === name)) {
    throw new RealtimeProtocolError(
      'INVALID_VALUE',
      `Tool choice '${name}' is not one of the session's tools.`,
      `${param}.name`,
    );
  }
  return { type: 'function', name };
}

/** What a responder is told: an MCP choice means no function call (nothing offline can call MCP tools). */
export function responderToolChoice(choice: SessionToolChoice): ToolChoice {
  return typeof choice === 'object' && choice.type === 'mcp' ? 'none' : choice;
}

/** Reasoning efforts and transcription delays: the same scale. */
const EFFORTS = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;

/** Validates `reasoning` (kept and echoed). */
export function parseReasoning(value: unknown, param: string): ReasoningConfig {
  const r = requireObject(value, param);
  rejectUnknown(r, fieldsOf(REASONING_FIELDS), param);
  const out: ReasoningConfig = {};
  if (r.effort !== undefined) out.effort = requireEnum(r.effort, `${param}.effort`, EFFORTS);
  return out;
}

export function parseOutputModalities(value: unknown, param: string): Array<'audio' | 'text'> {
  const list = requireArray(value, param);
  if (list.length !== 1) {
    throw new RealtimeProtocolError(
      'INVALID_VALUE',
      `Invalid value for '${param}': expected exactly one of ['audio'] or ['text'].`,
      param,
    );
  }
  return [requireEnum(list[0], `${param}[0]`, ['audio', 'text'] as const)];
}

export function parseMaxOutputTokens(value: unknown, param: string): number | 'inf' {
  if (value === 'inf') return 'inf';
  return requireNumber(value, param, { min: 1, max: 4096, integer: true });
}

function parseTruncation(value: unknown): RealtimeSessionConfig['truncation'] {
  if (value === 'auto' || value === 'disabled') return value;
  if (typeof value === 'string')
    return requireEnum(value, 'session.truncation', ['auto', 'disabled'] as const);
  const t = requireObject(value, 'session.truncation');
  rejectUnknown(t, fieldsOf(TRUNCATION_FIELDS), 'session.truncation');
  requireEnum(t.type, 'session.truncation.type', ['retention_ratio'] as const);
  const out: RealtimeSessionConfig['truncation'] = {
    type: 'retention_ratio',
    retention_ratio: requireNumber(t.retention_ratio, 'session.truncation.retention_ratio', {
      min: 0,
      max: 1,
    }),
  };
  if (t.token_limits !== undefined) {
    const limits = requireObject(t.token_limits, 'session.truncation.token_limits');
    rejectUnknown(limits, fieldsOf(TRUNCATION_FIELDS.token_limits), 'session.truncation.token_limits');
    out.token_limits = {};
    if (limits.post_instructions !== undefined) {
      out.token_limits.post_instructions = requireNumber(
        limits.post_instructions,
        'session.truncation.token_limits.post_instructions',
        {
          min: 0,
          integer: true,
        },
      );
    }
  }
  return out;
}

type StoredPrompt = NonNullable<RealtimeSessionConfig['prompt']>;

/** Validates a stored-prompt reference (kept and echoed; the offline responder fetches no prompts). */
export function parsePrompt(value: unknown, param: string): StoredPrompt {
  const p = requireObject(value, param);
  rejectUnknown(p, fieldsOf(PROMPT_FIELDS), param);
  const out: StoredPrompt = { id: requireString(p.id, `${param}.id`, { nonEmpty: true }) };
  if (p.version !== undefined && p.version !== null)
    out.version = requireString(p.version, `${param}.version`);
  if (p.variables !== undefined && p.variables !== null) {
    const vars = requireObject(p.variables, `${param}.variables`);
    out.variables = {};
    for (const [k, v] of Object.entries(vars)) out.variables[k] = requireString(v, `${param}.variables.${k}`);
  }
  return out;
}

/**
 * Applies a `session.update` payload to the current session. Validation is complete before anything
 * changes: on error the session stays as it was.
 * @throws RealtimeProtocolError naming the first bad field in `param`
 */
export function applySessionUpdate(
  current: RealtimeSessionConfig,
  patch: unknown,
  audioProduced: boolean,
  kind: 'realtime' | 'transcription' = 'realtime',
): RealtimeSessionConfig {
  const s = requireObject(patch, 'session');
  // GA requires the discriminator; the beta shape (without it) has been switched off. A session keeps the
  // kind it was opened as (`?intent=transcription` opens a transcription session).
  requireEnum(s.type, 'session.type', [kind] as const);
  rejectUnknown(s, fieldsOf(kind === 'realtime' ? SESSION_FIELDS : TRANSCRIPTION_SESSION_FIELDS), 'session');
  const next: RealtimeSessionConfig = structuredClone(current);
  if (s.model !== undefined) next.model = requireString(s.model, 'session.model', { nonEmpty: true });
  if (s.instructions !== undefined) next.instructions = requireString(s.instructions, 'session.instructions');
  if (s.output_modalities !== undefined)
    next.output_modalities = parseOutputModalities(s.output_modalities, 'session.output_modalities');
  if (s.max_output_tokens !== undefined)
    next.max_output_tokens = parseMaxOutputTokens(s.max_output_tokens, 'session.max_output_tokens');
  if (s.tools !== undefined) next.tools = parseTools(s.tools, 'session.tools');
  if (s.tool_choice !== undefined)
    next.tool_choice = parseToolChoice(s.tool_choice, next.tools, 'session.tool_choice');
  else if (
    typeof next.tool_choice === 'object' &&
    next.tool_choice.type === 'function' &&
    !next.tools.some((t) => t.type === 'function' && t.name === (next.tool_choice as { name: string }).name)
  ) {
    throw new RealtimeProtocolError(
      'INVALID_VALUE',
      `Tool choice '${next.tool_choice.name}' is not one of the session's tools.`,
      'session.tool_choice.name',
    );
  }
  if (s.tracing !== undefined) {
    if (s.tracing !== null && s.tracing !== 'auto') {
      const tracing = requireObject(s.tracing, 'session.tracing');
      rejectUnknown(tracing, fieldsOf(TRACING_FIELDS), 'session.tracing');
      next.tracing = structuredClone(tracing);
    } else next.tracing = s.tracing;
  }
  if (s.truncation !== undefined) next.truncation = parseTruncation(s.truncation);
  if (s.prompt !== undefined)
    next.prompt = s.prompt === null ? null : parsePrompt(s.prompt, 'session.prompt');
  if (s.reasoning !== undefined) next.reasoning = parseReasoning(s.reasoning, 'session.reasoning');
  if (s.parallel_tool_calls !== undefined)
    next.parallel_tool_calls = requireBoolean(s.parallel_tool_calls, 'session.parallel_tool_calls');
  if (s.include !== undefined) {
    next.include =
      s.include === null
        ? null
        : requireArray(s.include, 'session.include').map((v, i) =>
            requireEnum(v, `session.include[${i}]`, ['item.input_audio_transcription.logprobs'] as const),
          );
  }
  if (s.audio !== undefined)
    applyAudio(next, requireObject(s.audio, 'session.audio'), current, audioProduced, kind);
  return next;
}

function applyAudio(
  next: RealtimeSessionConfig,
  audio: JsonObject,
  current: RealtimeSessionConfig,
  audioProduced: boolean,
  kind: 'realtime' | 'transcription',
): void {
  rejectUnknown(audio, kind === 'realtime' ? ['input', 'output'] : ['input'], 'session.audio');
  if (audio.input !== undefined) {
    const input = requireObject(audio.input, 'session.audio.input');
    rejectUnknown(input, fieldsOf(AUDIO_INPUT_FIELDS), 'session.audio.input');
    if (input.format !== undefined)
      next.audio.input.format = parseAudioFormat(input.format, 'session.audio.input.format');
    if (input.transcription !== undefined) {
      if (input.transcription === null) next.audio.input.transcription = null;
      else next.audio.input.transcription = parseTranscription(input.transcription);
    }
    if (input.noise_reduction !== undefined) {
      if (input.noise_reduction === null) next.audio.input.noise_reduction = null;
      else next.audio.input.noise_reduction = parseNoiseReduction(input.noise_reduction);
    }
    if (input.turn_detection !== undefined) {
      next.audio.input.turn_detection = parseTurnDetection(
        input.turn_detection,
        current.audio.input.turn_detection,
        'session.audio.input.turn_detection',
      );
    }
  }
  if (audio.output !== undefined) {
    const output = requireObject(audio.output, 'session.audio.output');
    rejectUnknown(output, fieldsOf(AUDIO_OUTPUT_FIELDS), 'session.audio.output');
    if (output.format !== undefined)
      next.audio.output.format = parseAudioFormat(output.format, 'session.audio.output.format');
    if (output.voice !== undefined) {
      const voice = parseVoice(output.voice, 'session.audio.output.voice');
      // Like OpenAI: the voice is fixed once the model has spoken in this session.
      if (audioProduced && voice !== current.audio.output.voice) {
        throw new RealtimeProtocolError(
          'CANNOT_UPDATE_VOICE',
          "Cannot update a conversation's voice if assistant audio is present.",
          'session.audio.output.voice',
        );
      }
      next.audio.output.voice = voice;
    }
    if (output.speed !== undefined)
      next.audio.output.speed = requireNumber(output.speed, 'session.audio.output.speed', {
        min: 0.25,
        max: 1.5,
      });
  }
}

/** A voice name, or a custom voice `{ id }` (its id is the name engines see). */
export function parseVoice(value: unknown, param: string): string {
  if (!isObject(value)) return requireString(value, param, { nonEmpty: true });
  rejectUnknown(value, fieldsOf(AUDIO_OUTPUT_FIELDS.voice), param);
  return requireString(value.id, `${param}.id`, { nonEmpty: true });
}

const PARAM_TRANSCRIPTION = 'session.audio.input.transcription';
/** Bounds on echoed lists, so a session object stays small. */
const MAX_TRANSCRIPTION_LIST = 100;

function stringList(value: unknown, param: string): string[] {
  const list = requireArray(value, param);
  if (list.length > MAX_TRANSCRIPTION_LIST) {
    throw new RealtimeProtocolError(
      'INVALID_VALUE',
      `Invalid value for '${param}': at most ${MAX_TRANSCRIPTION_LIST} entries, got ${list.length}.`,
      param,
    );
  }
  return list.map((v, i) => requireString(v, `${param}[${i}]`));
}

function parseTranscription(value: unknown): TranscriptionConfig {
  const t = requireObject(value, PARAM_TRANSCRIPTION);
  rejectUnknown(t, fieldsOf(TRANSCRIPTION_FIELDS), PARAM_TRANSCRIPTION);
  const model =
    t.model === undefined
      ? 'whisper-1'
      : requireString(t.model, `${PARAM_TRANSCRIPTION}.model`, { nonEmpty: true });
  const out: TranscriptionConfig = { model };
  if (t.language !== undefined) out.language = requireString(t.language, `${PARAM_TRANSCRIPTION}.language`);
  if (t.languages !== undefined) out.languages = stringList(t.languages, `${PARAM_TRANSCRIPTION}.languages`);
  if (t.prompt !== undefined) out.prompt = requireString(t.prompt, `${PARAM_TRANSCRIPTION}.prompt`);
  if (t.keywords !== undefined) out.keywords = stringList(t.keywords, `${PARAM_TRANSCRIPTION}.keywords`);
  if (t.delay !== undefined) out.delay = requireEnum(t.delay, `${PARAM_TRANSCRIPTION}.delay`, EFFORTS);
  return out;
}

function parseNoiseReduction(
  value: unknown,
): NonNullable<RealtimeSessionConfig['audio']['input']['noise_reduction']> {
  const param = 'session.audio.input.noise_reduction';
  const n = requireObject(value, param);
  rejectUnknown(n, fieldsOf(NOISE_REDUCTION_FIELDS), param);
  const out: NonNullable<RealtimeSessionConfig['audio']['input']['noise_reduction']> = {};
  if (n.type !== undefined)
    out.type = requireEnum(n.type, `${param}.type`, ['near_field', 'far_field'] as const);
  if (n.strength !== undefined) out.strength = requireNumber(n.strength, `${param}.strength`);
  return out;
}
