// Schema migrations of the workout database, applied in order inside one transaction each. Append new
// migrations; never edit an applied one.

/** One schema step. */
export interface Migration {
  /** Strictly increasing, starting at 1. */
  version: number;
  description: string;
  sql: string;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'workouts table',
    sql: `CREATE TABLE workouts (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      exercise TEXT NOT NULL CHECK (length(exercise) BETWEEN 1 AND 64),
      reps INTEGER NOT NULL CHECK (reps BETWEEN 1 AND 1000),
      weight REAL NOT NULL CHECK (weight >= 0 AND weight <= 2000),
      unit TEXT NOT NULL CHECK (unit IN ('lbs', 'kg')),
      performed_at TEXT NOT NULL
    );`,
  },
  {
    version: 2,
    description: 'index for progress queries',
    sql: 'CREATE INDEX workouts_exercise_time ON workouts (exercise, performed_at);',
  },
];
