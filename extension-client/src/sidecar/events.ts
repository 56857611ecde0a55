// A minimal event emitter with VS Code's `Event<T>` shape, so the sidecar layer stays free of
// the `vscode` module (it runs under plain `node --test`) yet plugs into VS Code unchanged.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> {
  private readonly listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(e: T): void {
    // Copy first: a listener may unsubscribe (or subscribe) while we iterate.
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A faulty listener must not break the supervisor's state machine.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
