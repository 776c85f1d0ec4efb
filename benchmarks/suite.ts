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
