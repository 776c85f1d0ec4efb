import { calcPlugin } from './calc.js';
import { PluginManager } from './manager.js';
import { notesPlugin } from './notes.js';
import { timePlugin } from './time.js';
import { weatherPlugin } from './weather.js';

export { calcPlugin, evaluate } from './calc.js';
export { PluginManager, type PluginResult } from './manager.js';
export { notesPlugin } from './notes.js';
export { timePlugin } from './time.js';
export type { Plugin, PluginContext, PluginInfo } from './types.js';
export { weatherPlugin } from './weather.js';

/** A manager with the built-in offline plugins: weather, time, calc, notes. */
export function defaultPlugins(): PluginManager {
  return new PluginManager()
    .register(weatherPlugin())
    .register(timePlugin())
    .register(calcPlugin())
    .register(notesPlugin());
}
