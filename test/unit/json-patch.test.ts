import { expect } from 'chai';
import { applyJsonPatch, parseJsonPointer } from '../../server/clients/json-patch.js';
import { BadRequestError } from '../../server/oauth2/errors.js';

const base = () => ({
  client_id: 'c1',
  client_name: 'svc',
  redirect_uris: ['https://a/cb', 'https://b/cb'],
  metadata: { team: { name: 'core' } },
  'a/b': 1,
  'm~n': 2,
});

const rejects = (patch: unknown, reason: RegExp, options?: Parameters<typeof applyJsonPatch>[2]) => {
  let caught: unknown;
  try {
    applyJsonPatch(base(), patch, options);
  } catch (err) {
    caught = err;
  }
  expect(caught).to.be.instanceOf(BadRequestError);
  const err = caught as BadRequestError;
  expect(err.status).to.equal(400);
  expect(err.error).to.equal('The request was malformed or contained invalid parameters');
  expect(err.description).to.match(reason);
};

describe('JSON Patch (RFC 6902, Hydra subset)', () => {
  describe('parseJsonPointer (RFC 6901)', () => {
    it('splits and unescapes ~1 then ~0', () => {
      expect(parseJsonPointer('')).to.deep.equal([]);
      expect(parseJsonPointer('/')).to.deep.equal(['']);
      expect(parseJsonPointer('/a~1b/m~0n/~01')).to.deep.equal(['a/b', 'm~n', '~1']);
    });

    it('rejects pointers without a leading slash and bad escapes', () => {
      expect(() => parseJsonPointer('client_name')).to.throw(BadRequestError, /must start with '\/'/);
      expect(() => parseJsonPointer('/a~2')).to.throw(BadRequestError, /invalid '~' escape/);
      expect(() => parseJsonPointer('/a~')).to.throw(BadRequestError, /invalid '~' escape/);
    });
  });

  describe('add', () => {
    it('sets a member', () => {
      expect(applyJsonPatch(base(), [{ op: 'add', path: '/client_name', value: 'new' }])).to.include({
        client_name: 'new',
      });
    });

    it('inserts into arrays at an index, and appends with "-"', () => {
      const out = applyJsonPatch(base(), [
        { op: 'add', path: '/redirect_uris/0', value: 'https://z/cb' },
        { op: 'add', path: '/redirect_uris/-', value: 'https://end/cb' },
        { op: 'add', path: '/redirect_uris/4', value: 'https://after-end/cb' },
      ]) as ReturnType<typeof base>;
      expect(out.redirect_uris).to.deep.equal([
        'https://z/cb',
        'https://a/cb',
        'https://b/cb',
        'https://end/cb',
        'https://after-end/cb',
      ]);
    });

    it('creates missing parent objects, like Hydra (EnsurePathExistsOnAdd)', () => {
      const out = applyJsonPatch(base(), [{ op: 'add', path: '/metadata/owner/email', value: 'x@y' }]);
      expect(out).to.have.deep.property('metadata', { team: { name: 'core' }, owner: { email: 'x@y' } });
    });

    it('uses escaped keys', () => {
      const out = applyJsonPatch(base(), [
        { op: 'add', path: '/a~1b', value: 10 },
        { op: 'add', path: '/m~0n', value: 20 },
      ]);
      expect(out).to.include({ 'a/b': 10, 'm~n': 20 });
    });

    it('replaces the whole document at the root', () => {
      expect(applyJsonPatch(base(), [{ op: 'add', path: '', value: { x: 1 } }])).to.deep.equal({ x: 1 });
    });

    it('refuses indexes out of bounds, with leading zeros, or below a scalar', () => {
      rejects([{ op: 'add', path: '/redirect_uris/5', value: 'x' }], /out of bounds/);
      rejects([{ op: 'add', path: '/redirect_uris/01', value: 'x' }], /not an array index/);
      rejects([{ op: 'add', path: '/client_name/x', value: 'x' }], /cannot add below a string/);
    });

    it('stores "__proto__" as data, never as the prototype', () => {
      const out = applyJsonPatch(base(), [
        { op: 'add', path: '/metadata/__proto__', value: { polluted: true } },
      ]) as {
        metadata: Record<string, unknown>;
      };
      expect(Object.getPrototypeOf(out.metadata)).to.equal(Object.prototype);
      expect(Object.hasOwn(out.metadata, '__proto__')).to.equal(true);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });

  describe('remove', () => {
    it('removes members and array elements', () => {
      const out = applyJsonPatch(base(), [
        { op: 'remove', path: '/client_name' },
        { op: 'remove', path: '/redirect_uris/0' },
      ]) as Record<string, unknown>;
      expect(out).not.to.have.property('client_name');
      expect(out.redirect_uris).to.deep.equal(['https://b/cb']);
    });

    it('refuses a missing path, "-" and the root', () => {
      rejects([{ op: 'remove', path: '/nope' }], /path "\/nope" does not exist/);
      rejects([{ op: 'remove', path: '/nope/deeper' }], /does not exist/);
      rejects([{ op: 'remove', path: '/redirect_uris/2' }], /out of bounds/);
      rejects([{ op: 'remove', path: '/redirect_uris/-' }], /nonexistent array element/);
      rejects([{ op: 'remove', path: '' }], /whole document/);
    });
  });

  describe('replace', () => {
    it('works like add on a member path, even when the member is absent (Hydra)', () => {
      const out = applyJsonPatch(base(), [
        { op: 'replace', path: '/client_name', value: 'renamed' },
        { op: 'replace', path: '/access_token_strategy', value: 'jwt' },
      ]);
      expect(out).to.include({ client_name: 'renamed', access_token_strategy: 'jwt' });
    });

    it('replaces an existing array element, and refuses one past the end', () => {
      const out = applyJsonPatch(base(), [
        { op: 'replace', path: '/redirect_uris/1', value: 'https://c/cb' },
      ]);
      expect(out).to.have.deep.property('redirect_uris', ['https://a/cb', 'https://c/cb']);
      rejects([{ op: 'replace', path: '/redirect_uris/2', value: 'x' }], /out of bounds/);
      rejects([{ op: 'replace', path: '/redirect_uris/-', value: 'x' }], /nonexistent array element/);
    });
  });

  describe('refusals (400, never 500)', () => {
    it('refuses move, copy and test', () => {
      rejects([{ op: 'move', from: '/client_name', path: '/owner' }], /unsupported operation: move/);
      rejects([{ op: 'copy', from: '/client_name', path: '/owner' }], /unsupported operation: copy/);
      rejects([{ op: 'test', path: '/client_name', value: 'svc' }], /unsupported operation: test/);
    });

    it('refuses malformed patches', () => {
      rejects({ op: 'add' }, /must be a JSON array/);
      rejects(['add'], /operation 0 must be a JSON object/);
      rejects([{ path: '/a', value: 1 }], /operation 0 has no "op"/);
      rejects([{ op: 'merge', path: '/a', value: 1 }], /unknown operation: "merge"/);
      rejects([{ op: 'add', value: 1 }], /operation 0 \(add\) has no "path"/);
      rejects([{ op: 'add', path: '/a' }], /has no "value"/);
      rejects([{ op: 'add', path: 'a', value: 1 }], /must start with '\/'/);
      rejects([{ op: 'add', path: '/a', value: Number.NaN }], /not a JSON value/);
    });

    it('refuses denied paths and everything below them', () => {
      const options = { denyPaths: ['/client_id'] };
      rejects(
        [{ op: 'replace', path: '/client_id', value: 'x' }],
        /patch includes denied path: \/client_id/,
        options,
      );
      rejects([{ op: 'remove', path: '/client_id' }], /denied path/, options);
      rejects([{ op: 'add', path: '/client_id/x', value: 1 }], /denied path/, options);
      expect(applyJsonPatch(base(), [{ op: 'add', path: '/client_idx', value: 1 }], options)).to.include({
        client_idx: 1,
      });
    });

    it('checks the whole patch before applying any operation', () => {
      rejects(
        [
          { op: 'add', path: '/client_name', value: 'x' },
          { op: 'move', from: '/a', path: '/b' },
        ],
        /unsupported operation: move/,
      );
    });
  });

  it('never mutates the input document or the patch values', () => {
    const doc = base();
    const snapshot = structuredClone(doc);
    const value = { nested: ['v'] };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/metadata/team/name', value: 'changed' },
      { op: 'remove', path: '/redirect_uris/0' },
      { op: 'add', path: '/extra', value },
      { op: 'add', path: '/extra/nested/-', value: 'w' },
    ]);
    expect(doc).to.deep.equal(snapshot);
    expect(value).to.deep.equal({ nested: ['v'] });
    expect(out).to.have.deep.property('extra', { nested: ['v', 'w'] });
  });

  describe('depth (the patcher and what follows it must not recurse without bound)', () => {
    it('refuses a path of more than 64 segments before applying anything', () => {
      rejects([{ op: 'add', path: `/metadata${'/a'.repeat(10_000)}`, value: 1 }], /more than 64 segments/);
      rejects([{ op: 'remove', path: '/x'.repeat(65) }], /more than 64 segments/);
    });

    it('refuses a result nested more than 64 levels deep, and accepts 64', () => {
      const value = (levels: number): unknown => (levels === 0 ? 1 : { a: value(levels - 1) });
      // base() is level 1 and metadata level 2, so the value's 62 nested objects reach level 64.
      const ok = applyJsonPatch(base(), [{ op: 'add', path: '/metadata/x', value: value(62) }]);
      expect(ok).to.have.nested.property('metadata.x.a');
      rejects([{ op: 'add', path: '/metadata/x', value: value(63) }], /nests more than 64 levels deep/);
    });
  });
});
