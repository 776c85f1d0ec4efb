/** Words of a spoken text, each with its trailing space, in the order they are said. */
export function spokenWords(text: string): string[] {
  // A fixed pattern, linear in the text: no user text reaches a RegExp source.
  return text.match(/\S+\s*/g) ?? [text];
}

/**
 * The part of `text` a listener heard when playback stopped after `heard` of `total` samples: the words
 * whose share of the audio was fully played (speech is assumed evenly spread over the words, as the
 * transcript deltas are).
 */
export function heardText(text: string, heard: number, total: number): string {
  if (total <= 0 || heard >= total) return text.trimEnd();
  const words = spokenWords(text);
  const count = Math.floor((Math.max(0, heard) / total) * words.length);
  return words.slice(0, count).join('').trimEnd();
}
