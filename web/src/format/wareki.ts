// Japanese era (和暦) of a calendar date. Eras start on the day the new
// emperor acceded: 令和 2019-05-01, 平成 1989-01-08, 昭和 1926-12-25.
// Earlier dates have no era here (callers fall back to the Gregorian year).
export type EraId = 'reiwa' | 'heisei' | 'showa';

interface EraStart {
  id: EraId;
  year: number;
  month: number;
  day: number;
}

// Newest first.
const ERAS: readonly EraStart[] = [
  { id: 'reiwa', year: 2019, month: 5, day: 1 },
  { id: 'heisei', year: 1989, month: 1, day: 8 },
  { id: 'showa', year: 1926, month: 12, day: 25 },
];

export interface EraYear {
  era: EraId;
  year: number; // 1 is 元年
}

function ordinal(year: number, month: number, day: number): number {
  return year * 10000 + month * 100 + day;
}

export function toEra(year: number, month: number, day: number): EraYear | null {
  const target = ordinal(year, month, day);
  for (const era of ERAS) {
    if (target >= ordinal(era.year, era.month, era.day)) return { era: era.id, year: year - era.year + 1 };
  }
  return null;
}
