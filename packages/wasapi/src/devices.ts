import { AudioDeviceError, native } from './errors.js';
import { loadBinding } from './native.js';
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
 * @throws AudioDeviceError `BACKEND_UNAVAILABLE` naming each backend and why it is unavailable
 */
export function resolveBackend(requested?: BackendName): BackendName {
  const wanted = requested ?? (process.env.VOXWIRE_AUDIO_BACKEND as BackendName | undefined);
  if (wanted !== undefined) {
    if (!BACKENDS.includes(wanted)) {
      throw new AudioDeviceError(
        'INVALID_ARGUMENT',
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
  throw new AudioDeviceError(
    'BACKEND_UNAVAILABLE',
    `no audio backend is available (${why || 'none compiled in'}); pass backend: 'null' (or set VOXWIRE_AUDIO_BACKEND=null) for a virtual device`,
  );
}

/** Options of {@link listDevices} and {@link getDefaultDevice}. */
export interface DeviceQueryOptions {
  backend?: BackendName;
}

/**
 * Lists the audio devices of a backend.
 * @throws AudioDeviceError `BACKEND_UNAVAILABLE` when the backend's library or server is missing
 */
export function listDevices(options: DeviceQueryOptions = {}): AudioDevice[] {
  const backend = resolveBackend(options.backend);
  return native(() => loadBinding().listDevices(backend)) as AudioDevice[];
}

/** The backend's default device of `kind`, or null when it has none. */
export function getDefaultDevice(kind: DeviceKind, options: DeviceQueryOptions = {}): AudioDevice | null {
  if (kind !== 'input' && kind !== 'output') {
    throw new AudioDeviceError('INVALID_ARGUMENT', `kind must be "input" or "output", got ${String(kind)}`);
  }
  return listDevices(options).find((d) => d.kind === kind && d.isDefault) ?? null;
}
