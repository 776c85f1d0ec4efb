import { JarvisError } from '../errors.js';
import type { Plugin } from './types.js';

/**
 * Evaluates + - * / ^ and parentheses over decimal numbers (no eval).
 * @throws JarvisError `BAD_REQUEST` on anything else, naming what it did not expect
 */
export function evaluate(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/^()]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const primary = (): number => {
    const t = next();
    if (t === '(') {
      const v = sum();
      if (next() !== ')') throw new JarvisError('BAD_REQUEST', 'missing )');
      return v;
    }
    if (t === '-') return -primary();
    if (t !== undefined && /^\d/.test(t)) return Number(t);
    throw new JarvisError('BAD_REQUEST', `unexpected ${t ?? 'end'}`);
  };
  const power = (): number => {
    const base = primary();
    if (peek() === '^') {
      next();
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let v = power();
    while (peek() === '*' || peek() === '/') v = next() === '*' ? v * power() : v / power();
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = next() === '+' ? v + product() : v - product();
    return v;
  };
  const value = sum();
  if (i < tokens.length) throw new JarvisError('BAD_REQUEST', `unexpected ${tokens[i]}`);
  return value;
}

/** `/calc <expression>`: arithmetic. */
export function calcPlugin(): Plugin {
  return {
    name: 'calc',
    description: 'Arithmetic: /calc (2 + 3) * 4',
    version: '1.0.0',
    commands: ['calc'],
    handle(args) {
      if (!args.trim()) return 'What should I calculate? For example: /calc 2 + 2.';
      try {
        const v = evaluate(args);
        if (!Number.isFinite(v)) return 'That has no finite answer.';
        return `${args.trim()} = ${Number(v.toPrecision(12))}`;
      } catch (err) {
        return `I cannot calculate that: ${(err as Error).message}.`;
      }
    },
  };
}
