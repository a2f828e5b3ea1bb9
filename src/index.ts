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
  OpaqueIds,
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
export {
  updateRegistries,
  updateExitCode,
  UPDATE_STATE_FILE,
} from './sources/update.js';
export {
  UPDATE_RIRS,
  DEFAULT_BASE_URLS,
  parseMd5File,
} from './sources/rir-urls.js';
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
export {
  selectDataFiles,
  selectDataFilesDetailed,
} from './sources/select-files.js';
export type {
  SelectedFile,
  SkippedFile,
  SkipReason,
  DataFileSelection,
  SelectDataFilesOptions,
} from './sources/select-files.js';
export { defaultDataDir } from './sources/data-dir.js';
export {
  writeSnapshotFile,
  readSnapshotFile,
} from './snapshot/snapshot-file.js';
export {
  encodeSnapshot,
  decodeSnapshot,
  SNAPSHOT_FORMAT,
} from './snapshot/snapshot.js';
export { createRdapResolver, openRdapResolver } from './rdap/rdap-resolver.js';
export type {
  RdapResolverOptions,
  RdapResolverHandle,
} from './rdap/rdap-resolver.js';
export { RDAP_FIELDS } from './rdap/rdap-types.js';
export type {
  RdapMode,
  RdapStatus,
  RdapInfo,
  RdapField,
  RdapStats,
  RdapResolver,
} from './rdap/rdap-types.js';
export {
  lookupWithRdap,
  lookupAllWithRdap,
  RDAP_MODES,
} from './rdap/lookup-with-rdap.js';
export type { RdapLookupResult } from './rdap/lookup-with-rdap.js';
export { loadRdapBootstrap } from './rdap/load-rdap-bootstrap.js';
export type { LoadRdapBootstrapOptions } from './rdap/load-rdap-bootstrap.js';
export {
  createRdapBootstrap,
  EMBEDDED_RDAP_BOOTSTRAP,
} from './rdap/rdap-bootstrap.js';
export type {
  RdapBootstrap,
  RdapBootstrapFiles,
  RdapBootstrapMatch,
} from './rdap/rdap-bootstrap.js';
export {
  DEFAULT_RDAP_LIMITS,
  PUBLISHED_RDAP_LIMITS,
} from './rdap/rdap-limits.js';
export type { RdapLimitKey } from './rdap/rdap-limits.js';
export type { RdapHostLimits } from './rdap/rate-limiter.js';
export { RIR_RDAP_SERVERS } from './rdap/rdap-hosts.js';
export type { RdapRir } from './rdap/rdap-hosts.js';
export type { RdapClock } from './rdap/rdap-clock.js';
export type { RdapCachePolicy } from './rdap/rdap-cache.js';
export { neutralizeCsvFormula } from './rdap/neutralize-csv-formula.js';
export { formatRdapField, isRdapField } from './rdap/format-rdap-field.js';
export { writeMmdb, DEFAULT_MMDB_DATABASE_TYPE } from './export/write-mmdb.js';
export type { WriteMmdbOptions, MmdbSummary } from './export/write-mmdb.js';
export { writeRanges } from './export/write-ranges.js';
export type {
  WriteRangesOptions,
  RangesSummary,
  RangeFormat,
} from './export/write-ranges.js';
export { EXPORT_FIELDS } from './export/export-fields.js';
export type { ExportField } from './export/export-fields.js';
export type { ExportSink } from './export/export-sink.js';
export { buildReport } from './report/build-report.js';
export type {
  BuildReportOptions,
  ReportRdapOptions,
  ReportInput,
} from './report/build-report.js';
export { ReportBuilder } from './report/report-builder.js';
export type { ReportFinishOptions } from './report/report-builder.js';
export { formatReportJson } from './report/format-report-json.js';
export { formatReportMarkdown } from './report/format-report-markdown.js';
export { formatReportHtml } from './report/format-report-html.js';
export { parseTimestamp } from './report/timestamp-reader.js';
export { COUNTRY_NOTE, DEFAULT_REPORT_LIMITS } from './report/report-types.js';
export type {
  Report,
  ReportObservation,
  ReportLimits,
  ReportCounts,
  ReportAddress,
  ReportRdapNetwork,
  ReportLinks,
  ReportBlock,
  ReportHolder,
  ReportCountry,
  ReportRegistry,
  ReportCountrySummary,
  ReportHolderSummary,
  ReportSpecial,
  ReportUnallocated,
  ReportInvalid,
  ReportAllocationYear,
  ReportTime,
  ReportTotals,
  ReportManifest,
} from './report/report-types.js';
export { enrichText } from './enrich/enrich-text.js';
export { createEnrichStream } from './enrich/enrich-stream.js';
export { enrichFile } from './enrich/enrich-file.js';
export { enrichRows } from './enrich/enrich-rows.js';
export { extractAddresses } from './enrich/extract-addresses.js';
export { DEFAULT_FIELDS, REGISTRY_FIELDS } from './enrich/enrich-fields.js';
export type {
  EnrichOptions,
  EnrichProgress,
  EnrichRdapOptions,
} from './enrich/enrich-options.js';
export type { EnrichSummary } from './enrich/enrich-summary.js';
export type { EnrichField } from './enrich/enrich-fields.js';
export type { EnrichTextRun, EnrichInput } from './enrich/enrich-text.js';
export type { EnrichStream } from './enrich/enrich-stream.js';
export type {
  EnrichRowsOptions,
  EnrichRowsRun,
  EnrichRow,
} from './enrich/enrich-rows.js';
export type { ExtractedAddress } from './enrich/extract-addresses.js';
export type {
  EnrichFileInput,
  EnrichFileOutput,
} from './enrich/enrich-file.js';
export { run } from './cli/run.js';
