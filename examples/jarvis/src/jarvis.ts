import { type AudioService, type AudioServiceOptions, startAudioService } from './audio-service.js';
import type { TokenStore } from './auth.js';
import { type CoreService, type CoreServiceOptions, startCoreService } from './core-service.js';

/** Options of {@link startJarvis}: both services, wired to each other. */
export interface JarvisOptions {
  tokens: TokenStore;
  host?: string;
  /** Default 8000 (0: a free port). */
  corePort?: number;
  /** Default 8001 (0: a free port). */
  audioPort?: number;
  core?: Omit<CoreServiceOptions, 'tokens' | 'port' | 'host' | 'audioUrl'>;
  audio?: Omit<AudioServiceOptions, 'tokens' | 'port' | 'host' | 'coreUrl'>;
}

/** Both services, running. */
export interface Jarvis {
  core: CoreService;
  audio: AudioService;
  close(): Promise<void>;
}

/** Starts the audio and core services in this process and points each at the other. */
export async function startJarvis(options: JarvisOptions): Promise<Jarvis> {
  const audio = await startAudioService({
    ...options.audio,
    tokens: options.tokens,
    host: options.host,
    port: options.audioPort ?? 8001,
  });
  let core: CoreService;
  try {
    core = await startCoreService({
      ...options.core,
      tokens: options.tokens,
      host: options.host,
      port: options.corePort ?? 8000,
      audioUrl: audio.url,
    });
  } catch (err) {
    await audio.close();
    throw err;
  }
  audio.setCoreUrl(core.url);
  return {
    core,
    audio,
    async close() {
      await Promise.all([core.close(), audio.close()]);
    },
  };
}
