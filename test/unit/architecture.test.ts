import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = join(root, 'src');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? files(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

const sources = files(src).map((f) => ({
  path: relative(src, f).split('\\').join('/'),
  imports: [
    ...readFileSync(f, 'utf8').matchAll(
      /^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|\b(?:require|createRequire\([^)]*\))\(\s*['"]([^'"]+)['"]\s*\)/gm,
    ),
  ].map((m) => (m[1] ?? m[2])!),
}));

describe('architecture', () => {
  it('each runtime dependency is imported by exactly one module', () => {
    for (const dep of Object.keys(pkg.dependencies)) {
      const users = sources
        .filter((s) =>
          s.imports.some((i) => i === dep || i.startsWith(`${dep}/`)),
        )
        .map((s) => s.path);
      expect({ dep, users: users.length }).toEqual({ dep, users: 1 });
    }
  });

  it('the hot-path core (ip, trie, delegated parser) touches no I/O and no process', () => {
    const core = sources.filter((s) => /^(ip|trie|delegated)\//.test(s.path));
    expect(core.length).toBeGreaterThan(5);
    for (const s of core) {
      const bad = s.imports.filter(
        (i) => i.startsWith('node:') || !i.startsWith('.'),
      );
      expect({ file: s.path, bad }).toEqual({
        file: s.path,
        bad: s.path === 'ip/cidr.ts' ? ['ip-cidr'] : [],
      });
      expect(readFileSync(join(src, s.path), 'utf8')).not.toMatch(
        /\bprocess\.|console\./,
      );
    }
  });

  it('library code never logs or exits; only the CLI touches process', () => {
    for (const s of sources) {
      if (s.path.startsWith('cli/')) continue;
      const text = readFileSync(join(src, s.path), 'utf8');
      expect({
        file: s.path,
        log: /\bconsole\.(log|error|warn|info)\(/.test(text),
      }).toEqual({ file: s.path, log: false });
      expect({ file: s.path, exit: /\bprocess\.exit\(/.test(text) }).toEqual({
        file: s.path,
        exit: false,
      });
    }
  });
});
