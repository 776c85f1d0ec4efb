#!/usr/bin/env node
// Runs the TypeScript client through tsx (an example: no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/client/main.ts');
