import type { Locale } from '../i18n/translate';

const formats = new Map<Locale, Intl.NumberFormat>();

export function formatNumber(value: number, locale: Locale): string {
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale === 'ja' ? 'ja-JP' : 'en-US');
    formats.set(locale, format);
  }
  return format.format(value);
}
