// The clock and timers the supervisor and the completion engine wait on. Injected so that the
// unit tests decide when a deadline passes (a test that waits on real time fails on a busy
// machine); VS Code gets the real ones.

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Rejects with `message` if `p` has not settled within `ms`; clears its timer either way. */
export function raceDeadline<T>(timers: Timers, p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: unknown;
  const deadline = new Promise<never>((_, reject) => {
    timer = timers.setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, deadline]).finally(() => timers.clearTimeout(timer));
}

/** Resolves true when `p` settles within `ms`, false when the time runs out first. */
export async function settlesWithin(timers: Timers, p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: unknown;
  const timeout = new Promise<boolean>((resolve) => {
    timer = timers.setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    timers.clearTimeout(timer);
  }
}
