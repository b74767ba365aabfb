import { describe, expect, it } from 'vitest';
import { BOM, csvField, csvFileName, tableToCsv, toCsv } from './csv';

describe('CSV for Excel', () => {
  it('starts with a BOM, quotes every field and ends lines with CRLF', () => {
    expect(toCsv([['a', 1], ['避難所', null]])).toBe(`${BOM}"a","1"\r\n"避難所",""\r\n`);
  });

  it('doubles quotes and keeps commas and newlines inside fields', () => {
    expect(csvField('say "hi", ok\nnext')).toBe('"say ""hi"", ok\nnext"');
  });

  it('defuses text that Excel would run as a formula, not numbers', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+81')).toBe('"\'+81"');
    expect(csvField('@sum')).toBe('"\'@sum"');
    expect(csvField(-5)).toBe('"-5"');
    expect(csvField(Number.NaN)).toBe('""');
    expect(csvField(true)).toBe('"TRUE"');
  });

  it('writes a header row, a definition row, then the data', () => {
    const csv = tableToCsv(
      [
        { header: '型', definition: 'エンティティ型', value: (r: { type: string; count: number }) => r.type },
        { header: '件数', definition: '登録件数', value: (r: { type: string; count: number }) => r.count },
      ],
      [{ type: 'District', count: 3 }],
      '定義: ',
    );
    expect(csv).toBe(`${BOM}"型","件数"\r\n"定義: エンティティ型","定義: 登録件数"\r\n"District","3"\r\n`);
  });

  it('makes file names Windows can save', () => {
    expect(csvFileName('属性_urn:ngsi-ld:X:1', '20261125-1311')).toBe('属性_urn_ngsi-ld_X_1_20261125-1311.csv');
  });
});
