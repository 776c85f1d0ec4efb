import type { PluginManager } from './plugins/manager.js';

/** A chat answer, as `POST /api/v2/chat` returns it. */
export interface ChatReply {
  user_id: string;
  message: string;
  response: string;
  /** Plugin that answered, or null for the built-in conversation. */
  plugin: string | null;
  /** Slash command, or null. */
  command: string | null;
  source: 'text' | 'voice';
  timestamp: string;
}

/** Phrases the fallback conversation understands aloud (added to the command grammar). */
export const SMALL_TALK_PHRASES: readonly string[] = [
  'hello',
  'hi',
  'good morning',
  'thank you',
  'who are you',
];

/** The built-in answer when no plugin takes a message. */
export function smallTalk(text: string): string {
  const t = text.trim().toLowerCase();
  if (
    /^(hey |hi |hello |good morning )?(jarvis)?[\s,!.]*$/.test(`${t} `) ||
    /^(hello|hi|hey|good morning)\b/.test(t)
  ) {
    return 'Hello! How can I help you?';
  }
  if (/\bthank/.test(t)) return 'You are welcome.';
  if (/\bwho are you\b/.test(t)) return 'I am Jarvis, your voice assistant.';
  if (!t) return 'I did not catch that.';
  return `I heard: ${text.trim()}. Say help for what I can do.`;
}

/** Plugin-first handling of one message, then the built-in conversation. */
export async function handleChat(
  plugins: PluginManager,
  userId: string,
  message: string,
  source: 'text' | 'voice',
): Promise<ChatReply> {
  const result = await plugins.handle(message, userId);
  return {
    user_id: userId,
    message,
    response: result?.response ?? smallTalk(message),
    plugin: result?.plugin ?? null,
    command: result?.command ?? null,
    source,
    timestamp: new Date().toISOString(),
  };
}
