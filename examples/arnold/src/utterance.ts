// Understanding what a lifter says, without a language model: used by the local responder so the offline
// backend can make the same tool calls a real model would. Handles digits and spoken numbers ("one hundred
// eighty five"), since speech recognisers write numbers as words.

/** What the user asked for. */
export type Intent =
  | { kind: 'log'; exercise?: string; reps?: number; weight?: number; unit?: string }
  | { kind: 'recent'; limit?: number }
  | { kind: 'progress'; exercise?: string }
  | { kind: 'recall' }
  | { kind: 'none' };

const SMALL: Readonly<Record<string, number>> = {
  zero: 0,
  oh: 0,
  one: 1,
  a: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

/**
 * Replaces spelled-out numbers with digits: "one hundred and eighty five pounds" → "185 pounds",
 * "twenty-two reps" → "22 reps". A lone "a" or "oh" is left alone.
 */
export function wordsToDigits(text: string): string {
  const tokens = text
    .toLowerCase()
    .replace(/([a-z])-(?=[a-z])/g, '$1 ')
    .split(/\s+/)
    .filter(Boolean);
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const start = i;
    let total = 0;
    let current = 0;
    let used = false;
    while (i < tokens.length) {
      const t = tokens[i].replace(/[.,!?]+$/, '');
      if ((t === 'a' || t === 'oh') && !used) break;
      if (t === 'and' && used && i + 1 < tokens.length && isNumberWord(tokens[i + 1])) {
        i++;
        continue;
      }
      if (t in SMALL && t !== 'a' && t !== 'oh') current += SMALL[t];
      else if (t in TENS) current += TENS[t];
      else if (t === 'hundred') current = (current || 1) * 100;
      else if (t === 'thousand') {
        total += (current || 1) * 1000;
        current = 0;
      } else if (/^-?\d+(\.\d+)?$/.test(t) && !used) {
        current = Number(t);
        used = true;
        i++;
        break;
      } else break;
      used = true;
      i++;
    }
    if (used) {
      out.push(String(total + current));
      // keep punctuation that ended the number
      const last = tokens[i - 1];
      const punct = last.match(/[.,!?]+$/);
      if (punct) out[out.length - 1] += punct[0];
    } else {
      out.push(tokens[start]);
      i = start + 1;
    }
  }
  return out.join(' ');
}

function isNumberWord(token: string): boolean {
  const t = token.replace(/[.,!?]+$/, '');
  return (t in SMALL && t !== 'a' && t !== 'oh') || t in TENS || t === 'hundred' || t === 'thousand';
}

/**
 * A whole number as written, exponent included: "1e308 reps" is 1e308 reps (refused by validation), not
 * 308. Not preceded by a letter, digit or point, so no number is read from the middle of another.
 */
const NUMBER = /(?<![\w.])(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?![\d.])/;
const UNIT_WORDS = /(lbs?|pounds?|kgs?|kilos?|kilograms?|stones?|ounces?|grams?)/;
const STOP = /\s+\b(at|with|for|and|using|today|yesterday|this|just|please|in|on)\b.*$/;

function cleanExercise(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const name = raw
    .replace(/[.,!?;:]+.*$/, '')
    .replace(STOP, '')
    .replace(/^(the|my|some)\s+/, '')
    .trim();
  return name && name.split(/\s+/).length <= 4 ? name : undefined;
}

/** Works out the intent and tool arguments of one utterance. */
export function parseUtterance(text: string): Intent {
  const t = wordsToDigits(text)
    .toLowerCase()
    .replace(/[“”"]/g, '')
    .replace(/\bbench pressed\b/, 'bench press');
  if (/\b(what did i (say|tell you) (first|before|earlier))\b/.test(t)) return { kind: 'recall' };
  if (/\bprogress\b|\bhow am i doing\b|\bimprov/.test(t)) {
    const m =
      t.match(/\bmy\s+([a-z][a-z ]*?)\s+progress\b/) ??
      t.match(/\bprogress\s+(?:on|in|for|with|of)\s+(?:my\s+|the\s+)?([a-z][a-z ]*)/) ??
      t.match(/\b(?:doing|improving)\s+(?:on|in|at|with)\s+(?:my\s+|the\s+)?([a-z][a-z ]*)/);
    return { kind: 'progress', exercise: cleanExercise(m?.[1]) };
  }
  const reps = t.match(new RegExp(`${NUMBER.source}\\s*(?:reps?|repetitions?|times)\\b`));
  if (reps) {
    const intent: Intent = { kind: 'log', reps: Number(reps[1]) };
    const after = t.slice((reps.index ?? 0) + reps[0].length);
    const ex = after.match(/^\s*(?:of|on|doing)?\s*(?:the\s+)?([a-z][a-z' ]*)/);
    intent.exercise = /^(at|with|for|and)\b/.test(ex?.[1] ?? '') ? undefined : cleanExercise(ex?.[1]);
    if (!intent.exercise) {
      const before = t.slice(0, reps.index).match(/\b(?:did|do|of|log)\s+([a-z][a-z ]*?)\s*(?:for|,)?\s*$/);
      intent.exercise = cleanExercise(before?.[1]);
    }
    const load = t.match(new RegExp(`${NUMBER.source}\\s*${UNIT_WORDS.source}\\b`));
    if (load) {
      intent.weight = Number(load[1]);
      intent.unit = load[2];
    } else {
      const at = after.match(new RegExp(`\\b(?:at|with)\\s+${NUMBER.source}`));
      if (at) intent.weight = Number(at[1]);
      else if (/\bbody ?weight\b/.test(t)) intent.weight = 0;
    }
    return intent;
  }
  if (/\b(recent|history|last|latest|show me my|my workouts?|logged)\b/.test(t) || /\bworkouts\b/.test(t)) {
    const n = t.match(/\b(?:last|recent|latest)\s+(\d+)\b/) ?? t.match(/\b(\d+)\s+(?:most\s+)?recent\b/);
    return { kind: 'recent', limit: n ? Number(n[1]) : undefined };
  }
  return { kind: 'none' };
}
