import { expect } from 'chai';
import { etagMatches, notModified, parseRange, rangeApplies } from '../../src/http/byte-range';

describe('byte-range', () => {
  describe('parseRange', () => {
    const cases: [string | undefined, number, ReturnType<typeof parseRange>][] = [
      [undefined, 100, { kind: 'whole' }],
      ['bytes=0-9', 100, { kind: 'partial', start: 0, end: 9 }],
      ['bytes=90-200', 100, { kind: 'partial', start: 90, end: 99 }],
      ['bytes=50-', 100, { kind: 'partial', start: 50, end: 99 }],
      ['bytes=-10', 100, { kind: 'partial', start: 90, end: 99 }],
      ['bytes=-500', 100, { kind: 'partial', start: 0, end: 99 }],
      ['Bytes = 5-5', 100, { kind: 'partial', start: 5, end: 5 }],
      ['bytes=100-', 100, { kind: 'unsatisfiable' }],
      ['bytes=100-200', 100, { kind: 'unsatisfiable' }],
      ['bytes=-0', 100, { kind: 'unsatisfiable' }],
      ['bytes=-5', 0, { kind: 'unsatisfiable' }],
      ['bytes=0-1,5-6', 100, { kind: 'whole' }],
      ['bytes=9-1', 100, { kind: 'whole' }],
      ['bytes=-', 100, { kind: 'whole' }],
      ['bytes=a-b', 100, { kind: 'whole' }],
      ['items=0-1', 100, { kind: 'whole' }],
    ];
    for (const [header, size, want] of cases) {
      it(`${header ?? '(none)'} of ${size} → ${JSON.stringify(want)}`, () => {
        expect(parseRange(header, size)).to.deep.equal(want);
      });
    }
  });

  it('matches ETags in lists, weakly, and "*"', () => {
    expect(etagMatches('"abc"', '"abc"')).to.equal(true);
    expect(etagMatches('"x", W/"abc"', '"abc"')).to.equal(true);
    expect(etagMatches('*', '"abc"')).to.equal(true);
    expect(etagMatches('"abd"', '"abc"')).to.equal(false);
    expect(etagMatches(undefined, '"abc"')).to.equal(false);
  });

  it('decides 304 by If-None-Match first, then If-Modified-Since', () => {
    const modified = new Date('2026-01-02T03:04:05.678Z');
    expect(notModified({ ifNoneMatch: '"abc"' }, '"abc"', modified)).to.equal(true);
    expect(notModified({ ifNoneMatch: '"zzz"', ifModifiedSince: modified.toUTCString() }, '"abc"', modified)).to.equal(false);
    expect(notModified({ ifModifiedSince: modified.toUTCString() }, '"abc"', modified)).to.equal(true);
    expect(notModified({ ifModifiedSince: new Date(modified.getTime() - 2000).toUTCString() }, '"abc"', modified)).to.equal(false);
    expect(notModified({ ifModifiedSince: 'garbage' }, '"abc"', modified)).to.equal(false);
  });

  it('lets If-Range keep a range only for the same ETag or date', () => {
    const modified = new Date('2026-01-02T03:04:05Z');
    expect(rangeApplies(undefined, '"abc"', modified)).to.equal(true);
    expect(rangeApplies('"abc"', '"abc"', modified)).to.equal(true);
    expect(rangeApplies('"abd"', '"abc"', modified)).to.equal(false);
    expect(rangeApplies('W/"abc"', '"abc"', modified)).to.equal(false);
    expect(rangeApplies(modified.toUTCString(), '"abc"', modified)).to.equal(true);
    expect(rangeApplies(new Date(0).toUTCString(), '"abc"', modified)).to.equal(false);
  });
});
