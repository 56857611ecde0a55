// Routes the sidecar's `$/progress {token, value}` notifications to whoever passed that
// token as `workDoneToken` (a load, a download). It owns the `$/progress` notification; the
// other features ask it for a token. vscode-free, so it is unit-tested.
import { Methods, type ProgressParams } from '../protocol';
import type { Disposable } from '../sidecar/events';

export interface NotificationSource {
  onNotification(method: string, handler: (params: unknown) => void): Disposable;
}

export type ProgressValue = ProgressParams['value'];

export class ProgressHub implements Disposable {
  private readonly listeners = new Map<string, (value: ProgressValue) => void>();
  private readonly subscription: Disposable;
  private counter = 0;

  constructor(source: NotificationSource, private readonly prefix = 'ea-progress') {
    this.subscription = source.onNotification(Methods.progress, (params) => {
      const p = params as Partial<ProgressParams> | undefined;
      if (!p || p.token === undefined || typeof p.value !== 'object' || p.value === null) return;
      this.listeners.get(String(p.token))?.(p.value);
    });
  }

  /** A fresh token whose `$/progress` values go to `listener` until disposed. */
  track(listener: (value: ProgressValue) => void): { token: string } & Disposable {
    const token = `${this.prefix}-${++this.counter}`;
    this.listeners.set(token, listener);
    return { token, dispose: () => { this.listeners.delete(token); } };
  }

  dispose(): void {
    this.listeners.clear();
    this.subscription.dispose();
  }
}
