/**
 * Default and maximum pacing per registry (REFERENCE.md B7 and B9).
 *
 * - LACNIC publishes 10 queries a minute and 1,000 an hour per address
 *   (blocks last about 5 minutes): at most 10/min, 1,000/h, bursts of 3.
 * - ARIN, APNIC and AFRINIC publish no numeric RDAP limit: about 1 a second,
 *   bursts of 5, 2 in flight.
 * - RIPE NCC allows 3 simultaneous connections (database AUP) and has banned
 *   clients after a few thousand fast queries: 1 a second, bursts of 5,
 *   2 in flight by default and never more than 3.
 *
 * A configuration may tighten these, never loosen them, unless the caller
 * passes `allowExceedingPublishedLimits: true` (e.g. with a LACNIC API key or
 * a bulk-access agreement).
 */

import type { RdapHostLimits } from './rate-limiter.js';
import { RDAP_RIRS, type RdapRir } from './rdap-hosts.js';

/** Limits are given per registry; `other` is any host not tied to a registry. */
export type RdapLimitKey = RdapRir | 'other';

const ONE_A_SECOND: RdapHostLimits = {
  requestsPerMinute: 60,
  requestsPerHour: null,
  burst: 5,
  maxInFlight: 2,
};

/** The defaults rirmap uses. */
export const DEFAULT_RDAP_LIMITS: Readonly<
  Record<RdapLimitKey, RdapHostLimits>
> = {
  afrinic: ONE_A_SECOND,
  apnic: ONE_A_SECOND,
  arin: ONE_A_SECOND,
  lacnic: {
    requestsPerMinute: 10,
    requestsPerHour: 1000,
    burst: 3,
    maxInFlight: 1,
  },
  ripencc: ONE_A_SECOND,
  other: ONE_A_SECOND,
};

/** The most a configuration may ask for without `allowExceedingPublishedLimits`. */
export const PUBLISHED_RDAP_LIMITS: Readonly<
  Record<RdapLimitKey, RdapHostLimits>
> = {
  afrinic: ONE_A_SECOND,
  apnic: ONE_A_SECOND,
  arin: ONE_A_SECOND,
  lacnic: {
    requestsPerMinute: 10,
    requestsPerHour: 1000,
    burst: 3,
    maxInFlight: 2,
  },
  ripencc: { ...ONE_A_SECOND, maxInFlight: 3 },
  other: ONE_A_SECOND,
};

const KEYS: readonly RdapLimitKey[] = [...RDAP_RIRS, 'other'];
const FIELDS = [
  'requestsPerMinute',
  'requestsPerHour',
  'burst',
  'maxInFlight',
] as const;

/**
 * Merges configured limits over the defaults and checks them.
 * @throws {TypeError} for an unknown registry or field, or a value of the wrong type.
 * @throws {RangeError} for a value out of range or above the published limit
 *   (unless `allowExceeding`), naming the option, e.g. `limits.lacnic.requestsPerMinute`.
 */
export function resolveRdapLimits(
  configured: unknown,
  allowExceeding: boolean,
): Record<RdapLimitKey, RdapHostLimits> {
  const out = { ...DEFAULT_RDAP_LIMITS } as Record<
    RdapLimitKey,
    RdapHostLimits
  >;
  if (configured === undefined) return out;
  if (
    typeof configured !== 'object' ||
    configured === null ||
    Array.isArray(configured)
  )
    throw new TypeError('`limits` must be an object keyed by registry');
  for (const [key, value] of Object.entries(configured)) {
    if (!(KEYS as readonly string[]).includes(key))
      throw new TypeError(
        `\`limits.${key}\` is not a registry (one of ${KEYS.join(', ')})`,
      );
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new TypeError(`\`limits.${key}\` must be an object`);
    const k = key as RdapLimitKey;
    const merged: Record<string, number | null> = { ...DEFAULT_RDAP_LIMITS[k] };
    for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
      const name = `limits.${key}.${field}`;
      if (!(FIELDS as readonly string[]).includes(field))
        throw new TypeError(
          `\`${name}\` is not a limit (one of ${FIELDS.join(', ')})`,
        );
      if (v === undefined) continue;
      if (field === 'requestsPerHour' && v === null) {
        if (
          !allowExceeding &&
          PUBLISHED_RDAP_LIMITS[k].requestsPerHour !== null
        )
          throw new RangeError(
            `\`${name}\` cannot be removed: ${key} publishes ${PUBLISHED_RDAP_LIMITS[k].requestsPerHour} an hour (pass \`allowExceedingPublishedLimits: true\` to override)`,
          );
        merged[field] = null;
        continue;
      }
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new TypeError(
          `\`${name}\` must be a finite number, got ${String(v)}`,
        );
      const integer = field === 'burst' || field === 'maxInFlight';
      if (v <= 0 || (integer && !Number.isInteger(v)))
        throw new RangeError(
          `\`${name}\` must be a positive ${integer ? 'integer' : 'number'}, got ${v}`,
        );
      const ceiling =
        PUBLISHED_RDAP_LIMITS[k][field as (typeof FIELDS)[number]];
      if (!allowExceeding && ceiling !== null && v > ceiling)
        throw new RangeError(
          `\`${name}\` is ${v}, above the published limit ${ceiling} for ${key} (pass \`allowExceedingPublishedLimits: true\` to override)`,
        );
      merged[field] = v;
    }
    out[k] = merged as unknown as RdapHostLimits;
  }
  return out;
}

/** The tighter of two limits, field by field. */
export function tighterLimits(
  a: RdapHostLimits,
  b: RdapHostLimits,
): RdapHostLimits {
  const hour =
    a.requestsPerHour === null
      ? b.requestsPerHour
      : b.requestsPerHour === null
        ? a.requestsPerHour
        : Math.min(a.requestsPerHour, b.requestsPerHour);
  return {
    requestsPerMinute: Math.min(a.requestsPerMinute, b.requestsPerMinute),
    requestsPerHour: hour,
    burst: Math.min(a.burst, b.burst),
    maxInFlight: Math.min(a.maxInFlight, b.maxInFlight),
  };
}
