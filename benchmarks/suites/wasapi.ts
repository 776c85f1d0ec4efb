import type { AudioFrame } from '@voxwire/codecs';
import { AudioCapture } from '@voxwire/wasapi';
import { type Suite, table } from '../suite.js';

type Notify = 'uv' | 'tsfn' | 'tsfn-per-buffer';

const MODES: { notify: Notify; label: string }[] = [
  { notify: 'uv', label: 'voxwire: shared ring + coalesced uv_async wake (default)' },
  { notify: 'tsfn', label: 'voxwire: shared ring + coalesced ThreadSafeFunction wake' },
  { notify: 'tsfn-per-buffer', label: 'baseline: ThreadSafeFunction call per buffer' },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Delivery latency (audio thread → JS callback) of one null capture stream at a 10 ms period. */
async function delivery(notify: Notify, ms: number) {
  const c = new AudioCapture({ backend: 'null', periodMs: 10, notify });
  let frames = 0;
  c.on('audio', (f: AudioFrame) => {
    frames += f.data.length / f.channels;
  });
  c.start();
  await sleep(ms);
  const s = c.stats();
  c.close();
  return { ...s.delivery, frames, dropped: s.droppedFrames };
}

/** CPU (user + system) per open stream: `n` null capture streams at 10 ms, each with a data listener. */
async function cpuPerStream(notify: Notify, n: number, ms: number) {
  const streams = Array.from(
    { length: n },
    () => new AudioCapture({ backend: 'null', periodMs: 10, notify }),
  );
  for (const s of streams) {
    s.on('audio', () => undefined);
    s.start();
  }
  await sleep(200);
  const before = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await sleep(ms);
  const used = process.cpuUsage(before);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  for (const s of streams) s.close();
  return ((used.user + used.system) / wallUs / n) * 100;
}

const suite: Suite = {
  id: 'wasapi',
  title: 'Native audio → JS delivery (@voxwire/wasapi, null backend, 10 ms period)',
  async run() {
    const rows: (string | number)[][] = [];
    const results: { label: string; p50: number; p99: number; max: number; count: number; cpu: number }[] =
      [];
    // Interleave the modes twice so that machine noise hits all of them alike.
    const acc = new Map<Notify, { p50: number[]; p99: number[]; max: number[]; count: number }>();
    for (let round = 0; round < 2; round++) {
      for (const { notify } of MODES) {
        const d = await delivery(notify, 3000);
        const a = acc.get(notify) ?? { p50: [], p99: [], max: [], count: 0 };
        a.p50.push(d.p50Us ?? Number.NaN);
        a.p99.push(d.p99Us ?? Number.NaN);
        a.max.push(d.maxUs ?? Number.NaN);
        a.count += d.count;
        acc.set(notify, a);
      }
    }
    for (const { notify, label } of MODES) {
      const a = acc.get(notify);
      if (!a) continue;
      const cpu = await cpuPerStream(notify, 8, 3000);
      results.push({
        label,
        p50: Math.min(...a.p50),
        p99: Math.min(...a.p99),
        max: Math.max(...a.max),
        count: a.count,
        cpu,
      });
    }
    const base = results[results.length - 1];
    for (const r of results) {
      rows.push([
        r.label,
        r.count,
        r.p50,
        r.p99,
        r.max,
        base ? `${(base.p99 / r.p99).toFixed(2)}×` : '',
        `${r.cpu.toFixed(3)} %`,
      ]);
    }
    return [
      table(
        [
          'wake path',
          'wake-ups',
          'delivery p50 µs',
          'delivery p99 µs',
          'max µs',
          'p99 vs per-buffer TSFN',
          'CPU per open stream (8 streams)',
        ],
        rows,
      ),
      '',
      'Delivery: time from the audio thread finishing a period to the JS callback starting (best of two 3 s runs per',
      'mode, interleaved). CPU: process user+system time per stream with 8 capture streams open, each with an `audio`',
      'listener. Target p99 < 200 µs. On a shared, loaded machine the tail is dominated by scheduling.',
    ].join('\n');
  },
};
export default suite;
