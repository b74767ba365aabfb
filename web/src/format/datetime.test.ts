import { describe, expect, it } from 'vitest';
import { translator, type Locale } from '../i18n/translate';
import { fiscalYearOfDate, formatDate, formatDateTime, formatFiscalYear } from './datetime';
import { tokyoParts } from './tokyo';

const display = (locale: Locale, era: boolean) => ({ locale, era, t: translator(locale) });

describe('dates in Asia/Tokyo', () => {
  it('reads calendar fields in Japan time whatever the machine zone', () => {
    expect(tokyoParts(new Date('2019-04-30T15:00:00Z'))).toEqual({ year: 2019, month: 5, day: 1, hour: 0, minute: 0, second: 0 });
    expect(tokyoParts(new Date('2026-03-31T14:59:59Z')).day).toBe(31);
  });

  it('formats dates in Japanese and English', () => {
    expect(formatDate('2026-11-25T04:11:58Z', display('ja', false))).toBe('2026/11/25');
    expect(formatDate('2026-11-25T04:11:58Z', display('en', false))).toBe('25 Nov 2026');
  });

  it('formats dates with the Japanese era', () => {
    expect(formatDate('2019-04-30T15:00:00Z', display('ja', true))).toBe('令和元年5月1日');
    expect(formatDate('2019-04-30T14:59:59Z', display('ja', true))).toBe('平成31年4月30日');
    expect(formatDate('2026-11-25T04:11:58Z', display('en', true))).toBe('25 Nov Reiwa 8 (2026)');
    expect(formatDate('1900-01-01T00:00:00Z', display('ja', true))).toBe('1900/01/01');
  });

  it('adds the time of day in Japan', () => {
    expect(formatDateTime('2026-11-25T04:11:58Z', display('ja', false))).toBe('2026/11/25 13:11');
    expect(formatDateTime('2026-11-25T04:11:58Z', display('en', false))).toBe('25 Nov 2026, 13:11 JST');
    expect(formatDateTime('2026-11-25T16:05:00Z', display('ja', true))).toBe('令和8年11月26日 01:05');
  });

  it('keeps text that is not a date', () => {
    expect(formatDate('not a date', display('ja', false))).toBe('not a date');
  });

  it('names fiscal years', () => {
    expect(formatFiscalYear(2026, display('ja', false))).toBe('2026年度');
    expect(formatFiscalYear(2026, display('ja', true))).toBe('令和8年度');
    expect(formatFiscalYear(2019, display('ja', true))).toBe('令和元年度');
    expect(formatFiscalYear(2026, display('en', false))).toBe('FY2026');
    expect(formatFiscalYear(2026, display('en', true))).toBe('FY Reiwa 8 (2026)');
  });

  it('finds the fiscal year of an instant in Japan time', () => {
    expect(fiscalYearOfDate('2026-03-31T15:00:00Z')).toBe(2026); // 2026-04-01 00:00 JST
    expect(fiscalYearOfDate('2026-03-31T14:59:59Z')).toBe(2025);
  });
});
