/**
 * How rirmap names itself to RDAP servers: `rirmap/<version> (+<contact>)`.
 * Registries block generic clients and ask bulk users to be reachable, so the
 * operator's contact (an e-mail address or URL) goes in the User-Agent.
 */

import { VERSION } from '../version.js';

/** The package version. */
export const RIRMAP_VERSION: string = VERSION;

const CONTACT = /^[\x21-\x27\x2a-\x7e]+$/;

/**
 * Checks an operator contact: printable ASCII without spaces or parentheses, at most 200 characters.
 * @throws {TypeError} naming `option`.
 */
export function checkContact(contact: string, option = 'contact'): string {
  const c = contact.trim();
  if (c === '' || c.length > 200 || !CONTACT.test(c))
    throw new TypeError(
      `\`${option}\` must be an e-mail address or URL (printable ASCII, no spaces or parentheses, at most 200 characters), got ${JSON.stringify(contact)}`,
    );
  return c;
}

/** `rirmap/<version> (+<contact>)`, or `rirmap/<version>` without a contact. */
export function buildUserAgent(contact: string | null): string {
  return contact === null
    ? `rirmap/${RIRMAP_VERSION}`
    : `rirmap/${RIRMAP_VERSION} (+${contact})`;
}
