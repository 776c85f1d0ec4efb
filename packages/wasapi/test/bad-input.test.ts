import { describe, expect, it } from 'vitest';
import {
  AudioCapture,
  AudioCore,
  AudioDeviceError,
  AudioPlayback,
  getDefaultDevice,
  VoxwireError,
} from '../src/index.js';
import { loadBindingFrom } from '../src/native.js';
import { coded, pcm } from './expect-audio.js';

describe('bad input gets typed errors', () => {
  it('unknown device id', () => {
    expect(() => new AudioCapture({ backend: 'null', deviceId: 'null:nope' })).toThrow(
      coded('UNKNOWN_DEVICE'),
    );
    // an output is not an input
    expect(() => new AudioCapture({ backend: 'null', deviceId: 'null:output' })).toThrow(
      coded('UNKNOWN_DEVICE'),
    );
    expect(() => new AudioPlayback({ backend: 'null', deviceId: 'null:silence' })).toThrow(
      coded('UNKNOWN_DEVICE'),
    );
  });

  it('unsupported rate, channels and format', () => {
    expect(() => new AudioCapture({ backend: 'null', sampleRate: 1000 })).toThrow(
      coded('UNSUPPORTED_FORMAT'),
    );
    expect(() => new AudioCapture({ backend: 'null', sampleRate: 44100.5 })).toThrow(
      coded('UNSUPPORTED_FORMAT'),
    );
    expect(() => new AudioCapture({ backend: 'null', sampleRate: 0 })).toThrow(coded('UNSUPPORTED_FORMAT'));
    expect(() => new AudioCapture({ backend: 'null', channels: 0 })).toThrow(coded('UNSUPPORTED_FORMAT'));
    expect(() => new AudioCapture({ backend: 'null', channels: 12 })).toThrow(/1\.\.8 channels/);
    expect(() => new AudioCapture({ backend: 'null', format: 'u8' as never })).toThrow(
      coded('UNSUPPORTED_FORMAT'),
    );
    expect(() => new AudioCapture({ backend: 'null', loopback: true, deviceId: 'null:output' })).toThrow(
      coded('UNSUPPORTED_FORMAT'),
    );
  });

  it('bad options', () => {
    expect(() => new AudioCapture({ backend: 'bogus' as never })).toThrow(coded('INVALID_ARGUMENT'));
    expect(() => new AudioCapture({ backend: 'null', periodMs: 0 })).toThrow(coded('INVALID_ARGUMENT'));
    expect(() => new AudioCapture({ backend: 'null', bufferMs: 5 })).toThrow(/at least two periods/);
    expect(() => new AudioCapture({ backend: 'null', deviceId: '' })).toThrow(coded('INVALID_ARGUMENT'));
    expect(() => getDefaultDevice('speaker' as never, { backend: 'null' })).toThrow(
      coded('INVALID_ARGUMENT'),
    );
  });

  it('double start, and calls after close', async () => {
    const capture = new AudioCapture({ backend: 'null' });
    capture.start();
    expect(() => capture.start()).toThrow(coded('INVALID_STATE'));
    capture.stop();
    capture.stop(); // idempotent
    capture.start(); // restart after stop is fine
    const closing = capture.close();
    expect(capture.state).toBe('closed'); // closed when close() returns; the promise says released
    expect(capture.close()).toBe(closing); // idempotent: the same promise
    expect(() => capture.start()).toThrow(coded('CLOSED'));
    expect(() => capture.read()).toThrow(coded('CLOSED'));
    await closing;
  });

  it('write after close, wrong sample type, partial frames', async () => {
    const playback = new AudioPlayback({ backend: 'null', channels: 2, format: 's16' });
    const frame = (data: unknown, sampleRate = 48000, channels = 2) =>
      ({ data, sampleRate, channels, position: 0 }) as never;
    expect(() => playback.write(frame(new Float32Array(4)))).toThrow(coded('INVALID_ARGUMENT'));
    expect(() => playback.write(pcm(new Int16Array(4), 16000, 2))).toThrow(coded('UNSUPPORTED_FORMAT'));
    expect(() => playback.write(pcm(new Int16Array(4), 48000, 1))).toThrow(/48000 Hz 2-channel audio/);
    expect(() => playback.write(frame(new Int16Array(3)))).toThrow(/whole number of 2-channel frames/);
    expect(() => playback.write(Buffer.alloc(4) as never)).toThrow(coded('INVALID_ARGUMENT'));
    expect(() => playback.write('pcm' as never)).toThrow(coded('INVALID_ARGUMENT'));
    await playback.close();
    expect(() => playback.write(pcm(new Int16Array(4), 48000, 2))).toThrow(coded('CLOSED'));
    try {
      playback.write(pcm(new Int16Array(4), 48000, 2));
    } catch (err) {
      expect(err).toBeInstanceOf(AudioDeviceError);
      expect(err).toBeInstanceOf(VoxwireError);
      expect((err as AudioDeviceError).code).toBe('CLOSED');
    }
  });

  it('AudioCore: use before initialize, initialize twice', async () => {
    const core = new AudioCore();
    expect(() => core.start()).toThrow(coded('INVALID_STATE'));
    expect(() => core.capture).toThrow(coded('INVALID_STATE'));
    core.initialize({ backend: 'null' }, { backend: 'null' });
    expect(() => core.initialize({ backend: 'null' }, null)).toThrow(coded('INVALID_STATE'));
    await core.close();
    await core.close(); // idempotent
  });

  it('explains every place it looked when the addon cannot be loaded', () => {
    let message = '';
    try {
      loadBindingFrom([
        { candidate: '/nonexistent/voxwire_wasapi.node', isPath: true },
        { candidate: '@voxwire/wasapi-nowhere-x64', isPath: false },
      ]);
    } catch (err) {
      expect((err as AudioDeviceError).code).toBe('NATIVE_LOAD_FAILED');
      message = (err as Error).message;
    }
    expect(message).toContain('/nonexistent/voxwire_wasapi.node: not found');
    expect(message).toContain('@voxwire/wasapi-nowhere-x64: package not installed');
    expect(message).toContain('npx voxwire-wasapi-build');
    expect(message).toContain('apt-get install -y g++');
  });
});
