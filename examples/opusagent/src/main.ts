import { randomBytes } from 'node:crypto';
import { startOpusAgent } from './agent.js';
import { configFromEnv, OpusAgentConfigError } from './config.js';
import { agentFleetOptionsFromEnv, startAgentFleet } from './fleet.js';

// Every variable is read and checked before anything starts: a bad one ends the process with its name.
let config: ReturnType<typeof configFromEnv>;
let fleetOptions: ReturnType<typeof agentFleetOptionsFromEnv>;
try {
  config = configFromEnv();
  // With REDIS_URL the agent is one instance of a fleet (registry, control API, /metrics, drain on SIGTERM).
  fleetOptions = agentFleetOptionsFromEnv();
} catch (err) {
  if (!(err instanceof OpusAgentConfigError)) throw err;
  console.error(`opusagent: ${err.message}`);
  process.exit(2);
}
const token = config.audiocodesToken ?? randomBytes(12).toString('hex');
const fleet = fleetOptions ? await startAgentFleet(fleetOptions) : undefined;
const agent = await startOpusAgent({ ...config, audiocodesToken: token, hooks: fleet?.hooks });
const ws = agent.url.replace('http', 'ws');
const model = agent.localModel
  ? `local ${agent.localModel.url}`
  : config.openaiApiKey
    ? `OpenAI ${agent.modelEndpoint} (${config.openaiModel ?? 'gpt-realtime'})`
    : agent.modelEndpoint;
// Signal handlers before the ready lines: a supervisor may stop us as soon as it reads them.
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
if (fleet) fleet.drainOnSignals(agent);
else {
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
console.log(`OpusAgent on ${agent.url} (model: ${model})`);
console.log(`  Twilio voice webhook:  POST ${agent.url}/twilio/voice`);
console.log(
  `  Twilio media stream:   ${config.publicUrl ? `${config.publicUrl}/twilio/media-stream (public)` : `${ws}/twilio/media-stream`}`,
);
console.log(`  AudioCodes bot URL:    ${ws}/audiocodes  (Authorization: Bearer ${token})`);
console.log(
  `  turns: ${config.vad.enabled ? 'model VAD' : 'agent VAD (commit + response.create)'}; quality monitoring ${config.qualityMonitoring ? 'on' : 'off'}; recording ${config.recordingDir ? `to ${config.recordingDir}` : 'off'}; log level ${config.logLevel}`,
);
if (fleet) {
  console.log(
    `  Fleet instance ${fleet.fleet.instanceId}: /calls, /drain, /metrics, /healthz (503 while draining)`,
  );
}
