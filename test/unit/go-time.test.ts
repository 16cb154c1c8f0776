import { expect } from 'chai';
import { goTime } from '../../server/go-time.js';

describe('goTime', () => {
  it('writes Go’s time.Time.String() in UTC, trailing zeros of the fraction dropped', () => {
    expect(goTime(new Date('2026-12-06T01:02:03.000Z'))).to.equal('2026-12-06 01:02:03 +0000 UTC');
    expect(goTime(new Date('2026-12-06T01:02:03.120Z'))).to.equal('2026-12-06 01:02:03.12 +0000 UTC');
    expect(goTime(new Date('2026-12-06T01:02:03.007Z'))).to.equal('2026-12-06 01:02:03.007 +0000 UTC');
  });
});
