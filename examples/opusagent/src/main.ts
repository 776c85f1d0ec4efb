import { randomBytes } from 'node:crypto';
import { startOpusAgent } from './agent.js';
import { agentFleetOptionsFromEnv, startAgentFleet } from './fleet.js';

const token = process.env.VAIC_TOKEN ?? randomBytes(12).toString('hex');
// With REDIS_URL the agent is one instance of a fleet (registry, control API, /metrics, drain on SIGTERM).
const fleetOptions = agentFleetOptionsFromEnv();
const fleet = fleetOptions ? await startAgentFleet(fleetOptions) : undefined;
const agent = await startOpusAgent({
  port: Number(process.env.PORT ?? 8080),
  // Loopback unless told otherwise: expose it through a reverse proxy or set HOST deliberately.
  host: process.env.HOST ?? '127.0.0.1',
  publicUrl: process.env.PUBLIC_URL,
  twilioAuthToken: process.env.TWILIO_AUTH_TOKEN,
  audiocodesToken: token,
  openaiApiKey: process.env.OPENAI_API_KEY,
  modelUrl: process.env.MODEL_URL,
  maxConnections: process.env.MAX_CONNECTIONS ? Number(process.env.MAX_CONNECTIONS) : undefined,
  hooks: fleet?.hooks,
});
const ws = agent.url.replace('http', 'ws');
const model = agent.localModel
  ? `local ${agent.localModel.url}`
  : process.env.OPENAI_API_KEY
    ? 'OpenAI'
    : process.env.MODEL_URL;
console.log(`OpusAgent on ${agent.url} (model: ${model})`);
console.log(`  Twilio voice webhook:  POST ${agent.url}/twilio/voice`);
console.log(`  Twilio media stream:   ${ws}/twilio/media-stream`);
console.log(`  AudioCodes bot URL:    ${ws}/audiocodes  (Authorization: Bearer ${token})`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('shutting down');
  // Calls are hung up and sockets closed with proper codes; a shutdown that hangs is cut short.
  const deadline = setTimeout(() => process.exit(1), 10_000);
  await agent.close();
  clearTimeout(deadline);
  process.exit(0);
};
if (fleet) {
  console.log(
    `  Fleet instance ${fleet.fleet.instanceId}: /calls, /drain, /metrics, /healthz (503 while draining)`,
  );
  fleet.drainOnSignals(agent);
} else {
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
