// Steps 1–2 of the design: the audio device (AudioCore: capture + playback) as the `mic_input` participant.
import { AudioCore, type AudioCoreConfig } from '@voxwire/wasapi';
import type { OpenClawConfig } from './config.js';
import type { Logger } from './logger.js';
import type { AudioRouter } from './router.js';

/** The mixer input of the device microphone. */
export const MIC_ID = 'mic_input';

/**
 * Opens capture and playback with the configured preset and routes them: the microphone into the mix, the
 * mix minus the microphone to the speaker (the design played the whole mix, i.e. the mic back into the room).
 */
export class DeviceAudio {
  readonly core = new AudioCore();
  private upmix: Int16Array | undefined;
  /** Frames the playback ring refused (device slower than the mix clock). */
  droppedFrames = 0;

  constructor(
    private readonly config: OpenClawConfig['audio'],
    private readonly router: AudioRouter,
    private readonly log: Logger,
  ) {}

  /** Opens and starts the device; throws the backend's error (e.g. AudioDeviceError `BACKEND_UNAVAILABLE`). */
  start(): void {
    const { sampleRate, channels, periodMs, backend } = this.config;
    // The period and rings come from AUDIO_LATENCY (config.deviceTiming); the block size is the mix frame.
    const base: AudioCoreConfig = { sampleRate, channels, periodMs, backend, format: 's16' };
    this.core.initialize(
      { ...base, deviceId: this.config.inputDevice, bufferMs: this.config.captureBufferMs },
      { ...base, deviceId: this.config.outputDevice, bufferMs: this.config.playbackBufferMs },
    );
    const playback = this.core.playback;
    const stereo = channels === 2;
    if (stereo) this.upmix = new Int16Array((this.router.sampleRate * this.router.frameMs * 2) / 1000);
    this.router.add(MIC_ID, {
      sampleRate,
      channels,
      send: (frame) => {
        let out = frame;
        if (stereo && this.upmix) {
          const up = this.upmix;
          for (let i = 0; i < frame.length; i++) {
            up[2 * i] = frame[i] as number;
            up[2 * i + 1] = frame[i] as number;
          }
          out = up;
        }
        const accepted = playback.write({
          data: out,
          sampleRate: playback.sampleRate,
          channels: playback.channels,
          position: 0,
        });
        const frames = out.length / channels;
        if (accepted < frames) this.droppedFrames += frames - accepted;
      },
    });
    this.core.capture.on('audio', (f) => this.router.push(MIC_ID, f.data));
    this.core.capture.on('error', (err) => this.log.error('capture device error', { err }));
    playback.on('error', (err) => this.log.error('playback device error', { err }));
    this.core.start();
    const c = this.core.capture.stats();
    this.log.info('audio device started', {
      backend: c.backend,
      input: c.deviceId,
      output: playback.stats().deviceId,
      sampleRate,
      channels,
      latency: this.config.latency,
      periodFrames: c.periodFrames,
    });
  }

  /** Capture overruns and playback underruns, for the monitor. */
  xrunStats(): { captureOverruns: number; playbackUnderruns: number; playbackDropped: number } {
    try {
      return {
        captureOverruns: this.core.capture.stats().overruns,
        playbackUnderruns: this.core.playback.stats().underruns,
        playbackDropped: this.droppedFrames,
      };
    } catch {
      return { captureOverruns: 0, playbackUnderruns: 0, playbackDropped: this.droppedFrames };
    }
  }

  close(): void {
    this.router.remove(MIC_ID);
    try {
      this.core.close();
    } catch {
      // never initialized
    }
  }
}
