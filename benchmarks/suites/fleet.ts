// What joining a fleet costs a call server, and how fast a control request crosses instances.
//
// CPU: the same bridged Twilio calls (the Twilio suite's simulated phones and echoing model, in a child
// process, so the server process's CPU is the server's alone) with and without @voxwire/fleet: each call a
// BridgeFleetCall registered in a Redis-backed Fleet (heartbeat every second), frames counted to Prometheus
// every second, /metrics rendered every second. The two modes alternate, several rounds each.
//
// Control latency: a second instance in a child process holds calls; this process asks for their metrics
// (`fleet.request`) one after another. Same-run peers: a bare Redis PING, and a bare pub/sub round trip
// (publish to the other process, which publishes back): the floor any Redis-based control pays.
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type BridgeFleetCall, bridgeCall, bridgeFleetCall, twilioCallSession } from '@voxwire/bridge';
import { createFleet, type Fleet, type FleetCall } from '@voxwire/fleet';
import { RealtimeClient } from '@voxwire/realtime-client';
import { RedisProcess } from '@voxwire/test-support';
import { createMediaStreamServer } from '@voxwire/twilio-stream';
import { Redis } from 'ioredis';
import { type Suite, table } from '../suite.js';

const CALLS = 20;
const ROUNDS = 5;
const REQUESTS = 1000;
const BOOKKEEPING_CALLS = 200;
const BOOKKEEPING_MS = 5000;
const PREFIX = 'bench-fleet:';
const twilioSuite = fileURLToPath(new URL('./twilio.ts', import.meta.url));

// --- child: the other instance (control latency) ---

/** A call that answers control requests at once: the latency measured is the fleet's, not a call's. */
function benchCall(id: string): FleetCall {
  return {
    id,
    platform: 'twilio',
    startedAt: Date.now(),
    state: 'active',
    lastActivityAt: Date.now(),
    hangup: async () => {},
    say: async () => {},
    injectText: async () => {},
    setMuted: () => {},
    metrics: () => ({ turns: 3, turnLatencyP50Ms: 420 }),
  };
}

async function runInstance(redisUrl: string): Promise<void> {
  const fleet = await createFleet({ redis: redisUrl, instanceId: 'b', keyPrefix: PREFIX });
  for (let i = 0; i < CALLS; i++) fleet.register(benchCall(`CA-b-${i}`));
  // The bare pub/sub peer: echo every ping back.
  const sub = new Redis(redisUrl);
  const pub = new Redis(redisUrl);
  sub.on('message', (_ch, msg) => void pub.publish(`${PREFIX}pong`, msg));
  await sub.subscribe(`${PREFIX}ping`);
  process.send?.('ready');
}

if (process.env.VOXWIRE_FLEET_BENCH_CHILD) {
  runInstance(process.env.VOXWIRE_FLEET_BENCH_CHILD).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

// --- parent ---

/** CPU % of one core per call, over the Twilio simulators' 3 s measuring window. */
async function cpuPerCall(fleet: Fleet | undefined): Promise<number> {
  let modelUrl = '';
  const server = await createMediaStreamServer({ port: 0, path: '/media' });
  const live = new Set<BridgeFleetCall>();
  const timers: NodeJS.Timeout[] = [];
  if (fleet) {
    timers.push(
      setInterval(() => {
        for (const c of live) c.flushCounts();
        void fleet.metrics.render(); // a Prometheus scrape every second (a real one comes every 15–60 s)
      }, 1000),
    );
  }
  server.on('call', (call) => {
    call.on('error', () => {});
    void call.whenStarted().then(() => {
      const realtime = new RealtimeClient({ url: modelUrl, reconnect: false, heartbeatIntervalMs: 0 });
      const bridge = bridgeCall(twilioCallSession(call), realtime, { hangupTool: false });
      bridge.on('error', () => {});
      if (!fleet) return;
      const entry = bridgeFleetCall(bridge, { agent: 'bench', metrics: fleet.metrics });
      fleet.register(entry);
      live.add(entry);
      void bridge.done.then(() => {
        entry.flushCounts();
        live.delete(entry);
        fleet.unregister(entry.id, 'caller_hangup');
      });
    });
  });
  const child = fork(twilioSuite, [], {
    env: {
      ...process.env,
      VOXWIRE_TWILIO_BENCH_CHILD: JSON.stringify([`ws://127.0.0.1:${server.port}/media`, CALLS, true]),
    },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('message', (m: { type: string; url?: string }) => {
        if (m.type === 'model' && m.url) modelUrl = m.url;
        else if (m.type === 'measuring') {
          cpu0 = process.cpuUsage();
          t0 = performance.now();
        } else if (m.type === 'done') {
          const used = process.cpuUsage(cpu0);
          resolve(((used.user + used.system) / ((performance.now() - t0) * 1000) / CALLS) * 100);
        }
      });
      child.on('exit', (code) => code !== 0 && reject(new Error(`simulators exited with ${code}`)));
    });
  } finally {
    await exited;
    for (const t of timers) clearInterval(t);
    await server.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** This process's CPU % of one core over `ms`. */
async function cpuOver(ms: number): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / ((performance.now() - t0) * 1000)) * 100;
}

/**
 * The fleet's own work per call, without audio: BOOKKEEPING_CALLS calls registered (entries rewritten every
 * second), their frame counts flushed to Prometheus every second, `/metrics` rendered every second; minus
 * the same process idle. Resolves with CPU % of a core per call.
 */
async function bookkeepingPerCall(redisUrl: string): Promise<number> {
  const idle = await cpuOver(BOOKKEEPING_MS);
  const fleet = await createFleet({
    redis: redisUrl,
    instanceId: 'solo',
    keyPrefix: `${PREFIX}solo:`,
    heartbeatMs: 1000,
  });
  fleet.on('error', () => {});
  for (let i = 0; i < BOOKKEEPING_CALLS; i++) fleet.register(benchCall(`CA-solo-${i}`));
  const timer = setInterval(() => {
    for (let i = 0; i < BOOKKEEPING_CALLS; i++) fleet.metrics.countFrames(50, 10);
    void fleet.metrics.render();
  }, 1000);
  try {
    await sleep(1000);
    return (await cpuOver(BOOKKEEPING_MS)) - idle;
  } finally {
    clearInterval(timer);
    await fleet.close();
  }
}

function percentiles(ms: number[]): [number, number] {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return [q(0.5), q(0.99)];
}

async function timed(n: number, once: () => Promise<unknown>): Promise<[number, number]> {
  for (let i = 0; i < 50; i++) await once(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await once();
    out.push(performance.now() - t);
  }
  return percentiles(out);
}

async function controlLatency(redisUrl: string, fleet: Fleet): Promise<(string | number)[][]> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, VOXWIRE_FLEET_BENCH_CHILD: redisUrl },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const peer = new Redis(redisUrl);
  const sub = new Redis(redisUrl);
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`instance b exited with ${code}`)));
    });
    let waiting: (() => void) | undefined;
    sub.on('message', () => waiting?.());
    await sub.subscribe(`${PREFIX}pong`);
    const pubsub = () =>
      new Promise<void>((resolve) => {
        waiting = resolve;
        void peer.publish(`${PREFIX}ping`, 'x');
      });
    let k = 0;
    const local = benchCall('CA-a-local');
    fleet.register(local);
    const rows: [string, [number, number]][] = [
      ['Redis PING (peer: one round trip)', await timed(REQUESTS, () => peer.ping())],
      ['bare pub/sub round trip to instance b (peer)', await timed(REQUESTS, pubsub)],
      [
        'fleet.request metrics, call on instance b',
        await timed(REQUESTS, () => fleet.request(`CA-b-${k++ % CALLS}`, { type: 'metrics' })),
      ],
      [
        'fleet.request mute, call on instance b',
        await timed(REQUESTS, () => fleet.request(`CA-b-${k++ % CALLS}`, { type: 'mute' })),
      ],
      [
        'fleet.request metrics, call on this instance',
        await timed(REQUESTS, () => fleet.request('CA-a-local', { type: 'metrics' })),
      ],
    ];
    fleet.unregister('CA-a-local', 'done');
    const floor = rows[1][1][0];
    return rows.map(([name, [p50, p99]]) => [
      name,
      p50.toFixed(3),
      p99.toFixed(3),
      `${(p50 / floor).toFixed(2)}×`,
    ]);
  } finally {
    child.kill('SIGKILL');
    await exited;
    peer.disconnect();
    sub.disconnect();
  }
}

const suite: Suite = {
  id: 'fleet',
  title: 'Fleet: registry and metrics cost per call, control latency across instances (@voxwire/fleet)',
  async run() {
    const redis = await RedisProcess.start();
    const fleet = await createFleet({
      redis: redis.url,
      instanceId: 'a',
      keyPrefix: PREFIX,
      heartbeatMs: 1000,
    });
    fleet.on('error', () => {});
    try {
      const off: number[] = [];
      const on: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate, starting with a different mode each round: the machine's speed drifts over seconds.
        const order = r % 2 === 0 ? [false, true] : [true, false];
        for (const withFleet of order)
          (withFleet ? on : off).push(await cpuPerCall(withFleet ? fleet : undefined));
      }
      const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
      const ratios = on.map((v, i) => v / off[i]);
      const cpuRows = [
        [
          'bridge alone',
          CALLS,
          median(off).toFixed(3),
          off.map((v) => v.toFixed(3)).join(', '),
          '1.00×',
          Math.floor(100 / median(off)),
        ],
        [
          'bridge + fleet (registry on Redis, metrics)',
          CALLS,
          median(on).toFixed(3),
          on.map((v) => v.toFixed(3)).join(', '),
          `${median(ratios).toFixed(3)}× (rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
          Math.floor(100 / median(on)),
        ],
      ];
      const bookkeeping = (await bookkeepingPerCall(redis.url)) / BOOKKEEPING_CALLS;
      const latencyRows = await controlLatency(redis.url, fleet);
      const load = loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ');
      return [
        table(
          [
            'server',
            'calls',
            'CPU % of a core per call (median)',
            'per round',
            'vs bridge alone',
            'calls per core (est.)',
          ],
          cpuRows,
        ),
        '',
        `Each call: a bridged Twilio call (\`bridgeCall(twilioCallSession(call), realtimeClient)\`, quality monitor on)`,
        `whose simulated caller sends a 20 ms mu-law frame every 20 ms and whose model stand-in echoes the audio`,
        `back (the Twilio suite's \`bridge\` row, simulators and model in another process). With the fleet, each`,
        `call is also a \`BridgeFleetCall\` registered in a \`Fleet\` on a local redis-server (entry rewritten every`,
        `1 s instead of the default 3 s), frames are counted to Prometheus every second and \`/metrics\` is`,
        `rendered every second (Prometheus scrapes every 15–60 s). ${ROUNDS} rounds per mode, alternating; CPU is`,
        `this process's user+system time over the simulators' 3 s window. redis-server's own CPU is not counted`,
        `(a handful of SETs per second for ${CALLS} calls). Target: the fleet adds < 5 % to a call's CPU. On this`,
        `shared machine the two rows differ by less than the drift between rounds (the per-round ratios), so the`,
        `end-to-end comparison only bounds the cost; the measurement of the fleet's own work below resolves it.`,
        '',
        `The fleet's own work measured alone (${BOOKKEEPING_CALLS} registered calls, no audio: entries rewritten to Redis`,
        `every second, frame counts flushed to Prometheus every second, \`/metrics\` rendered every second, minus`,
        `the idle process over ${BOOKKEEPING_MS / 1000} s): ${bookkeeping.toFixed(4)} % of a core per call, that is`,
        `${((bookkeeping / median(off)) * 100).toFixed(2)} % of a bridged call's CPU above. Per frame a \`BridgeFleetCall\``,
        `adds one integer increment (a listener on the call's and the model's \`audio\` events).`,
        '',
        table(['control request', 'p50 ms', 'p99 ms', 'p50 vs bare pub/sub'], latencyRows),
        '',
        `${REQUESTS} requests each, one at a time, after 50 of warm-up; instance b (${CALLS} calls) is another`,
        `process on the same machine and Redis is on loopback. A request for a call on another instance is a`,
        `GET of its registry entry, a PUBLISH to the owner and the owner's PUBLISH back: about one PING plus one`,
        `bare pub/sub round trip, which the peers show.`,
        `Load average when the run ended: ${load} (1/5/15 min) on this shared 2-core machine (other sessions`,
        `running); compare rows of one run, not absolute values.`,
      ].join('\n');
    } finally {
      await fleet.close();
      await redis.down();
    }
  },
};
export default suite;
