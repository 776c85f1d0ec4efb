import { JarvisError } from '../errors.js';
import type { Plugin, PluginContext, PluginInfo } from './types.js';

/** What handling a message produced. */
export interface PluginResult {
  /** The reply text. */
  response: string;
  /** The plugin that answered, or undefined when no plugin did. */
  plugin?: string;
  /** The command, when the message was a slash command. */
  command?: string;
}

const COMMAND = /^\/([A-Za-z][\w-]*)(?:\s+([\s\S]*))?$/;

/**
 * Holds the plugins, their enabled state, each user's plugin state, and routes messages: a slash command goes
 * to the plugin registering it; other text is offered to each enabled plugin's `match` in registration order.
 */
export class PluginManager {
  private readonly plugins = new Map<string, { plugin: Plugin; enabled: boolean }>();
  private readonly commands = new Map<string, string>();
  /** userId → plugin name → state. */
  private readonly userState = new Map<string, Map<string, Map<string, unknown>>>();
  private readonly listeners = new Set<(info: PluginInfo) => void>();

  /** Registers a plugin (enabled). Duplicate names or commands throw. */
  register(plugin: Plugin): this {
    if (this.plugins.has(plugin.name)) throw new JarvisError('BAD_REQUEST', `plugin ${plugin.name} exists`);
    for (const c of plugin.commands) {
      if (c === 'help' || this.commands.has(c))
        throw new JarvisError('BAD_REQUEST', `command /${c} is taken`);
    }
    this.plugins.set(plugin.name, { plugin, enabled: true });
    for (const c of plugin.commands) this.commands.set(c, plugin.name);
    return this;
  }

  /** All plugins with their state. */
  list(): PluginInfo[] {
    return [...this.plugins.values()].map(({ plugin, enabled }) => this.info(plugin, enabled));
  }

  /** Enables or disables a plugin; unknown names → `not_found`. */
  setEnabled(name: string, enabled: boolean): PluginInfo {
    const entry = this.plugins.get(name);
    if (!entry) throw new JarvisError('NOT_FOUND', `no plugin named ${name}`);
    entry.enabled = enabled;
    const info = this.info(entry.plugin, enabled);
    for (const l of this.listeners) l(info);
    return info;
  }

  /** Called whenever a plugin is enabled or disabled; returns an unsubscribe function. */
  onChange(listener: (info: PluginInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets a user's plugin state (session timeout). */
  dropUser(userId: string): void {
    this.userState.delete(userId);
  }

  /**
   * Plugin-first handling: returns the plugin's answer, or undefined when no plugin takes the message
   * (the caller then uses its fallback). Unknown and disabled commands are answered here.
   */
  async handle(text: string, userId: string): Promise<PluginResult | undefined> {
    const trimmed = text.trim();
    const m = COMMAND.exec(trimmed);
    if (m) {
      const command = m[1].toLowerCase();
      const args = (m[2] ?? '').trim();
      if (command === 'help') return { response: this.help(), command };
      const name = this.commands.get(command);
      if (!name) return { response: `Unknown command /${command}. Say /help for the list.`, command };
      const entry = this.plugins.get(name);
      if (!entry?.enabled) return { response: `The ${name} plugin is disabled.`, plugin: name, command };
      return { response: await this.run(entry.plugin, args, userId), plugin: name, command };
    }
    if (/^(help|what can you do)\b/i.test(trimmed)) return { response: this.help(), command: 'help' };
    for (const { plugin, enabled } of this.plugins.values()) {
      if (!enabled || !plugin.match) continue;
      const args = plugin.match(trimmed);
      if (args !== undefined) return { response: await this.run(plugin, args, userId), plugin: plugin.name };
    }
    return undefined;
  }

  /**
   * A JSGF grammar of everything the enabled plugins can be asked aloud, plus `extraPhrases` (greetings…),
   * for the offline command recogniser.
   */
  grammar(extraPhrases: readonly string[] = []): string {
    const phrases: string[] = [...extraPhrases, 'help', 'what can you do'];
    const rules: string[] = [];
    for (const { plugin, enabled } of this.plugins.values()) {
      if (!enabled || !plugin.grammar) continue;
      phrases.push(...plugin.grammar.phrases);
      for (const [rule, body] of Object.entries(plugin.grammar.rules ?? {}))
        rules.push(`<${rule}> = ${body};`);
    }
    return [
      '#JSGF V1.0;',
      'grammar jarvis;',
      ...rules,
      `public <command> = [hey] [jarvis] ( ${phrases.map((p) => `( ${p} )`).join(' | ')} ) [jarvis] [please];`,
      '',
    ].join('\n');
  }

  private help(): string {
    const cmds = [...this.plugins.values()]
      .filter((e) => e.enabled)
      .flatMap((e) => e.plugin.commands.map((c) => `/${c}`));
    return `I can help with: ${cmds.join(', ')}. You can also ask aloud, for example: what is the weather in Paris.`;
  }

  private async run(plugin: Plugin, args: string, userId: string): Promise<string> {
    let perUser = this.userState.get(userId);
    if (!perUser) {
      perUser = new Map();
      this.userState.set(userId, perUser);
    }
    let state = perUser.get(plugin.name);
    if (!state) {
      state = new Map();
      perUser.set(plugin.name, state);
    }
    const context: PluginContext = { userId, state };
    try {
      return await plugin.handle(args, context);
    } catch (err) {
      throw new JarvisError('PLUGIN_FAILED', `plugin ${plugin.name} failed: ${(err as Error).message}`);
    }
  }

  private info(plugin: Plugin, enabled: boolean): PluginInfo {
    return {
      name: plugin.name,
      description: plugin.description,
      version: plugin.version,
      commands: plugin.commands.map((c) => `/${c}`),
      enabled,
    };
  }
}
