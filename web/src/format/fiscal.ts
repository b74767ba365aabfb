// Japanese fiscal year (年度): April 1 to March 31, named by the calendar year
// in which it begins.
import { toEra, type EraYear } from './wareki';

export function fiscalYearOf(year: number, month: number): number {
  return month >= 4 ? year : year - 1;
}

export interface FiscalRange {
  start: { year: number; month: number; day: number };
  end: { year: number; month: number; day: number };
}

export function fiscalYearRange(fiscalYear: number): FiscalRange {
  return {
    start: { year: fiscalYear, month: 4, day: 1 },
    end: { year: fiscalYear + 1, month: 3, day: 31 },
  };
}

// The era name of a fiscal year follows the era in force at the end of the
// calendar year in which it begins: FY2019 is 令和元年度 (the era changed on
// 2019-05-01, as the government named it), FY1988 stays 昭和63年度.
export function fiscalYearEra(fiscalYear: number): EraYear | null {
  return toEra(fiscalYear, 12, 31);
}
