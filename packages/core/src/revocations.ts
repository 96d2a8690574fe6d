/**
 * Which principals are still current: a principal stops being current once its app's key is
 * regenerated or the app is deleted, as this gate observes it (locally or through the store's
 * change feed). Adapters re-check it after every await between authentication and a handler
 * (body read, guardrail, server factory), so a revocation that resolved meanwhile still holds.
 *
 * Each authentication notes the revocation counter when it *begins*; an app object is current
 * while no revocation of its app was counted after that. Noting the start rather than the end
 * keeps a verification that was already running when the key was revoked from admitting anyone.
 */
import type { App } from "./app.js";

export class RevocationLog {
  #counter = 0;
  /** App id → counter value of its latest revocation (regenerate or delete). */
  readonly #revokedAt = new Map<string, number>();
  /** Principal object → counter value when the earliest authentication that returned it began. */
  readonly #admittedAt = new WeakMap<App, number>();

  /** The mark of an authentication that begins now; hand it to {@link admit} with its result. */
  begin(): number {
    return this.#counter;
  }

  /** Notes that `app` came out of an authentication that began at `mark`; returns `app`. */
  admit(app: App, mark: number): App {
    const earlier = this.#admittedAt.get(app);
    if (earlier === undefined || mark < earlier) this.#admittedAt.set(app, mark);
    return app;
  }

  /** The app's key was regenerated or the app deleted: every principal admitted so far is stale. */
  revoke(appId: string): void {
    this.#revokedAt.set(appId, ++this.#counter);
  }

  /** False for a stale principal and for any object this log never admitted (fail closed). */
  isCurrent(app: App): boolean {
    const admitted = this.#admittedAt.get(app);
    if (admitted === undefined) return false;
    const revoked = this.#revokedAt.get(app.id);
    return revoked === undefined || revoked <= admitted;
  }
}
