// Starts Jarvis: both services (default), or one of them with JARVIS_SERVICE=core|audio.
import { existsSync } from 'node:fs';
import { type AudioService, startAudioService } from './audio-service.js';
import { TokenStore } from './auth.js';
import { type CoreService, startCoreService } from './core-service.js';
import { JarvisError } from './errors.js';

// pocketsphinx (through @voxwire/speech) hands each utterance to its CLI as a temporary file; keep
// those in memory (tmpfs) so no audio reaches the disk.
if (!process.env.TMPDIR && existsSync('/dev/shm')) process.env.TMPDIR = '/dev/shm';

const env = process.env;
const host = env.HOST ?? '127.0.0.1';
const which = env.JARVIS_SERVICE ?? 'both';
if (!['both', 'core', 'audio'].includes(which))
  throw new JarvisError('INVALID_CONFIG', 'JARVIS_SERVICE is both, core or audio');
const corePort = Number(env.JARVIS_CORE_PORT ?? 8000);
const audioPort = Number(env.JARVIS_AUDIO_PORT ?? 8001);

let tokens: TokenStore;
let demo: string | undefined;
if (env.JARVIS_TOKENS) {
  tokens = TokenStore.parse(env.JARVIS_TOKENS);
} else {
  if (which !== 'both')
    throw new JarvisError(
      'INVALID_CONFIG',
      'set JARVIS_TOKENS (user:token[:admin],…) when running one service alone',
    );
  tokens = new TokenStore();
  demo = tokens.issue('demo', 'admin');
}

let audio: AudioService | undefined;
let core: CoreService | undefined;
if (which !== 'core') {
  audio = await startAudioService({
    tokens,
    host,
    port: audioPort,
    coreUrl: env.JARVIS_CORE_URL ?? (which === 'both' ? undefined : `http://127.0.0.1:${corePort}`),
    openaiApiKey: env.OPENAI_API_KEY,
    openaiBaseUrl: env.OPENAI_BASE_URL,
  });
}
if (which !== 'audio') {
  core = await startCoreService({
    tokens,
    host,
    port: corePort,
    audioUrl: audio?.url ?? env.JARVIS_AUDIO_URL ?? `http://127.0.0.1:${audioPort}`,
    publicAudioUrl: env.JARVIS_PUBLIC_AUDIO_URL,
  });
}
if (audio && core && !env.JARVIS_CORE_URL) audio.setCoreUrl(core.url);

// Signal handlers before the ready lines: a supervisor may stop us as soon as it reads them.
const stop = async () => {
  console.log('shutting down');
  await Promise.all([core?.close(), audio?.close()]);
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
if (audio) {
  const e = audio.engines.describe();
  console.log(`Jarvis audio service on ${audio.url} (STT ${e.stt}, TTS ${e.tts}; WS /ws/audio/{user_id})`);
}
if (core) console.log(`Jarvis core service on ${core.url} (WS /ws/{user_id}, POST /api/v2/chat)`);
if (demo && core) {
  console.log(`  demo user "demo" (admin), token ${demo}`);
  console.log(`  web UI: ${core.url}/#token=${demo}`);
}
