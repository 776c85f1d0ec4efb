// Arnold (examples/arnold): turn latency through the running server over loopback WebSocket with the
// embedded local realtime backend — text turns (tool call + SQLite write + speech) and spoken turns (server
// VAD + pocketsphinx with Arnold's grammar) — against the design document's "<100 ms" claim, and the cost of
// a persisted database write (sql.js rewrites the whole file and fsyncs) as the table grows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealtimeClient } from '@voxwire/realtime-client';
import { speech as espeak, RecordingWsClient } from '@voxwire/test-support';
import {
  type Arnold,
  runArnoldTool,
  sessionConfig,
  startArnold,
  TOOL_DEFINITIONS,
  WorkoutStore,
} from '../../examples/arnold/src/index.js';
import { type Suite, table } from '../suite.js';

const RUNS = Number(process.env.ARNOLD_BENCH_RUNS ?? 10);

function quantiles(ms: number[]): { p50: number; p95: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}

function row(name: string, ms: number[], target?: number): (string | number)[] {
  const q = quantiles(ms);
  const verdict = target === undefined ? '—' : q.p50 < target ? 'met' : '**missed**';
  return [
    name,
    String(ms.length),
    q.p50.toFixed(1),
    q.p95.toFixed(1),
    q.max.toFixed(1),
    target ? `< ${target}` : '—',
    verdict,
  ];
}

type Msg = { type: string; final?: boolean };

/** Arrival time of the first message at or after index `from` that matches. */
async function timeOf(
  client: RecordingWsClient<Msg>,
  pred: (m: Msg) => boolean,
  from: number,
): Promise<number> {
  return client.messageTimes[await client.indexOf(pred, from)] as number;
}

/** Arrival time of the first audio frame received after `since` (a `performance.now()` time). */
function firstAudioAfter(client: RecordingWsClient<Msg>, since: number): Promise<number> {
  return client.until(() => client.binaryTimes.find((t) => t >= since), 'the first audio');
}

async function turns(dir: string): Promise<(string | number)[][]> {
  const arnold = await startArnold({ port: 0, dbPath: join(dir, 'bench.db'), pacing: 'fast', log: () => {} });
  // Every message and audio frame is stamped on arrival by the client.
  const client = await RecordingWsClient.connect<Msg>(`${arnold.url.replace('http', 'ws')}/realtime/stream`);
  await client.indexOf((m) => m.type === 'session.ready');
  const toolMs: number[] = [];
  const textAudioMs: number[] = [];
  const readAudioMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const [text, out] of [
      [`I just did ${5 + i} reps of squat at ${200 + i} pounds`, textAudioMs],
      ['show me my last 3 workouts', readAudioMs],
    ] as const) {
      const from = client.messages.length;
      const t0 = performance.now();
      client.send({ type: 'text_input', text });
      if (out === textAudioMs)
        toolMs.push((await timeOf(client, (m) => m.type === 'tool_result', from)) - t0);
      out.push((await firstAudioAfter(client, t0)) - t0);
      await timeOf(client, (m) => m.type === 'turn_done', from);
    }
  }
  const asrMs: number[] = [];
  const speechAudioMs: number[] = [];
  const speech = espeak('show me my recent workouts', 24000);
  const pcm = new Int16Array(speech.length + 24000);
  pcm.set(speech);
  for (let i = 0; i < Math.ceil(RUNS / 2); i++) {
    const from = client.messages.length;
    const sent = performance.now();
    for (let o = 0; o < pcm.length; o += 2400) {
      const part = pcm.subarray(o, o + 2400);
      client.ws.send(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    }
    const stopped = await timeOf(client, (m) => m.type === 'speech_stopped', from);
    asrMs.push(
      (await timeOf(client, (m) => m.type === 'user_transcript' && m.final === true, from)) - stopped,
    );
    speechAudioMs.push((await firstAudioAfter(client, sent)) - stopped);
    await timeOf(client, (m) => m.type === 'turn_done', from);
  }
  await client.close();
  await arnold.close();
  return [
    row('text: text_input → tool_result (log_workout, row written)', toolMs),
    row('text: text_input → first audio (log_workout turn)', textAudioMs, 100),
    row('text: text_input → first audio (get_recent_workouts turn)', readAudioMs, 100),
    row('speech: speech_stopped → final user transcript (pocketsphinx, grammar)', asrMs),
    row('speech: speech_stopped → first audio', speechAudioMs, 100),
  ];
}

/**
 * The peer: the same log_workout turn sent straight to Arnold's realtime backend by a RealtimeClient with
 * Arnold's tools (no Arnold server, no client WebSocket in between), alternated with turns through Arnold so
 * both see the same machine load. The ratio is what Arnold's relay adds.
 */
async function relayOverhead(dir: string): Promise<string> {
  const arnold: Arnold = await startArnold({
    port: 0,
    dbPath: join(dir, 'relay.db'),
    pacing: 'fast',
    log: () => {},
  });
  const client = await RecordingWsClient.connect<Msg>(`${arnold.url.replace('http', 'ws')}/realtime/stream`);
  await client.indexOf((m) => m.type === 'session.ready');
  const direct = new RealtimeClient({
    url: arnold.backend.url,
    apiKey: '',
    model: arnold.backend.model,
    session: sessionConfig(),
    reconnect: false,
  });
  for (const def of TOOL_DEFINITIONS)
    direct.addTool(def, (args) => runArnoldTool(arnold.store, def.name, args));
  await direct.connect();
  const viaArnold: number[] = [];
  const straight: number[] = [];
  const throughArnold = async (text: string) => {
    const from = client.messages.length;
    const t0 = performance.now();
    client.send({ type: 'text_input', text });
    viaArnold.push((await firstAudioAfter(client, t0)) - t0);
    await timeOf(client, (m) => m.type === 'turn_done', from);
  };
  const straightIn = async (text: string) => {
    const t0 = performance.now();
    const firstAudio = new Promise<number>((resolve) =>
      direct.once('audio', () => resolve(performance.now())),
    );
    // The turn ends with the response that called no tool (the spoken confirmation).
    const turnDone = new Promise<void>((resolve) => {
      const onDone = (e: { response: { output?: Array<{ type: string }> } }) => {
        if ((e.response.output ?? []).some((item) => item.type === 'function_call')) return;
        direct.off('responseDone', onDone);
        resolve();
      };
      direct.on('responseDone', onDone);
    });
    direct.sendText(text);
    straight.push((await firstAudio) - t0);
    await turnDone;
  };
  for (let i = 0; i < RUNS; i++) {
    const text = `I just did ${5 + i} reps of squat at ${200 + i} pounds`;
    // A turn right after another one is much slower (~300 vs ~80 ms here, cause not pinned down), so the
    // order alternates and each path is first half of the time.
    if (i % 2 === 0) {
      await throughArnold(text);
      await straightIn(text);
    } else {
      await straightIn(text);
      await throughArnold(text);
    }
  }
  await direct.close();
  await client.close();
  await arnold.close();
  const p50 = (ms: number[]) => quantiles(ms).p50;
  const line = (name: string, ms: number[]) => {
    const q = quantiles(ms);
    return [
      name,
      String(ms.length),
      q.p50.toFixed(1),
      q.p95.toFixed(1),
      `${(q.p50 / p50(straight)).toFixed(2)}×`,
    ];
  };
  return table(
    ['log_workout text turn → first audio', 'n', 'p50 ms', 'p95 ms', 'p50 vs direct'],
    [
      line('direct: RealtimeClient → realtime-server (peer)', straight),
      line('through Arnold: client WebSocket → Arnold → realtime-server', viaArnold),
    ],
  );
}

async function writes(dir: string): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  for (const size of [100, 10000]) {
    const store = await WorkoutStore.open({ path: join(dir, `size-${size}.db`) });
    // Fill through the public API (every insert is persisted), then time single inserts at that size.
    for (let i = 0; i < size; i++)
      store.logWorkout({ exercise: `lift ${i % 20}`, reps: 5, weight: 100, unit: 'lbs' });
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      store.logWorkout({ exercise: 'squat', reps: 5, weight: 225, unit: 'lbs' });
      ms.push(performance.now() - t0);
    }
    store.close();
    rows.push(row(`log_workout write with ${size} rows (insert + file rewrite + fsync)`, ms));
  }
  return rows;
}

const suite: Suite = {
  id: 'arnold',
  title: 'Arnold example: turn latency and database writes',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'arnold-bench-'));
    try {
      const header = ['what', 'n', 'p50 ms', 'p95 ms', 'max ms', 'design target', 'verdict'];
      const body = table(header, [...(await turns(dir)), ...(await writes(dir))]);
      const relay = await relayOverhead(dir);
      return `${body}

Local backend (\`@voxwire/realtime-server\`, fast pacing; first-audio latency does not depend on pacing),
loopback WebSocket, ${RUNS} text turns of each kind and ${Math.ceil(RUNS / 2)} spoken turns. "First audio" is
the first binary frame Arnold sends back. The design's "<100 ms" is OpenAI's network round trip claim; here it
is the whole local pipeline: the rule responder, the tool and the SQLite write, and espeak-ng synthesising the
whole sentence before its first chunk. Spoken turns add recognition after the 200 ms end-of-speech silence.
Database writes rewrite the whole sql.js file (temporary file, fsync, rename), so their cost grows with the
table: fine for a personal log, the reason to switch to better-sqlite3 (in-place WAL writes) for big data.
The machine is shared with other jobs, so the numbers move between runs (a quieter 3-turn try gave a p50 of
~65 ms for text turns and ~130 ms for spoken ones).

### What Arnold's relay adds

${relay}

The same text turn, ${RUNS} times each, between a RealtimeClient talking straight to the backend with
Arnold's tools (the peer) and a client going through Arnold's WebSocket, session bridge and metrics, in one
run on the same loaded machine (load average around 10 on 2 cores). A turn that follows another at once
came out about 4× slower than the next one, whichever path it took (cause not pinned down), so the two
paths take turns going first; the ratio is the relay's share, the absolute figures move with the load.`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
