// Token counts of a loaded local model, by its own tokenizer in the sidecar, made cheap enough for
// VS Code's habit of asking once per message: the texts asked for in one turn of the event loop go
// in one models/countTokens request, and counts are kept (bounded, least recently used out).
/** The part of a cancellation token the counter reads. */
interface CancellationLike {
  readonly isCancellationRequested: boolean;
}

const MAX_KEPT = 4096;
/** Longer texts are counted but not kept: the cache must stay small. */
const MAX_KEPT_CHARS = 64 * 1024;
/** The sidecar's bound on one request. */
const MAX_BATCH = 512;

type Count = (ref: string, texts: string[]) => Promise<{ counts: number[]; exact: boolean }>;

export class TokenCounter {
  private readonly kept = new Map<string, Map<string, number>>();
  private readonly pending = new Map<string, Map<string, { resolve: (n: number) => void; reject: (e: unknown) => void }[]>>();
  private scheduled = false;

  constructor(private readonly send: Count, private readonly schedule: (f: () => void) => void = (f) => setImmediate(f)) {}

  count(ref: string, text: string, token?: CancellationLike): Promise<number> {
    const kept = this.kept.get(ref)?.get(text);
    if (kept !== undefined) {
      // Least recently used goes first: asked again, it moves to the end.
      const m = this.kept.get(ref)!;
      m.delete(text);
      m.set(text, kept);
      return Promise.resolve(kept);
    }
    if (token?.isCancellationRequested) return Promise.resolve(0);
    return new Promise<number>((resolve, reject) => {
      let byText = this.pending.get(ref);
      if (!byText) this.pending.set(ref, (byText = new Map()));
      const waiters = byText.get(text) ?? [];
      waiters.push({ resolve, reject });
      byText.set(text, waiters);
      if (!this.scheduled) {
        this.scheduled = true;
        this.schedule(() => this.flush());
      }
    });
  }

  /** The model was unloaded (or another was loaded under its ref): its counts may no longer hold. */
  forget(ref: string): void {
    this.kept.delete(ref);
  }

  private flush(): void {
    this.scheduled = false;
    const batches = [...this.pending];
    this.pending.clear();
    for (const [ref, byText] of batches) {
      const texts = [...byText.keys()];
      for (let i = 0; i < texts.length; i += MAX_BATCH) void this.sendBatch(ref, texts.slice(i, i + MAX_BATCH), byText);
    }
  }

  private async sendBatch(ref: string, texts: string[], byText: Map<string, { resolve: (n: number) => void; reject: (e: unknown) => void }[]>): Promise<void> {
    try {
      const { counts, exact } = await this.send(ref, texts);
      texts.forEach((text, i) => {
        const n = counts[i] ?? 0;
        // Only exact counts are kept: an estimate (the model was unloaded meanwhile) must not outlive a reload.
        if (exact) this.keep(ref, text, n);
        for (const w of byText.get(text) ?? []) w.resolve(n);
      });
    } catch (e) {
      for (const text of texts) for (const w of byText.get(text) ?? []) w.reject(e);
    }
  }

  private keep(ref: string, text: string, n: number): void {
    if (text.length > MAX_KEPT_CHARS) return;
    let m = this.kept.get(ref);
    if (!m) this.kept.set(ref, (m = new Map()));
    m.set(text, n);
    if (m.size > MAX_KEPT) m.delete(m.keys().next().value!);
  }
}
