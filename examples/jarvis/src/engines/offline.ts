import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NullTranscriber, PocketsphinxTranscriber, type Transcriber } from '@voxwire/speech';

/**
 * Offline recognisers from @voxwire/speech: pocketsphinx with the plugins' JSGF command grammar
 * (accurate and ~10× cheaper than open dictation for commands), pocketsphinx dictation, or the
 * NullTranscriber when pocketsphinx is not installed. Grammar files (text, never audio) live in a temporary
 * folder removed by `close()`.
 */
export class OfflineRecognizers {
  readonly installed = PocketsphinxTranscriber.isInstalled();
  private readonly dictation: Transcriber;
  private readonly byGrammar = new Map<string, Transcriber>();
  private dir: string | undefined;
  private files = 0;

  constructor(private readonly concurrency?: number) {
    this.dictation = this.installed ? new PocketsphinxTranscriber({ concurrency }) : new NullTranscriber();
  }

  /** The recogniser for `model`: `dictation`, or the command grammar `grammar` (JSGF text) for the rest. */
  get(model: string, grammar: string | undefined): Transcriber {
    if (!this.installed || model === 'dictation' || !grammar) return this.dictation;
    let t = this.byGrammar.get(grammar);
    if (!t) {
      this.dir ??= mkdtempSync(join(tmpdir(), 'jarvis-grammar-'));
      const file = join(this.dir, `commands-${this.files++}.gram`);
      writeFileSync(file, grammar);
      t = new PocketsphinxTranscriber({ args: ['-jsgf', file], concurrency: this.concurrency });
      // A handful of grammars at most (they change when plugins are toggled); keep the newest 8.
      if (this.byGrammar.size >= 8) this.byGrammar.delete(this.byGrammar.keys().next().value as string);
      this.byGrammar.set(grammar, t);
    }
    return t;
  }

  /** Removes the grammar files. */
  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.byGrammar.clear();
  }
}
