import { entityTypeLabel } from '../../i18n/entityType';
import type { Locale, Translate } from '../../i18n/translate';
import type { MapLayer } from '../../map/layers';

// A layer's name: its entity type, then its kind, e.g. バス停（施設）.
// The kind is left out when the type already says it (道路 is a road).
export function layerLabel(layer: MapLayer, t: Translate, locale: Locale): string {
  const kind = t(`map.kind.${layer.kind}`);
  const type = entityTypeLabel(layer.type, locale);
  return type.toLowerCase() === kind.toLowerCase() ? type : t('map.layerLabel', { kind, type });
}
