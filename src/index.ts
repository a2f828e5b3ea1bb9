/**
 * rirmap's public API. Everything exported here is the contract; anything not
 * listed is internal and may change without notice.
 */

export { loadRegistry } from './registry/load-registry.js';
export { shareRegistry, registryFromShared } from './registry/share.js';
export type { SharedRegistryHandle } from './registry/share.js';
export {
  parseIp,
  isValidIp,
  parseIpv4,
  parseIpv6,
  parseAsnText,
} from './ip/parse-ip.js';
export type { ParsedIp } from './ip/parse-ip.js';
export { formatIpv4, formatIpv6 } from './ip/format-ip.js';
export { ipv4RangeToCidrs, ipv6RangeToCidrs } from './ip/range-to-prefixes.js';
export {
  specialIpv4,
  specialIpv6,
  SPECIAL_IPV4,
  SPECIAL_IPV6,
} from './ip/special.js';
export type { SpecialPurpose } from './ip/special.js';
export {
  parseDelegated,
  createDelegatedParser,
} from './delegated/parse-delegated.js';
export type {
  DelegatedHeader,
  DelegatedRecord,
  DelegatedFileSummary,
  ParseDelegatedOptions,
  TypeCounts,
} from './delegated/delegated-record.js';
export {
  RegistryError,
  DelegatedFileError,
  QueryError,
  SourceError,
  RdapError,
  isRegistryError,
} from './errors.js';
export type { RegistryErrorCode } from './errors.js';
export { RIRS, ALL_REGISTRIES, NOT_FOUND, INVALID, SPECIAL } from './types.js';
export type {
  Rir,
  ResourceType,
  AllocationStatus,
  SourceInfo,
  RecordSource,
  RecordRange,
  RegistryRecord,
  LookupResult,
  LookupMiss,
  LookupError,
  Conflict,
  ConflictSide,
  LoadWarning,
  IndexInterval,
  RegistryStats,
  Registry,
  LoadRegistryOptions,
} from './types.js';
export { updateRegistries, updateExitCode, UPDATE_STATE_FILE } from './sources/update.js';
export { UPDATE_RIRS, DEFAULT_BASE_URLS, parseMd5File } from './sources/rir-urls.js';
export type { UpdateRir } from './sources/rir-urls.js';
export type {
  UpdateOptions,
  UpdateSummary,
  RegistryUpdateResult,
  UpdateProgress,
  UpdateFileSystem,
} from './sources/update.js';
export { history } from './sources/history.js';
export type {
  HistoryOptions,
  HistoryResult,
  HistoryPeriod,
  HistoryFile,
  HistoryAnswer,
  HistorySkipped,
} from './sources/history.js';
export { selectDataFiles, selectDataFilesDetailed } from './sources/select-files.js';
export type {
  SelectedFile,
  SkippedFile,
  SkipReason,
  DataFileSelection,
  SelectDataFilesOptions,
} from './sources/select-files.js';
export { defaultDataDir } from './sources/data-dir.js';
export { writeSnapshotFile, readSnapshotFile } from './snapshot/snapshot-file.js';
export { encodeSnapshot, decodeSnapshot, SNAPSHOT_FORMAT } from './snapshot/snapshot.js';
export { run } from './cli/run.js';
