// Display names of machi's roles and of the codes the access ledger uses
// (legal bases, decision reasons, consent events, capacities): a catalog
// key "<prefix>.<code>" when there is one, else the code as it is.
import { CATALOGS, type Locale } from './translate';

function label(prefix: string, code: string, locale: Locale): string {
  const catalog = CATALOGS[locale] as Record<string, string>;
  return catalog[`${prefix}.${code}`] ?? code;
}

export const roleLabel = (role: string, locale: Locale) => label('role', role, locale);
export const legalBasisLabel = (basis: string, locale: Locale) => label('legalBasis', basis, locale);
export const reasonLabel = (reason: string, locale: Locale) => label('reason', reason, locale);
export const consentEventLabel = (event: string, locale: Locale) => label('consentEvent', event, locale);
export const capacityLabel = (capacity: string, locale: Locale) => label('capacity', capacity, locale);
