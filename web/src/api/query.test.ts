import { describe, expect, it } from 'vitest';
import { andQ, containsQ, entitiesQuery, escapeRegex, toQueryString } from './query';

describe('NGSI-LD query strings', () => {
  it('percent-encodes every value, never writing spaces or + as +', () => {
    expect(toQueryString({ q: 'a==1;b>2', text: 'x y', t: '+09:00', empty: '', none: undefined })).toBe(
      '?q=a%3D%3D1%3Bb%3E2&text=x%20y&t=%2B09%3A00',
    );
    expect(toQueryString({})).toBe('');
  });

  it('matches names literally and ignoring case', () => {
    expect(escapeRegex('a.b*(c)')).toBe('a\\.b\\*\\(c\\)');
    expect(containsQ('name', ' 中央 ')).toBe('name~="(?i).*中央.*"');
    expect(containsQ('name', 'say "x"')).toBe('name~="(?i).*say \\"x\\".*"');
  });

  it('joins q terms with AND', () => {
    expect(andQ(undefined, ' ')).toBeUndefined();
    expect(andQ('a==1')).toBe('a==1');
    expect(andQ('a==1|b==2', 'c>3')).toBe('(a==1|b==2);(c>3)');
  });

  it('builds GET /entities parameters with paging and count', () => {
    expect(entitiesQuery({ type: 'School', text: '小学校' }, { limit: 20, offset: 40 }, { options: 'keyValues' })).toBe(
      `?type=School&q=${encodeURIComponent('name~="(?i).*小学校.*"')}&limit=20&offset=40&count=true&options=keyValues`,
    );
  });
});
