/**
 * The lookup side of RDAP: what `rirmap lookup` prints for a query, with the
 * `rdap` object added according to the mode.
 *
 * - `off`: never asks; `rdap` is null.
 * - `fallback`: asks only for addresses no loaded file answers, never for
 *   special-purpose addresses (routed by the IANA bootstrap).
 * - `always`: also asks for every found address, routed to the registry the
 *   offline record names; the record bounds how far the answer is reused.
 * AS numbers are never sent to RDAP.
 */

import type { LookupError, LookupResult, Registry } from '../types.js';
import type { RdapInfo, RdapMode, RdapResolver } from './rdap-types.js';

/** A lookup answer (record, miss or error) with its RDAP fields, or null when RDAP was not asked. */
export type RdapLookupResult = (LookupResult | LookupError) & {
  readonly rdap: RdapInfo | null;
};

/** The modes, in order. */
export const RDAP_MODES: readonly RdapMode[] = ['off', 'fallback', 'always'];

function checkArgs(resolver: RdapResolver | null, mode: RdapMode): void {
  if (!RDAP_MODES.includes(mode))
    throw new TypeError(
      `\`mode\` must be one of ${RDAP_MODES.join(', ')}, got ${String(mode)}`,
    );
  if (
    mode !== 'off' &&
    (resolver === null || typeof resolver?.resolve !== 'function')
  )
    throw new TypeError(`\`resolver\` is required when \`mode\` is ${mode}`);
}

async function lookupOne(
  registry: Registry,
  resolver: RdapResolver | null,
  query: string,
  mode: RdapMode,
  signal: AbortSignal | undefined,
): Promise<RdapLookupResult> {
  const result = registry.query(query);
  if (mode === 'off' || resolver === null || 'error' in result)
    return { ...result, rdap: null };
  if (result.found) {
    if (result.type === 'asn' || mode !== 'always')
      return { ...result, rdap: null };
    return {
      ...result,
      rdap: await resolver.resolve(result.query, result, signal),
    };
  }
  if (
    result.special !== undefined ||
    /^as/i.test(query.trim()) ||
    /^\d+$/.test(query.trim())
  )
    return { ...result, rdap: null };
  return {
    ...result,
    rdap: await resolver.resolve(query.trim(), null, signal),
  };
}

/**
 * Looks a query up offline and adds RDAP fields as `mode` says.
 * Never throws for a bad query (the offline error is returned); rejects only
 * when `signal` aborts.
 * @param registry the loaded registry.
 * @param resolver from `createRdapResolver`; may be null when `mode` is `off`.
 * @param query an address or an AS number.
 * @param mode `off`, `fallback` or `always`.
 * @throws {TypeError} for an unknown mode or a missing resolver.
 */
export async function lookupWithRdap(
  registry: Registry,
  resolver: RdapResolver | null,
  query: string,
  mode: RdapMode,
  signal?: AbortSignal,
): Promise<RdapLookupResult> {
  checkArgs(resolver, mode);
  return lookupOne(registry, resolver, query, mode, signal);
}

/**
 * {@link lookupWithRdap} for many queries at once (RDAP requests coalesce and
 * are paced by the resolver). Answers come back in query order, one per query.
 * @throws {TypeError} for an unknown mode or a missing resolver.
 */
export async function lookupAllWithRdap(
  registry: Registry,
  resolver: RdapResolver | null,
  queries: readonly string[],
  mode: RdapMode,
  signal?: AbortSignal,
): Promise<RdapLookupResult[]> {
  checkArgs(resolver, mode);
  return Promise.all(
    queries.map((q) => lookupOne(registry, resolver, q, mode, signal)),
  );
}
