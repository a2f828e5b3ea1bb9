/**
 * Which delegated-statistics files to load from the paths a user gave
 * (`data` / `--data`), optionally as of a date. Only the head of each file is
 * read (its version line), never the records.
 *
 * Rules:
 * - A path that is a file is selected (`explicit: true`), unless `asOf` is set
 *   and its header end date is later than `asOf`. A file that is not a
 *   delegated file (no valid version line) is an error.
 * - A directory contributes, per registry (`iana` and `nro` count as registries
 *   of their own), its newest file by header end date, `extended` over
 *   `standard` on a tie, then the first name in code-point order. With `asOf`,
 *   the newest not later than `asOf`. Only files whose name starts with
 *   `delegated-` (plain, `.txt`, `.gz`, `.bz2`) are considered; other names,
 *   hidden files, compiled snapshots (`*.rirmap`) and subdirectories are not.
 *   A candidate without a valid version line is skipped and reported.
 * - The same file reached twice (named, or through two paths) is selected once.
 */

import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SourceError } from '../errors.js';
import { readDelegatedHead, type DelegatedHead } from './read-header.js';

/** One file chosen for loading. */
export interface SelectedFile {
  /** The path as given, or joined from the directory given. */
  readonly path: string;
  /** Header registry, lower case (`apnic`, …, `iana`, `nro`). */
  readonly registry: string;
  /** Header end date as yyyymmdd, 0 if none. */
  readonly endDate: number;
  readonly kind: 'standard' | 'extended';
  /** True when the path was named itself, false when found in a directory. */
  readonly explicit: boolean;
}

/** Why a file was not selected. */
export type SkipReason =
  /** Its end date is later than `asOf`. */
  | 'after-as-of'
  /** A newer (or preferred) file of the same registry in the same directory was chosen. */
  | 'superseded'
  /** Named like a delegated file but has no valid version line, or cannot be read. */
  | 'not-delegated'
  /** Already selected through another path. */
  | 'duplicate';

/** A file looked at and not selected. */
export interface SkippedFile {
  readonly path: string;
  readonly reason: SkipReason;
  /** Header registry, or null when there is no valid header. */
  readonly registry: string | null;
  /** Header end date as yyyymmdd, 0 if none or unknown. */
  readonly endDate: number;
  /** For `superseded` and `duplicate`: the path chosen instead. */
  readonly instead?: string;
  /** One line for humans, e.g. for `rirmap info`. */
  readonly message: string;
}

/** Result of {@link selectDataFilesDetailed}. */
export interface DataFileSelection {
  readonly selected: readonly SelectedFile[];
  readonly skipped: readonly SkippedFile[];
  /** `asOf` as yyyymmdd, or 0 when none was given. */
  readonly asOf: number;
}

/** Options of {@link selectDataFiles}. */
export interface SelectDataFilesOptions {
  /** Select, per registry, the newest file not later than this date: `yyyy-mm-dd` (or `yyyymmdd`). */
  readonly asOf?: string | undefined;
}

/**
 * Parses an as-of date, `yyyy-mm-dd` or `yyyymmdd`, into yyyymmdd.
 * @throws {RangeError} naming `option` when the text is not a calendar date.
 */
export function parseAsOf(text: string, option = 'asOf'): number {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text.trim());
  if (m !== null) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (
      date.getUTCFullYear() === y &&
      date.getUTCMonth() === mo - 1 &&
      date.getUTCDate() === d
    )
      return y * 10000 + mo * 100 + d;
  }
  throw new RangeError(
    `\`${option}\` must be a date yyyy-mm-dd, got ${JSON.stringify(text)}`,
  );
}

/** Formats yyyymmdd as `yyyy-mm-dd` (`-` for 0). */
export function formatYmd(n: number): string {
  if (n === 0) return '-';
  const s = String(n);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

const CANDIDATE_NAME = /^delegated-[^/\\]*?(?:\.txt)?(?:\.gz|\.bz2)?$/;

/** True for names a directory scan considers: `delegated-*`, plain, `.txt`, `.gz` or `.bz2`. */
export function isCandidateName(name: string): boolean {
  if (!CANDIDATE_NAME.test(name)) return false;
  const stem = name.replace(/\.(?:gz|bz2)$/, '').replace(/\.txt$/, '');
  // Companions and leftovers: .md5, .asc, .tmp, .part, .rirmap, .json …
  return !stem.includes('.');
}

interface Candidate {
  readonly path: string;
  readonly name: string;
  readonly real: string;
  readonly head: DelegatedHead;
}

/** Orders candidates best first: later end date, extended, then name. */
function better(a: Candidate, b: Candidate): number {
  if (a.head.endDate !== b.head.endDate) return b.head.endDate - a.head.endDate;
  if (a.head.kind !== b.head.kind) return a.head.kind === 'extended' ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

async function statPath(path: string): Promise<import('node:fs').Stats> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new SourceError(
        'SOURCE_NOT_FOUND',
        `no such file or directory: ${path}`,
        path,
        {
          cause: error,
        },
      );
    throw new SourceError(
      'SOURCE_READ_FAILED',
      `cannot read ${path}: ${(error as Error).message}`,
      path,
      { cause: error },
    );
  }
}

/**
 * Chooses the delegated files to load from files and directories, and says
 * what it skipped and why.
 * @param paths files and directories, in the order given
 * @param options.asOf per registry, the newest file not later than this date
 * @returns the selected files in path order (within a directory, by registry name), and the skipped ones
 * @throws {RangeError} when `asOf` is not a date
 * @throws {SourceError} `SOURCE_NOT_FOUND` for a path that does not exist;
 *   `SOURCE_READ_FAILED` for a named file that cannot be read or is not a
 *   delegated file (no valid version line), or a directory that cannot be listed
 */
export async function selectDataFilesDetailed(
  paths: readonly string[],
  options: SelectDataFilesOptions = {},
): Promise<DataFileSelection> {
  if (!Array.isArray(paths))
    throw new TypeError('`paths` must be an array of strings');
  const asOf = options.asOf === undefined ? 0 : parseAsOf(options.asOf);
  const selected: SelectedFile[] = [];
  const skipped: SkippedFile[] = [];
  const chosenByReal = new Map<string, string>();

  const pick = (c: Candidate, explicit: boolean): void => {
    const earlier = chosenByReal.get(c.real);
    if (earlier !== undefined) {
      skipped.push({
        path: c.path,
        reason: 'duplicate',
        registry: c.head.registry,
        endDate: c.head.endDate,
        instead: earlier,
        message: `${c.path}: same file as ${earlier}`,
      });
      return;
    }
    chosenByReal.set(c.real, c.path);
    selected.push({
      path: c.path,
      registry: c.head.registry,
      endDate: c.head.endDate,
      kind: c.head.kind,
      explicit,
    });
  };

  const afterAsOf = (c: Candidate): SkippedFile => ({
    path: c.path,
    reason: 'after-as-of',
    registry: c.head.registry,
    endDate: c.head.endDate,
    message: `${c.path}: ${c.head.registry} file of ${formatYmd(c.head.endDate)} is later than ${formatYmd(asOf)}`,
  });

  for (const path of paths) {
    if (typeof path !== 'string' || path === '')
      throw new TypeError('`paths` must be an array of non-empty strings');
    const info = await statPath(path);
    if (info.isDirectory()) {
      let names: string[];
      try {
        names = (await readdir(path)).sort();
      } catch (error) {
        throw new SourceError(
          'SOURCE_READ_FAILED',
          `cannot list ${path}: ${(error as Error).message}`,
          path,
          { cause: error },
        );
      }
      const byRegistry = new Map<string, Candidate[]>();
      for (const name of names) {
        if (!isCandidateName(name)) continue;
        const file = join(path, name);
        let fileInfo: import('node:fs').Stats;
        try {
          fileInfo = await stat(file);
        } catch {
          continue; // vanished or a dangling link
        }
        if (!fileInfo.isFile()) continue;
        let head: DelegatedHead | null;
        let why = 'no version line';
        try {
          head = await readDelegatedHead(file);
        } catch (error) {
          head = null;
          why = (error as Error).message;
        }
        if (head === null) {
          skipped.push({
            path: file,
            reason: 'not-delegated',
            registry: null,
            endDate: 0,
            message: `${file}: not a delegated-statistics file (${why})`,
          });
          continue;
        }
        const c: Candidate = {
          path: file,
          name,
          real: await realpath(file),
          head,
        };
        const list = byRegistry.get(head.registry);
        if (list === undefined) byRegistry.set(head.registry, [c]);
        else list.push(c);
      }
      for (const registry of [...byRegistry.keys()].sort()) {
        const list = byRegistry.get(registry)!.sort(better);
        let chosen: Candidate | undefined;
        for (const c of list) {
          if (asOf !== 0 && c.head.endDate > asOf) {
            skipped.push(afterAsOf(c));
          } else if (chosen === undefined) {
            chosen = c;
            pick(c, false);
          } else {
            skipped.push({
              path: c.path,
              reason: 'superseded',
              registry,
              endDate: c.head.endDate,
              instead: chosen.path,
              message: `${c.path}: ${basename(chosen.path)} (${formatYmd(chosen.head.endDate)}) is newer or preferred`,
            });
          }
        }
      }
    } else {
      const head = await readDelegatedHead(path);
      if (head === null)
        throw new SourceError(
          'SOURCE_READ_FAILED',
          `${path} is not a delegated-statistics file: no version line (2|registry|serial|records|startdate|enddate|UTCoffset) before the first record`,
          path,
        );
      const c: Candidate = {
        path,
        name: basename(path),
        real: await realpath(path),
        head,
      };
      // A file with no end date cannot be placed in time: it is kept.
      if (asOf !== 0 && head.endDate > asOf) skipped.push(afterAsOf(c));
      else pick(c, true);
    }
  }
  return { selected, skipped, asOf };
}

/**
 * Chooses the delegated files to load from files and directories (see
 * {@link selectDataFilesDetailed} for the rules and errors). An empty result
 * is not an error: the caller decides.
 */
export async function selectDataFiles(
  paths: readonly string[],
  options?: SelectDataFilesOptions,
): Promise<SelectedFile[]> {
  return [...(await selectDataFilesDetailed(paths, options)).selected];
}
