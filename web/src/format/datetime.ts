// Dates and times for display, always in Asia/Tokyo, optionally with the
// Japanese era. Templates come from the message catalogs.
import type { Locale, Translate } from '../i18n/translate';
import { fiscalYearEra, fiscalYearOf } from './fiscal';
import { tokyoParts, toDate, TIME_ZONE } from './tokyo';
import { toEra, type EraYear } from './wareki';

export interface DateDisplay {
  locale: Locale;
  era: boolean;
  t: Translate;
}

const INTL_LOCALE: Record<Locale, string> = { ja: 'ja-JP', en: 'en-GB' };

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function eraName(era: EraYear, t: Translate): string {
  const name = t(`era.${era.era}`);
  const year = era.year === 1 ? t('era.firstYear') : String(era.year);
  return t('era.yearTemplate', { era: name, year });
}

// e.g. ja "2026/11/25" · era "令和8年11月25日"; en "25 Nov 2026" · era "25 Nov Reiwa 8 (2026)".
export function formatDate(value: Date | string | number, d: DateDisplay): string {
  const date = toDate(value);
  if (!date) return String(value);
  const p = tokyoParts(date);
  const era = d.era ? toEra(p.year, p.month, p.day) : null;
  if (era) {
    const monthName = new Intl.DateTimeFormat(INTL_LOCALE[d.locale], { timeZone: TIME_ZONE, month: 'short' }).format(date);
    return d.t('date.eraTemplate', { era: eraName(era, d.t), year: p.year, month: p.month, monthName, day: p.day });
  }
  return new Intl.DateTimeFormat(INTL_LOCALE[d.locale], {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: d.locale === 'ja' ? '2-digit' : 'short',
    day: '2-digit',
  }).format(date);
}

// The date as above followed by the time of day in Japan and "JST".
export function formatDateTime(value: Date | string | number, d: DateDisplay): string {
  const date = toDate(value);
  if (!date) return String(value);
  const p = tokyoParts(date);
  return d.t('date.dateTimeTemplate', { date: formatDate(date, d), time: `${pad2(p.hour)}:${pad2(p.minute)}` });
}

// e.g. ja "2026年度" · era "令和8年度"; en "FY2026" · era "FY Reiwa 8 (2026)".
export function formatFiscalYear(fiscalYear: number, d: DateDisplay): string {
  const era = d.era ? fiscalYearEra(fiscalYear) : null;
  if (era) return d.t('fiscal.eraTemplate', { era: eraName(era, d.t), year: fiscalYear });
  return d.t('fiscal.template', { year: fiscalYear });
}

export function fiscalYearOfDate(value: Date | string | number): number | null {
  const date = toDate(value);
  if (!date) return null;
  const p = tokyoParts(date);
  return fiscalYearOf(p.year, p.month);
}
