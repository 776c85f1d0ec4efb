// The environment of `pnpm --filter arnold start`, read into startArnold's options (the README's
// configuration table). Empty variables count as unset; a malformed number stops startup with its name.
import { readFileSync } from 'node:fs';
import { ArnoldConfigError } from './config.js';
import type { ArnoldOptions } from './server.js';

function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function number(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = text(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ArnoldConfigError(`${name} must be a number, not "${v}".`);
  return n;
}

/** ARNOLD_TLS_CERT and ARNOLD_TLS_KEY (PEM file paths): both or neither. */
function tlsFiles(env: NodeJS.ProcessEnv): ArnoldOptions['tls'] {
  const cert = text(env, 'ARNOLD_TLS_CERT');
  const key = text(env, 'ARNOLD_TLS_KEY');
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new ArnoldConfigError('Set both ARNOLD_TLS_CERT and ARNOLD_TLS_KEY (PEM files), or neither.');
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

/** startArnold options from environment variables (see the README's configuration table). */
export function arnoldOptionsFromEnv(env: NodeJS.ProcessEnv): ArnoldOptions {
  const vad = {
    threshold: number(env, 'ARNOLD_VAD_THRESHOLD'),
    silenceDurationMs: number(env, 'ARNOLD_VAD_SILENCE_MS'),
    prefixPaddingMs: number(env, 'ARNOLD_VAD_PREFIX_MS'),
  };
  return {
    port: number(env, 'PORT') ?? 8000,
    host: text(env, 'HOST') ?? '127.0.0.1',
    dbPath: text(env, 'ARNOLD_DB') ?? 'arnold.db',
    voice: text(env, 'ARNOLD_VOICE'),
    model: text(env, 'ARNOLD_MODEL'),
    vad: Object.fromEntries(Object.entries(vad).filter(([, v]) => v !== undefined)),
    openaiApiKey: text(env, 'OPENAI_API_KEY'),
    openaiUrl: text(env, 'OPENAI_REALTIME_URL'),
    recognition: text(env, 'ARNOLD_RECOGNITION') === 'open' ? 'open' : 'grammar',
    token: text(env, 'ARNOLD_TOKEN'),
    tls: tlsFiles(env),
  };
}
