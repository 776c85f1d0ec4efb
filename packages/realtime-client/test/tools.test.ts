import { afterEach, describe, expect, it } from 'vitest';
import { RealtimeClient, type RealtimeClientError, type ToolResultEvent } from '../src/index.js';
import { nextEvent, type Received, ScriptedRealtimeServer } from './helpers/scripted-server.js';

let server: ScriptedRealtimeServer;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
});

const logWorkout = {
  name: 'log_workout',
  description: 'Log a set of an exercise',
  parameters: {
    type: 'object',
    properties: { exercise: { type: 'string' }, reps: { type: 'integer' }, weight_lbs: { type: 'number' } },
    required: ['exercise', 'reps'],
  },
};

async function setup(handler: (args: unknown) => unknown, timeoutMs?: number) {
  server = await ScriptedRealtimeServer.start();
  client = new RealtimeClient({ url: server.url });
  const calls: unknown[] = [];
  client.addTool(
    logWorkout,
    (args) => {
      calls.push(args);
      return handler(args);
    },
    timeoutMs === undefined ? {} : { timeoutMs },
  );
  await client.connect();
  const conn = await server.connection(0);
  return { conn, calls, c: client };
}

function replayCall(conn: { replay(n: string, v: Record<string, string>): unknown }, args: string) {
  conn.replay('function-call', {
    RESPONSE: 'resp_t1',
    ITEM_ID: 'item_fc1',
    CALL_ID: 'call_abc',
    NAME: 'log_workout',
    ARGS: args,
  });
}

describe('tools (the Arnold workout-logging path)', () => {
  it('declares the tool, runs it on function_call_arguments.done, returns the output and asks for a new response', async () => {
    const { conn, calls, c } = await setup((args) => ({ logged: true, echo: args }));
    const update = await conn.waitFor('session.update');
    expect((update.session as { tools: unknown[] }).tools).toEqual([{ type: 'function', ...logWorkout }]);
    const toolCall = nextEvent<{ name: string; handled: boolean }>((l) => c.once('toolCall', l));
    replayCall(conn, '{"exercise":"bench press","reps":10,"weight_lbs":185}');
    expect(await toolCall).toMatchObject({ name: 'log_workout', handled: true });
    const output = await conn.waitFor('conversation.item.create');
    const create = await conn.waitFor('response.create');
    expect(calls).toEqual([{ exercise: 'bench press', reps: 10, weight_lbs: 185 }]);
    expect(output.item).toEqual({
      type: 'function_call_output',
      call_id: 'call_abc',
      output: JSON.stringify({ logged: true, echo: calls[0] }),
    });
    // The follow-up response comes after the output item.
    expect(conn.received.indexOf(create)).toBeGreaterThan(conn.received.indexOf(output));
    expect(c.metrics().toolCalls).toBe(1);
    expect(c.items().find((i) => i.id === 'item_fc1')).toMatchObject({
      type: 'function_call',
      name: 'log_workout',
      callId: 'call_abc',
    });
  });

  it('returns unparseable arguments to the model as an error output instead of throwing', async () => {
    const { conn, calls, c } = await setup(() => 'never');
    const errors: RealtimeClientError[] = [];
    c.on('error', (e) => errors.push(e));
    replayCall(conn, '{"exercise": "squat", reps: }');
    const output = await conn.waitFor('conversation.item.create');
    await conn.waitFor('response.create');
    expect(calls).toEqual([]);
    const parsed = JSON.parse((output.item as { output: string }).output) as { error: string };
    expect(parsed.error).toMatch(/not valid JSON/);
    expect(errors.map((e) => e.code)).toEqual(['TOOL']);
  });

  it('answers with a timeout error when the handler hangs, and with the message when it throws', async () => {
    const { conn, c } = await setup(() => new Promise(() => {}), 30);
    const result = nextEvent<ToolResultEvent>((l) => c.once('toolResult', l));
    c.on('error', () => {});
    replayCall(conn, '{"exercise":"row","reps":8}');
    const output = await conn.waitFor('conversation.item.create');
    expect((await result).error?.code).toBe('TOOL');
    expect(JSON.parse((output.item as { output: string }).output).error).toMatch(/timed out after 30 ms/);
    await conn.waitFor('response.create');

    c.addTool({ name: 'fails' }, () => {
      throw new Error('database is down');
    });
    const from = conn.received.length;
    conn.replay('function-call', {
      RESPONSE: 'resp_t2',
      ITEM_ID: 'item_fc2',
      CALL_ID: 'call_2',
      NAME: 'fails',
      ARGS: '{}',
    });
    const out2 = await conn.waitFor('conversation.item.create', () => true, from);
    expect(JSON.parse((out2.item as { output: string }).output).error).toMatch(/database is down/);
  });

  it('lets the app answer calls it has no handler for with sendToolOutput', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({
      url: server.url,
      session: { tools: [{ type: 'function', name: 'lookup' }] },
    });
    await client.connect();
    const conn = await server.connection(0);
    const c = client;
    c.on('toolCall', (call) => {
      expect(call.handled).toBe(false);
      c.sendToolOutput(call.callId, { found: 3 });
    });
    conn.replay('function-call', {
      RESPONSE: 'r9',
      ITEM_ID: 'i9',
      CALL_ID: 'call_9',
      NAME: 'lookup',
      ARGS: '{"q":"x"}',
    });
    const out = await conn.waitFor('conversation.item.create');
    expect((out.item as Received).output).toBe('{"found":3}');
    await conn.waitFor('response.create');
  });
});
