/** What a plugin gets with each message: who asks, and a store private to that user and plugin. */
export interface PluginContext {
  readonly userId: string;
  /** State of this plugin for this user only (cleared when the user's session times out). */
  readonly state: Map<string, unknown>;
}

/**
 * A Jarvis plugin: answers slash commands (`/weather Bangkok`) and, optionally, spoken phrases.
 * Plugins are consulted before the fallback conversation (plugin-first handling).
 */
export interface Plugin {
  /** Unique name, used by the management API (`/api/v2/plugins/{name}/enable`). */
  readonly name: string;
  readonly description: string;
  readonly version: string;
  /** Commands without the slash, e.g. `['weather']`. */
  readonly commands: readonly string[];
  /**
   * JSGF alternatives this plugin can be spoken with (for the offline command-grammar recogniser), and the
   * rules they use; rule names must start with the plugin's name. E.g.
   * `{ phrases: ['[what is the] weather in <weather_city>'], rules: { weather_city: 'bangkok | paris' } }`.
   */
  readonly grammar?: { phrases: readonly string[]; rules?: Readonly<Record<string, string>> };
  /**
   * Natural-language match: the command arguments when `text` (a transcript or chat message) is for this
   * plugin, else undefined.
   */
  match?(text: string): string | undefined;
  /** Answers a command with its argument text (may be empty). */
  handle(args: string, context: PluginContext): string | Promise<string>;
}

/** Public description of a plugin (what the list API returns). */
export interface PluginInfo {
  name: string;
  description: string;
  version: string;
  commands: string[];
  enabled: boolean;
}
