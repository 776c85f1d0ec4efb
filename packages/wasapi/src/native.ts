// Finds and loads the compiled addon: first the per-platform package (napi-rs layout,
// @voxwire/wasapi-<platform>-<arch>[-<abi>]), then a local build (build/Release), then explains every
// failure in one AudioDeviceError (NATIVE_LOAD_FAILED) instead of a bare "Cannot find module".
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AudioDeviceError } from './errors.js';

/** Device description as the addon returns it. */
export interface NativeDevice {
  id: string;
  name: string;
  kind: 'input' | 'output';
  isDefault: boolean;
  isMonitor: boolean;
  sampleRate: number;
  channels: number;
  backend: string;
}

/** Counters the addon keeps per stream (numbers, from 64-bit counters). */
export interface NativeStats {
  frames: number;
  periods: number;
  xruns: number;
  deviceXruns: number;
  droppedFrames: number;
  silenceFrames: number;
  clearedFrames?: number;
  playedFrames: number;
  deviceLatencyNs: number;
  lastPeriodNs: number;
  backend: string;
  deviceId: string;
  route?: string;
  notify: 'uv' | 'tsfn' | 'tsfn-per-buffer' | 'closed';
}

/** Options the addon's NativeStream constructor takes. */
export interface NativeStreamOptions {
  direction: 'capture' | 'playback';
  backend: string;
  deviceId?: string;
  sampleRate: number;
  channels: number;
  format: 's16' | 'f32';
  periodFrames: number;
  mode: 'shared' | 'exclusive';
  loopback: boolean;
  notify?: 'uv' | 'tsfn' | 'tsfn-per-buffer';
}

/** One open device stream in the addon. */
export interface NativeStream {
  start(): void;
  stop(): void;
  close(): void;
  stats(): NativeStats;
  requestWake(): void;
  /** Playback: the audio thread drops what was written so far at its next period. */
  requestClear(): void;
  setRef(keepAlive: boolean, running: boolean): void;
  /** The message of a device/server failure, once one happened. */
  failure(): string | undefined;
}

/** A device-change subscription in the addon. */
export interface NativeDeviceWatch {
  close(): void;
}

/** The addon's exports. */
export interface NativeBinding {
  NativeStream: new (
    options: NativeStreamOptions,
    ring: Uint8Array,
    onWake: (deliveryNs: number) => void,
  ) => NativeStream;
  DeviceWatch: new (backend: string, onChange: (deliveryNs: number) => void) => NativeDeviceWatch;
  backends(): { name: string; available: boolean; reason?: string }[];
  listDevices(backend: string): NativeDevice[];
  nowNs(): number;
  uvWake: boolean;
}

const BINARY = 'voxwire_wasapi.node';

/** The napi-rs platform suffix for this process, e.g. `linux-x64-gnu`, `win32-x64-msvc`. */
export function platformSuffix(): string {
  const { platform, arch } = process;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  if (platform === 'darwin') return `darwin-${arch}`;
  if (platform === 'linux') {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    const libc = report?.header?.glibcVersionRuntime ? 'gnu' : 'musl';
    if (arch === 'arm') return `linux-arm-${libc}eabihf`;
    return `linux-${arch}-${libc}`;
  }
  return `${platform}-${arch}`;
}

function packageRoot(): string {
  // src/native.ts and dist/index.js both sit one directory below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

/** What the loader's advice needs from this package's package.json. */
interface OwnManifest {
  optionalDependencies?: Record<string, string>;
  engines?: { node?: string };
}

function ownManifest(): OwnManifest {
  try {
    return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as OwnManifest;
  } catch {
    return {};
  }
}

/** How to get a working addon: the prebuilt package when there is one for `suffix`, else the source build. */
function fixLines(suffix: string): string[] {
  const manifest = ownManifest();
  // The platforms published with a prebuilt binary are this package's optional dependencies.
  const prebuilt = Object.keys(manifest.optionalDependencies ?? {}).map((n) =>
    n.replace('@voxwire/wasapi-', ''),
  );
  const build =
    'compile the addon on this machine from the installed sources: `npx voxwire-wasapi-build` (needs a C++17 compiler: sudo apt-get install -y g++)';
  if (!prebuilt.includes(suffix))
    return [
      `Fix: no prebuilt binary is published for ${suffix} (only ${prebuilt.join(', ')}):`,
      `  ${build}.`,
    ];
  const lines = [
    `Fix: install again without --omit=optional / --no-optional so that npm adds @voxwire/wasapi-${suffix}, or`,
    `  ${build}.`,
  ];
  // npm skips an optional dependency whose engines do not match without a word.
  const min = Number(/>=\s*(\d+)/.exec(manifest.engines?.node ?? '')?.[1] ?? 0);
  if (Number(process.versions.node.split('.')[0]) < min)
    lines.push(
      `  Note: npm skips @voxwire/wasapi-${suffix} on Node ${process.versions.node}: it needs Node ${manifest.engines?.node}.`,
    );
  return lines;
}

let cached: NativeBinding | undefined;
let report: BindingReport | undefined;

/** Where the addon may be: a file path or a package name. */
export interface BindingCandidate {
  candidate: string;
  isPath: boolean;
}

/** Where the addon was loaded from, and why the places tried before it were skipped. */
export interface BindingReport {
  /** The file that was loaded. */
  loadedFrom: string;
  /** One line per candidate tried before it: `<candidate>: <why it was skipped>`. */
  skipped: string[];
}

/** The places {@link loadBinding} tries, in order. */
export function bindingCandidates(): BindingCandidate[] {
  const candidates: BindingCandidate[] = [];
  const override = process.env.VOXWIRE_WASAPI_BINARY;
  if (override) candidates.push({ candidate: override, isPath: true });
  candidates.push({ candidate: `@voxwire/wasapi-${platformSuffix()}`, isPath: false });
  candidates.push({ candidate: join(packageRoot(), 'build', 'Release', BINARY), isPath: true });
  return candidates;
}

/**
 * Loads the addon once per thread (workers load their own instance).
 * Order: `VOXWIRE_WASAPI_BINARY` (a path), `@voxwire/wasapi-<platform>`, `build/Release` of this package.
 * @throws AudioDeviceError `NATIVE_LOAD_FAILED` listing every attempt and how to fix it
 */
export function loadBinding(): NativeBinding {
  if (!cached) cached = loadBindingFrom(bindingCandidates());
  return cached;
}

/**
 * Where the addon was loaded from and why earlier candidates were skipped (e.g. the platform package
 * not installed, so the local build was used); undefined before the first load.
 */
export function bindingReport(): BindingReport | undefined {
  return report ? { loadedFrom: report.loadedFrom, skipped: [...report.skipped] } : undefined;
}

/** Why one candidate could not be loaded; `undefined` when it loaded (the binding is then in `out`). */
function tryCandidate(
  require: NodeJS.Require,
  { candidate, isPath }: BindingCandidate,
  out: { binding?: NativeBinding; file?: string },
): string | undefined {
  let file = candidate;
  if (isPath) {
    if (!existsSync(candidate)) return 'not found';
  } else {
    // A platform package: tell "not installed" from "installed without its binary" from "does not load".
    let manifest: string;
    try {
      manifest = require.resolve(`${candidate}/package.json`);
    } catch {
      return 'package not installed (optional dependency skipped, or not published for this platform)';
    }
    const main = (JSON.parse(readFileSync(manifest, 'utf8')) as { main?: string }).main ?? `${BINARY}`;
    file = join(dirname(manifest), main);
    if (!existsSync(file))
      return `package installed at ${dirname(manifest)} but its binary ${main} is missing`;
  }
  try {
    out.binding = require(file) as NativeBinding;
    out.file = file;
    return undefined;
  } catch (err) {
    return `${(err as Error).message.split('\n')[0]}`;
  }
}

/** Tries each candidate in turn. @throws AudioDeviceError `NATIVE_LOAD_FAILED` listing every attempt and how to fix it */
export function loadBindingFrom(candidates: readonly BindingCandidate[]): NativeBinding {
  const require = createRequire(import.meta.url);
  const attempts: string[] = [];
  for (const c of candidates) {
    const out: { binding?: NativeBinding; file?: string } = {};
    const why = tryCandidate(require, c, out);
    if (why === undefined && out.binding) {
      report = { loadedFrom: out.file ?? c.candidate, skipped: attempts };
      return out.binding;
    }
    attempts.push(`${c.candidate}: ${why}`);
  }
  throw new AudioDeviceError(
    'NATIVE_LOAD_FAILED',
    [
      `could not load the @voxwire/wasapi native addon for ${platformSuffix()} (Node ${process.versions.node}, N-API ${process.versions.napi}). Tried:`,
      ...attempts.map((a) => `  - ${a}`),
      ...fixLines(platformSuffix()),
    ].join('\n'),
  );
}
