import { RealtimeProtocolError } from './errors.js';
import type {
  AudioFormat,
  FunctionTool,
  JsonSchema,
  RealtimeSessionConfig,
  ToolChoice,
  TurnDetectionConfig,
} from './protocol.js';
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

/** Voices OpenAI offers; any other string is accepted too (engines map unknown names to a default). */
export const OPENAI_VOICES = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'sage',
  'shimmer',
  'verse',
  'marin',
  'cedar',
];

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

/** Sample rate of an audio format: 24 kHz PCM, 8 kHz G.711. */
export function formatRate(format: AudioFormat): number {
  return format.type === 'audio/pcm' ? 24000 : 8000;
}

export function parseAudioFormat(value: unknown, param: string): AudioFormat {
  const obj = requireObject(value, param);
  rejectUnknown(obj, ['type', 'rate'], param);
  const type = requireEnum(obj.type, `${param}.type`, ['audio/pcm', 'audio/pcmu', 'audio/pcma'] as const);
  if (type === 'audio/pcm') {
    if (obj.rate !== undefined && obj.rate !== 24000) {
      throw new RealtimeProtocolError(
        'invalid_value',
        `Invalid value: ${JSON.stringify(obj.rate)}. Supported values are: 24000.`,
        `${param}.rate`,
      );
    }
    return { type, rate: 24000 };
  }
  if (obj.rate !== undefined && obj.rate !== 8000) {
    throw new RealtimeProtocolError(
      'unknown_parameter',
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

/** Validates a `tools` array. */
export function parseTools(value: unknown, param: string): FunctionTool[] {
  const list = requireArray(value, param);
  const names = new Set<string>();
  return list.map((raw, i) => {
    const p = `${param}[${i}]`;
    const tool = requireObject(raw, p);
    rejectUnknown(tool, ['type', 'name', 'description', 'parameters'], p);
    if (tool.type !== undefined) requireEnum(tool.type, `${p}.type`, ['function'] as const);
    const name = requireString(tool.name, `${p}.name`, { nonEmpty: true });
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      throw new RealtimeProtocolError(
        'invalid_value',
        `Invalid value for '${p}.name': '${name}' must match ^[a-zA-Z0-9_-]{1,64}$.`,
        `${p}.name`,
      );
    }
    if (names.has(name)) {
      throw new RealtimeProtocolError(
        'invalid_value',
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

/** Validates `tool_choice` against the tools that will be in effect. */
export function parseToolChoice(value: unknown, tools: FunctionTool[], param: string): ToolChoice {
  if (typeof value === 'string') return requireEnum(value, param, ['auto', 'none', 'required'] as const);
  const obj = requireObject(value, param);
  rejectUnknown(obj, ['type', 'name'], param);
  requireEnum(obj.type, `${param}.type`, ['function'] as const);
  const name = requireString(obj.name, `${param}.name`, { nonEmpty: true });
  if (!tools.some((t) => t.name === name)) {
    throw new RealtimeProtocolError(
      'invalid_value',
      `Tool choice '${name}' is not one of the session's tools.`,
      `${param}.name`,
    );
  }
  return { type: 'function', name };
}

export function parseOutputModalities(value: unknown, param: string): Array<'audio' | 'text'> {
  const list = requireArray(value, param);
  if (list.length !== 1) {
    throw new RealtimeProtocolError(
      'invalid_value',
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
  rejectUnknown(t, ['type', 'retention_ratio', 'token_limits'], 'session.truncation');
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
    rejectUnknown(limits, ['post_instructions'], 'session.truncation.token_limits');
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

function parsePrompt(value: unknown): { id: string; version?: string; variables?: Record<string, string> } {
  const p = requireObject(value, 'session.prompt');
  rejectUnknown(p, ['id', 'version', 'variables'], 'session.prompt');
  const out: { id: string; version?: string; variables?: Record<string, string> } = {
    id: requireString(p.id, 'session.prompt.id', { nonEmpty: true }),
  };
  if (p.version !== undefined) out.version = requireString(p.version, 'session.prompt.version');
  if (p.variables !== undefined) {
    const vars = requireObject(p.variables, 'session.prompt.variables');
    out.variables = {};
    for (const [k, v] of Object.entries(vars))
      out.variables[k] = requireString(v, `session.prompt.variables.${k}`);
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
): RealtimeSessionConfig {
  const s = requireObject(patch, 'session');
  rejectUnknown(
    s,
    [
      'type',
      'model',
      'instructions',
      'output_modalities',
      'audio',
      'tools',
      'tool_choice',
      'max_output_tokens',
      'tracing',
      'truncation',
      'prompt',
      'include',
    ],
    'session',
  );
  // GA requires the discriminator; the beta shape (without it) has been switched off.
  requireEnum(s.type, 'session.type', ['realtime'] as const);
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
    !next.tools.some((t) => t.name === (next.tool_choice as { name: string }).name)
  ) {
    throw new RealtimeProtocolError(
      'invalid_value',
      `Tool choice '${next.tool_choice.name}' is not one of the session's tools.`,
      'session.tool_choice.name',
    );
  }
  if (s.tracing !== undefined) {
    if (s.tracing !== null && s.tracing !== 'auto')
      next.tracing = requireObject(s.tracing, 'session.tracing');
    else next.tracing = s.tracing;
  }
  if (s.truncation !== undefined) next.truncation = parseTruncation(s.truncation);
  if (s.prompt !== undefined) next.prompt = s.prompt === null ? null : parsePrompt(s.prompt);
  if (s.include !== undefined) {
    next.include =
      s.include === null
        ? null
        : requireArray(s.include, 'session.include').map((v, i) =>
            requireEnum(v, `session.include[${i}]`, ['item.input_audio_transcription.logprobs'] as const),
          );
  }
  if (s.audio !== undefined)
    applyAudio(next, requireObject(s.audio, 'session.audio'), current, audioProduced);
  return next;
}

function applyAudio(
  next: RealtimeSessionConfig,
  audio: JsonObject,
  current: RealtimeSessionConfig,
  audioProduced: boolean,
): void {
  rejectUnknown(audio, ['input', 'output'], 'session.audio');
  if (audio.input !== undefined) {
    const input = requireObject(audio.input, 'session.audio.input');
    rejectUnknown(
      input,
      ['format', 'transcription', 'noise_reduction', 'turn_detection'],
      'session.audio.input',
    );
    if (input.format !== undefined)
      next.audio.input.format = parseAudioFormat(input.format, 'session.audio.input.format');
    if (input.transcription !== undefined) {
      if (input.transcription === null) next.audio.input.transcription = null;
      else {
        const t = requireObject(input.transcription, 'session.audio.input.transcription');
        rejectUnknown(t, ['model', 'language', 'prompt'], 'session.audio.input.transcription');
        const model =
          t.model === undefined
            ? 'whisper-1'
            : requireString(t.model, 'session.audio.input.transcription.model', { nonEmpty: true });
        const out: { model: string; language?: string; prompt?: string } = { model };
        if (t.language !== undefined)
          out.language = requireString(t.language, 'session.audio.input.transcription.language');
        if (t.prompt !== undefined)
          out.prompt = requireString(t.prompt, 'session.audio.input.transcription.prompt');
        next.audio.input.transcription = out;
      }
    }
    if (input.noise_reduction !== undefined) {
      if (input.noise_reduction === null) next.audio.input.noise_reduction = null;
      else {
        const n = requireObject(input.noise_reduction, 'session.audio.input.noise_reduction');
        rejectUnknown(n, ['type'], 'session.audio.input.noise_reduction');
        next.audio.input.noise_reduction = {
          type: requireEnum(n.type, 'session.audio.input.noise_reduction.type', [
            'near_field',
            'far_field',
          ] as const),
        };
      }
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
    rejectUnknown(output, ['format', 'voice', 'speed'], 'session.audio.output');
    if (output.format !== undefined)
      next.audio.output.format = parseAudioFormat(output.format, 'session.audio.output.format');
    if (output.voice !== undefined) {
      const voice = isObject(output.voice)
        ? requireString(output.voice.id, 'session.audio.output.voice.id', { nonEmpty: true })
        : requireString(output.voice, 'session.audio.output.voice', { nonEmpty: true });
      // Like OpenAI: the voice is fixed once the model has spoken in this session.
      if (audioProduced && voice !== current.audio.output.voice) {
        throw new RealtimeProtocolError(
          'cannot_update_voice',
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
