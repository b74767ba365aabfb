// Message lookup with {name} placeholders. Pure: no DOM, no storage.
import { en } from './en';
import { ja, type MessageKey } from './ja';

export type Locale = 'ja' | 'en';
export const LOCALES: readonly Locale[] = ['ja', 'en'];
export const DEFAULT_LOCALE: Locale = 'ja';

export type Catalog = Record<MessageKey, string>;
export const CATALOGS: Record<Locale, Catalog> = { ja, en };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

// Replaces {name} with params.name; unknown placeholders stay visible so a
// missing parameter is noticed rather than silently dropped.
export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

export function translator(locale: Locale): Translate {
  const catalog = CATALOGS[locale];
  return (key, params) => interpolate(catalog[key] ?? CATALOGS[DEFAULT_LOCALE][key] ?? key, params);
}

export function isLocale(value: unknown): value is Locale {
  return value === 'ja' || value === 'en';
}

// The locale to start with: a saved choice, else Japanese.
export function initialLocale(saved: string | null | undefined): Locale {
  return isLocale(saved) ? saved : DEFAULT_LOCALE;
}
