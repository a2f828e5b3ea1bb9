/** The hand-written registry fixtures (fixtures/registry/) the unit tests share. */

import { fileURLToPath } from 'node:url';

/** Path of a file in fixtures/registry/. */
export const registryFixture = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/registry/${name}`, import.meta.url));

export const APNIC_FIXTURE = registryFixture(
  'delegated-apnic-extended-20240101',
);
export const RIPE_FIXTURE = registryFixture(
  'delegated-ripencc-extended-20240301',
);
export const IANA_FIXTURE = registryFixture('delegated-iana-20240101');

/** All three, in load order. */
export const REGISTRY_FIXTURES = [APNIC_FIXTURE, RIPE_FIXTURE, IANA_FIXTURE];

/** The record fields a field reader takes from the registry's columns. */
export const COLUMN_FIELDS = [
  'rir',
  'country',
  'date',
  'status',
  'holder',
  'source',
] as const;
