// `pnpm --filter openclaw start`: OpenClaw with the configuration from .env and the environment.
import { ConfigError, configFromEnv, loadEnv } from './config.js';
import { createLogger } from './logger.js';
import { type OpenClaw, startOpenClaw } from './openclaw.js';

let config: ReturnType<typeof configFromEnv>;
try {
  config = configFromEnv(loadEnv());
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  createLogger().error('bad configuration', { variable: err.variable, message: err.message });
  process.exit(2);
}
const log = createLogger(config.logLevel);
let app: OpenClaw | undefined;
// Signal handlers before starting: startOpenClaw logs that it is ready, and a supervisor may stop us as soon
// as it reads that; a stop during start-up just exits.
const stop = async () => {
  log.info('shutting down');
  await app?.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
try {
  app = await startOpenClaw({ config, log });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  log.error('could not start', {
    code: e.code,
    message: e.message,
    hint:
      e.code === 'EADDRINUSE'
        ? 'a port is taken: set SIGNALING_PORT / TWILIO_PORT (0 = any free port)'
        : e.code === 'BACKEND_UNAVAILABLE'
          ? 'set AUDIO_BACKEND=null for virtual devices'
          : undefined,
  });
  process.exit(1);
}
