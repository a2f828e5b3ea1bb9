/** `--manifest FILE`: the run manifest, written atomically as JSON. */

import { rename, writeFile } from 'node:fs/promises';
import { buildManifest, type RunManifest } from '../provenance/manifest.js';
import type { OptionSpec, ParsedCommandArgs } from './command.js';

/** The option table entry. */
export const MANIFEST_OPTION: OptionSpec = {
  name: 'manifest',
  type: 'string',
  arg: 'FILE',
  description:
    'Write a JSON provenance manifest of the run (data files with sha256, input/output sha256 and rows)',
};

/** The options worth recording: everything given except help/debug/manifest. */
export function recordedOptions(
  args: ParsedCommandArgs,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(args.values).sort()) {
    if (key === 'help' || key === 'debug' || key === 'manifest') continue;
    out[key] = args.values[key];
  }
  return out;
}

/** Writes the manifest to a temporary name, then renames it. */
export async function writeManifestFile(
  path: string,
  manifest: RunManifest,
): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(buildManifest(manifest), null, 2)}\n`);
  await rename(tmp, path);
}
