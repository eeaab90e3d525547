import { expect } from 'chai';
import { formatAnchor, parseAnchor } from '../../../src/domain/anchor';

describe('anchors', () => {
  it('are written in the WSUS form and read back', () => {
    const text = formatAnchor(14030n, new Date(Date.UTC(2006, 5, 8, 15, 38, 16, 22)));
    expect(text).to.equal('14030,2006-06-08 15:38:16.022');
    expect(parseAnchor(text)).to.deep.equal({ seq: 14030n, at: new Date(Date.UTC(2006, 5, 8, 15, 38, 16, 22)) });
  });

  it('treat absent or empty as the beginning', () => {
    expect(parseAnchor(undefined)).to.equal(undefined);
    expect(parseAnchor('')).to.equal(undefined);
  });

  for (const bad of [
    'garbage',
    '12',
    '-1,2006-06-08 15:38:16.022',
    '1,2006-13-08 15:38:16.022',
    '1,2006-02-30 10:00:00.000',
    '1,2006-06-08T15:38:16.022',
    '99999999999999999999,2006-06-08 15:38:16.022',
  ]) {
    it(`reject "${bad}" with InvalidParameters`, () => {
      expect(() => parseAnchor(bad))
        .to.throw(/anchor/)
        .with.property('code', 'InvalidParameters');
    });
  }
});
