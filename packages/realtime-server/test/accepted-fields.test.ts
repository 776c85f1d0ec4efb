import { createRequire } from 'node:module';
import {
  CLIENT_ITEM_TYPES,
  ITEM_FIELDS,
  RESPONSE_FIELDS,
  SESSION_FIELDS,
  unacceptedFields,
} from '@voxwire/realtime-protocol';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRealtimeServer,
  NullTranscriber,
  type RealtimeServer,
  ScriptedResponder,
} from '../src/index.js';
import { RawClient } from './helpers.js';

// The official package's declarations of the GA client events, read with the TypeScript compiler: every
// field path they declare must be one the server accepts, so a field OpenAI adds fails here.
const declarations = createRequire(import.meta.url).resolve('openai/resources/realtime/realtime');

/** Field paths declared by each type expression (over the declarations' exports), in one compilation. */
function declaredPaths(typeTexts: string[]): Set<string>[] {
  const probe = `${declarations.replace(/\.js$/, '')}.probe.ts`;
  const source = `import type * as R from './realtime';\n${typeTexts.map((t, i) => `export type Probe${i} = ${t};`).join('\n')}\n`;
  const host = ts.createCompilerHost({ strict: true, skipLibCheck: true });
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (file === probe ? source : readFile(file));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === probe || fileExists(file);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, version) =>
    file === probe ? ts.createSourceFile(file, source, version) : getSourceFile(file, version);
  const program = ts.createProgram({
    rootNames: [probe],
    options: { strict: true, skipLibCheck: true, noEmit: true, module: ts.ModuleKind.CommonJS },
    host,
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(probe);
  if (!file) throw new Error('probe not compiled');
  const aliases = file.statements.filter(ts.isTypeAliasDeclaration);
  return aliases.map((alias) => {
    const paths = new Set<string>();
    const seen = new Set<ts.Type>();
    const walk = (type: ts.Type, path: string): void => {
      if (type.isUnion()) {
        for (const t of type.types) {
          // Conversation items of the kinds a client may add offline (MCP items need an MCP server).
          const kind = t.getProperty('type');
          const literal = kind && checker.getTypeOfSymbol(kind);
          const isItem = /(^|\.)(input|item)$/.test(path) && t.getProperty('role') === undefined;
          if (
            isItem &&
            literal?.isStringLiteral() &&
            !(CLIENT_ITEM_TYPES as readonly string[]).includes(literal.value) &&
            literal.value !== 'item_reference'
          )
            continue;
          walk(t, path);
        }
        return;
      }
      if (checker.isArrayType(type)) {
        walk(checker.getTypeArguments(type as ts.TypeReference)[0], path);
        return;
      }
      // Primitives, literals and `string & {}` are leaves; so are maps (index signatures only).
      if (!(type.flags & ts.TypeFlags.Object) || seen.has(type)) return;
      seen.add(type);
      for (const prop of checker.getPropertiesOfType(type)) {
        const child = path ? `${path}.${prop.name}` : prop.name;
        paths.add(child);
        walk(checker.getNonNullableType(checker.getTypeOfSymbol(prop)), child);
      }
      seen.delete(type);
    };
    walk(checker.getTypeAtLocation(alias.type), '');
    return paths;
  });
}

const [sessionPaths, responsePaths, itemPaths] = declaredPaths([
  `R.SessionUpdateEvent['session']`,
  `NonNullable<R.ResponseCreateEvent['response']>`,
  `{ item: R.ConversationItemCreateEvent['item'] }`,
]);

describe('accepted request fields against the openai package declarations', () => {
  it('accepts every field session.update declares (conversation and transcription sessions)', () => {
    const declared = sessionPaths;
    // The walk really reads the declarations: these are fields the issue names.
    for (const path of [
      'reasoning.effort',
      'parallel_tool_calls',
      'audio.input.transcription.languages',
      'audio.input.transcription.keywords',
      'audio.input.transcription.delay',
      'tools.server_label',
    ])
      expect(declared).toContain(path);
    expect(unacceptedFields(SESSION_FIELDS, declared)).toEqual([]);
  });

  it('accepts every field response.create declares', () => {
    const declared = responsePaths;
    expect(declared).toContain('reasoning.effort');
    expect(declared).toContain('input.content.image_url');
    expect(unacceptedFields(RESPONSE_FIELDS, declared)).toEqual([]);
  });

  it('accepts every field conversation.item.create declares for messages and function items', () => {
    const declared = itemPaths;
    expect(declared).toContain('item.content.detail');
    expect(unacceptedFields({ item: ITEM_FIELDS }, declared)).toEqual([]);
  });

  it('finds a field the server does not accept (the check can fail)', () => {
    const declared = new Set(['audio.input.transcription.languages', 'audio.input.brand_new_field']);
    expect(unacceptedFields(SESSION_FIELDS, declared)).toEqual(['audio.input.brand_new_field']);
  });
});

describe('the new fields over a socket', () => {
  let server: RealtimeServer;
  beforeAll(async () => {
    server = await createRealtimeServer({
      pacing: 'fast',
      engines: { transcriber: new NullTranscriber(), responder: new ScriptedResponder([{ text: 'Fine.' }]) },
    });
  });
  afterAll(() => server.close());

  it('keeps instructions and tools of an update that also sets reasoning, parallel calls and transcription hints', async () => {
    const c = await RawClient.connect(server.url);
    c.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: 'Be brief.',
        reasoning: { effort: 'low' },
        parallel_tool_calls: false,
        tools: [
          { type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } },
          {
            type: 'mcp',
            server_label: 'docs',
            server_url: 'https://example.com/mcp',
            require_approval: 'never',
          },
        ],
        audio: {
          input: {
            transcription: {
              model: 'gpt-4o-transcribe',
              languages: ['en', 'fr'],
              keywords: ['voxwire'],
              delay: 'low',
            },
            noise_reduction: { type: 'near_field', strength: 0.5 },
          },
          output: { voice: { id: 'voice_custom' } },
        },
      },
    });
    const updated = await c.next('session.updated');
    expect(c.types()).not.toContain('error');
    expect(updated.session).toMatchObject({
      instructions: 'Be brief.',
      reasoning: { effort: 'low' },
      parallel_tool_calls: false,
      tools: [{ name: 'lookup' }, { type: 'mcp', server_label: 'docs' }],
      audio: {
        input: { transcription: { languages: ['en', 'fr'], keywords: ['voxwire'], delay: 'low' } },
        output: { voice: 'voice_custom' },
      },
    });
    c.send({
      type: 'response.create',
      response: {
        output_modalities: ['text'],
        reasoning: { effort: 'minimal' },
        parallel_tool_calls: true,
        prompt: { id: 'pmpt_1', version: null },
      },
    });
    const done = await c.next('response.done');
    expect((done.response as { status: string }).status).toBe('completed');
    // A field nobody declares is still refused, naming it.
    c.send({ type: 'session.update', session: { type: 'realtime', brand_new_field: 1 } });
    const error = await c.next('error');
    expect(error.error).toMatchObject({ code: 'unknown_parameter', param: 'session.brand_new_field' });
    c.close();
  });
});
