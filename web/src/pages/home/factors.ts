// The five key factors of a lasting smart city (design brief), each the way
// into the modules that implement it. A factor is 'live' only when its
// module exists and has figures to show; the others say 準備中 honestly.
import type { MessageKey } from '../../i18n/ja';

export interface Factor {
  id: 'acceptance' | 'livingLab' | 'people' | 'qol' | 'ecosystem';
  number: number;
  titleKey: MessageKey;
  summaryKey: MessageKey;
  // Route ids of the modules that implement it (see app/routes.ts).
  routeIds: readonly string[];
  live: boolean;
}

export const FACTORS: readonly Factor[] = [
  { id: 'acceptance', number: 1, titleKey: 'factor.acceptance.title', summaryKey: 'factor.acceptance.summary', routeIds: ['portal', 'ethics'], live: false },
  { id: 'livingLab', number: 2, titleKey: 'factor.livingLab.title', summaryKey: 'factor.livingLab.summary', routeIds: ['lab'], live: false },
  { id: 'people', number: 3, titleKey: 'factor.people.title', summaryKey: 'factor.people.summary', routeIds: [], live: false },
  { id: 'qol', number: 4, titleKey: 'factor.qol.title', summaryKey: 'factor.qol.summary', routeIds: ['dashboard'], live: false },
  { id: 'ecosystem', number: 5, titleKey: 'factor.ecosystem.title', summaryKey: 'factor.ecosystem.summary', routeIds: ['explorer', 'map', 'catalog'], live: true },
];
