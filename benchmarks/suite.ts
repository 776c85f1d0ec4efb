import { Bench } from 'tinybench';

/** One benchmark suite: compares a voxwire package with its peers in the same process. */
export interface Suite {
  /** Short id, used as `pnpm bench <id>` filter and as the RESULTS.md section key. */
  id: string;
  /** Section title in RESULTS.md. */
  title: string;
  /** Runs the measurements and returns the markdown body of its section. */
  run(): Promise<string>;
}

export interface Throughput {
  name: string;
  /** Mean operations per second. */
  hz: number;
  /** Mean time per operation in microseconds. */
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

/**
 * Measures each task with tinybench in one process, interleaved warm-up then timed runs, so that the
 * ratios between tasks are meaningful even on a noisy shared machine.
 */
export async function measure(
  tasks: Record<string, () => void>,
  opts: { timeMs?: number; warmupMs?: number } = {},
): Promise<Throughput[]> {
  const bench = new Bench({ time: opts.timeMs ?? 500, warmupTime: opts.warmupMs ?? 100 });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  return bench.tasks.map((t) => {
    const r = t.result as unknown as {
      throughput?: { mean: number };
      latency?: { mean: number; p50?: number; p99?: number };
      hz?: number;
      mean?: number;
      p50?: number;
      p99?: number;
    };
    const meanMs = r.latency?.mean ?? r.mean ?? Number.NaN;
    return {
      name: t.name,
      hz: r.throughput?.mean ?? r.hz ?? 1000 / meanMs,
      meanUs: meanMs * 1000,
      p50Us: (r.latency?.p50 ?? r.p50 ?? meanMs) * 1000,
      p99Us: (r.latency?.p99 ?? r.p99 ?? meanMs) * 1000,
    };
  });
}

/** Formats rows as a markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const fmt = (v: string | number) => (typeof v === 'number' ? formatNumber(v) : v);
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(fmt).join(' | ')} |`),
  ].join('\n');
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e9) return `${(v / 1e9).toFixed(2)} G`;
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)} M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)} k`;
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return v.toPrecision(3);
}

/** Result of {@link measureInterleaved}: per-task medians and the median of per-round ratios. */
export interface InterleavedResult {
  /** Median calls per second of each task, by name. */
  hz: Record<string, number>;
  /** Median over rounds of `hz(first task) / hz(other task)`, by the other task's name. */
  ratio: Record<string, number>;
  /** The 25th and 75th percentiles of those per-round ratios: how much the comparison moved during the run. */
  ratioQuartiles: Record<string, [number, number]>;
  rounds: number;
}

/**
 * Times tasks in many short alternating rounds (order rotated each round) and compares them round by round.
 * On a shared machine the speed of the whole CPU shifts by 2× for seconds at a time (other tenants,
 * frequency); tinybench times each task in one block, so such a shift between two blocks shows up as a
 * difference between libraries. Here both sides of each ratio come from the same fraction of a second.
 */
export function measureInterleaved(
  tasks: Record<string, () => void>,
  opts: { rounds?: number; roundMs?: number; warmupMs?: number } = {},
): InterleavedResult {
  const names = Object.keys(tasks);
  const rounds = opts.rounds ?? 41;
  const roundMs = opts.roundMs ?? 15;
  const runFor = (fn: () => void, ms: number): number => {
    let calls = 0;
    const start = performance.now();
    let now = start;
    // Check the clock every 16 calls: each call is already a batch of operations.
    while (now - start < ms) {
      for (let i = 0; i < 16; i++) fn();
      calls += 16;
      now = performance.now();
    }
    return (calls * 1000) / (now - start);
  };
  for (const name of names) runFor(tasks[name], opts.warmupMs ?? 200);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length];
      samples[name].push(runFor(tasks[name], roundMs));
    }
  }
  const quantile = (a: number[], q: number) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) * q)];
  const hz = Object.fromEntries(names.map((n) => [n, quantile(samples[n], 0.5)]));
  const first = names[0];
  const ratios = names.slice(1).map((n) => [n, samples[first].map((v, i) => v / samples[n][i])] as const);
  const ratio = Object.fromEntries(ratios.map(([n, r]) => [n, quantile(r, 0.5)]));
  const ratioQuartiles = Object.fromEntries(
    ratios.map(([n, r]) => [n, [quantile(r, 0.25), quantile(r, 0.75)] as [number, number]]),
  );
  return { hz, ratio, ratioQuartiles, rounds };
}

/** One round of a {@link bestCpuMicros} task: the call to time, and what frees the round's resources. */
export interface CpuRound {
  call(): void;
  close?(): void;
}

/**
 * CPU time (user + system, µs) per call of each task, the best of `rounds` rounds interleaved between the
 * tasks; each round gets its state from the task's factory and times `calls` calls of it. CPU time, not wall
 * time: what a server pays for the work, whatever else the machine runs.
 */
export function bestCpuMicros(
  tasks: Record<string, () => CpuRound>,
  calls: number,
  rounds = 5,
): { name: string; us: number }[] {
  const best = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    for (const [name, start] of Object.entries(tasks)) {
      const task = start();
      const c0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) task.call();
      const c = process.cpuUsage(c0);
      task.close?.();
      best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, (c.user + c.system) / calls));
    }
  }
  return [...best].map(([name, us]) => ({ name, us }));
}
