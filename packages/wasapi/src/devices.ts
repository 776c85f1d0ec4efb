import { EventEmitter } from 'node:events';
import { BackendUnavailableError, InvalidArgumentError, native } from './errors.js';
import { loadBinding, type NativeDeviceWatch } from './native.js';
import type { AudioDevice, BackendName, DeviceKind } from './types.js';

const BACKENDS: readonly BackendName[] = ['wasapi', 'pulse', 'alsa', 'null'];

/** A backend compiled into the addon and whether it can be used here. */
export interface BackendInfo {
  name: BackendName;
  available: boolean;
  /** Why not, when unavailable (e.g. "libpulse.so.0 could not be loaded: …", "no PulseAudio server at …"). */
  reason?: string;
}

/** Backends compiled into this build, in order of preference, with their availability. */
export function listBackends(): BackendInfo[] {
  return loadBinding().backends() as BackendInfo[];
}

/**
 * The backend a stream uses when none is given: `VOXWIRE_AUDIO_BACKEND`, else the first available
 * real backend. The null backend is never picked silently (a microphone that records silence would
 * hide the problem); ask for it with `backend: 'null'`.
 * @throws BackendUnavailableError naming each backend and why it is unavailable
 */
export function resolveBackend(requested?: BackendName): BackendName {
  const wanted = requested ?? (process.env.VOXWIRE_AUDIO_BACKEND as BackendName | undefined);
  if (wanted !== undefined) {
    if (!BACKENDS.includes(wanted)) {
      throw new InvalidArgumentError(
        `unknown backend "${String(wanted)}"; use one of ${BACKENDS.join(', ')}`,
      );
    }
    return wanted;
  }
  const all = listBackends();
  const real = all.find((b) => b.available && b.name !== 'null');
  if (real) return real.name;
  const why = all
    .filter((b) => b.name !== 'null')
    .map((b) => `${b.name}: ${b.reason ?? 'unavailable'}`)
    .join('; ');
  throw new BackendUnavailableError(
    `no audio backend is available (${why || 'none compiled in'}); pass backend: 'null' (or set VOXWIRE_AUDIO_BACKEND=null) for a virtual device`,
  );
}

/** Options of {@link listDevices} and {@link getDefaultDevice}. */
export interface DeviceQueryOptions {
  backend?: BackendName;
}

/**
 * Lists the audio devices of a backend.
 * @throws BackendUnavailableError when the backend's library or server is missing
 */
export function listDevices(options: DeviceQueryOptions = {}): AudioDevice[] {
  const backend = resolveBackend(options.backend);
  return native(() => loadBinding().listDevices(backend)) as AudioDevice[];
}

/** The backend's default device of `kind`, or null when it has none. */
export function getDefaultDevice(kind: DeviceKind, options: DeviceQueryOptions = {}): AudioDevice | null {
  if (kind !== 'input' && kind !== 'output') {
    throw new InvalidArgumentError(`kind must be "input" or "output", got ${String(kind)}`);
  }
  return listDevices(options).find((d) => d.kind === kind && d.isDefault) ?? null;
}

/** Payload of the `devicechange` event. */
export interface DeviceChangeEvent {
  backend: BackendName;
  devices: AudioDevice[];
  defaultInput: AudioDevice | null;
  defaultOutput: AudioDevice | null;
}

const emitter = new EventEmitter();
let watch: { backend: BackendName; handle: NativeDeviceWatch } | undefined;
let lastSignature = '';

function signature(devices: AudioDevice[]): string {
  return devices.map((d) => `${d.kind}|${d.id}|${d.isDefault ? 1 : 0}`).join('\n');
}

function onNativeChange(backend: BackendName): void {
  let devices: AudioDevice[];
  try {
    devices = listDevices({ backend });
  } catch (err) {
    emitter.emit('error', err);
    return;
  }
  // Servers report many events per change (a sink and its monitor, a card); emit one per real change.
  const sig = signature(devices);
  if (sig === lastSignature) return;
  lastSignature = sig;
  const event: DeviceChangeEvent = {
    backend,
    devices,
    defaultInput: devices.find((d) => d.kind === 'input' && d.isDefault) ?? null,
    defaultOutput: devices.find((d) => d.kind === 'output' && d.isDefault) ?? null,
  };
  emitter.emit('devicechange', event);
}

function startWatch(backend: BackendName): void {
  if (watch) return;
  lastSignature = signature(listDevices({ backend }));
  const handle = native(() => new (loadBinding().DeviceWatch)(backend, () => onNativeChange(backend)));
  watch = { backend, handle };
}

function stopWatchIfUnused(): void {
  if (watch && emitter.listenerCount('devicechange') === 0) {
    watch.handle.close();
    watch = undefined;
  }
}

/**
 * Subscribes to device changes (added, removed, new default) of the default backend (or
 * `options.backend` on the first subscription). The watch does not keep the process alive.
 * @throws BackendUnavailableError when the backend cannot be watched
 */
export function on(
  event: 'devicechange',
  listener: (change: DeviceChangeEvent) => void,
  options: DeviceQueryOptions = {},
): void {
  if (event !== 'devicechange') throw new InvalidArgumentError(`unknown event "${String(event)}"`);
  startWatch(resolveBackend(options.backend));
  emitter.on('devicechange', listener);
}

/** Removes a `devicechange` listener; the native watch stops with the last one. */
export function off(event: 'devicechange', listener: (change: DeviceChangeEvent) => void): void {
  emitter.off(event, listener);
  stopWatchIfUnused();
}
