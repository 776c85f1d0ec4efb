// `pnpm --filter openclaw start`: OpenClaw with the configuration from .env and the environment.
import { configFromEnv, loadEnv } from './config.js';
import { createLogger } from './logger.js';
import { startOpenClaw } from './openclaw.js';

const config = configFromEnv(loadEnv());
const log = createLogger(config.logLevel);
const app = await startOpenClaw({ config, log });
const stop = async () => {
  log.info('shutting down');
  await app.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
