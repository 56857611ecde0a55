// How long to wait after a keystroke before asking for a completion. Pure, so it is unit-tested.
// Starts short; grows when requests are slow or get superseded (the user types faster than the
// model answers, so asking sooner only burns work), shrinks again when answers come back fast.

export interface DebounceOptions {
  initialMs?: number;
  minMs?: number;
  maxMs?: number;
  /** An answer slower than this counts as slow. */
  slowMs?: number;
  /** An answer faster than this counts as fast. */
  fastMs?: number;
}

export type RequestOutcome = 'answered' | 'superseded';

export class AdaptiveDebounce {
  readonly minMs: number;
  readonly maxMs: number;
  private readonly slowMs: number;
  private readonly fastMs: number;
  private current: number;

  constructor(options: DebounceOptions = {}) {
    this.minMs = options.minMs ?? 25;
    this.maxMs = options.maxMs ?? 500;
    this.slowMs = options.slowMs ?? 400;
    this.fastMs = options.fastMs ?? 150;
    this.current = clamp(options.initialMs ?? 75, this.minMs, this.maxMs);
  }

  /** The delay to wait before the next request, in whole milliseconds. */
  get delayMs(): number {
    return Math.round(this.current);
  }

  /** Feeds back what happened to a request that was sent, and how long it took. */
  record(outcome: RequestOutcome, elapsedMs: number): void {
    if (outcome === 'superseded' || elapsedMs > this.slowMs) this.current = clamp(this.current * 1.5, this.minMs, this.maxMs);
    else if (elapsedMs < this.fastMs) this.current = clamp(this.current * 0.8, this.minMs, this.maxMs);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
