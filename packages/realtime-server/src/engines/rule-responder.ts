import type { FunctionTool, JsonSchema } from '@voxwire/realtime-protocol';
import { NO_TRANSCRIBER_TEXT } from '@voxwire/speech';
import type { Responder, ResponderContext, ResponderItem, ResponderReply } from './types.js';

/** A fixed rule: when `match` is found in what the user said, reply with text or call a tool. */
export interface ResponseRule {
  /** A regular expression, or a keyword/phrase matched as whole words, case-insensitively. */
  match: RegExp | string;
  /** Text reply; `$1`, `$<name>` are replaced by the regular expression's groups. */
  reply?: string;
  /** Tool to call (must be among the tools in context, else the rule is skipped). */
  tool?: string;
  /** Tool arguments; string values may use `$1`/`$<name>` too. Missing ones are extracted from the text. */
  arguments?: Record<string, unknown>;
}

/** Options of {@link RuleResponder}. */
export interface RuleResponderOptions {
  /** Rules tried before the ones written in the instructions and before tool keywords. */
  rules?: ResponseRule[];
  /** Said when there is no user text yet. Default: "Hello! How can I help you?". */
  greeting?: string;
  /** Reply when nothing matched; default echoes the user: `You said: <text>.` */
  fallback?: (userText: string) => string;
  /**
   * Characters of the user's message the rules read (the rest is ignored, and the default echo is cut
   * there too), so a huge message costs no more than this. Default 4096.
   */
  maxUserTextLength?: number;
  /** Rules read from the instructions at most (the first ones win). Default 256. */
  maxInstructionRules?: number;
}

/** Default of {@link RuleResponderOptions.maxUserTextLength}. */
export const DEFAULT_MAX_USER_TEXT_LENGTH = 4096;
/** Default of {@link RuleResponderOptions.maxInstructionRules}. */
export const DEFAULT_MAX_INSTRUCTION_RULES = 256;
/** Characters of a tool's output spoken at most. */
const MAX_SPOKEN_OUTPUT = 2000;
/** Numbers in one utterance considered for numeric arguments. */
const MAX_NUMBER_MENTIONS = 64;

const STOP_WORDS = new Set([
  'get',
  'set',
  'do',
  'make',
  'the',
  'a',
  'an',
  'to',
  'of',
  'for',
  'and',
  'fetch',
  'run',
  'tool',
  'call',
  'by',
  'is',
]);
const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
];
/** Words too common in tool descriptions to say which tool or argument is meant. */
const DESCRIPTION_STOP_WORDS = new Set([
  'the',
  'this',
  'that',
  'with',
  'from',
  'into',
  'user',
  'users',
  'value',
  'values',
  'number',
  'optional',
  'default',
  'return',
  'returns',
  'given',
  'list',
  'name',
  'data',
  'information',
  'current',
  'when',
  'what',
  'which',
  'your',
  'you',
  'can',
  'will',
  'should',
  'must',
  'any',
  'all',
  'one',
  'each',
  'e.g',
  'etc',
  'like',
  'such',
  'use',
  'used',
  'string',
  'integer',
  'boolean',
  'object',
  'array',
  'field',
  'has',
  'have',
  'are',
  'was',
]);
const PLACE_HINT = /city|location|place|country|town|destination|where|region|area/i;
const TRAILING_FILLER = /\b(please|today|tomorrow|now|right now|tonight|thanks|thank you)\b.*$/i;
// Where instruction rules may start: found by a linear scan, then INSTRUCTION_RULE is tried there only.
const RULE_START = /\b(?:when|if)\s/gi;
// Instruction lines such as: When the user says "hello", reply "Hi there!". Sticky and with bounded
// repetitions: tried at each RULE_START, it costs a bounded amount whatever the instructions hold (the
// unanchored /g version was quadratic in their length).
const INSTRUCTION_RULE =
  /(?:when|if)\s{1,8}(?:the\s{1,8}user\s{1,8})?(?:says|asks(?:\s{1,8}about)?|mentions)\s{1,8}["“']([^"”'\n]{1,200})["”']\s{0,8}[,:]?\s{0,8}(?:then\s{1,8})?(?:reply|say|answer|respond)(?:\s{1,8}with)?\s{0,8}:?\s{0,8}["“]([^"”\n]{1,1000})["”]/iy;
const PLACE_PHRASE = /\b(?:in|at|for|to|from|near)\s+(?:the\s+)?(.+)/i;
const TOPIC_PHRASE = /\b(?:about|for|called|named|to|of)\s+(?:the\s+)?(.+)/i;
const NEGATIONS = new Set(['no', 'not', 'without', "don't"]);

/**
 * A deterministic responder configured from the session's `instructions` and `tools`:
 * - after a `function_call_output`, it speaks the tool's result;
 * - otherwise it tries explicit rules, then rules written in the instructions
 *   (`When the user says "hello", reply "Hi there!"`), then tool keywords (the words of a tool's name,
 *   e.g. `get_weather` → "weather"), extracting arguments from the user's words by the tool's JSON Schema
 *   (enums by value, numbers, yes/no, places after "in/at/for/to", other strings after "about/for/called");
 * - else a text reply (`fallback`, by default an echo of what the user said).
 * `tool_choice` is honoured: `none` never calls, `required` always calls (the best match or the first
 * tool), a named function is always that one.
 */
export class RuleResponder implements Responder {
  readonly name = 'rules';
  readonly needsTranscripts = true;
  private readonly rules: ResponseRule[];
  private readonly greeting: string;
  private readonly fallback: (userText: string) => string;
  private readonly maxUserText: number;
  private readonly maxRules: number;
  /** The last instructions parsed and their rules: sessions ask with the same instructions every turn. */
  private parsed: { instructions: string; rules: ResponseRule[] } = { instructions: '', rules: [] };

  constructor(options: RuleResponderOptions = {}) {
    this.rules = options.rules ?? [];
    this.greeting = options.greeting ?? 'Hello! How can I help you?';
    this.fallback = options.fallback ?? defaultFallback;
    this.maxUserText = options.maxUserTextLength ?? DEFAULT_MAX_USER_TEXT_LENGTH;
    this.maxRules = options.maxInstructionRules ?? DEFAULT_MAX_INSTRUCTION_RULES;
  }

  respond(context: ResponderContext): ResponderReply {
    const last = lastMeaningful(context.items);
    if (last?.type === 'function_call_output')
      return { text: speakToolOutput(context.items, last.call_id, last.output) };
    // Single spaces and a bounded length: every pattern below then runs in time linear in a small text.
    const userText =
      last && last.type === 'message' && last.role === 'user'
        ? (last.text ?? '').slice(0, this.maxUserText).replace(/\s+/g, ' ')
        : '';
    const forced = forcedTool(context);
    if (forced) return { toolCalls: [{ name: forced.name, arguments: extractArguments(forced, userText) }] };
    if (!userText) {
      return context.toolChoice === 'required' && context.tools.length > 0
        ? { toolCalls: [{ name: context.tools[0].name, arguments: extractArguments(context.tools[0], '') }] }
        : { text: this.greeting };
    }
    for (const rule of [...this.rules, ...this.instructionRules(context.instructions)]) {
      const reply = applyRule(rule, userText, context);
      if (reply) return reply;
    }
    if (context.toolChoice !== 'none' && context.tools.length > 0) {
      const tool =
        bestTool(context.tools, userText) ??
        (context.toolChoice === 'required' ? context.tools[0] : undefined);
      if (tool) return { toolCalls: [{ name: tool.name, arguments: extractArguments(tool, userText) }] };
    }
    return { text: this.fallback(userText) };
  }

  private instructionRules(instructions: string): ResponseRule[] {
    if (this.parsed.instructions !== instructions)
      this.parsed = { instructions, rules: parseInstructionRules(instructions, this.maxRules) };
    return this.parsed.rules;
  }
}

function defaultFallback(userText: string): string {
  if (userText === NO_TRANSCRIBER_TEXT)
    return 'I heard you, but no transcriber is configured, so I do not know what you said.';
  return `You said: ${trimEndPunctuation(userText)}.`;
}

/** `text` without trailing `.`, `!` and `?` (a loop: `/[.!?]+$/` is quadratic on long runs of dots). */
export function trimEndPunctuation(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '.' || text[end - 1] === '!' || text[end - 1] === '?')) end--;
  return text.slice(0, end);
}

function lastMeaningful(items: readonly ResponderItem[]): ResponderItem | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item.type === 'message' && item.role === 'system') continue;
    return item;
  }
  return undefined;
}

function forcedTool(context: ResponderContext): FunctionTool | undefined {
  const choice = context.toolChoice;
  if (typeof choice === 'object') return context.tools.find((t) => t.name === choice.name);
  return undefined;
}

/**
 * Parses `When the user says "x", reply "y"` lines from instructions (at most `max` rules). Linear in the
 * length of the instructions: a cheap scan finds where a rule may start, and a sticky pattern with bounded
 * repetitions is tried there only.
 */
export function parseInstructionRules(
  instructions: string,
  max = DEFAULT_MAX_INSTRUCTION_RULES,
): ResponseRule[] {
  const rules: ResponseRule[] = [];
  const starts = new RegExp(RULE_START.source, RULE_START.flags);
  const rule = new RegExp(INSTRUCTION_RULE.source, INSTRUCTION_RULE.flags);
  for (let s = starts.exec(instructions); s && rules.length < max; s = starts.exec(instructions)) {
    rule.lastIndex = s.index;
    const m = rule.exec(instructions);
    if (!m) continue;
    rules.push({ match: m[1], reply: m[2] });
    starts.lastIndex = rule.lastIndex;
  }
  return rules;
}

const WORD_CHAR = /[\p{L}\p{N}_']/u;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

/**
 * Finds `phrase` in `text` as whole words, case-insensitively, any whitespace matching any whitespace:
 * plain string search, so a phrase from the wire (a rule in the instructions, an enum value) is never
 * compiled into a regular expression. Returns the match as `[matched text]`, like a group-less RegExp match.
 */
export function findPhrase(text: string, phrase: string): RegExpMatchArray | null {
  const needle = phrase.trim().replace(/\s+/g, ' ').toLowerCase();
  if (!needle) return null;
  const hay = text.replace(/\s+/g, ' ').toLowerCase();
  const wordStart = isWordChar(needle[0]);
  const wordEnd = isWordChar(needle[needle.length - 1]);
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    if (wordStart && isWordChar(hay[at - 1])) continue;
    if (wordEnd && isWordChar(hay[at + needle.length])) continue;
    const m = [hay.slice(at, at + needle.length)] as unknown as RegExpMatchArray;
    m.index = at;
    return m;
  }
  return null;
}

/** A rule's match: its own RegExp (given by the application), or a phrase found by {@link findPhrase}. */
function matchRule(match: RegExp | string, text: string): RegExpMatchArray | null {
  return typeof match === 'string' ? findPhrase(text, match) : text.match(match);
}

function substitute(template: string, m: RegExpMatchArray): string {
  return template.replace(/\$(?:<(\w+)>|(\d))/g, (_, name: string | undefined, index: string | undefined) =>
    name ? (m.groups?.[name] ?? '') : (m[Number(index)] ?? ''),
  );
}

function applyRule(rule: ResponseRule, text: string, context: ResponderContext): ResponderReply | undefined {
  const m = matchRule(rule.match, text);
  if (!m) return undefined;
  const reply: ResponderReply = {};
  if (rule.reply) reply.text = substitute(rule.reply, m);
  if (rule.tool && context.toolChoice !== 'none') {
    const tool = context.tools.find((t) => t.name === rule.tool);
    if (tool) {
      const args = extractArguments(tool, text);
      for (const [k, v] of Object.entries(rule.arguments ?? {}))
        args[k] = typeof v === 'string' ? substitute(v, m) : v;
      reply.toolCalls = [{ name: tool.name, arguments: args }];
    }
  }
  return reply.text || reply.toolCalls ? reply : undefined;
}

/** Keywords of a tool: the words of its name without verbs like "get", singular. */
export function toolKeywords(tool: FunctionTool): string[] {
  return tool.name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length > 2 && !STOP_WORDS.has(w))
    .map((w) => (w.length > 4 && w.endsWith('s') ? w.slice(0, -1) : w));
}

/** Content words of a text (lower case, singular, no stop words), for matching tools and arguments. */
function contentWords(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9']+/)
    .filter((w) => w.length > 2 && !STOP_WORDS.has(w) && !DESCRIPTION_STOP_WORDS.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

function sameWord(word: string, key: string): boolean {
  return word === key || word === `${key}s` || (key.length >= 5 && word.startsWith(key));
}

/** Longest word prefix indexed by {@link wordLookup}: longer keys only match whole words. */
const MAX_PREFIX = 32;

/**
 * `(key) => words.some((w) => sameWord(w, key))` in constant time per key: the words and their prefixes of
 * 5–32 letters go in a set once, so many keys (long tool descriptions) against many words is not quadratic.
 */
function wordLookup(words: readonly string[]): (key: string) => boolean {
  const whole = new Set(words);
  const prefixes = new Set<string>();
  for (const w of words)
    for (let n = 5; n <= Math.min(w.length, MAX_PREFIX); n++) prefixes.add(w.slice(0, n));
  return (key) =>
    whole.has(key) ||
    whole.has(`${key}s`) ||
    (key.length >= 5 && key.length <= MAX_PREFIX && prefixes.has(key));
}

/**
 * The tool the words ask for: each word of its name counts 2, each word of its description or of its
 * arguments' names and descriptions 1 (so "I just did 10 reps at 185 pounds" finds `log_workout` with
 * arguments `reps` and `weight` "in pounds"). A tool needs one name word, or two other words, to be chosen.
 */
function bestTool(tools: FunctionTool[], text: string): FunctionTool | undefined {
  const has = wordLookup(
    text
      .toLowerCase()
      .split(/[^a-z0-9']+/)
      .filter(Boolean),
  );
  let best: FunctionTool | undefined;
  let bestScore = 0;
  for (const tool of tools) {
    const name = new Set(toolKeywords(tool));
    let score = 0;
    for (const k of name) if (has(k)) score += 2;
    // Description, argument names and argument descriptions: "10 reps … 185 pounds" names log_workout's
    // `reps` and the unit in its `weight` description.
    const described = [tool.description ?? ''];
    for (const [arg, schema] of Object.entries(tool.parameters?.properties ?? {}))
      described.push(arg, schema.description ?? '');
    for (const k of new Set(contentWords(described.join(' ')))) if (!name.has(k) && has(k)) score += 1;
    if (score >= 2 && score > bestScore) {
      best = tool;
      bestScore = score;
    }
  }
  return best;
}

interface NumberMention {
  value: number;
  /** Word index in the utterance. */
  at: number;
}

/** Every number in the text, as digits ("185", "2.5") or words up to twelve, in order. */
function numberMentions(words: string[]): NumberMention[] {
  const out: NumberMention[] = [];
  for (let at = 0; at < words.length && out.length < MAX_NUMBER_MENTIONS; at++) {
    const w = words[at];
    if (/^-?\d+(?:\.\d+)?$/.test(w)) out.push({ value: Number(w), at });
    else {
      const i = NUMBER_WORDS.indexOf(w);
      if (i >= 0) out.push({ value: i, at });
    }
  }
  return out;
}

function findNumber(text: string): number | undefined {
  return numberMentions(utteranceWords(text))[0]?.value;
}

function utteranceWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9.'-]+|\.(?!\d)/)
    .filter(Boolean);
}

/**
 * Numbers for the numeric properties of a tool: a number goes to the property whose name or description words
 * stand right after it ("10 reps", "185 pounds") or just before it ("reps of 10"); numbers left over fill the
 * remaining properties in order, each number used once.
 */
function assignNumbers(props: Array<[string, JsonSchema]>, text: string): Map<string, number> {
  const words = utteranceWords(text);
  const mentions = numberMentions(words);
  const used = new Set<NumberMention>();
  const result = new Map<string, number>();
  const keysOf = (name: string, schema: JsonSchema) => [
    ...new Set([...contentWords(name), ...contentWords(schema.description ?? '')]),
  ];
  const near = (m: NumberMention, keys: string[]) => {
    const after = words.slice(m.at + 1, m.at + 3);
    const before = words.slice(Math.max(0, m.at - 3), m.at);
    if (after.some((w) => keys.some((k) => sameWord(w, k)))) return 2;
    if (before.some((w) => keys.some((k) => sameWord(w, k)))) return 1;
    return 0;
  };
  for (const [name, schema] of props) {
    const keys = keysOf(name, schema);
    let best: NumberMention | undefined;
    let bestScore = 0;
    for (const m of mentions) {
      if (used.has(m)) continue;
      const score = near(m, keys);
      if (score > bestScore) {
        best = m;
        bestScore = score;
      }
    }
    if (best) {
      used.add(best);
      result.set(name, best.value);
    }
  }
  const rest = mentions.filter((m) => !used.has(m));
  for (const [name] of props) if (!result.has(name) && rest.length > 0) result.set(name, rest.shift()!.value);
  return result;
}

function cleanPhrase(phrase: string): string {
  return (
    phrase
      .replace(TRAILING_FILLER, '')
      .replace(/[.,!?;:]+.*$/, '')
      // A phrase ends where the next clause starts ("in New York in fahrenheit with alerts").
      .replace(/\s+\b(in|at|for|with|without|and|on|to|from|by|about)\b.*$/i, '')
      .trim()
      .split(/\s+/)
      .slice(0, 4)
      .join(' ')
  );
}

function extractString(name: string, schema: JsonSchema, text: string): string | undefined {
  const hint = `${name} ${schema.description ?? ''}`;
  const m = text.match(PLACE_HINT.test(hint) ? PLACE_PHRASE : TOPIC_PHRASE);
  if (m) {
    const phrase = cleanPhrase(m[1]);
    if (phrase) return phrase;
  }
  return undefined;
}

/** A property's type (the first of a type list such as `["string", "null"]`). */
function schemaType(schema: JsonSchema): JsonSchema['type'] {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

/**
 * Where the words of a parameter name (`sendAlerts`, `send_alerts` → "send alerts") occur in the text, and
 * whether a negation stands right before them. Word lists compared by equality: the name comes from the
 * client and never becomes a regular expression.
 */
function mentionOf(name: string, text: string): { negated: boolean } | undefined {
  const key = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter(Boolean);
  const words = text.toLowerCase().match(/[\p{L}\p{N}_']+/gu) ?? [];
  if (key.length === 0 || key.length > words.length) return undefined;
  for (let i = 0; i + key.length <= words.length; i++) {
    let same = true;
    for (let k = 0; k < key.length && same; k++) same = words[i + k] === key[k];
    if (same) return { negated: i > 0 && NEGATIONS.has(words[i - 1]) };
  }
  return undefined;
}

/** Builds a tool's arguments object from the user's words, following its JSON Schema. */
export function extractArguments(tool: FunctionTool, text: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const props = tool.parameters?.properties ?? {};
  const numbers = assignNumbers(
    Object.entries(props).filter(([, schema]) => {
      const type = schemaType(schema);
      return (type === 'number' || type === 'integer') && !Array.isArray(schema.enum);
    }),
    text,
  );
  for (const [name, schema] of Object.entries(props)) {
    const type = schemaType(schema);
    let value: unknown;
    if (Array.isArray(schema.enum)) {
      value =
        schema.enum.find((e) => typeof e === 'string' && findPhrase(text, e) !== null) ??
        schema.enum.find((e) => e === findNumber(text));
    } else if (type === 'number' || type === 'integer') {
      const n = numbers.get(name);
      if (n !== undefined) value = type === 'integer' ? Math.round(n) : n;
    } else if (type === 'boolean') {
      // "with alerts" → true, "no alerts"/"without alerts" → false; else a plain yes/no in the utterance.
      const mention = mentionOf(name, text);
      if (mention) value = !mention.negated;
      else if (/\b(yes|true|on|enable|enabled)\b/i.test(text)) value = true;
      else if (/\b(no|false|off|disable|disabled)\b/i.test(text)) value = false;
    } else if (type === 'string' || type === undefined) {
      value = extractString(name, schema, text);
    }
    if (value !== undefined) args[name] = value;
    else if (tool.parameters?.required?.includes(name) && (type === 'string' || type === undefined))
      args[name] = text;
  }
  return args;
}

function speakToolOutput(items: readonly ResponderItem[], callId: string, output: string): string {
  const call = items.find((i) => i.type === 'function_call' && i.call_id === callId);
  const what = call && call.type === 'function_call' ? call.name.replace(/[_-]+/g, ' ') : 'the tool';
  let summary = output.trim();
  try {
    const parsed: unknown = JSON.parse(output);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      summary = Object.entries(parsed as Record<string, unknown>)
        .map(
          ([k, v]) => `${k.replace(/[_-]+/g, ' ')} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
        )
        .join(', ');
    } else if (parsed !== null && parsed !== undefined) {
      summary = typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
    }
  } catch {
    // plain text output: speak it as it is
  }
  // A tool's output can be any size: speak its beginning, not minutes of it.
  if (summary.length > MAX_SPOKEN_OUTPUT) summary = `${summary.slice(0, MAX_SPOKEN_OUTPUT)}, and more`;
  return summary ? `Here is the result of ${what}: ${summary}.` : `${what} returned nothing.`;
}
