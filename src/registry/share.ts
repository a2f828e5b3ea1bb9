/**
 * Sharing a loaded registry with worker threads without copying it: every
 * array of a registry built by `loadRegistry` lives on a SharedArrayBuffer, so
 * the handle below is structured-cloned by reference (postMessage) and the
 * worker rebuilds a `Registry` over the same memory.
 */

import type { Registry, SourceInfo } from '../types.js';
import type { RegistryData } from './build-registry.js';
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

/**
 * Returns a handle to post to worker threads.
 * @throws {TypeError} when the registry was not built by rirmap or its arrays are not shared.
 */
export function shareRegistry(registry: Registry): SharedRegistryHandle {
  if (!(registry instanceof RegistryIndex))
    throw new TypeError(
      '`registry` must be a registry returned by loadRegistry',
    );
  const d = registry.data;
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
