#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RealtimeServerConfigError } from './errors.js';
import { createRealtimeServer } from './server.js';

const USAGE = `Usage: voxwire-realtime-server [options]

A local OpenAI Realtime (GA) compatible WebSocket server with offline engines.

Options:
  --port <n>          port to listen on (default 8080; 0 picks a free one)
  --host <addr>       interface (default 127.0.0.1)
  --path <path>       WebSocket path (default /v1/realtime)
  --api-key <key>     require this Bearer key (repeatable; default: no authentication)
  --pacing <mode>     ahead (default: faster than playback, like OpenAI), realtime or fast
  --transcriber <t>   auto (default), pocketsphinx or none
  --tls-key <file>    PEM key: serve wss://
  --tls-cert <file>   PEM certificate for --tls-key
  -h, --help          show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      path: { type: 'string', default: '/v1/realtime' },
      'api-key': { type: 'string', multiple: true },
      pacing: { type: 'string', default: 'ahead' },
      transcriber: { type: 'string', default: 'auto' },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port))
    throw new RealtimeServerConfigError(
      'INVALID_ARGUMENT',
      `--port must be an integer, got '${values.port}'`,
    );
  const pacing = values.pacing;
  if (pacing !== 'ahead' && pacing !== 'realtime' && pacing !== 'fast')
    throw new RealtimeServerConfigError(
      'INVALID_ARGUMENT',
      `--pacing must be ahead, realtime or fast, got '${pacing}'`,
    );
  const transcriber = values.transcriber;
  if (transcriber !== 'auto' && transcriber !== 'pocketsphinx' && transcriber !== 'none') {
    throw new RealtimeServerConfigError(
      'INVALID_ARGUMENT',
      `--transcriber must be auto, pocketsphinx or none, got '${transcriber}'`,
    );
  }
  if (Boolean(values['tls-key']) !== Boolean(values['tls-cert']))
    throw new RealtimeServerConfigError('INVALID_ARGUMENT', '--tls-key and --tls-cert go together');
  const server = await createRealtimeServer({
    port,
    host: values.host,
    path: values.path,
    apiKeys: values['api-key'],
    pacing,
    defaultEngines: { transcriber },
    tls:
      values['tls-key'] && values['tls-cert']
        ? { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']) }
        : undefined,
  });
  // Handlers first: a supervisor may send SIGTERM as soon as it reads the "listening" line.
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`voxwire realtime server listening on ${server.url}`);
  if (!values['api-key']?.length) {
    console.warn(
      `voxwire-realtime-server: WARNING: no --api-key given: anyone who can reach ${server.url} can use it`,
    );
  }
}

main().catch((err: Error) => {
  console.error(`voxwire-realtime-server: ${err.message}\n\n${USAGE}`);
  process.exit(2);
});
