import { describe, expect, it } from 'vitest';
import { fiscalYearEra, fiscalYearOf, fiscalYearRange } from './fiscal';

describe('fiscal year (年度)', () => {
  it('runs from April to March', () => {
    expect(fiscalYearOf(2026, 3)).toBe(2025);
    expect(fiscalYearOf(2026, 4)).toBe(2026);
    expect(fiscalYearOf(2026, 12)).toBe(2026);
    expect(fiscalYearOf(2027, 1)).toBe(2026);
    expect(fiscalYearRange(2026)).toEqual({ start: { year: 2026, month: 4, day: 1 }, end: { year: 2027, month: 3, day: 31 } });
  });

  it('names FY2019 令和元年度 and FY1988 昭和63年度', () => {
    expect(fiscalYearEra(2019)).toEqual({ era: 'reiwa', year: 1 });
    expect(fiscalYearEra(2018)).toEqual({ era: 'heisei', year: 30 });
    expect(fiscalYearEra(1988)).toEqual({ era: 'showa', year: 63 });
    expect(fiscalYearEra(1989)).toEqual({ era: 'heisei', year: 1 });
  });
});
