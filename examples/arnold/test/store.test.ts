// The database and the argument checks on their own: a real sql.js database in a temporary file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isVoxwireError } from '@voxwire/core';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkoutStore } from '../src/store.js';
import { runArnoldTool } from '../src/tools.js';
import { parseUtterance, wordsToDigits } from '../src/utterance.js';
import { validateWorkout, WorkoutValidationError } from '../src/validation.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('WorkoutStore', () => {
  it('migrates a new file once, persists each write, and compares progress across units', async () => {
    const path = join(tmp.dir, 'nested', 'w.db');
    let day = 0;
    const now = () => new Date(Date.UTC(2026, 0, 1 + day++));
    const store = await WorkoutStore.open({ path, now });
    expect(existsSync(path)).toBe(true);
    expect(store.schemaVersion).toBe(2);
    store.logWorkout({ exercise: 'squat', reps: 5, weight: 100, unit: 'kg' });
    store.logWorkout({ exercise: 'squat', reps: 5, weight: 240, unit: 'lbs' });
    store.logWorkout({ exercise: 'bench press', reps: 8, weight: 135, unit: 'lbs' });
    store.close();

    const again = await WorkoutStore.open({ path, now });
    expect(again.schemaVersion).toBe(2);
    expect(again.count()).toBe(3);
    expect(again.recentWorkouts(2).map((w) => w.exercise)).toEqual(['bench press', 'squat']);
    const p = again.progress('squat');
    expect(p).toMatchObject({ sessions: 2, unit: 'lbs', weightChange: 19.5, best: { weight: 240 } });
    expect(again.progress('curl')).toBeNull();
    again.close();
  });

  it('tool results carry a sentence to say; refusals store nothing', async () => {
    const store = await WorkoutStore.open({ path: ':memory:' });
    expect(
      runArnoldTool(store, 'log_workout', { exercise: 'Squats', reps: '8', weight: 60, unit: 'kilos' }),
    ).toMatchObject({
      ok: true,
      message: 'Logged 8 reps of squat at 60 kilograms.',
    });
    for (const bad of [
      { exercise: 'squat', reps: 0, weight: 60, unit: 'kg' },
      { exercise: 'squat', reps: 2.5, weight: 60, unit: 'kg' },
      { exercise: 'squat', reps: 5, weight: -1, unit: 'kg' },
      { exercise: 'squat', reps: 5, weight: 60, unit: 'stone' },
      { exercise: '', reps: 5, weight: 60, unit: 'kg' },
      { exercise: 'drop table workouts;', reps: 5, weight: 60, unit: 'kg' },
      'not an object',
    ]) {
      const result = runArnoldTool(store, 'log_workout', bad);
      expect(result.ok).toBe(false);
      expect(String(result.error)).toMatch(/\w+/);
    }
    expect(store.count()).toBe(1);
    expect(runArnoldTool(store, 'get_recent_workouts', { limit: 0 })).toMatchObject({
      ok: false,
      field: 'limit',
    });
    expect(runArnoldTool(store, 'get_progress', { exercise: 'squat' })).toMatchObject({
      ok: true,
      sessions: 1,
    });
    expect(runArnoldTool(store, 'nope', {})).toMatchObject({ ok: false });
    const badReps = () => validateWorkout({ exercise: 'row', reps: -3, weight: 1, unit: 'kg' });
    expect(badReps).toThrow(WorkoutValidationError);
    expect(badReps).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'reps' }));
    expect(badReps).toThrow(expect.toSatisfy((err) => isVoxwireError(err)));
    store.close();
  });
});

describe('parseUtterance', () => {
  it('reads spoken and written numbers, exercises and units', () => {
    expect(wordsToDigits('one hundred and eighty-five pounds')).toBe('185 pounds');
    expect(wordsToDigits('twenty two reps')).toBe('22 reps');
    expect(parseUtterance('I just did ten reps of bench press at one hundred eighty five pounds')).toEqual({
      kind: 'log',
      reps: 10,
      exercise: 'bench press',
      weight: 185,
      unit: 'pounds',
    });
    expect(parseUtterance('I did squats for 8 reps at 60 kilos')).toMatchObject({
      exercise: 'squats',
      reps: 8,
      weight: 60,
    });
    expect(parseUtterance('log bench press, ten reps at sixty kilos')).toEqual({
      kind: 'log',
      reps: 10,
      exercise: 'bench press',
      weight: 60,
      unit: 'kilos',
    });
    expect(parseUtterance('I did -3 reps of squat at 100 pounds')).toMatchObject({ reps: -3 });
    expect(parseUtterance('show me my last 3 workouts')).toEqual({ kind: 'recent', limit: 3 });
    expect(parseUtterance("What's my squat progress?")).toEqual({ kind: 'progress', exercise: 'squat' });
    expect(parseUtterance('how is the weather')).toEqual({ kind: 'none' });
  });
});
