// The fleet test's model: our realtime server in its own process, with a responder that says a user
// message back word for word (what `say` and the goodbye ask of a real model) and no transcriber.
import { createRealtimeServer, NullTranscriber, RuleResponder } from '@voxwire/realtime-server';

const server = await createRealtimeServer({
  engines: { transcriber: new NullTranscriber(), responder: new RuleResponder({ fallback: (text) => text }) },
});
console.log(`MODEL ${server.url}`);
setInterval(() => {}, 1 << 30);
