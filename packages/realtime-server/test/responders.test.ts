import type { FunctionTool } from '@voxwire/realtime-protocol';
import { NO_TRANSCRIBER_TEXT } from '@voxwire/speech';
import { describe, expect, it } from 'vitest';
import {
  extractArguments,
  RealtimeServerConfigError,
  type ResponderContext,
  type ResponderItem,
  RuleResponder,
  ScriptedResponder,
  toolKeywords,
} from '../src/index.js';

const signal = new AbortController().signal;

const weather: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'the city' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer' },
      alerts: { type: 'boolean' },
    },
    required: ['city'],
  },
};
const alarm: FunctionTool = {
  type: 'function',
  name: 'setAlarmClock',
  parameters: { type: 'object', properties: { hour: { type: 'number' } } },
};

function user(text: string, id = 'item_u'): ResponderItem {
  return {
    id,
    object: 'realtime.item',
    type: 'message',
    role: 'user',
    status: 'completed',
    content: [{ type: 'input_text', text }],
    text,
  };
}

function context(items: ResponderItem[], over: Partial<ResponderContext> = {}): ResponderContext {
  return {
    instructions: '',
    tools: [weather, alarm],
    toolChoice: 'auto',
    items,
    sessionId: 's',
    responseIndex: 0,
    signal,
    ...over,
  };
}

describe('RuleResponder', () => {
  const r = new RuleResponder();

  it('derives keywords from tool names', () => {
    expect(toolKeywords(weather)).toEqual(['weather']);
    expect(toolKeywords(alarm)).toEqual(['alarm', 'clock']);
  });

  it('calls the matching tool with arguments extracted by its schema', () => {
    const reply = r.respond(
      context([user('Weather in New York in fahrenheit for 3 days with alerts please')]),
    );
    expect(reply.toolCalls).toEqual([
      { name: 'get_weather', arguments: { city: 'New York', unit: 'fahrenheit', days: 3, alerts: true } },
    ]);
    expect(r.respond(context([user('set an alarm for seven')])).toolCalls).toEqual([
      { name: 'setAlarmClock', arguments: { hour: 7 } },
    ]);
  });

  it('finds a tool by its description and gives each number to the argument its words name', () => {
    const logWorkout: FunctionTool = {
      type: 'function',
      name: 'log_workout',
      description: 'Record a completed exercise set: exercise, repetitions (reps) and weight lifted',
      parameters: {
        type: 'object',
        properties: {
          exercise: { type: 'string', description: 'Exercise name' },
          reps: { type: 'integer', description: 'Repetitions' },
          weight: { type: 'number', description: 'Weight in pounds or kilograms' },
          unit: { type: 'string', enum: ['lbs', 'kg'] },
        },
      },
    };
    const recent: FunctionTool = {
      type: 'function',
      name: 'get_recent_workouts',
      description: 'List the most recent workouts',
      parameters: { type: 'object', properties: { limit: { type: 'integer' } } },
    };
    const tools = [recent, logWorkout];
    const did = r.respond(context([user('I just did 10 reps of bench press at 185 pounds')], { tools }));
    expect(did.toolCalls?.[0].name).toBe('log_workout');
    expect(did.toolCalls?.[0].arguments).toMatchObject({ reps: 10, weight: 185 });
    // The order of the words does not matter, nor digits versus words.
    const other = r.respond(context([user('185 pounds, ten reps, squat')], { tools }));
    expect(other.toolCalls?.[0].arguments).toMatchObject({ reps: 10, weight: 185 });
    const show = r.respond(context([user('show me my 5 most recent workouts')], { tools }));
    expect(show.toolCalls).toEqual([{ name: 'get_recent_workouts', arguments: { limit: 5 } }]);
  });

  it('fills a required string it cannot find with the whole utterance', () => {
    expect(extractArguments(weather, 'weather')).toEqual({ city: 'weather' });
  });

  it('follows rules written in the instructions before tools', () => {
    const reply = r.respond(
      context([user('hello, what is the weather')], {
        instructions: 'Be brief.\nWhen the user says "hello", reply "Hi! Nice to meet you."',
      }),
    );
    expect(reply).toEqual({ text: 'Hi! Nice to meet you.' });
  });

  it('honours tool_choice none, required and a named function', () => {
    expect(r.respond(context([user('weather in Rome')], { toolChoice: 'none' })).toolCalls).toBeUndefined();
    expect(r.respond(context([user('tell me a joke')], { toolChoice: 'required' })).toolCalls?.[0].name).toBe(
      'get_weather',
    );
    expect(
      r.respond(
        context([user('weather in Rome at 6')], { toolChoice: { type: 'function', name: 'setAlarmClock' } }),
      ).toolCalls,
    ).toEqual([{ name: 'setAlarmClock', arguments: { hour: 6 } }]);
  });

  it('speaks a tool result after function_call_output', () => {
    const call: ResponderItem = {
      id: 'i1',
      object: 'realtime.item',
      type: 'function_call',
      status: 'completed',
      name: 'get_weather',
      call_id: 'c1',
      arguments: '{}',
    };
    const out: ResponderItem = {
      id: 'i2',
      object: 'realtime.item',
      type: 'function_call_output',
      status: 'completed',
      call_id: 'c1',
      output: '{"temp_c":18,"sky":"cloudy"}',
    };
    expect(r.respond(context([user('weather?'), call, out])).text).toBe(
      'Here is the result of get weather: temp c 18, sky cloudy.',
    );
  });

  it('greets without user words, echoes otherwise, and admits when there is no transcriber', () => {
    expect(r.respond(context([], { tools: [] })).text).toBe('Hello! How can I help you?');
    expect(r.respond(context([user('tell me a story')], { tools: [] })).text).toBe(
      'You said: tell me a story.',
    );
    expect(r.respond(context([user(NO_TRANSCRIBER_TEXT)], { tools: [] })).text).toMatch(
      /no transcriber is configured/,
    );
  });

  it('applies explicit rules with capture groups', () => {
    const custom = new RuleResponder({
      rules: [
        {
          match: /call (?<name>\w+)/i,
          reply: 'Calling $<name>.',
          tool: 'setAlarmClock',
          arguments: { hour: 9 },
        },
      ],
    });
    expect(custom.respond(context([user('please call Alice')]))).toEqual({
      text: 'Calling Alice.',
      toolCalls: [{ name: 'setAlarmClock', arguments: { hour: 9 } }],
    });
  });
});

describe('ScriptedResponder', () => {
  it('gives each session the n-th step for its n-th response and cycles', async () => {
    const s = new ScriptedResponder([{ text: 'a' }, (ctx) => ({ text: `b${ctx.items.length}` })]);
    expect(await s.respond(context([], { responseIndex: 0 }))).toEqual({ text: 'a' });
    expect(await s.respond(context([user('x')], { responseIndex: 1 }))).toEqual({ text: 'b1' });
    expect(await s.respond(context([], { responseIndex: 2 }))).toEqual({ text: 'a' });
    const last = new ScriptedResponder([{ text: 'a' }, { text: 'z' }], { after: 'last' });
    expect(await last.respond(context([], { responseIndex: 5 }))).toEqual({ text: 'z' });
    expect(() => new ScriptedResponder([])).toThrow(RealtimeServerConfigError);
    expect(() => new ScriptedResponder([])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
