// Soak of @voxwire/realtime-server: N sessions run spoken turns back to back (real-time audio in, server VAD,
// espeak-ng answers sent ahead of real time) while a trickle of hostile clients sends bad input, stops
// reading, floods retrieves and drops connections. Every 10 s the server's RSS and open file descriptors
// (read from /proc of its own child process) are sampled; a markdown table goes to stdout (and --out).
//
//   pnpm exec tsx benchmarks/soak/realtime-server.ts --minutes 10 --sessions 8 --out benchmarks/soak/realtime-server.md
import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { int16ToBase64 } from '@voxwire/codecs';
import {
  createRealtimeServer,
  FormantSynthesizer,
  NullTranscriber,
  ScriptedResponder,
} from '@voxwire/realtime-server';
import WebSocket from 'ws';

const RATE = 24000;
const FRAME_MS = 20;
const FRAME = (RATE * FRAME_MS) / 1000;
const SAMPLE_MS = 10_000;
const REPLIES = Array.from({ length: 10 }, (_, i) => `Here is answer number ${i + 1} to your question.`);

// ---- child: the server ----------------------------------------------------------------------------------
async function serve(): Promise<void> {
  const server = await createRealtimeServer({
    maxBufferedBytes: 2 * 1024 * 1024,
    engines: {
      transcriber: new NullTranscriber(),
      responder: new ScriptedResponder([(ctx) => ({ text: REPLIES[ctx.responseIndex % REPLIES.length] })]),
    },
  });
  process.on('message', (m: string) => {
    if (m === 'exit') void server.close().then(() => process.exit(0));
  });
  process.send?.({ url: server.url });
}

// ---- parent: load, attacks, samples ---------------------------------------------------------------------
function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, RT_SOAK_CHILD: '1' },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve({ child, url: m.url }));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

function sample(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

interface Stats {
  turns: number;
  healthyErrors: number;
  attacks: number;
  attackErrors: number;
  attackCloses: Record<string, number>;
}

/** One healthy session: a spoken phrase and silence in real time, answered, again and again until `stop`. */
async function healthySession(url: string, turn: Int16Array, stats: Stats, stop: AbortSignal): Promise<void> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let waiting: (() => void) | null = null;
  ws.on('message', (data) => {
    const text = String(data);
    if (text.startsWith('{"type":"error"')) stats.healthyErrors++;
    if (text.startsWith('{"type":"response.done"') && text.includes('"status":"completed"')) {
      stats.turns++;
      waiting?.();
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  while (!stop.aborted && ws.readyState === ws.OPEN) {
    const answered = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const started = performance.now();
    for (let i = 0; i + FRAME <= turn.length && !stop.aborted; i += FRAME) {
      ws.send(
        JSON.stringify({
          type: 'input_audio_buffer.append',
          audio: int16ToBase64(turn.subarray(i, i + FRAME)),
        }),
      );
      const due = started + (i / FRAME + 1) * FRAME_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    }
    await Promise.race([answered, new Promise((r) => setTimeout(r, 15_000))]);
  }
  ws.close();
}

const ATTACKS: Array<(ws: WebSocket) => void> = [
  (ws) => ws.send('{"type":'),
  (ws) => ws.send(JSON.stringify({ type: 'no.such.event' })),
  (ws) =>
    ws.send(
      JSON.stringify({
        type: 'session.update',
        session: { type: 'realtime', instructions: 'x'.repeat(200_000), tools: 5 },
      }),
    ),
  (ws) =>
    ws.send(
      JSON.stringify({
        type: 'conversation.item.truncate',
        item_id: 'item_x',
        content_index: 0,
        audio_end_ms: 1e308,
      }),
    ),
  (ws) => ws.send(JSON.stringify({ type: 'response.cancel' })),
  (ws) => ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: '!!!' })),
  (ws) => ws.send(Buffer.from([1, 2, 3])),
  // A client that stops reading and asks for a large item again and again (closed with 1008).
  (ws) => {
    const audio = int16ToBase64(new Int16Array(8 * RATE).fill(500));
    ws.send(
      JSON.stringify({
        type: 'conversation.item.create',
        item: { id: 'item_big', type: 'message', role: 'user', content: [{ type: 'input_audio', audio }] },
      }),
    );
    (ws as unknown as { _socket: Socket })._socket.pause();
    for (let i = 0; i < 60; i++)
      ws.send(JSON.stringify({ type: 'conversation.item.retrieve', item_id: 'item_big' }));
  },
];

/** One hostile client: connects, does one bad thing, then leaves politely or abruptly. */
async function attack(url: string, n: number, stats: Stats): Promise<void> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('message', (data) => {
    if (String(data).startsWith('{"type":"error"')) stats.attackErrors++;
  });
  ws.on('error', () => {});
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  await new Promise((resolve) => ws.once('open', resolve));
  stats.attacks++;
  ATTACKS[n % ATTACKS.length](ws);
  await new Promise((r) => setTimeout(r, 300));
  if (n % 3 === 0) ws.terminate();
  else ws.close();
  const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]);
  if (code === -1) ws.terminate();
  stats.attackCloses[code] = (stats.attackCloses[code] ?? 0) + 1;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '1' },
      sessions: { type: 'string', default: '8' },
      out: { type: 'string' },
    },
  });
  const minutes = Number(values.minutes);
  const sessions = Number(values.sessions);
  const { child, url } = await startServer();
  const pid = child.pid as number;
  const speech = new FormantSynthesizer({ sampleRate: RATE }).render('could you please tell me the time');
  const turn = new Int16Array(speech.length + 2 * RATE);
  turn.set(speech);
  const stats: Stats = { turns: 0, healthyErrors: 0, attacks: 0, attackErrors: 0, attackCloses: {} };
  const stop = new AbortController();
  const rows: string[] = [];
  const started = performance.now();
  const record = () => {
    const { rssMb, fds } = sample(pid);
    const t = Math.round((performance.now() - started) / 1000);
    rows.push(
      `| ${t} | ${rssMb.toFixed(1)} | ${fds} | ${stats.turns} | ${stats.healthyErrors} | ${stats.attacks} |`,
    );
    console.error(rows.at(-1));
  };
  record();
  const healthy = Array.from({ length: sessions }, () => healthySession(url, turn, stats, stop.signal));
  let n = 0;
  const attacks: Promise<void>[] = [];
  const trickle = setInterval(() => attacks.push(attack(url, n++, stats)), 500);
  const sampler = setInterval(record, SAMPLE_MS);
  await new Promise((r) => setTimeout(r, minutes * 60_000));
  clearInterval(trickle);
  stop.abort();
  await Promise.all([...healthy, ...attacks]);
  clearInterval(sampler);
  record();
  child.send('exit');
  const table = [
    `# realtime-server soak: ${minutes} min, ${sessions} healthy sessions, a hostile client every 0.5 s`,
    '',
    `Healthy sessions stream a spoken phrase and 2 s of silence in real time (20 ms appends, server VAD) and are`,
    'answered with espeak-ng speech sent ahead of real time. Hostile clients send bad JSON, unknown events, huge',
    'and wrong fields, late truncates and cancels, binary frames, or stop reading while asking for a large item;',
    "a third leave abruptly. RSS and fds are the server process's own (/proc).",
    '',
    '| t (s) | server RSS (MB) | server fds | healthy turns answered | errors on healthy sessions | hostile clients |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Hostile clients: ${stats.attacks}, error events sent to them: ${stats.attackErrors}, close codes seen: ${Object.entries(
      stats.attackCloses,
    )
      .map(
        ([code, count]) =>
          `${code === '-1' ? 'none within 10 s (paused non-readers, then cut)' : code} × ${count}`,
      )
      .join(', ')}.`,
    '',
  ].join('\n');
  process.stdout.write(table);
  if (values.out) writeFileSync(values.out, table);
}

if (process.env.RT_SOAK_CHILD) void serve();
else
  main().catch((err: Error) => {
    console.error(err);
    process.exit(1);
  });
