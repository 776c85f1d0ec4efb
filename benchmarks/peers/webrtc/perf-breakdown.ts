// Where an echo server's CPU goes, from Linux perf samples of the whole process (`VOXWIRE_WEBRTC_BENCH_PERF=<dir>`):
// `node --import tsx perf-breakdown.ts <dir>/<stack>-<n>-<time>.data…` prints one markdown table, a column per
// file, in µs of CPU per echoed 20 ms frame (the measured window's frames, from the `.json` beside it).
// Unlike V8's profiler, perf sees every thread and native code: libopus inside @discordjs/opus, Node's crypto
// and UDP bindings, the kernel, V8's helper threads and libdatachannel's own threads. Each main-thread sample is
// charged to the first rule below that matches its stack (a libopus call made from JS is Opus, a `createHmac`
// made by werift is SRTP crypto); what no rule takes goes to the first JavaScript frame from the leaf.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Sample {
  main: boolean;
  thread: string;
  /** Frames, leaf first. */
  stack: string[];
}

interface Window {
  stack: string;
  /** The server's pid: its JIT symbols are in /tmp/perf-<pid>.map. */
  pid: number;
  connections: number;
  hz: number;
  framesIn: number;
  framesOut: number;
}

const any = (stack: string[], re: RegExp) => stack.some((f) => re.test(f));
const leaf = (stack: string[], re: RegExp) => stack.length > 0 && re.test(stack[0]);

/** Main-thread rules, first match wins. */
const MAIN_RULES: [string, (stack: string[]) => boolean][] = [
  // @discordjs/opus: every libopus call is under its binding's Encode/Decode.
  ['Opus: libopus native (@discordjs/opus)', (s) => any(s, /^OpusEncoder::/)],
  ['Opus: libopus WASM (opusscript)', (s) => any(s, /wasm|opusscript/i)],
  [
    'UDP send (dgram binding, sendmsg, kernel)',
    (s) => any(s, /UDPWrap::(Do)?Send|__libc_sendmsg|uv__udp_sendmsg/),
  ],
  [
    'UDP receive (recvmsg, kernel, binding)',
    (s) => any(s, /recvmsg|UDPWrap::OnAlloc/) || leaf(s, /UDPWrap::OnRecv/),
  ],
  ['SRTP crypto (Node: HMAC-SHA1, AES)', (s) => any(s, /Hmac|HMAC|CipherBase|EVP_|aesni|sha1_block/)],
  ['GC on the main thread', (s) => any(s.slice(0, 12), /Scavenge|Heap::|MarkCompact|Sweeper|Marking/)],
];

/** The first JavaScript frame from the leaf: whose code the remaining time is spent for. */
function jsOwner(stack: string[]): string | undefined {
  const js = stack.find((f) => f.startsWith('JS:'));
  if (!js) return undefined;
  if (/packages\/(webrtc|codecs|core)\/|@voxwire/.test(js)) return 'our layer JS (@voxwire/webrtc + codecs)';
  if (/werift/.test(js)) return 'werift JS (RTP, RTCP, SRTP framing, ICE, DTLS)';
  if (/node-datachannel/.test(js)) return 'node-datachannel JS binding';
  if (/node:/.test(js)) return 'Node internals JS (timers, dgram, events)';
  return 'other JS (the echo server itself)';
}

function classify(s: Sample): string {
  if (!s.main) {
    if (/^V8|^node$/.test(s.thread)) return 'other threads: V8 (GC, compiler) and Node helpers';
    return `other threads: ${s.thread}`;
  }
  for (const [name, rule] of MAIN_RULES) if (rule(s.stack)) return name;
  const owner = jsOwner(s.stack);
  if (owner) return owner;
  if (leaf(s.stack, /malloc|free|_int_|unlink_chunk|consolidate/)) return 'malloc / free (no JS frame)';
  return 'V8 / Node runtime, event loop (no JS frame)';
}

/**
 * Node's `--perf-basic-prof` appends a line per compiled function to /tmp/perf-<pid>.map and never removes one,
 * but V8 frees code and reuses its addresses, and perf then names a sample after the first function ever
 * mapped there (module-loading code from start-up showed up as 66 % of a steady echo). Rewritten so that a
 * later mapping replaces every earlier one it overlaps: the code live in a steady-state window is the latest.
 */
function keepLatestJitSymbols(pid: number): void {
  const file = `/tmp/perf-${pid}.map`;
  if (!existsSync(file)) return;
  const live: { start: bigint; end: bigint; line: string }[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) /.exec(line);
    if (!m) continue;
    const start = BigInt(`0x${m[1]}`);
    const end = start + BigInt(`0x${m[2]}`);
    // live is sorted by start and free of overlaps: drop the neighbours this mapping overlaps, then insert it.
    let lo = 0;
    let hi = live.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (live[mid].start < start) lo = mid + 1;
      else hi = mid;
    }
    let from = lo;
    while (from > 0 && live[from - 1].end > start) from--;
    let to = lo;
    while (to < live.length && live[to].start < end) to++;
    live.splice(from, to - from, { start, end, line });
  }
  writeFileSync(file, `${live.map((e) => e.line).join('\n')}\n`);
}

/** `perf script` of one file, parsed into samples. */
function readSamples(file: string): Sample[] {
  const text = execFileSync('perf', ['script', '-i', file, '-F', 'comm,pid,tid,ip,sym'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const samples: Sample[] = [];
  let current: Sample | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current) samples.push(current);
      current = undefined;
    } else if (!/^\s/.test(line)) {
      // "<comm> <pid>/<tid>": the comm may contain spaces ("RTC worker").
      const m = /^(.*?)\s+(\d+)\/(\d+)\s*$/.exec(line);
      current = { main: m?.[2] === m?.[3], thread: (m?.[1] ?? '').trim(), stack: [] };
    } else if (current) {
      current.stack.push(line.trim().replace(/^[0-9a-f]+\s+/, ''));
    }
  }
  if (current) samples.push(current);
  return samples;
}

/** µs per echoed frame of each category in one window. */
export function breakdown(file: string): { window: Window; rows: Map<string, number>; total: number } {
  const window = JSON.parse(readFileSync(file.replace(/\.data$/, '.json'), 'utf8')) as Window;
  const frames = Math.max(1, (window.framesIn + window.framesOut) / 2);
  const usPerSample = 1e6 / window.hz / frames;
  const rows = new Map<string, number>();
  keepLatestJitSymbols(window.pid);
  const samples = readSamples(file);
  for (const s of samples) {
    const k = classify(s);
    rows.set(k, (rows.get(k) ?? 0) + usPerSample);
  }
  return { window, rows, total: samples.length * usPerSample };
}

function main(files: string[]): void {
  const results = files.map(breakdown);
  const names = [...new Set(results.flatMap((r) => [...r.rows.keys()]))];
  const total = (name: string) => results.reduce((sum, r) => sum + (r.rows.get(name) ?? 0), 0);
  names.sort((a, b) => total(b) - total(a));
  const head = results.map((r) => `${r.window.stack}, ${r.window.connections}`);
  const fmt = (v: number | undefined) => (v === undefined ? '' : v.toFixed(1));
  console.log(`| µs of server CPU per echoed frame | ${head.join(' | ')} |`);
  console.log(`|---|${head.map(() => '---').join('|')}|`);
  for (const name of names)
    console.log(`| ${name} | ${results.map((r) => fmt(r.rows.get(name))).join(' | ')} |`);
  console.log(`| **all** | ${results.map((r) => `**${fmt(r.total)}**`).join(' | ')} |`);
  console.error(`files: ${files.map((f) => basename(f)).join(', ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
