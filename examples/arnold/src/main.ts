// `pnpm --filter arnold start`: runs Arnold on the embedded local realtime server (or OpenAI when
// OPENAI_API_KEY is set), configured by the environment (src/env.ts; the README's table).
import { arnoldOptionsFromEnv } from './env.js';
import { startArnold } from './server.js';

const arnold = await startArnold(arnoldOptionsFromEnv(process.env));
// Signal handlers before the ready lines: a supervisor may stop us as soon as it reads them.
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('shutting down');
  await arnold.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
console.log(
  `Arnold on ${arnold.url} (backend: ${arnold.backend.kind}, model: ${arnold.backend.model}, database: ${arnold.store.path})`,
);
console.log(`  web page:          ${arnold.url}/`);
console.log(`  realtime stream:   ${arnold.url.replace(/^http/, 'ws')}/realtime/stream`);
console.log(`  metrics:           ${arnold.url}/metrics`);
console.log('  CLI client:        pnpm --filter arnold client');
