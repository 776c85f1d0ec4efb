// Arnold's function tools: their JSON Schemas (what the model sees) and handlers (what runs against the
// store). A handler returns `{ ok, message, … }`; invalid arguments return `{ ok: false, error }` with a
// sentence the model can relay, and nothing is stored.
import type { JsonValue, ToolDefinition } from '@voxwire/realtime-client';
import type { Workout, WorkoutStore } from './store.js';
import { validateExercise, validateLimit, validateWorkout, WorkoutValidationError } from './validation.js';

/** Tool names. */
export type ArnoldToolName = 'log_workout' | 'get_recent_workouts' | 'get_progress';

/** The tools declared to the model. */
export const TOOL_DEFINITIONS: readonly (ToolDefinition & { name: ArnoldToolName })[] = [
  {
    name: 'log_workout',
    description: 'Log one set of an exercise the user did: exercise name, repetitions, weight and unit.',
    parameters: {
      type: 'object',
      properties: {
        exercise: { type: 'string', description: 'Exercise name, e.g. "bench press"' },
        reps: { type: 'integer', description: 'Repetitions (1-1000)' },
        weight: { type: 'number', description: 'Weight lifted; 0 for body weight' },
        unit: { type: 'string', enum: ['lbs', 'kg'], description: 'Weight unit' },
      },
      required: ['exercise', 'reps', 'weight', 'unit'],
    },
  },
  {
    name: 'get_recent_workouts',
    description: "Read the user's most recent logged workouts, newest first.",
    parameters: {
      type: 'object',
      properties: { limit: { type: 'integer', description: 'How many (1-50), default 5' } },
    },
  },
  {
    name: 'get_progress',
    description: 'Summarise how one exercise has progressed: first, latest and best weight.',
    parameters: {
      type: 'object',
      properties: { exercise: { type: 'string', description: 'Exercise name, e.g. "squat"' } },
      required: ['exercise'],
    },
  },
];

/** A tool's result as sent to the model. */
export type ToolResult = { [key: string]: JsonValue };

function unitWord(unit: string, weight: number): string {
  if (unit === 'kg') return weight === 1 ? 'kilogram' : 'kilograms';
  return weight === 1 ? 'pound' : 'pounds';
}

/** `10 reps of bench press at 185 pounds` */
export function describeWorkout(w: Pick<Workout, 'exercise' | 'reps' | 'weight' | 'unit'>): string {
  const load = w.weight > 0 ? ` at ${w.weight} ${unitWord(w.unit, w.weight)}` : '';
  return `${w.reps} ${w.reps === 1 ? 'rep' : 'reps'} of ${w.exercise}${load}`;
}

function workoutJson(w: Workout): ToolResult {
  return {
    id: w.id,
    exercise: w.exercise,
    reps: w.reps,
    weight: w.weight,
    unit: w.unit,
    performed_at: w.performedAt,
  };
}

/** Runs a tool by name against the store; never throws for bad arguments. */
export function runArnoldTool(store: WorkoutStore, name: string, args: unknown): ToolResult {
  try {
    switch (name) {
      case 'log_workout': {
        const saved = store.logWorkout(validateWorkout(args));
        return { ok: true, message: `Logged ${describeWorkout(saved)}.`, workout: workoutJson(saved) };
      }
      case 'get_recent_workouts': {
        const rows = store.recentWorkouts(validateLimit(args));
        const message =
          rows.length === 0
            ? 'You have not logged any workouts yet.'
            : `Your recent workouts: ${rows.map(describeWorkout).join('; ')}.`;
        return { ok: true, message, workouts: rows.map(workoutJson) };
      }
      case 'get_progress': {
        const exercise = validateExercise(
          typeof args === 'object' && args !== null ? (args as Record<string, unknown>).exercise : undefined,
        );
        const p = store.progress(exercise);
        if (!p) return { ok: true, message: `You have not logged any ${exercise} yet.`, sessions: 0 };
        const change =
          p.weightChange === 0
            ? 'the same weight as when you started'
            : `${Math.abs(p.weightChange)} ${unitWord(p.unit, 2)} ${p.weightChange > 0 ? 'more' : 'less'} than your first session`;
        return {
          ok: true,
          message: `${p.sessions} ${p.sessions === 1 ? 'session' : 'sessions'} of ${exercise}. Latest: ${describeWorkout(p.latest)}, ${change}. Best: ${p.best.weight} ${unitWord(p.best.unit, p.best.weight)}.`,
          sessions: p.sessions,
          first: workoutJson(p.first),
          latest: workoutJson(p.latest),
          best: workoutJson(p.best),
          weight_change: p.weightChange,
          unit: p.unit,
          total_volume: p.totalVolume,
        };
      }
      default:
        return { ok: false, error: `Unknown tool ${name}.` };
    }
  } catch (err) {
    if (err instanceof WorkoutValidationError) return { ok: false, error: err.message, field: err.field };
    throw err;
  }
}
