import { type BackendName, getDefaultDevice, listDevices } from '@voxwire/wasapi';
import { NoDeviceError } from './errors.js';

/** An input device, numbered like the design's PyAudio device index. */
export interface AudioDeviceInfo {
  /** Position in this list: pass it as `deviceIndex`. */
  index: number;
  /** Backend id (PulseAudio source name, `null:…`): pass it as `deviceId`; stabler than the index. */
  id: string;
  name: string;
  isDefault: boolean;
  /** Records what an output plays (PulseAudio monitor). */
  isMonitor: boolean;
  /** Native rate and channels (0 when unknown). */
  sampleRate: number;
  channels: number;
  backend: BackendName;
}

/**
 * Input devices of a backend (default: `VOXWIRE_AUDIO_BACKEND`, else the first real one), numbered.
 * @throws AudioDeviceError `BACKEND_UNAVAILABLE` (from @voxwire/wasapi) when no backend can be used
 */
export function listAudioDevices(options: { backend?: BackendName } = {}): AudioDeviceInfo[] {
  return listDevices(options)
    .filter((d) => d.kind === 'input')
    .map((d, index) => ({
      index,
      id: d.id,
      name: d.name,
      isDefault: d.isDefault,
      isMonitor: d.isMonitor,
      sampleRate: d.sampleRate,
      channels: d.channels,
      backend: d.backend,
    }));
}

/**
 * The device `initialize` opens: `deviceId`, else `deviceIndex`, else the default input.
 * @throws NoDeviceError when there is none, with what is available
 */
export function resolveInputDevice(
  backend: BackendName | undefined,
  deviceIndex: number | null,
  deviceId: string | undefined,
): AudioDeviceInfo {
  let devices: AudioDeviceInfo[];
  try {
    devices = listAudioDevices({ backend });
  } catch (err) {
    throw new NoDeviceError(`no audio input: ${(err as Error).message}`, { cause: err });
  }
  const names = devices.map((d) => `[${d.index}] ${d.id}`).join(', ') || 'none';
  if (deviceId !== undefined) {
    const found = devices.find((d) => d.id === deviceId);
    if (!found) throw new NoDeviceError(`no input device "${deviceId}" (inputs: ${names})`);
    return found;
  }
  if (deviceIndex !== null) {
    const found = devices[deviceIndex];
    if (!found) throw new NoDeviceError(`no input device with index ${deviceIndex} (inputs: ${names})`);
    return found;
  }
  const def = devices.find((d) => d.isDefault);
  if (def) return def;
  // A server without a default source: fall back to the backend's own answer, then the first input.
  const other = getDefaultDevice('input', { backend }) ?? null;
  const first = devices.find((d) => d.id === other?.id) ?? devices[0];
  if (!first) throw new NoDeviceError(`the ${backend ?? 'default'} audio backend has no input device`);
  return first;
}
