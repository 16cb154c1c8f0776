import { expect } from 'chai';
import { murmur3 } from '../../server/flows/murmur3.js';

describe('murmur3 (the CSRF cookie suffix)', () => {
  it('hashes a client id as Hydra does: my-client → 3709465940', () => {
    expect(murmur3('my-client')).to.equal(3709465940);
  });

  it('matches the reference MurmurHash3_x86_32 vectors (seed 0) for every tail length', () => {
    expect(murmur3('')).to.equal(0);
    expect(murmur3('a')).to.equal(0x3c2569b2);
    expect(murmur3('abc')).to.equal(0xb3dd93fa);
    expect(murmur3('abcd')).to.equal(0x43ed676a);
    expect(murmur3('Hello, world!')).to.equal(0xc0363e43);
    expect(murmur3('The quick brown fox jumps over the lazy dog')).to.equal(0x2e4ff723);
  });

  it('hashes the UTF-8 bytes, and honours a seed', () => {
    // U+00FC is the two bytes c3 bc in UTF-8 (its Latin-1 byte fc would hash to 3226243446).
    expect(murmur3('ü')).to.equal(2017519274);
    expect(murmur3('abc', 1)).to.not.equal(murmur3('abc'));
    expect(murmur3('Hello, world!', 1234)).to.equal(0xfaf6cdb3);
  });
});
