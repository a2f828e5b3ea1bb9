/**
 * The head of a delegated-statistics file (its version line and a kind hint),
 * for choosing files without parsing them: a thin adapter over
 * `readHeaderOnly` that says "not a delegated file" with null instead of an error.
 */

import { DelegatedFileError } from '../errors.js';
import { readHeaderOnly } from '../io/read-source.js';

/** What the head of a delegated file says. */
export interface DelegatedHead {
  /** `2`, `2.3`, … */
  readonly version: string;
  /** Lower case: afrinic, apnic, arin, lacnic, ripencc, iana, nro. */
  readonly registry: string;
  /** Kept as text: a date, Unix seconds or Unix milliseconds. */
  readonly serial: string;
  /** Number of records the header announces. */
  readonly records: number;
  /** yyyymmdd, 0 when empty. */
  readonly endDate: number;
  /**
   * `extended` when the file name says `-extended` or a record line within the
   * first 64 KiB after the version line has an 8th field; else `standard`.
   */
  readonly kind: 'standard' | 'extended';
}

/**
 * Reads and parses the head of a delegated file (plain, gzip or bzip2).
 * @returns the head, or null when the file does not start with a valid version line.
 * @throws {SourceError} `SOURCE_NOT_FOUND`, or `SOURCE_READ_FAILED` when the file
 *   cannot be read or decompressed.
 */
export async function readDelegatedHead(
  path: string,
): Promise<DelegatedHead | null> {
  try {
    const h = await readHeaderOnly(path);
    return {
      version: h.version,
      registry: h.registry,
      serial: h.serial,
      records: h.records,
      endDate: h.endDate,
      kind: h.kind,
    };
  } catch (error) {
    if (error instanceof DelegatedFileError) return null;
    throw error;
  }
}
