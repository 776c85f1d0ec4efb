import {
  createRealtimeServer,
  type RealtimeServer,
  type RealtimeServerOptions,
} from '@voxwire/realtime-server';
import { listBackends } from '@voxwire/wasapi';
import type { AudioCaptureManager } from './audio-capture-manager.js';
import type { AudioCaptureConfig } from './config.js';
import { createAudioCapture } from './create-audio-capture.js';
import { RealtimeConnectionManager } from './realtime-connection-manager.js';

/** Options of {@link startNevilAgent}. */
export interface NevilAgentOptions {
  /** OpenAI key; without it (and without `url`) a local @voxwire/realtime-server is started. */
  apiKey?: string;
  /** A realtime server to use instead. */
  url?: string;
  /** Capture settings on top of the example's (VAD on). */
  capture?: Partial<AudioCaptureConfig>;
  /** Options of the embedded local server. */
  localServer?: RealtimeServerOptions;
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void;
}

/** A running agent: {@link startNevilAgent}'s result. */
export interface NevilAgent {
  connection: RealtimeConnectionManager;
  manager: AudioCaptureManager;
  /** The embedded server when no key/URL was given. */
  localServer: RealtimeServer | undefined;
  /** Stops recording (flushing), disposes the manager, closes the connection and the local server. */
  stop(): Promise<void>;
}

/**
 * The design's Example 4: a connection, a beta-shaped `session.update` (translated to GA), and a capture
 * manager with VAD streaming speech to the model, whose transcripts are logged. Records until stop().
 */
export async function startNevilAgent(options: NevilAgentOptions = {}): Promise<NevilAgent> {
  const log = options.log ?? (() => {});
  let localServer: RealtimeServer | undefined;
  let url = options.url;
  if (!options.apiKey && !url) {
    localServer = await createRealtimeServer({ port: 0, ...(options.localServer ?? {}) });
    url = localServer.url;
  }
  const connection = new RealtimeConnectionManager({
    apiKey: options.apiKey,
    url,
    onError: (err) => log(`connection error: ${err.message}`),
  });
  const c = connection.client;
  c.on('speechStarted', () => log('server: speech started'));
  c.on('input_audio_buffer.committed', (e) => log(`server: input committed (${e.item_id})`));
  c.on('userTranscript', (e) => e.done && log(`you: ${e.text}`));
  c.on('transcript', (e) => e.done && log(`model: ${e.text}`));
  c.on('responseDone', (e) => log(`response ${e.status}`));
  try {
    await connection.start();
  } catch (err) {
    await localServer?.close();
    throw err;
  }
  log(`connected to ${localServer ? `the local realtime server ${url}` : (url ?? 'OpenAI')}`);
  connection.sendEvent({
    type: 'session.update',
    session: { modalities: ['text', 'audio'], input_audio_format: 'pcm16', voice: 'alloy' },
  });
  const capture: Partial<AudioCaptureConfig> = { ...(options.capture ?? {}) };
  if (!capture.backend && !process.env.VOXWIRE_AUDIO_BACKEND) {
    const real = listBackends().some((b) => b.available && b.name !== 'null');
    if (!real) {
      log('no audio server or device here: using the null backend (silence); set VOXWIRE_AUDIO_BACKEND');
      capture.backend = 'null';
    }
  }
  let manager: AudioCaptureManager;
  try {
    manager = createAudioCapture({
      connectionManager: connection,
      vadEnabled: true,
      ...capture,
      callbacks: {
        onVadSpeechStart: () => log('local VAD: speech'),
        onVadSpeechEnd: () => log('local VAD: silence'),
        onError: (err) => log(`capture error: ${err.message}`),
      },
    });
  } catch (err) {
    connection.stop();
    await localServer?.close();
    throw err;
  }
  const stats = manager.getStats();
  log(`recording from ${stats.deviceId} (${stats.backend}) at ${stats.sampleRate} Hz`);
  manager.startRecording();
  return {
    connection,
    manager,
    localServer,
    stop: async () => {
      manager.stopRecording();
      const s = manager.getStats();
      log(
        `sent ${s.totalChunks} chunks (${(s.sentSamples / s.sampleRate).toFixed(1)} s of ${(s.totalSamples / s.sampleRate).toFixed(1)} s captured)`,
      );
      manager.dispose();
      connection.stop();
      await localServer?.close();
    },
  };
}
