import { randomBytes } from 'node:crypto';
import { startOpusAgent } from './agent.js';

const token = process.env.VAIC_TOKEN ?? randomBytes(12).toString('hex');
const agent = await startOpusAgent({
  port: Number(process.env.PORT ?? 8080),
  host: process.env.HOST ?? '127.0.0.1',
  publicUrl: process.env.PUBLIC_URL,
  twilioAuthToken: process.env.TWILIO_AUTH_TOKEN,
  audiocodesToken: token,
  openaiApiKey: process.env.OPENAI_API_KEY,
});
const ws = agent.url.replace('http', 'ws');
console.log(
  `OpusAgent on ${agent.url} (model: ${agent.localModel ? `local ${agent.localModel.url}` : 'OpenAI'})`,
);
console.log(`  Twilio voice webhook:  POST ${agent.url}/twilio/voice`);
console.log(`  Twilio media stream:   ${ws}/twilio/media-stream`);
console.log(`  AudioCodes bot URL:    ${ws}/audiocodes  (Authorization: Bearer ${token})`);
const stop = async () => {
  console.log('shutting down');
  await agent.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
