// Display names of GeoJSON geometry types ("geometry.<Type>" in the catalogs).
import { CATALOGS, type Locale } from './translate';

export function geometryLabel(type: string, locale: Locale): string {
  return (CATALOGS[locale] as Record<string, string>)[`geometry.${type}`] ?? type;
}
