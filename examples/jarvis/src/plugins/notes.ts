import type { Plugin } from './types.js';

const MAX_NOTES = 100;

/** `/note add <text>`, `/note list`, `/note clear`: notes kept per user in memory. */
export function notesPlugin(): Plugin {
  return {
    name: 'notes',
    description: 'Private notes: /note add <text>, /note list, /note clear',
    version: '1.0.0',
    commands: ['note'],
    handle(args, { state }) {
      const notes = (state.get('notes') as string[] | undefined) ?? [];
      state.set('notes', notes);
      const [verb, ...rest] = args.trim().split(/\s+/);
      const text = rest.join(' ');
      switch ((verb ?? '').toLowerCase()) {
        case 'add':
          if (!text) return 'What should I note?';
          if (notes.length >= MAX_NOTES) return `You have ${MAX_NOTES} notes already; clear some first.`;
          notes.push(text.slice(0, 500));
          return `Noted: ${text}.`;
        case 'list':
        case '':
          return notes.length ? `Your notes: ${notes.join('; ')}.` : 'You have no notes.';
        case 'clear':
          notes.length = 0;
          return 'Your notes are cleared.';
        default:
          return 'Use /note add <text>, /note list or /note clear.';
      }
    },
  };
}
