// Finds and loads the compiled addon: first the per-platform package (napi-rs layout,
// @voxwire/wasapi-<platform>-<arch>[-<abi>]), then a local build (build/Release), then explains every
// failure in one NativeLoadError instead of a bare "Cannot find module".
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeLoadError } from './errors.js';

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
  playedFrames: number;
  deviceLatencyNs: number;
  lastPeriodNs: number;
  backend: string;
  deviceId: string;
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

let cached: NativeBinding | undefined;

/** Where the addon may be: a file path or a package name. */
export interface BindingCandidate {
  candidate: string;
  isPath: boolean;
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
 * @throws NativeLoadError listing every attempt and how to fix it
 */
export function loadBinding(): NativeBinding {
  if (!cached) cached = loadBindingFrom(bindingCandidates());
  return cached;
}

/** Tries each candidate in turn. @throws NativeLoadError listing every attempt and how to fix it */
export function loadBindingFrom(candidates: readonly BindingCandidate[]): NativeBinding {
  const require = createRequire(import.meta.url);
  const attempts: string[] = [];
  for (const { candidate, isPath } of candidates) {
    if (isPath && !existsSync(candidate)) {
      attempts.push(`${candidate}: not found`);
      continue;
    }
    try {
      return require(candidate) as NativeBinding;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      attempts.push(
        `${candidate}: ${e.code === 'MODULE_NOT_FOUND' && !isPath ? 'package not installed' : e.message}`,
      );
    }
  }
  throw new NativeLoadError(
    [
      `could not load the @voxwire/wasapi native addon for ${platformSuffix()} (Node ${process.versions.node}, N-API ${process.versions.napi}). Tried:`,
      ...attempts.map((a) => `  - ${a}`),
      `Fix: install @voxwire/wasapi-${platformSuffix()} if it is published for your platform, or build from source with`,
      '  `pnpm --filter @voxwire/wasapi build` (needs CMake and a C++17 compiler: sudo apt-get install -y cmake g++).',
    ].join('\n'),
  );
}
