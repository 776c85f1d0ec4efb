// `pnpm --filter arnold start`: runs Arnold on the embedded local realtime server (or OpenAI when
// OPENAI_API_KEY is set). Environment: PORT (8000), HOST (127.0.0.1), ARNOLD_DB (./arnold.db), ARNOLD_VOICE,
// ARNOLD_RECOGNITION (grammar | open), ARNOLD_TOKEN (bearer token clients must send; unset = no
// authentication, announced at startup), OPENAI_API_KEY, OPENAI_REALTIME_URL.
import { startArnold } from './server.js';

const arnold = await startArnold({
  port: Number(process.env.PORT ?? 8000),
  host: process.env.HOST ?? '127.0.0.1',
  dbPath: process.env.ARNOLD_DB ?? 'arnold.db',
  voice: process.env.ARNOLD_VOICE,
  openaiApiKey: process.env.OPENAI_API_KEY || undefined,
  openaiUrl: process.env.OPENAI_REALTIME_URL || undefined,
  recognition: process.env.ARNOLD_RECOGNITION === 'open' ? 'open' : 'grammar',
  token: process.env.ARNOLD_TOKEN || undefined,
});
console.log(`Arnold on ${arnold.url} (backend: ${arnold.backend.kind}, database: ${arnold.store.path})`);
console.log(`  web page:          ${arnold.url}/`);
console.log(`  realtime stream:   ${arnold.url.replace('http', 'ws')}/realtime/stream`);
console.log(`  metrics:           ${arnold.url}/metrics`);
console.log('  CLI client:        pnpm --filter arnold client');
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
