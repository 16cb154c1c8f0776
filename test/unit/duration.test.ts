import { expect } from 'chai';
import {
  canonicalDuration,
  DurationError,
  formatDuration,
  parseDuration,
  parseDurationMs,
} from '../../sdk/duration.js';

const NS = 1n;
const US = 1000n;
const MS = 1000n * US;
const S = 1000n * MS;
const M = 60n * S;
const H = 60n * M;
const MAX = (1n << 63n) - 1n;
const MIN = -(1n << 63n);

describe('duration (Go time.ParseDuration / Duration.String)', () => {
  describe('parseDuration', () => {
    const cases: [string, bigint][] = [
      ['0', 0n],
      ['-0', 0n],
      ['+0', 0n],
      ['5s', 5n * S],
      ['30s', 30n * S],
      ['1478s', 1478n * S],
      ['-5s', -5n * S],
      ['+5s', 5n * S],
      ['5.0s', 5n * S],
      ['5.6s', 5n * S + 600n * MS],
      ['5.s', 5n * S],
      ['.5s', 500n * MS],
      ['1.004s', S + 4n * MS],
      ['100.00100s', 100n * S + MS],
      ['10ns', 10n * NS],
      ['11us', 11n * US],
      ['12\u00b5s', 12n * US],
      ['12\u03bcs', 12n * US],
      ['13ms', 13n * MS],
      ['15m', 15n * M],
      ['16h', 16n * H],
      ['1.5h', H + 30n * M],
      ['90m', 90n * M],
      ['3h30m', 3n * H + 30n * M],
      ['10.5s4m', 4n * M + 10n * S + 500n * MS],
      ['-2m3.4s', -(2n * M + 3n * S + 400n * MS)],
      ['1h2m3s4ms5us6ns', H + 2n * M + 3n * S + 4n * MS + 5n * US + 6n * NS],
      ['39h9m14.425s', 39n * H + 9n * M + 14n * S + 425n * MS],
      ['52763797000ns', 52763797000n],
      // Fractions are scaled in float64, exactly as Go does.
      ['0.3333333333333333333h', 20n * M],
      ['0.830103483285477580700h', 49n * M + 48n * S + 372539827n],
      ['9007199254740993ns', 9007199254740993n],
      ['9223372036854775807ns', MAX],
      ['9223372036854775.807us', MAX],
      ['9223372036s854ms775us807ns', MAX],
      ['-9223372036854775808ns', MIN],
      ['-9223372036854775.808us', MIN],
    ];
    for (const [input, want] of cases) {
      it(`${JSON.stringify(input)} → ${want}ns`, () => {
        expect(parseDuration(input)).to.equal(want);
      });
    }

    const errors: [string, string][] = [
      ['', 'time: invalid duration ""'],
      ['3', 'time: missing unit in duration "3"'],
      ['-', 'time: invalid duration "-"'],
      ['s', 'time: invalid duration "s"'],
      ['.', 'time: invalid duration "."'],
      ['-.', 'time: invalid duration "-."'],
      ['.s', 'time: invalid duration ".s"'],
      ['+.s', 'time: invalid duration "+.s"'],
      ['1d', 'time: unknown unit "d" in duration "1d"'],
      ['1h 30m', 'time: unknown unit "h " in duration "1h 30m"'],
      ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
      ['9223372036854775810ns', 'time: invalid duration "9223372036854775810ns"'],
      ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
      ['9223372036855s', 'time: invalid duration "9223372036855s"'],
      ['2562048h', 'time: invalid duration "2562048h"'],
    ];
    for (const [input, message] of errors) {
      it(`rejects ${JSON.stringify(input)}`, () => {
        expect(() => parseDuration(input))
          .to.throw(DurationError)
          .with.property('message', message);
      });
    }
  });

  it('parseDurationMs: milliseconds, keeping a sub-millisecond fraction', () => {
    expect(parseDurationMs('1h30m')).to.equal(5_400_000);
    expect(parseDurationMs('1.5ms')).to.equal(1.5);
  });

  describe('formatDuration', () => {
    const cases: [bigint, string][] = [
      [0n, '0s'],
      [1n, '1ns'],
      [1100n, '1.1\u00b5s'],
      [2200n * US, '2.2ms'],
      [500n * MS, '500ms'],
      [3300n * MS, '3.3s'],
      [1500n * MS, '1.5s'],
      [S, '1s'],
      [90n * S, '1m30s'],
      [4n * M + 5n * S, '4m5s'],
      [4n * M + 5001n * MS, '4m5.001s'],
      [5n * H + 6n * M + 7001n * MS, '5h6m7.001s'],
      [8n * M + 1n, '8m0.000000001s'],
      [H, '1h0m0s'],
      [90n * M, '1h30m0s'],
      [-90n * M, '-1h30m0s'],
      [MAX, '2562047h47m16.854775807s'],
      [MIN, '-2562047h47m16.854775808s'],
    ];
    for (const [ns, want] of cases) {
      it(`${ns}ns → ${want}`, () => {
        expect(formatDuration(ns)).to.equal(want);
      });
    }

    it('refuses values outside int64', () => {
      expect(() => formatDuration(MAX + 1n)).to.throw(RangeError);
    });
  });

  describe('canonicalDuration', () => {
    it('prints Hydra lifespans in Go canonical form', () => {
      expect(canonicalDuration('90m')).to.equal('1h30m0s');
      expect(canonicalDuration('1h')).to.equal('1h0m0s');
      expect(canonicalDuration('3600s')).to.equal('1h0m0s');
      expect(canonicalDuration('0')).to.equal('0s');
      expect(canonicalDuration('1.5s')).to.equal('1.5s');
    });

    it('round-trips exactly: parse(format(d)) === d', () => {
      let seed = 0x2545f4914f6cdd1dn;
      for (let i = 0; i < 2000; i++) {
        // xorshift64: deterministic values across the whole int64 range and near unit boundaries
        seed ^= (seed << 13n) & 0xffffffffffffffffn;
        seed ^= seed >> 7n;
        seed ^= (seed << 17n) & 0xffffffffffffffffn;
        const shift = BigInt(i % 64);
        const d = BigInt.asIntN(64, seed) >> shift;
        expect(parseDuration(formatDuration(d))).to.equal(d);
      }
    });
  });
});
