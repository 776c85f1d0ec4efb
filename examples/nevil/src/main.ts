// `pnpm --filter nevil start`: the design's Example 4. Streams the microphone to a realtime model for
// NEVIL_SECONDS (30) seconds: OpenAI when OPENAI_API_KEY is set, REALTIME_URL when given, else an embedded
// local @voxwire/realtime-server.
import { startNevilAgent } from './agent.js';

const seconds = Number(process.env.NEVIL_SECONDS ?? 30);
const agent = await startNevilAgent({
  apiKey: process.env.OPENAI_API_KEY,
  url: process.env.REALTIME_URL,
  capture: process.env.NEVIL_DEVICE ? { deviceId: process.env.NEVIL_DEVICE } : {},
  log: (line) => console.log(line),
});
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
