/**
 * Third-party MMDB readers for the agreement tests, batched so a suite stays
 * fast: Python's `maxminddb` (its pure-Python reader, and its C extension,
 * which is libmaxminddb) reads a whole list of addresses in one process, and
 * libmaxminddb's own `mmdblookup` (one process per address by design) runs
 * inside one shell loop. Both come from Debian packages (python3-maxminddb,
 * mmdb-bin) that .ci/run installs.
 */

import { spawnSync } from 'node:child_process';

const PYTHON_CANDIDATES = ['python3', '/usr/bin/python3'];
let python: string | null | undefined;

/** A python3 that can import maxminddb, or null. */
export function findPython(): string | null {
  if (python !== undefined) return python;
  python = null;
  for (const candidate of PYTHON_CANDIDATES) {
    const r = spawnSync(
      candidate,
      ['-c', 'import maxminddb, maxminddb.extension'],
      {
        stdio: 'ignore',
      },
    );
    if (r.status === 0) {
      python = candidate;
      break;
    }
  }
  return python;
}

/** True when `mmdblookup` runs. */
export function hasMmdblookup(): boolean {
  const r = spawnSync('mmdblookup', ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

const PY_LOOKUP = `
import json, sys, maxminddb
path, mode = sys.argv[1], sys.argv[2]
reader = maxminddb.open_database(path, maxminddb.MODE_MMAP if mode == 'pure' else maxminddb.MODE_MMAP_EXT)
if mode == 'pure' and type(reader).__module__ != 'maxminddb.reader':
    sys.exit('pure reader not selected')
if mode == 'ext' and type(reader).__module__ == 'maxminddb.reader':
    sys.exit('C extension not selected')
out = []
for line in sys.stdin:
    ip = line.strip()
    if ip:
        record, prefix = reader.get_with_prefix_len(ip)
        out.append(json.dumps([record, prefix], separators=(',', ':')))
m = reader.metadata()
meta = {k: getattr(m, k) for k in ('node_count', 'record_size', 'ip_version', 'database_type',
        'languages', 'binary_format_major_version', 'binary_format_minor_version', 'build_epoch',
        'description')}
sys.stdout.write(json.dumps(meta) + '\\n' + '\\n'.join(out) + '\\n')
`;

/** What a reader answered for one address: the record (null on a miss) and the prefix length. */
export type ReaderAnswer = readonly [record: unknown, prefixLength: number];

/**
 * Looks every address up with Python's maxminddb: `pure` is the pure-Python
 * reader, `ext` its C extension (libmaxminddb).
 * @returns the file's metadata and one answer per address
 */
export function pythonLookups(
  file: string,
  ips: readonly string[],
  mode: 'pure' | 'ext',
): { metadata: Record<string, unknown>; answers: ReaderAnswer[] } {
  const py = findPython();
  if (py === null) throw new Error('no python3 with the maxminddb module');
  const r = spawnSync(py, ['-c', PY_LOOKUP, file, mode], {
    input: `${ips.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0)
    throw new Error(`python maxminddb (${mode}) failed: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  const metadata = JSON.parse(lines[0]!) as Record<string, unknown>;
  const answers = lines
    .slice(1, 1 + ips.length)
    .map((l) => JSON.parse(l) as ReaderAnswer);
  if (answers.length !== ips.length)
    throw new Error('python answered fewer lines than asked');
  return { metadata, answers };
}

/**
 * Parses `mmdblookup`'s dump of one entry (libmaxminddb's
 * MMDB_dump_entry_data_list format) into a plain value.
 */
export function parseMmdblookupDump(text: string): unknown {
  const stack: {
    value: Record<string, unknown> | unknown[];
    key: string | null;
  }[] = [];
  let root: unknown;
  let pendingKey: string | null = null;
  const put = (v: unknown): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) root = v;
    else if (Array.isArray(top.value)) top.value.push(v);
    else {
      if (pendingKey === null)
        throw new Error(`value without a key: ${JSON.stringify(v)}`);
      top.value[pendingKey] = v;
      pendingKey = null;
    }
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line === '{' || line === '[') {
      const container: Record<string, unknown> | unknown[] =
        line === '{' ? {} : [];
      put(container);
      stack.push({ value: container, key: pendingKey });
      continue;
    }
    if (line === '}' || line === ']') {
      stack.pop();
      continue;
    }
    const key = /^"(.*)":$/.exec(line);
    if (key !== null) {
      pendingKey = key[1]!;
      continue;
    }
    const str = /^"(.*)" <utf8_string>$/.exec(line);
    if (str !== null) {
      put(str[1]);
      continue;
    }
    const num =
      /^(\S+) <(uint16|uint32|uint64|uint128|int32|double|float|boolean)>$/.exec(
        line,
      );
    if (num !== null) {
      put(num[2] === 'boolean' ? num[1] === 'true' : Number(num[1]));
      continue;
    }
    throw new Error(`unexpected mmdblookup line: ${line}`);
  }
  return root;
}

/**
 * Looks addresses up with `mmdblookup`, one process each (inside one shell
 * loop). Misses come back as null.
 */
export function mmdblookupMany(
  file: string,
  ips: readonly string[],
): unknown[] {
  const script =
    'while IFS= read -r ip; do printf "@@ %s\\n" "$ip"; ' +
    'mmdblookup --file "$1" --ip "$ip" 2>&1; printf "@@ rc=%s\\n" "$?"; done';
  const r = spawnSync('sh', ['-c', script, 'sh', file], {
    input: `${ips.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`mmdblookup loop failed: ${r.stderr}`);
  const out: unknown[] = [];
  const blocks = r.stdout.split(/^@@ /m).filter((b) => b !== '');
  for (let i = 0; i + 1 < blocks.length; i += 2) {
    const body = blocks[i]!.slice(blocks[i]!.indexOf('\n') + 1);
    const rc = blocks[i + 1]!.trim();
    if (body.includes('Could not find an entry')) out.push(null);
    else if (rc !== 'rc=0')
      throw new Error(`mmdblookup failed (${rc}): ${body}`);
    else out.push(parseMmdblookupDump(body));
  }
  if (out.length !== ips.length)
    throw new Error('mmdblookup answered fewer addresses than asked');
  return out;
}

/** `mmdblookup --verbose` metadata lines as a key → text map, e.g. `Node count` → `417`. */
export function mmdblookupMetadata(
  file: string,
  ip: string,
): Record<string, string> {
  const r = spawnSync('mmdblookup', ['--file', file, '--ip', ip, '--verbose'], {
    encoding: 'utf8',
  });
  const text = `${r.stdout}\n${r.stderr}`;
  if (!text.includes('Database metadata'))
    throw new Error(`mmdblookup --verbose failed: ${text}`);
  const meta: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s{4}([A-Z][A-Za-z ]+):\s+(.*)$/.exec(line);
    if (m !== null) meta[m[1]!] = m[2]!.trim();
  }
  const desc = /^\s+en:\s+(.*)$/m.exec(text);
  if (desc !== null) meta['Description en'] = desc[1]!.trim();
  return meta;
}
