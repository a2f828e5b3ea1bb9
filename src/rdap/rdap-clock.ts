/**
 * Time, injected. Every wait the RDAP resolver makes (rate limits, backoff,
 * Retry-After, request timeouts, circuit-breaker periods) goes through one
 * clock, so tests can run hours of registry pacing in milliseconds.
 */

/** The clock the RDAP resolver uses. */
export interface RdapClock {
  /** Milliseconds since the epoch (or any fixed origin). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds; rejects with the signal's reason when
   * `signal` aborts first. Must clean up its timer on abort.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return (
    signal.reason ??
    new DOMException('This operation was aborted', 'AbortError')
  );
}

// One listener per signal, fanned out: a run may have thousands of queries
// waiting on the caller's one signal, and Node warns past 10 listeners.
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` once when `signal` aborts.
 * @returns a function that stops watching.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let set = watchers.get(signal);
  if (set === undefined) {
    const callbacks = new Set<() => void>();
    set = callbacks;
    watchers.set(signal, callbacks);
    signal.addEventListener(
      'abort',
      () => {
        const list = [...callbacks];
        callbacks.clear();
        for (const f of list) f();
      },
      { once: true },
    );
  }
  const callbacks = set;
  callbacks.add(callback);
  return () => {
    callbacks.delete(callback);
  };
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const SYSTEM_CLOCK: RdapClock = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const stop =
        signal === undefined
          ? undefined
          : onAbort(signal, () => {
              clearTimeout(timer);
              reject(abortReason(signal));
            });
      const timer = setTimeout(() => {
        stop?.();
        resolve();
      }, ms);
    });
  },
};

/**
 * Waits for `promise`, but rejects as soon as `signal` aborts (the promise
 * itself keeps running and its outcome is ignored).
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => reject(abortReason(signal)));
    promise.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

/** True for the rejection of an aborted signal (AbortError or TimeoutError). */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as { name?: unknown }).name === 'AbortError' ||
      (error as { name?: unknown }).name === 'TimeoutError')
  );
}
