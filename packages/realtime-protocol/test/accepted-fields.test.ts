// The client types of this package against the accepted-field trees: every field path a client can send
// through `SessionConfig`, `ResponseCreateParams` or `ClientConversationItem` must be one
// @voxwire/realtime-server accepts, or a typed client call would be refused as `unknown_parameter`.
// (realtime-server's own test walks the official `openai` declarations against the same trees.)
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ITEM_FIELDS, RESPONSE_FIELDS, SESSION_FIELDS, unacceptedFields } from '../src/index.js';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/** Field paths declared by each exported type, in one compilation of this package's source. */
function declaredPaths(typeNames: string[]): Set<string>[] {
  const program = ts.createProgram({
    rootNames: [entry],
    options: { strict: true, skipLibCheck: true, noEmit: true, module: ts.ModuleKind.ESNext },
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry);
  if (!file) throw new Error('index not compiled');
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(file) as ts.Symbol);
  return typeNames.map((name) => {
    const symbol = exports.find((s) => s.name === name);
    if (!symbol) throw new Error(`${name} is not exported`);
    const paths = new Set<string>();
    const seen = new Set<ts.Type>();
    const walk = (type: ts.Type, path: string): void => {
      if (type.isUnion() || type.isIntersection()) {
        for (const t of type.types) walk(t, path);
        return;
      }
      if (checker.isArrayType(type)) {
        walk(checker.getTypeArguments(type as ts.TypeReference)[0], path);
        return;
      }
      if (!(type.flags & ts.TypeFlags.Object) || seen.has(type)) return;
      seen.add(type);
      for (const prop of checker.getPropertiesOfType(type)) {
        const child = path ? `${path}.${prop.name}` : prop.name;
        paths.add(child);
        walk(checker.getNonNullableType(checker.getTypeOfSymbol(prop)), child);
      }
      seen.delete(type);
    };
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    walk(checker.getDeclaredTypeOfSymbol(target), '');
    return paths;
  });
}

const [sessionPaths, responsePaths, itemPaths] = declaredPaths([
  'SessionConfig',
  'ResponseCreateParams',
  'ClientConversationItem',
]);

describe('the client types declare only accepted fields', () => {
  it('SessionConfig (session.update)', () => {
    for (const path of [
      'audio.input.turn_detection.silence_duration_ms',
      'reasoning.effort',
      'tools.parameters',
    ])
      expect(sessionPaths).toContain(path);
    expect(unacceptedFields(SESSION_FIELDS, sessionPaths)).toEqual([]);
  });

  it('ResponseCreateParams (response.create)', () => {
    expect(responsePaths).toContain('input.content.text');
    expect(unacceptedFields(RESPONSE_FIELDS, responsePaths)).toEqual([]);
  });

  it('ClientConversationItem (conversation.item.create)', () => {
    expect(itemPaths).toContain('call_id');
    expect(unacceptedFields(ITEM_FIELDS, itemPaths)).toEqual([]);
  });

  it('finds a field the trees do not accept (the check can fail)', () => {
    expect(
      unacceptedFields(SESSION_FIELDS, new Set(['audio.input.format', 'audio.input.brand_new'])),
    ).toEqual(['audio.input.brand_new']);
  });
});
