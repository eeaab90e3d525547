import { expect } from 'chai';
import { contentRelativePath, contentUrlPath, normalizeExtension, parseContentName } from '../../src/content/content-store';
import { DomainError } from '../../src/domain/errors';

const SHA1 = '2f88df42aa0bbb2a4f6e0f7f1d8c9e3b5a71d154';

describe('content names', () => {
  it('lays payloads out as WSUS does: <last byte>/<SHA-1>.<ext>, hex upper-case, extension lower-case', () => {
    expect(contentRelativePath(SHA1, '.EXE')).to.equal('54/2F88DF42AA0BBB2A4F6E0F7F1D8C9E3B5A71D154.exe');
    expect(contentUrlPath(SHA1, 'cab')).to.equal('/Content/54/2F88DF42AA0BBB2A4F6E0F7F1D8C9E3B5A71D154.cab');
    expect(contentUrlPath(SHA1, '')).to.equal('/Content/54/2F88DF42AA0BBB2A4F6E0F7F1D8C9E3B5A71D154');
  });

  it('refuses names that are not a SHA-1 or a plain extension', () => {
    expect(() => contentRelativePath('../etc/passwd', '')).to.throw(DomainError);
    expect(() => contentRelativePath(SHA1, '../x')).to.throw(DomainError);
    expect(() => normalizeExtension('.tar.gz')).to.throw(DomainError);
    expect(normalizeExtension('.')).to.equal('');
  });

  it('parses URL segments in any case back to the canonical name', () => {
    expect(parseContentName('54', `${SHA1.toUpperCase()}.EXE`)).to.deep.equal({ sha1: SHA1, extension: '.exe' });
    expect(parseContentName('54', SHA1)).to.deep.equal({ sha1: SHA1, extension: '' });
    expect(parseContentName('54', SHA1.toUpperCase() + '.Exe')).to.deep.equal({ sha1: SHA1, extension: '.exe' });
  });

  it('rejects a wrong folder, traversal and junk', () => {
    for (const [folder, file] of [
      ['55', SHA1],
      ['5', SHA1],
      ['..', SHA1],
      ['54', '..'],
      ['54', `${SHA1}/..`],
      ['54', `${SHA1}.`],
      ['54', `${SHA1}.exe.exe`],
      ['54', `${SHA1}.ex-e`],
      ['54', SHA1.slice(1)],
      ['54', `${SHA1}0`],
      ['54', `../54/${SHA1}`],
    ]) {
      expect(parseContentName(folder, file), `${folder}/${file}`).to.equal(undefined);
    }
  });
});
