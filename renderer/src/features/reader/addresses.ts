import type { Address } from '../../../../shared/domain/message.js';

/**
 * The same addresses in the same order (case-insensitively). The ENVELOPE repeats From as Reply-To
 * when a message has none (RFC 3501 7.4.2), so a Reply-To equal to From says nothing.
 */
export function sameAddresses(a: readonly Address[], b: readonly Address[]): boolean {
  return a.length === b.length && a.every((x, i) => x.address.toLowerCase() === b[i]?.address.toLowerCase());
}
