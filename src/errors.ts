/**
 * Error classes with closed codes. Every failure rirmap reports is a
 * `RegistryError` (or a subclass) whose `code` is one of {@link RegistryErrorCode}.
 */

/** Every code a {@link RegistryError} can carry, grouped by domain prefix. */
export type RegistryErrorCode =
  // Queries and input values
  | 'INPUT_INVALID_IP'
  | 'INPUT_INVALID_ASN'
  | 'INPUT_INVALID_QUERY'
  | 'INPUT_MISSING'
  | 'INPUT_MALFORMED'
  // Delegated-statistics files
  | 'DELEGATED_NO_HEADER'
  | 'DELEGATED_BAD_HEADER'
  | 'DELEGATED_BAD_VERSION'
  | 'DELEGATED_BAD_LINE'
  | 'DELEGATED_BAD_FIELD'
  | 'DELEGATED_COUNT_MISMATCH'
  | 'DELEGATED_REGISTRY_MISMATCH'
  | 'DELEGATED_OVERLAP'
  // Where data comes from
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_NO_DATA'
  | 'SOURCE_READ_FAILED'
  | 'SOURCE_DOWNLOAD_FAILED'
  | 'SOURCE_CHECKSUM_MISMATCH'
  | 'SOURCE_OFFLINE'
  | 'SNAPSHOT_INVALID'
  | 'SNAPSHOT_VERSION'
  // RDAP
  | 'RDAP_HTTP'
  | 'RDAP_RATE_LIMITED'
  | 'RDAP_TIMEOUT'
  | 'RDAP_NETWORK'
  | 'RDAP_INVALID_RESPONSE'
  | 'RDAP_REDIRECT'
  | 'RDAP_CIRCUIT_OPEN'
  | 'RDAP_NO_SERVER'
  // Enrichment
  | 'ENRICH_ROW'
  | 'ABORTED';

/** Base class of every error rirmap throws on purpose. */
export class RegistryError extends Error {
  override name = 'RegistryError';
  readonly code: RegistryErrorCode;

  constructor(
    code: RegistryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }
}

/** A delegated-statistics file is malformed or incomplete. Names file and line. */
export class DelegatedFileError extends RegistryError {
  override name = 'DelegatedFileError';
  /** File name as given to the parser. */
  readonly file: string;
  /** 1-based line number, or 0 when the problem concerns the whole file. */
  readonly line: number;

  constructor(
    code: RegistryErrorCode,
    message: string,
    file: string,
    line: number,
    options?: { cause?: unknown },
  ) {
    super(
      code,
      line > 0
        ? `${message} at line ${line} of ${file}`
        : `${message} in ${file}`,
      options,
    );
    this.file = file;
    this.line = line;
  }
}

/** A query (address, ASN) could not be understood. */
export class QueryError extends RegistryError {
  override name = 'QueryError';
  readonly query: string;

  constructor(code: RegistryErrorCode, message: string, query: string) {
    super(code, message);
    this.query = query;
  }
}

/** Data files or snapshots could not be found, read or fetched. */
export class SourceError extends RegistryError {
  override name = 'SourceError';
  readonly path: string | undefined;

  constructor(
    code: RegistryErrorCode,
    message: string,
    path?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.path = path;
  }
}

/** An RDAP request failed. */
export class RdapError extends RegistryError {
  override name = 'RdapError';
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: RegistryErrorCode,
    message: string,
    details: {
      url?: string;
      status?: number;
      retryAfterMs?: number;
      cause?: unknown;
    } = {},
  ) {
    super(
      code,
      message,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.url = details.url;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** True for any rirmap error, also across realms (worker threads, vm contexts). */
export function isRegistryError(value: unknown): value is RegistryError {
  return (
    value instanceof RegistryError ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { code?: unknown }).code === 'string' &&
      typeof (value as { name?: unknown }).name === 'string' &&
      /Error$/.test((value as { name: string }).name) &&
      /^[A-Z]+_[A-Z_]+$|^ABORTED$/.test((value as { code: string }).code))
  );
}
