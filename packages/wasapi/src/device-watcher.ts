import { EventEmitter } from 'node:events';
import { type AsyncCloseable, emitError } from '@voxwire/core';
import { type DeviceQueryOptions, listDevices, resolveBackend } from './devices.js';
import { type AudioDeviceError, fromNative, native } from './errors.js';
import { loadBinding, type NativeDeviceWatch } from './native.js';
import type { AudioDevice, BackendName } from './types.js';

/** Payload of the `devicechange` event. */
export interface DeviceChangeEvent {
  backend: BackendName;
  devices: AudioDevice[];
  defaultInput: AudioDevice | null;
  defaultOutput: AudioDevice | null;
}

/** Events of {@link DeviceWatcher}. */
export interface DeviceWatcherEvents {
  /** A device was added or removed, or the default changed (one event per real change). */
  devicechange: [change: DeviceChangeEvent];
  /** Listing the devices after a change failed. */
  error: [error: AudioDeviceError];
}

function signature(devices: AudioDevice[]): string {
  return devices.map((d) => `${d.kind}|${d.id}|${d.isDefault ? 1 : 0}`).join('\n');
}

/**
 * Watches a backend's devices (added, removed, new default) and emits `devicechange`. The watch does not
 * keep the process alive; `close()` ends it. The `alsa` backend never reports changes.
 */
export class DeviceWatcher extends EventEmitter<DeviceWatcherEvents> implements AsyncCloseable {
  /** The backend watched. */
  readonly backend: BackendName;
  private handle: NativeDeviceWatch | undefined;
  private lastSignature: string;

  /**
   * Starts watching the default backend (or `options.backend`).
   * @throws AudioDeviceError `BACKEND_UNAVAILABLE` when the backend cannot be watched
   */
  constructor(options: DeviceQueryOptions = {}) {
    super();
    this.backend = resolveBackend(options.backend);
    this.lastSignature = signature(listDevices({ backend: this.backend }));
    this.handle = native(() => new (loadBinding().DeviceWatch)(this.backend, () => this.onNativeChange()));
  }

  /** Stops watching. Idempotent. */
  async close(): Promise<void> {
    this.handle?.close();
    this.handle = undefined;
  }

  /** `await using watcher = new DeviceWatcher()` stops it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private onNativeChange(): void {
    if (!this.handle) return;
    let devices: AudioDevice[];
    try {
      devices = listDevices({ backend: this.backend });
    } catch (err) {
      emitError(this, fromNative(err));
      return;
    }
    // Servers report many events per change (a sink and its monitor, a card); emit one per real change.
    const sig = signature(devices);
    if (sig === this.lastSignature) return;
    this.lastSignature = sig;
    this.emit('devicechange', {
      backend: this.backend,
      devices,
      defaultInput: devices.find((d) => d.kind === 'input' && d.isDefault) ?? null,
      defaultOutput: devices.find((d) => d.kind === 'output' && d.isDefault) ?? null,
    });
  }
}
