// Soak of @voxwire/twilio-stream: many simulated calls (the benchmark's transcoding echo at 24 kHz) for
// minutes, with calls ending and new ones starting, and a trickle of bad input from strangers mixed in.
// Every 10 s the server process's RSS, heap, open fds, live calls and event-loop delay are sampled; at the
// end a markdown table is printed. The simulated phones and attackers run in a child process (this file,
// started with VOXWIRE_SOAK_CHILD) so the figures are the server's alone.
//
//   pnpm exec tsx benchmarks/soak/twilio-stream.ts [--minutes 10] [--calls 20] [--bad-per-s 2]

import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodedFrame } from '@voxwire/codecs';
import { createMediaStreamServer, type TwilioCall, TwilioSimulator } from '@voxwire/twilio-stream';

const SAMPLE_EVERY_MS = 10_000;

interface ChildReport {
  healthyCalls: number;
  healthyFailures: string[];
  healthyHeardMs: number;
  attacks: Record<string, number>;
}

// --- child: healthy phones and attackers ---

const FRAME = Buffer.alloc(160, 0xff).toString('base64');

function tone(ms: number): Uint8Array {
  const out = new Uint8Array(ms * 8);
  // A 440 Hz mu-law tone (precomputed levels: the phone side's exact bytes do not matter here).
  for (let i = 0; i < out.length; i++) out[i] = Math.sin((2 * Math.PI * 440 * i) / 8000) >= 0 ? 0x9f : 0x1f;
  return out;
}

/** One healthy call: speaks for `seconds`, checks it heard its echo, hangs up. */
async function healthyCall(url: string, seconds: number, report: ChildReport): Promise<void> {
  const sim = new TwilioSimulator({ url, speed: 1, customParameters: { kind: 'healthy' } });
  try {
    await sim.connect();
    await sim.streamAudio(encodedFrame('pcmu', tone(seconds * 1000)));
    await sim.until(() => sim.playedMs() >= seconds * 1000 - 400, sim.clockMs + 20_000);
    const { errors } = sim.report();
    if (errors.length > 0) report.healthyFailures.push(errors[0]);
    report.healthyHeardMs += sim.playedMs();
    report.healthyCalls++;
  } catch (err) {
    report.healthyFailures.push(String(err));
  } finally {
    await sim.stop().catch(() => {});
  }
}

/** Opens a raw WebSocket by hand and calls `then` with the socket once upgraded (or destroys it). */
function rawWs(url: string, then: (s: Socket) => void): void {
  const u = new URL(url);
  const s = connect(Number(u.port), u.hostname);
  s.on('error', () => {});
  s.setTimeout(60_000, () => s.destroy()); // after the server's own timeouts (start 10 s, idle 20–40 s)
  s.write(
    `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  s.once('data', (d) => {
    if (d.toString().startsWith('HTTP/1.1 101')) then(s);
    else s.destroy();
  });
}

function frame(text: string): Buffer {
  const data = Buffer.from(text);
  const mask = randomBytes(4);
  const len = data.length;
  const head =
    len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 255]);
  for (let i = 0; i < len; i++) data[i] ^= mask[i & 3];
  return Buffer.concat([head, mask, data]);
}

/** Connects a fast simulator, lets `misbehave` send what it wants, then hangs up (failures are the point). */
function withSimulator(url: string, misbehave: (sim: TwilioSimulator) => void, hangUp = true): void {
  const sim = new TwilioSimulator({ url, speed: Number.POSITIVE_INFINITY, idleSilence: false });
  sim
    .connect()
    .then(() => {
      misbehave(sim);
      return hangUp ? sim.stop() : undefined;
    })
    .catch(() => {});
}

const ATTACKS: Record<string, (url: string) => void> = {
  malformed: (url) =>
    withSimulator(url, (sim) => {
      sim.sendRaw('{"event":"media", nope');
      sim.sendJson({ event: 'media', streamSid: sim.streamSid, media: { payload: '%%%' } });
      sim.sendJson({ event: 'mark', streamSid: sim.streamSid, mark: { name: 'm'.repeat(60_000) } });
      sim.sendJson({ event: 'dtmf', streamSid: sim.streamSid, dtmf: { digit: { toString: 1 } } });
    }),
  gapBomb: (url) =>
    withSimulator(url, (sim) => {
      for (const ts of [0, 4 * 3600_000, 99_999_999_999_999]) {
        sim.sendJson({
          event: 'media',
          streamSid: sim.streamSid,
          media: { timestamp: String(ts), payload: FRAME },
        });
      }
    }),
  oversized: (url) =>
    withSimulator(
      url,
      (sim) => sim.sendRaw(JSON.stringify({ event: 'media', media: { payload: 'A'.repeat(70_000) } })),
      false,
    ),
  stallMidFrame: (url) =>
    rawWs(url, (s) => {
      s.write(frame(JSON.stringify({ event: 'start', start: { streamSid: 'MZ', callSid: 'CA-stall' } })));
      s.write(frame(JSON.stringify({ event: 'connected' })).subarray(0, 7));
    }),
  noStart: (url) => rawWs(url, () => {}),
  nonReader: (url) =>
    rawWs(url, (s) => {
      s.write(frame(JSON.stringify({ event: 'start', start: { streamSid: 'MZ', callSid: 'CA-noread' } })));
      s.pause();
    }),
  abruptDestroy: (url) =>
    rawWs(url, (s) => {
      s.write(frame(JSON.stringify({ event: 'start', start: { streamSid: 'MZ', callSid: 'CA-gone' } })));
      s.destroy();
    }),
  silentTcp: (url) => {
    const u = new URL(url);
    const s = connect(Number(u.port), u.hostname);
    s.on('error', () => {});
    s.setTimeout(60_000, () => s.destroy()); // after the server's own timeouts (start 10 s, idle 20–40 s)
  },
};

async function runChild(url: string, calls: number, badPerS: number, untilMs: number): Promise<void> {
  const report: ChildReport = { healthyCalls: 0, healthyFailures: [], healthyHeardMs: 0, attacks: {} };
  const names = Object.keys(ATTACKS);
  const trickle = setInterval(() => {
    const name = names[Math.floor(Math.random() * names.length)];
    report.attacks[name] = (report.attacks[name] ?? 0) + 1;
    ATTACKS[name](url);
  }, 1000 / badPerS);
  // Each slot runs calls of 20–40 s back to back: the server sees churn as well as steady load.
  const slot = async (i: number) => {
    await new Promise((r) => setTimeout(r, (i * 1000) / Math.max(1, calls / 5)));
    while (Date.now() + 20_000 < untilMs) await healthyCall(url, 20 + Math.floor(Math.random() * 20), report);
  };
  await Promise.all(Array.from({ length: calls }, (_, i) => slot(i)));
  clearInterval(trickle);
  process.send?.(report);
}

// --- parent: the server ---

interface Sample {
  atS: number;
  rssMiB: number;
  heapMiB: number;
  fds: number;
  calls: number;
  loopP99Ms: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      calls: { type: 'string', default: '20' },
      'bad-per-s': { type: 'string', default: '2' },
    },
  });
  const minutes = Number(values.minutes);
  const calls = Number(values.calls);
  const badPerS = Number(values['bad-per-s']);
  const server = await createMediaStreamServer({ port: 0, path: '/media', sampleRate: 24000 });
  const url = server.url;
  const errorCodes: Record<string, number> = {};
  let healthyServerErrors = 0;
  let unexpectedThrows = 0;
  server.on('error', () => {});
  server.on('call', (call: TwilioCall) => {
    call.on('error', (e) => {
      errorCodes[e.code] = (errorCodes[e.code] ?? 0) + 1;
      if (call.customParameters.kind === 'healthy') healthyServerErrors++;
    });
    call.on('pcm', (frame) => call.sendAudio(frame)); // the benchmark's transcoding echo
  });
  process.on('uncaughtException', (err) => {
    unexpectedThrows++;
    console.error('uncaught:', err);
  });

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const t0 = Date.now();
  const samples: Sample[] = [];
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({
      atS: Math.round((Date.now() - t0) / 1000),
      rssMiB: m.rss / 2 ** 20,
      heapMiB: m.heapUsed / 2 ** 20,
      fds: readdirSync('/proc/self/fd').length,
      calls: server.calls.size,
      loopP99Ms: loop.percentile(99) / 1e6,
    });
    loop.reset();
    const s = samples[samples.length - 1];
    console.error(`t=${s.atS}s rss=${s.rssMiB.toFixed(0)}MiB fds=${s.fds} calls=${s.calls}`);
  };
  sample();
  const timer = setInterval(sample, SAMPLE_EVERY_MS);

  const untilMs = t0 + minutes * 60_000;
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, VOXWIRE_SOAK_CHILD: JSON.stringify({ url, calls, badPerS, untilMs }) },
    execArgv: process.execArgv,
  });
  const report = await new Promise<ChildReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ChildReport));
    child.once('exit', (code) => reject(new Error(`soak child exited with ${code} before reporting`)));
  });
  child.kill();
  // Let attackers' leftovers time out (idle 20 s, start 10 s), then take the last sample.
  await new Promise((r) => setTimeout(r, 25_000));
  sample();
  clearInterval(timer);
  await server.close();

  const first = samples[1] ?? samples[0];
  const last = samples[samples.length - 1];
  const lines = [
    `## twilio-stream soak: ${minutes} min, ${calls} concurrent calls (24 kHz transcoding echo), ${badPerS} bad inputs/s`,
    '',
    `Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z. Sampled every ${SAMPLE_EVERY_MS / 1000} s in the server process; the phones and attackers run in a child process.`,
    '',
    '| t (s) | RSS (MiB) | heap (MiB) | open fds | live calls | event-loop p99 (ms) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...samples.map(
      (s) =>
        `| ${s.atS} | ${s.rssMiB.toFixed(1)} | ${s.heapMiB.toFixed(1)} | ${s.fds} | ${s.calls} | ${s.loopP99Ms.toFixed(1)} |`,
    ),
    '',
    `- Healthy calls completed: ${report.healthyCalls} (${(report.healthyHeardMs / 60_000).toFixed(1)} min of echo heard); failures seen by the phones: ${report.healthyFailures.length}${report.healthyFailures.length ? ` (first: ${report.healthyFailures[0]})` : ''}; server errors on healthy calls: ${healthyServerErrors}; uncaught exceptions: ${unexpectedThrows}.`,
    `- Bad inputs sent: ${Object.entries(report.attacks)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    `- Errors reported by the server: ${Object.entries(errorCodes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    `- From the first sample after start-up to the last (after 25 s for leftovers to time out): RSS ${first.rssMiB.toFixed(1)} → ${last.rssMiB.toFixed(1)} MiB, fds ${first.fds} → ${last.fds}, live calls ${first.calls} → ${last.calls}.`,
  ];
  console.log(lines.join('\n'));
}

const childArgs = process.env.VOXWIRE_SOAK_CHILD;
if (childArgs) {
  const { url, calls, badPerS, untilMs } = JSON.parse(childArgs) as {
    url: string;
    calls: number;
    badPerS: number;
    untilMs: number;
  };
  await runChild(url, calls, badPerS, untilMs);
  process.exit(0);
} else {
  await main();
}
