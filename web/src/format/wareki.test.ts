import { describe, expect, it } from 'vitest';
import { toEra } from './wareki';

describe('toEra (和暦)', () => {
  it('starts Reiwa on 2019-05-01', () => {
    expect(toEra(2019, 4, 30)).toEqual({ era: 'heisei', year: 31 });
    expect(toEra(2019, 5, 1)).toEqual({ era: 'reiwa', year: 1 });
    expect(toEra(2026, 11, 25)).toEqual({ era: 'reiwa', year: 8 });
  });

  it('starts Heisei on 1989-01-08', () => {
    expect(toEra(1989, 1, 7)).toEqual({ era: 'showa', year: 64 });
    expect(toEra(1989, 1, 8)).toEqual({ era: 'heisei', year: 1 });
  });

  it('starts Showa on 1926-12-25 and has no era before', () => {
    expect(toEra(1926, 12, 25)).toEqual({ era: 'showa', year: 1 });
    expect(toEra(1926, 12, 24)).toBeNull();
  });
});
