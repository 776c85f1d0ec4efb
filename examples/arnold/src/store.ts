// The workout database: SQLite (sql.js, compiled to WebAssembly, so nothing native to build) kept in memory
// and written to its file after every change (write to a temporary file, fsync, rename: a crash leaves the
// old or the new database, never half of one).
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import type { WeightUnit, WorkoutInput } from './validation.js';

/** A stored workout. */
export interface Workout extends WorkoutInput {
  id: number;
  /** ISO 8601 time it was logged. */
  performedAt: string;
}

/** How an exercise has gone over time (weights compared in pounds, reported in the latest unit). */
export interface Progress {
  exercise: string;
  sessions: number;
  first: Workout;
  latest: Workout;
  best: Workout;
  /** Latest minus first weight, in the latest entry's unit. */
  weightChange: number;
  unit: WeightUnit;
  /** Sum of reps × weight over all entries, in the latest entry's unit. */
  totalVolume: number;
}

const KG_IN_LBS = 2.20462262;

function toLbs(weight: number, unit: WeightUnit): number {
  return unit === 'kg' ? weight * KG_IN_LBS : weight;
}

function fromLbs(lbs: number, unit: WeightUnit): number {
  return unit === 'kg' ? lbs / KG_IN_LBS : lbs;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Options of {@link WorkoutStore.open}. */
export interface WorkoutStoreOptions {
  /** Database file; created with its directory when missing. `':memory:'` keeps nothing. */
  path: string;
  /** Clock for `performed_at` (tests). Default `() => new Date()`. */
  now?: () => Date;
}

/** File-backed SQLite store of workouts with versioned migrations. */
export class WorkoutStore {
  private constructor(
    private readonly db: Database,
    /** The database file, or `':memory:'`. */
    readonly path: string,
    private readonly now: () => Date,
  ) {}

  /** Opens (or creates) the database file and applies pending migrations. */
  static async open(options: WorkoutStoreOptions): Promise<WorkoutStore> {
    const SQL = await initSqlJs();
    const inMemory = options.path === ':memory:';
    const data = !inMemory && existsSync(options.path) ? readFileSync(options.path) : undefined;
    const db = new SQL.Database(data);
    const store = new WorkoutStore(db, options.path, options.now ?? (() => new Date()));
    store.migrate(MIGRATIONS);
    return store;
  }

  /** Schema version now applied. */
  get schemaVersion(): number {
    const rows = this.db.exec('SELECT COALESCE(MAX(version), 0) FROM schema_migrations');
    return Number(rows[0]?.values[0]?.[0] ?? 0);
  }

  private migrate(migrations: readonly Migration[]): void {
    this.db.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    let applied = false;
    for (const m of migrations) {
      if (m.version <= this.schemaVersion) continue;
      this.db.run('BEGIN');
      try {
        this.db.run(m.sql);
        this.db.run('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)', [
          m.version,
          m.description,
          this.now().toISOString(),
        ]);
        this.db.run('COMMIT');
      } catch (err) {
        this.db.run('ROLLBACK');
        throw err;
      }
      applied = true;
    }
    if (applied) this.persist();
  }

  /** Stores a validated workout and returns it with its id. */
  logWorkout(input: WorkoutInput): Workout {
    const performedAt = this.now().toISOString();
    this.db.run('INSERT INTO workouts (exercise, reps, weight, unit, performed_at) VALUES (?, ?, ?, ?, ?)', [
      input.exercise,
      input.reps,
      input.weight,
      input.unit,
      performedAt,
    ]);
    const id = Number(this.db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
    this.persist();
    return { id, ...input, performedAt };
  }

  /** The most recent workouts, newest first. */
  recentWorkouts(limit: number): Workout[] {
    return this.select(
      'SELECT id, exercise, reps, weight, unit, performed_at FROM workouts ORDER BY performed_at DESC, id DESC LIMIT ?',
      [limit],
    );
  }

  /** Every entry of one exercise, oldest first. */
  history(exercise: string): Workout[] {
    return this.select(
      'SELECT id, exercise, reps, weight, unit, performed_at FROM workouts WHERE exercise = ? ORDER BY performed_at, id',
      [exercise],
    );
  }

  /** Progress of one exercise, or `null` when it was never logged. */
  progress(exercise: string): Progress | null {
    const rows = this.history(exercise);
    if (rows.length === 0) return null;
    const first = rows[0];
    const latest = rows[rows.length - 1];
    let best = first;
    let volumeLbs = 0;
    for (const w of rows) {
      if (toLbs(w.weight, w.unit) > toLbs(best.weight, best.unit)) best = w;
      volumeLbs += w.reps * toLbs(w.weight, w.unit);
    }
    const unit = latest.unit;
    return {
      exercise,
      sessions: rows.length,
      first,
      latest,
      best,
      unit,
      weightChange: round1(fromLbs(toLbs(latest.weight, unit) - toLbs(first.weight, first.unit), unit)),
      totalVolume: round1(fromLbs(volumeLbs, unit)),
    };
  }

  /** Number of stored workouts. */
  count(): number {
    return Number(this.db.exec('SELECT COUNT(*) FROM workouts')[0].values[0][0]);
  }

  /** Closes the database (it was already written after the last change). */
  close(): void {
    this.db.close();
  }

  private select(sql: string, params: SqlValue[]): Workout[] {
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params);
      const out: Workout[] = [];
      while (stmt.step()) {
        const r = stmt.get();
        out.push({
          id: Number(r[0]),
          exercise: String(r[1]),
          reps: Number(r[2]),
          weight: Number(r[3]),
          unit: r[4] === 'kg' ? 'kg' : 'lbs',
          performedAt: String(r[5]),
        });
      }
      return out;
    } finally {
      stmt.free();
    }
  }

  private persist(): void {
    if (this.path === ':memory:') return;
    const bytes = this.db.export();
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
