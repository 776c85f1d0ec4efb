import type { Plugin } from './types.js';

/** `/time [IANA zone]`: the current time (UTC by default). Spoken: "what time is it". */
export function timePlugin(now: () => Date = () => new Date()): Plugin {
  return {
    name: 'time',
    description: 'The current time, optionally in an IANA time zone (/time Asia/Bangkok)',
    version: '1.0.0',
    commands: ['time'],
    grammar: { phrases: ['what time is it', 'what is the time'] },
    match(text) {
      return /^(what time is it|what is the time|what's the time)\b/i.test(text) ? '' : undefined;
    },
    handle(args) {
      const zone = args.trim() || 'UTC';
      let text: string;
      try {
        text = new Intl.DateTimeFormat('en-GB', {
          timeZone: zone,
          hour: '2-digit',
          minute: '2-digit',
        }).format(now());
      } catch {
        return `I do not know the time zone ${zone}.`;
      }
      return `It is ${text} in ${zone}.`;
    },
  };
}
