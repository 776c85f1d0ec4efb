// The local backend's "model": a @voxwire/realtime-server Responder that understands workout talk and calls
// Arnold's tools with parsed arguments, then speaks the tool's `message` (or its `error`). The server's
// built-in RuleResponder picks tools by the words of their names and takes the first number for every numeric
// argument, so "10 reps of bench press at 185 pounds" would become weight 10 and no tool would match
// "I just did …" at all; hence this responder.
import {
  type Responder,
  type ResponderContext,
  type ResponderItem,
  type ResponderReply,
  trimEndPunctuation,
} from '@voxwire/realtime-server';
import { parseUtterance } from './utterance.js';
import { normalizeUnit } from './validation.js';

/** Instructions prefix that makes the responder read the user's text aloud (used by `POST /audio/tts`). */
export const READ_ALOUD_INSTRUCTIONS = 'Read the user message aloud, word for word, and say nothing else.';

/** Greeting when a response is asked for before the user said anything. */
export const GREETING =
  "Hi, I'm Arnold. Tell me what you lifted, or ask for your recent workouts or progress.";

/**
 * The item a reply answers: the last one that is not a system message, nor an assistant message (a reply cut
 * off by a dropped connection and restored into a new session is answered again, not greeted).
 */
function lastMeaningful(items: readonly ResponderItem[]): ResponderItem | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item.type === 'message' && (item.role === 'system' || item.role === 'assistant')) continue;
    return item;
  }
  return undefined;
}

function speakToolOutput(output: string): string {
  try {
    const parsed: unknown = JSON.parse(output);
    if (parsed && typeof parsed === 'object') {
      const o = parsed as { message?: unknown; error?: unknown };
      if (typeof o.error === 'string') return `Sorry, I could not do that. ${o.error}`;
      if (typeof o.message === 'string') return o.message;
    }
  } catch {
    // not JSON: speak it as it is
  }
  return output.trim() || 'Done.';
}

/** Offline responder for Arnold: workout intents → tool calls; tool outputs → spoken sentences. */
export class ArnoldResponder implements Responder {
  readonly name = 'arnold';
  readonly needsTranscripts = true;

  respond(context: ResponderContext): ResponderReply {
    const last = lastMeaningful(context.items);
    if (last?.type === 'function_call_output') return { text: speakToolOutput(last.output) };
    const userText = last?.type === 'message' && last.role === 'user' ? (last.text ?? '').trim() : '';
    if (context.instructions.startsWith(READ_ALOUD_INSTRUCTIONS)) return { text: userText || '.' };
    if (!userText) return { text: GREETING };
    const has = (name: string) => context.toolChoice !== 'none' && context.tools.some((t) => t.name === name);
    const intent = parseUtterance(userText);
    switch (intent.kind) {
      case 'log': {
        if (!has('log_workout')) break;
        const args: Record<string, unknown> = {};
        for (const key of ['exercise', 'reps', 'weight', 'unit'] as const)
          if (intent[key] !== undefined) args[key] = intent[key];
        // "pounds" → "lbs" as the schema's enum says; an unknown unit is passed on for the tool to refuse.
        if (typeof args.unit === 'string') args.unit = normalizeUnit(args.unit) ?? args.unit;
        return { toolCalls: [{ name: 'log_workout', arguments: args }] };
      }
      case 'recent':
        if (!has('get_recent_workouts')) break;
        return {
          toolCalls: [
            {
              name: 'get_recent_workouts',
              arguments: intent.limit !== undefined ? { limit: intent.limit } : {},
            },
          ],
        };
      case 'progress':
        if (!has('get_progress')) break;
        if (!intent.exercise) return { text: 'Which exercise should I check your progress on?' };
        return { toolCalls: [{ name: 'get_progress', arguments: { exercise: intent.exercise } }] };
      case 'recall': {
        const first = context.items.find((i) => i.type === 'message' && i.role === 'user' && i.text);
        return { text: first?.text ? `You first said: ${first.text}` : 'You have not said anything yet.' };
      }
      case 'none':
        break;
    }
    return {
      text: `I heard: ${trimEndPunctuation(userText)}. I can log a set, like ten reps of squat at two hundred pounds, show your recent workouts, or your progress on an exercise.`,
    };
  }
}
