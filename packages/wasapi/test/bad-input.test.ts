import { describe, expect, it } from 'vitest';
import {
  AudioCapture,
  AudioCore,
  AudioError,
  AudioPlayback,
  getDefaultDevice,
  InvalidArgumentError,
  InvalidStateError,
  StreamClosedError,
  UnknownDeviceError,
  UnsupportedFormatError,
} from '../src/index.js';
import { loadBindingFrom } from '../src/native.js';

describe('bad input gets typed errors', () => {
  it('unknown device id', () => {
    expect(() => new AudioCapture({ backend: 'null', deviceId: 'null:nope' })).toThrow(UnknownDeviceError);
    // an output is not an input
    expect(() => new AudioCapture({ backend: 'null', deviceId: 'null:output' })).toThrow(UnknownDeviceError);
    expect(() => new AudioPlayback({ backend: 'null', deviceId: 'null:silence' })).toThrow(
      UnknownDeviceError,
    );
  });

  it('unsupported rate, channels and format', () => {
    expect(() => new AudioCapture({ backend: 'null', sampleRate: 1000 })).toThrow(UnsupportedFormatError);
    expect(() => new AudioCapture({ backend: 'null', sampleRate: 44100.5 })).toThrow(UnsupportedFormatError);
    expect(() => new AudioCapture({ backend: 'null', sampleRate: 0 })).toThrow(UnsupportedFormatError);
    expect(() => new AudioCapture({ backend: 'null', channels: 0 })).toThrow(UnsupportedFormatError);
    expect(() => new AudioCapture({ backend: 'null', channels: 12 })).toThrow(/1\.\.8 channels/);
    expect(() => new AudioCapture({ backend: 'null', format: 'u8' as never })).toThrow(
      UnsupportedFormatError,
    );
    expect(() => new AudioCapture({ backend: 'null', loopback: true, deviceId: 'null:output' })).toThrow(
      UnsupportedFormatError,
    );
  });

  it('bad options', () => {
    expect(() => new AudioCapture({ backend: 'bogus' as never })).toThrow(InvalidArgumentError);
    expect(() => new AudioCapture({ backend: 'null', periodMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new AudioCapture({ backend: 'null', bufferMs: 5 })).toThrow(/at least two periods/);
    expect(() => new AudioCapture({ backend: 'null', deviceId: '' })).toThrow(InvalidArgumentError);
    expect(() => getDefaultDevice('speaker' as never, { backend: 'null' })).toThrow(InvalidArgumentError);
  });

  it('double start, and calls after close', () => {
    const capture = new AudioCapture({ backend: 'null' });
    capture.start();
    expect(() => capture.start()).toThrow(InvalidStateError);
    capture.stop();
    capture.stop(); // idempotent
    capture.start(); // restart after stop is fine
    capture.close();
    capture.close(); // idempotent
    expect(() => capture.start()).toThrow(StreamClosedError);
    expect(() => capture.read()).toThrow(StreamClosedError);
  });

  it('write after close, wrong sample type, partial frames', () => {
    const playback = new AudioPlayback({ backend: 'null', channels: 2, format: 's16' });
    expect(() => playback.write(new Float32Array(4))).toThrow(UnsupportedFormatError);
    expect(() => playback.write(new Int16Array(3))).toThrow(/whole number of 2-channel frames/);
    expect(() => playback.write(Buffer.alloc(3))).toThrow(InvalidArgumentError);
    expect(() => playback.write('pcm' as never)).toThrow(InvalidArgumentError);
    playback.close();
    expect(() => playback.write(new Int16Array(4))).toThrow(StreamClosedError);
    try {
      playback.write(new Int16Array(4));
    } catch (err) {
      expect(err).toBeInstanceOf(AudioError);
      expect((err as AudioError).code).toBe('ERR_STREAM_CLOSED');
    }
  });

  it('AudioCore: use before initialize, initialize twice', () => {
    const core = new AudioCore();
    expect(() => core.start()).toThrow(InvalidStateError);
    expect(() => core.capture).toThrow(InvalidStateError);
    core.initialize({ backend: 'null' }, { backend: 'null' });
    expect(() => core.initialize({ backend: 'null' }, null)).toThrow(InvalidStateError);
    core.close();
  });

  it('explains every place it looked when the addon cannot be loaded', () => {
    let message = '';
    try {
      loadBindingFrom([
        { candidate: '/nonexistent/voxwire_wasapi.node', isPath: true },
        { candidate: '@voxwire/wasapi-nowhere-x64', isPath: false },
      ]);
    } catch (err) {
      expect((err as AudioError).code).toBe('ERR_NATIVE_LOAD');
      message = (err as Error).message;
    }
    expect(message).toContain('/nonexistent/voxwire_wasapi.node: not found');
    expect(message).toContain('@voxwire/wasapi-nowhere-x64: package not installed');
    expect(message).toContain('npx voxwire-wasapi-build');
    expect(message).toContain('apt-get install -y g++');
  });
});
