/**
 * Sharing a loaded registry with worker threads without copying it: every
 * array of a registry built by `loadRegistry` lives on a SharedArrayBuffer, so
 * the handle below is structured-cloned by reference (postMessage) and the
 * worker rebuilds a `Registry` over the same memory.
 */

import type { Trie32Data } from '../trie/interval-trie.js';
import type { Registry, SourceInfo } from '../types.js';
import type { RegistryData } from './build-registry.js';
import { plainColumns } from './record-store.js';
import { RegistryIndex } from './registry-index.js';

/** A structured-cloneable handle on a registry's shared arrays. */
export interface SharedRegistryHandle {
  readonly kind: 'rirmap-shared-registry';
  readonly version: 1;
  readonly data: RegistryData;
  readonly sources: readonly SourceInfo[];
}

function isShared(a: { buffer: ArrayBufferLike }): boolean {
  return (
    typeof SharedArrayBuffer !== 'undefined' &&
    a.buffer instanceof SharedArrayBuffer
  );
}

const plainTrie = (t: Trie32Data): Trie32Data => ({
  starts: t.starts,
  ids: t.ids,
  table: t.table,
});

/**
 * The registry's arrays as plain objects, as structured clone and the
 * snapshot writer need them (a registry read lazily from a snapshot reads
 * everything it had not read yet).
 * @throws {SourceError} when a lazily read snapshot section is corrupt.
 */
export function plainRegistryData(d: RegistryData): RegistryData {
  return {
    columns: plainColumns(d.columns),
    v4: plainTrie(d.v4),
    v6: plainTrie(d.v6),
    asn: plainTrie(d.asn),
    conflicts: d.conflicts,
  };
}

/**
 * Returns a handle to post to worker threads.
 * @throws {TypeError} when the registry was not built by rirmap or its arrays are not shared.
 * @throws {SourceError} when a registry read from a snapshot has a corrupt section.
 */
export function shareRegistry(registry: Registry): SharedRegistryHandle {
  if (!(registry instanceof RegistryIndex))
    throw new TypeError(
      '`registry` must be a registry returned by loadRegistry',
    );
  const d = plainRegistryData(registry.data);
  if (!isShared(d.columns.type) || !isShared(d.v4.starts))
    throw new TypeError('`registry` arrays are not on SharedArrayBuffers');
  return {
    kind: 'rirmap-shared-registry',
    version: 1,
    data: d,
    sources: registry.sources,
  };
}

/**
 * Rebuilds a registry over a handle's shared arrays (no copy).
 * @throws {TypeError} when `handle` is not a handle from shareRegistry.
 */
export function registryFromShared(handle: SharedRegistryHandle): Registry {
  if (
    typeof handle !== 'object' ||
    handle === null ||
    handle.kind !== 'rirmap-shared-registry' ||
    handle.version !== 1
  )
    throw new TypeError('`handle` must come from shareRegistry()');
  return new RegistryIndex(handle.data, handle.sources);
}
