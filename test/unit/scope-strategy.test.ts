import { expect } from 'chai';
import {
  exactScopeStrategy,
  scopeStrategyFor,
  wildcardScopeStrategy,
} from '../../server/oauth2/scope-strategy.js';

describe('scope strategies (fosite/scope_strategy.go)', () => {
  describe('wildcard', () => {
    const cases: Array<[string[], string, boolean]> = [
      [['foo'], 'foo', true],
      [['foo'], 'foo.bar', false],
      [['foo'], 'fo', false],
      [['foo.*'], 'foo.bar', true],
      [['foo.*'], 'foo.bar.baz', true],
      [['foo.*'], 'foo', false],
      [['foo.*'], 'foo.', false],
      [['foo.*'], 'bar.foo', false],
      [['*'], 'anything', true],
      [['*'], 'any.thing.at.all', true],
      [['*'], '', false],
      [['a.*.c'], 'a.b.c', true],
      [['a.*.c'], 'a.b.d', false],
      [['a.*.c'], 'a..c', false],
      [['a.*.c'], 'a.b.c.d', false],
      [['a.*'], 'a.b', true],
      [['read', 'write'], 'write', true],
      [['Read'], 'read', false],
      [[], 'read', false],
      [['foo.bar'], 'foo.*', false],
    ];
    for (const [allowed, requested, expected] of cases) {
      it(`${JSON.stringify(allowed)} ${expected ? 'allows' : 'refuses'} '${requested}'`, () => {
        expect(wildcardScopeStrategy(allowed, requested)).to.equal(expected);
      });
    }
  });

  describe('exact', () => {
    it('allows only equal strings, case-sensitively', () => {
      expect(exactScopeStrategy(['foo.*', 'read'], 'read')).to.equal(true);
      expect(exactScopeStrategy(['foo.*'], 'foo.bar')).to.equal(false);
      expect(exactScopeStrategy(['foo.*'], 'foo.*')).to.equal(true);
      expect(exactScopeStrategy(['Read'], 'read')).to.equal(false);
    });
  });

  describe('scopeStrategyFor (strategies.scope)', () => {
    it('defaults to wildcard', () => expect(scopeStrategyFor()).to.equal(wildcardScopeStrategy));
    it('selects wildcard case-insensitively', () =>
      expect(scopeStrategyFor('WildCard')).to.equal(wildcardScopeStrategy));
    it('falls back to exact for any other value, as Hydra does', () => {
      expect(scopeStrategyFor('exact')).to.equal(exactScopeStrategy);
      expect(scopeStrategyFor('hierarchic')).to.equal(exactScopeStrategy);
      expect(scopeStrategyFor('')).to.equal(exactScopeStrategy);
    });
  });
});
