/**
 * Frees ArrayBuffers now rather than at some later garbage collection: they
 * are transferred into a message on a channel that is closed unread, which
 * frees what the message carries. On a VM where fresh memory is expensive and
 * RSS is watched, a load gives back its temporary memory this way before it
 * returns.
 */

import { MessageChannel } from 'node:worker_threads';

/**
 * Frees `buffers` (they become detached: length 0) and resolves once their
 * memory is given back.
 */
export async function freeBuffers(buffers: ArrayBuffer[]): Promise<void> {
  if (buffers.length === 0) return;
  const { port1, port2 } = new MessageChannel();
  const closed = new Promise<void>((resolve) =>
    port2.once('close', () => resolve()),
  );
  port1.postMessage(null, buffers);
  port1.close();
  port2.close();
  await closed;
}
