// Display names of well-known entity types ("entityType.<Type>" in the
// catalogs); other types show as they are.
import { CATALOGS, type Locale } from './translate';

export function entityTypeLabel(type: string, locale: Locale): string {
  const catalog = CATALOGS[locale] as Record<string, string>;
  return catalog[`entityType.${type}`] ?? type;
}

// "避難所 (EvacuationShelter)" when there is a display name, else the type.
export function entityTypeWithCode(type: string, locale: Locale): string {
  const label = entityTypeLabel(type, locale);
  return label === type ? type : `${label} (${type})`;
}
