import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultThreads } from '../../src/cli/commands/enrich.js';
import { defaultWorkerUrl } from '../../src/enrich/worker-pool.js';

describe('default --threads', () => {
  it('is one thread on two cores or fewer, else the cores up to 8', () => {
    expect(defaultThreads(1)).toBe(1);
    expect(defaultThreads(2)).toBe(1);
    // Workers need the built worker script (npm run build).
    const built = existsSync(fileURLToPath(defaultWorkerUrl()));
    expect(defaultThreads(4)).toBe(built ? 4 : 1);
    expect(defaultThreads(64)).toBe(built ? 8 : 1);
  });
});
