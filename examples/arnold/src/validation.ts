// Validation of workout tool arguments: the model's arguments are untrusted input. Every rejection carries a
// sentence the model (or the local responder) can say back to the user; nothing invalid reaches the database.
import { VoxwireError } from '@voxwire/core';

/** Units stored in the database. */
export type WeightUnit = 'lbs' | 'kg';

/** A validated workout, ready to store. */
export interface WorkoutInput {
  /** Lower-case exercise name, e.g. `bench press`. */
  exercise: string;
  /** Repetitions, 1–1000. */
  reps: number;
  /** Weight lifted, 0 (body weight) – 2000. */
  weight: number;
  unit: WeightUnit;
}

/** Why a {@link WorkoutValidationError} was thrown: `INVALID_ARGUMENT` (a tool argument out of its range). */
export type WorkoutValidationErrorCode = 'INVALID_ARGUMENT';

/**
 * Arguments the model sent that cannot be stored (code `INVALID_ARGUMENT`); `message` is meant to be spoken
 * to the user. The model's tool result carries `message` and {@link field}, not the code.
 */
export class WorkoutValidationError extends VoxwireError<WorkoutValidationErrorCode> {
  constructor(
    message: string,
    /** The argument at fault. */
    readonly field: string,
  ) {
    super('INVALID_ARGUMENT', message);
  }
}

const UNIT_ALIASES: Readonly<Record<string, WeightUnit>> = {
  lbs: 'lbs',
  lb: 'lbs',
  pound: 'lbs',
  pounds: 'lbs',
  kg: 'kg',
  kgs: 'kg',
  kilo: 'kg',
  kilos: 'kg',
  kilogram: 'kg',
  kilograms: 'kg',
};

/** Maps `pounds`, `lb`, `kilos`, … to `lbs`/`kg`; `undefined` for anything else. */
export function normalizeUnit(value: unknown): WeightUnit | undefined {
  return typeof value === 'string' ? UNIT_ALIASES[value.trim().toLowerCase()] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Normalises an exercise name (trimmed, lower-case, single spaces, singular) or throws. */
export function validateExercise(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new WorkoutValidationError('I need the name of the exercise.', 'exercise');
  // One name per exercise: "Squats" and "squat" are the same lift (plural s dropped, "press" kept).
  const name = value
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/([a-z]{3}[^s\s])s$/, '$1');
  if (name.length > 64) throw new WorkoutValidationError('That exercise name is too long.', 'exercise');
  if (!/^[a-z0-9][a-z0-9 '-]*$/.test(name))
    throw new WorkoutValidationError(`"${name}" does not look like an exercise name.`, 'exercise');
  return name;
}

/**
 * Checks `log_workout` arguments: exercise (non-empty), reps (whole number 1–1000), weight (0–2000, 0 for
 * body weight), unit (`lbs` or `kg`; pounds/kilograms and the like accepted). Missing unit defaults to `lbs`.
 */
export function validateWorkout(args: unknown): WorkoutInput {
  if (!isRecord(args)) throw new WorkoutValidationError('The workout details were missing.', 'arguments');
  const exercise = validateExercise(args.exercise);
  const reps = typeof args.reps === 'string' && args.reps.trim() !== '' ? Number(args.reps) : args.reps;
  if (typeof reps !== 'number' || !Number.isFinite(reps))
    throw new WorkoutValidationError('How many reps did you do?', 'reps');
  if (!Number.isInteger(reps) || reps < 1 || reps > 1000)
    throw new WorkoutValidationError(
      `Reps must be a whole number between 1 and 1000, not ${reps}. Nothing was logged.`,
      'reps',
    );
  const weight =
    args.weight === undefined || args.weight === null
      ? 0
      : typeof args.weight === 'string' && args.weight.trim() !== ''
        ? Number(args.weight)
        : args.weight;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 2000)
    throw new WorkoutValidationError(
      `The weight must be between 0 and 2000, not ${String(args.weight)}. Nothing was logged.`,
      'weight',
    );
  const unit = args.unit === undefined || args.unit === null ? 'lbs' : normalizeUnit(args.unit);
  if (!unit)
    throw new WorkoutValidationError(
      `I only log weights in pounds or kilograms, not "${String(args.unit)}". Nothing was logged.`,
      'unit',
    );
  return { exercise, reps, weight, unit };
}

/** Checks `get_recent_workouts` arguments: `limit` 1–50, default 5. */
export function validateLimit(args: unknown): number {
  const raw = isRecord(args) ? args.limit : undefined;
  if (raw === undefined || raw === null) return 5;
  const limit = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 50)
    throw new WorkoutValidationError('I can show between 1 and 50 workouts.', 'limit');
  return limit;
}
