// `pnpm --filter nevil start`: the design's Example 4. Streams the microphone to a realtime model for
// NEVIL_SECONDS (30) seconds: OpenAI when OPENAI_API_KEY is set, REALTIME_URL when given, else an embedded
// local @voxwire/realtime-server.
import { type NevilAgent, startNevilAgent } from './agent.js';

const seconds = Number(process.env.NEVIL_SECONDS ?? 30);
let agent: NevilAgent;
try {
  agent = await startNevilAgent({
    apiKey: process.env.OPENAI_API_KEY,
    url: process.env.REALTIME_URL,
    capture: process.env.NEVIL_DEVICE ? { deviceId: process.env.NEVIL_DEVICE } : {},
    log: (line) => console.log(line),
  });
} catch (err) {
  // A refused key, an unreachable server or a missing device: say which, without a stack trace.
  const e = err as Error & { code?: string };
  console.error(`nevil: cannot start: ${e.message}${e.code ? ` (${e.code})` : ''}`);
  process.exit(1);
}
console.log(`speak now (${seconds} s; Ctrl-C to stop early)`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearTimeout(timer);
  await agent.stop();
};
const timer = setTimeout(stop, seconds * 1000);
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
