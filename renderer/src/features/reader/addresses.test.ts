import { describe, expect, it } from 'vitest';
import { sameAddresses } from './addresses.js';

describe('sameAddresses', () => {
  const a = (address: string, name = '') => ({ name, address });
  it('is true for the same addresses in order, whatever the case and names', () => {
    expect(sameAddresses([a('Bob@Example.org', 'Bob')], [a('bob@example.org')])).toBe(true);
    expect(sameAddresses([], [])).toBe(true);
  });
  it('is false for another address, another order or another count', () => {
    expect(sameAddresses([a('list@example.org')], [a('bob@example.org')])).toBe(false);
    expect(sameAddresses([a('x@e'), a('y@e')], [a('y@e'), a('x@e')])).toBe(false);
    expect(sameAddresses([a('x@e')], [a('x@e'), a('y@e')])).toBe(false);
  });
});
