// Load of @voxwire/realtime-server: N concurrent sessions each stream microphone-like audio in real time
// (20 ms frames of speech and silence, server VAD on) and are answered with real-time paced audio. The
// server runs in a child process so its CPU is measured alone; a bare `ws` server receiving the same
// streams in another child is the baseline (the cost of the transport and JSON alone).
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { int16ToBase64 } from '@voxwire/codecs';
import { LatencyWindow } from '@voxwire/core';
import { createRealtimeServer, ScriptedResponder } from '@voxwire/realtime-server';
import { FormantSynthesizer, NullTranscriber } from '@voxwire/speech';
import WebSocket, { WebSocketServer } from 'ws';
import { type Suite, table } from '../suite.js';

const SESSIONS = Number(process.env.RT_BENCH_SESSIONS ?? 100);
const TURNS = 2;
const FIRST_AUDIO_REPLIES = Number(process.env.RT_BENCH_REPLIES ?? 10);
const FRAME_MS = 20;
const RATE = 24000;
const FRAME = (RATE * FRAME_MS) / 1000;

const REPLIES = Array.from({ length: 10 }, (_, i) => `Here is answer number ${i + 1} to your question.`);

type ChildMode = 'voxwire' | 'ws-baseline';

/** CPU of this process plus its reaped children (espeak-ng runs), in µs: /proc/self/stat utime..cstime. */
function cpuWithChildrenUs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ": field 14..17 of stat(5) are utime, stime, cutime, cstime (index 11..14 here).
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return (ticks * 1e6) / 100;
}
type ChildMessage = { url: string } | { cpuUs: number; wallMs: number };

// ---- child side: one server, reporting its own CPU on request ------------------------------------------
async function runChild(mode: ChildMode): Promise<void> {
  let url: string;
  if (mode === 'voxwire') {
    const server = await createRealtimeServer({
      pacing: 'realtime',
      engines: {
        transcriber: new NullTranscriber(),
        // Ten different answers spread over the sessions: espeak-ng runs for each (then its cache helps).
        responder: new ScriptedResponder([
          (ctx) => ({
            text: REPLIES[
              [...ctx.sessionId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % REPLIES.length
            ],
          }),
        ]),
      },
    });
    url = server.url;
  } else {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    // Parses every frame like a server must, and answers nothing but a created event.
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ type: 'session.created' }));
      ws.on('message', (data) => {
        const e = JSON.parse(String(data)) as { audio?: string };
        if (e.audio) Buffer.from(e.audio, 'base64');
      });
    });
    const port = (wss.address() as { port: number }).port;
    url = `ws://127.0.0.1:${port}/v1/realtime`;
  }
  let start = cpuWithChildrenUs();
  let startWall = performance.now();
  process.on('message', (m: string) => {
    if (m === 'start') {
      start = cpuWithChildrenUs();
      startWall = performance.now();
    } else if (m === 'stop') {
      process.send?.({
        cpuUs: cpuWithChildrenUs() - start,
        wallMs: performance.now() - startWall,
      } satisfies ChildMessage);
    } else if (m === 'exit') {
      process.exit(0);
    }
  });
  process.send?.({ url } satisfies ChildMessage);
}

// ---- parent side: the clients ---------------------------------------------------------------------------
function startChild(mode: ChildMode): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, RT_BENCH_CHILD: mode },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: ChildMessage) =>
      'url' in m ? resolve({ child, url: m.url }) : reject(new Error('bad hello')),
    );
    child.once('exit', (code) => reject(new Error(`bench child exited ${code}`)));
  });
}

function ask(child: ChildProcess, msg: string): Promise<{ cpuUs: number; wallMs: number }> {
  return new Promise((resolve) => {
    child.once('message', (m: ChildMessage) => resolve(m as { cpuUs: number; wallMs: number }));
    child.send(msg);
  });
}

/** One turn of the caller: a spoken phrase then six seconds of silence (time for the whole answer) (the formant voice, no espeak needed). */
function callerAudio(): Int16Array {
  const speech = new FormantSynthesizer({ sampleRate: RATE }).render('could you please tell me the time');
  const turn = new Int16Array(speech.length + 6 * RATE);
  turn.set(speech);
  const all = new Int16Array(turn.length * TURNS);
  for (let t = 0; t < TURNS; t++) all.set(turn, t * turn.length);
  return all;
}

async function drive(
  url: string,
  audio: Int16Array,
  expectAnswers: boolean,
): Promise<{ answered: number; seconds: number; interrupted: number; committed: number }> {
  const frames: string[] = [];
  for (let i = 0; i + FRAME <= audio.length; i += FRAME) {
    frames.push(
      JSON.stringify({
        type: 'input_audio_buffer.append',
        audio: int16ToBase64(audio.subarray(i, i + FRAME)),
      }),
    );
  }
  let answered = 0;
  let interrupted = 0;
  let committed = 0;
  const sockets = await Promise.all(
    Array.from(
      { length: SESSIONS },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          ws.on('message', (data) => {
            const text = String(data);
            if (text.includes('"session.created"')) resolve(ws);
            else if (text.includes('"response.done"')) {
              if (text.includes('"status":"completed"')) answered++;
              else if (text.includes('"turn_detected"')) interrupted++;
            } else if (text.includes('"input_audio_buffer.committed"')) committed++;
          });
          ws.once('error', reject);
        }),
    ),
  );
  // Sessions start staggered across one frame so their frames do not all land in the same tick.
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let frame = 0;
    const tick = () => {
      const due = Math.floor((performance.now() - started) / FRAME_MS);
      for (; frame <= due && frame < frames.length; frame++) for (const ws of sockets) ws.send(frames[frame]);
      if (frame >= frames.length) resolve();
      else setTimeout(tick, FRAME_MS / 2);
    };
    tick();
  });
  // Let the last answers finish playing out.
  const deadline = performance.now() + 30_000;
  while (expectAnswers && answered < SESSIONS * TURNS && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  for (const ws of sockets) ws.close();
  return { answered, seconds, interrupted, committed };
}

async function measureMode(mode: ChildMode, audio: Int16Array) {
  const { child, url } = await startChild(mode);
  child.send('start');
  const { answered, seconds, interrupted, committed } = await drive(url, audio, mode === 'voxwire');
  const { cpuUs, wallMs } = await ask(child, 'stop');
  child.send('exit');
  const corePercent = (cpuUs / 1000 / wallMs) * 100;
  return { answered, seconds, interrupted, committed, corePercent, perSession: corePercent / SESSIONS };
}

/** Sentences of a long reply; every reply is different (no synthesis cache hits). */
function longReply(n: number): string {
  return [
    `Here is the longer answer number ${n + 1}.`,
    'It has a few sentences, as a spoken explanation would.',
    'The second half continues with more detail about the question you asked.',
    'And finally it ends with a short summary of everything said before.',
  ].join(' ');
}

/**
 * Time to first audio of multi-sentence replies: `response.create` → first `response.output_audio.delta`,
 * and → `response.done`, on an otherwise idle server (espeak-ng speech, `fast` pacing).
 */
export async function firstAudioLatency(replies = FIRST_AUDIO_REPLIES): Promise<{
  firstAudio: LatencyWindow;
  done: LatencyWindow;
}> {
  const server = await createRealtimeServer({
    pacing: 'fast',
    engines: {
      transcriber: new NullTranscriber(),
      responder: new ScriptedResponder([(ctx) => ({ text: longReply(ctx.responseIndex) })]),
    },
  });
  const firstAudio = new LatencyWindow(replies);
  const done = new LatencyWindow(replies);
  const ws = new WebSocket(server.url, { perMessageDeflate: false });
  let started = 0;
  let first = true;
  let answered: (() => void) | undefined;
  ws.on('message', (data) => {
    const text = String(data);
    if (first && text.startsWith('{"type":"response.output_audio.delta"')) {
      first = false;
      firstAudio.add(performance.now() - started);
    } else if (text.startsWith('{"type":"response.done"')) {
      done.add(performance.now() - started);
      answered?.();
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(
    JSON.stringify({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { turn_detection: null } } },
    }),
  );
  for (let i = 0; i < replies; i++) {
    const finished = new Promise<void>((resolve) => {
      answered = resolve;
    });
    first = true;
    started = performance.now();
    ws.send(JSON.stringify({ type: 'response.create' }));
    await finished;
  }
  ws.close();
  await server.close();
  return { firstAudio, done };
}

const suite: Suite = {
  id: 'realtime-server',
  title: `Realtime server under load: ${SESSIONS} sessions, server VAD, real-time audio both ways (@voxwire/realtime-server)`,
  async run() {
    const audio = callerAudio();
    const vox = await measureMode('voxwire', audio);
    const base = await measureMode('ws-baseline', audio);
    const latency = await firstAudioLatency();
    const ms = (w: LatencyWindow, p: number) => (w.percentile(p) ?? Number.NaN).toFixed(0);
    return [
      `Each session streams ${TURNS} spoken turns (${((audio.length / RATE) * 1000).toFixed(0)} ms of 24 kHz PCM16 in ${FRAME_MS} ms appends, in real time); the`,
      'server detects each turn with server VAD (@voxwire/vad energy) and answers with espeak-ng speech (ten different',
      'answers across the sessions) paced in real time. Server CPU, including its espeak-ng children, is measured in its',
      'own process. Baseline: a bare `ws` server that only parses and base64-decodes the same frames.',
      '',
      table(
        ['server', 'turns answered', 'CPU, % of one core', 'CPU per session, % of one core', 'vs baseline'],
        [
          [
            'voxwire realtime-server',
            `${vox.answered}/${SESSIONS * TURNS} (${vox.committed} turns detected, ${vox.interrupted} answers cut by the caller)`,
            vox.corePercent,
            vox.perSession,
            `${(vox.corePercent / base.corePercent).toFixed(1)}×`,
          ],
          ['bare ws (parse + base64 only)', '—', base.corePercent, base.perSession, '1.0×'],
        ],
      ),
      '',
      `Time to first audio of a four-sentence reply (${FIRST_AUDIO_REPLIES} different replies, one after another, on an idle`,
      'server): the reply is synthesised sentence by sentence and its first sentence is sent while the rest is made.',
      '',
      table(
        ['measure', 'p50 ms', 'p95 ms'],
        [
          ['response.create → first audio delta', ms(latency.firstAudio, 0.5), ms(latency.firstAudio, 0.95)],
          ['response.create → response.done', ms(latency.done, 0.5), ms(latency.done, 0.95)],
        ],
      ),
    ].join('\n');
  },
};
export default suite;

if (process.env.RT_BENCH_CHILD) void runChild(process.env.RT_BENCH_CHILD as ChildMode);
