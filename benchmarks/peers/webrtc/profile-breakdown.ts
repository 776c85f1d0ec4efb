// Where an echo server's CPU goes, from V8 CPU profiles of the server child's measured windows
// (`VOXWIRE_WEBRTC_BENCH_CPU_PROF=<dir>`):
// `node --import tsx profile-breakdown.ts <file.cpuprofile>` prints a markdown table. Each sample is charged
// to the first frame, walking from the sampled function towards the root, that one of the rules below
// recognises (so Node's Buffer code called by werift counts as werift, a crypto call as SRTP).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const SRTP_FUNCTIONS = new Set([
  'encryptRtp',
  'decryptRtp',
  'encryptRTCP',
  'decryptRTCP',
  'generateSrtpAuthTag',
  'generateSrtcpAuthTag',
]);

const RULES: [string, (f: ProfileNode['callFrame']) => boolean][] = [
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
  [
    'Opus (opusscript WASM, or @discordjs/opus native, + binding)',
    (f) =>
      f.url.includes('opusscript') ||
      f.url.startsWith('wasm') ||
      f.url.includes('@discordjs') ||
      // @discordjs/opus' native encode/decode show as its class name, with no script URL.
      (f.functionName === 'OpusEncoder' && f.url === ''),
  ],
  [
    'SRTP (Node crypto + werift cipher code)',
    (f) => f.url.includes('internal/crypto') || SRTP_FUNCTIONS.has(f.functionName),
  ],
  ['UDP send/receive (dgram)', (f) => f.url.includes('dgram') || f.functionName === 'onMessage'],
  ['werift JS (RTP, RTCP, ICE, DTLS, sender/receiver)', (f) => f.url.includes('werift')],
  ['our layer (@voxwire/webrtc + codecs)', (f) => f.url.includes('/packages/') || f.url.includes('@voxwire')],
  ['other (program, timers, Node internals)', (f) => f.functionName === '(program)'],
];

/** Percent of non-idle samples per category. */
export function breakdown(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string>();
  const classify = (id: number): string => {
    const known = memo.get(id);
    if (known) return known;
    const node = byId.get(id);
    let cat: string | undefined;
    if (node) cat = RULES.find(([, test]) => test(node.callFrame))?.[0];
    if (!cat) {
      const p = parent.get(id);
      cat = p === undefined ? 'other (program, timers, Node internals)' : classify(p);
    }
    memo.set(id, cat);
    return cat;
  };
  const counts = new Map<string, number>();
  for (const s of profile.samples) {
    const c = classify(s);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const busy = profile.samples.length - (counts.get('idle') ?? 0);
  counts.delete('idle');
  return new Map([...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, (100 * v) / busy]));
}

// CLI: `<file.cpuprofile>[=<server CPU µs per frame measured in that window>]` ...; with the measured CPU,
// each share is also shown as µs per frame. (Profile ticks are wall time: on a loaded machine they include
// time the process was not running, so only the shares are read from the profile.)
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const arg of process.argv.slice(2)) {
    const [file, cpu] = arg.split('=');
    const perFrame = Number(cpu ?? 0);
    console.log(`\n${file}${perFrame ? `: ${perFrame} µs of server CPU per frame in that window` : ''}\n`);
    console.log(`| where | % of the main thread's busy samples |${perFrame ? ' ≈ µs per frame |' : ''}`);
    console.log(`|---|---|${perFrame ? '---|' : ''}`);
    for (const [k, v] of breakdown(JSON.parse(readFileSync(file, 'utf8')) as Profile))
      console.log(`| ${k} | ${v.toFixed(1)} % |${perFrame ? ` ${((v / 100) * perFrame).toFixed(0)} |` : ''}`);
  }
}
