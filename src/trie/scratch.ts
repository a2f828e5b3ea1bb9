/**
 * Reused memory for the temporary arrays of the trie builds. On a VM every
 * megabyte of fresh memory costs milliseconds in page faults, and the three
 * tries (IPv4, IPv6, ASN) are built one after the other: each build takes the
 * memory the previous one is done with.
 *
 * Arrays come zeroed, like new typed arrays. `reset()` starts a build: every
 * array handed out before it may be handed out again, so none may outlive the
 * build that took it. `drain()` hands the buffers over (to be freed at once,
 * see registry/free-buffers.ts) and empties the pool.
 */
export class Scratch {
  readonly #buffers: ArrayBuffer[] = [];
  readonly #taken: boolean[] = [];

  /** Makes every buffer available again (the arrays handed out become invalid). */
  reset(): void {
    this.#taken.fill(false);
  }

  /** Hands over every buffer (the arrays handed out must no longer be used) and empties the pool. */
  drain(): ArrayBuffer[] {
    this.#taken.length = 0;
    return this.#buffers.splice(0);
  }

  /** The smallest free buffer of at least `bytes`, zeroed over `bytes`; else a new one. */
  #take(bytes: number): ArrayBuffer {
    let best = -1;
    for (let k = 0; k < this.#buffers.length; k++) {
      const size = this.#buffers[k]!.byteLength;
      if (
        !this.#taken[k] &&
        size >= bytes &&
        (best < 0 || size < this.#buffers[best]!.byteLength)
      )
        best = k;
    }
    if (best >= 0) {
      this.#taken[best] = true;
      const b = this.#buffers[best]!;
      new Uint8Array(b, 0, bytes).fill(0);
      return b;
    }
    const fresh = new ArrayBuffer(Math.max(8, bytes));
    this.#buffers.push(fresh);
    this.#taken.push(true);
    return fresh;
  }

  i32(n: number): Int32Array {
    return new Int32Array(this.#take(4 * n), 0, n);
  }

  u32(n: number): Uint32Array {
    return new Uint32Array(this.#take(4 * n), 0, n);
  }

  u64(n: number): BigUint64Array {
    return new BigUint64Array(this.#take(8 * n), 0, n);
  }

  f64(n: number): Float64Array {
    return new Float64Array(this.#take(8 * n), 0, n);
  }
}
