/**
 * A circuit breaker per RDAP host. After `failureThreshold` consecutive
 * failures (timeouts, network errors, 5xx, 429s, quota 403s) the host is
 * "open": no requests for `openMs`. Then one probe is let through
 * ("half-open"); its success closes the circuit, its failure opens it again
 * for twice as long, up to `maxOpenMs`.
 */

import type { RdapClock } from './rdap-clock.js';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  readonly clock: RdapClock;
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly maxOpenMs: number;
}

interface Circuit {
  failures: number;
  trips: number;
  openUntil: number;
  probing: boolean;
}

/** Per-host circuit breaker. */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  private readonly options: CircuitBreakerOptions;

  constructor(options: CircuitBreakerOptions) {
    this.options = options;
  }

  private circuit(host: string): Circuit {
    let c = this.circuits.get(host);
    if (c === undefined) {
      c = { failures: 0, trips: 0, openUntil: -Infinity, probing: false };
      this.circuits.set(host, c);
    }
    return c;
  }

  /** True when a request to the host may be sent now (claims the probe when half-open). */
  allow(host: string): boolean {
    const c = this.circuits.get(host);
    if (c === undefined || c.trips === 0) return true;
    if (this.options.clock.now() < c.openUntil) return false;
    if (c.probing) return false;
    c.probing = true;
    return true;
  }

  /** True while the host's circuit is open or a half-open probe is out. */
  isOpen(host: string): boolean {
    const c = this.circuits.get(host);
    if (c === undefined || c.trips === 0) return false;
    return this.options.clock.now() < c.openUntil || c.probing;
  }

  /** A request to the host got an answer (any non-failure status). */
  success(host: string): void {
    const c = this.circuits.get(host);
    if (c === undefined) return;
    c.failures = 0;
    c.trips = 0;
    c.probing = false;
    c.openUntil = -Infinity;
  }

  /** A request to the host failed. */
  failure(host: string): void {
    const c = this.circuit(host);
    c.failures++;
    if (
      c.probing ||
      (c.trips === 0 && c.failures >= this.options.failureThreshold)
    ) {
      c.probing = false;
      const ms = Math.min(
        this.options.maxOpenMs,
        this.options.openMs * 2 ** c.trips,
      );
      c.trips++;
      c.openUntil = this.options.clock.now() + ms;
    }
  }

  /** Releases a claimed probe without a verdict (e.g. the request was aborted). */
  release(host: string): void {
    const c = this.circuits.get(host);
    if (c !== undefined) c.probing = false;
  }
}
