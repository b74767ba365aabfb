// The listed entities that have a location, on a map (shown on request).
import { useMemo, useState } from 'preact/hooks';
import { usePreferences } from '../../app/preferences';
import type { EntityFeature, KeyValuesEntity } from '../../api/types';
import { GeoMap } from '../../components/GeoMap';
import { entityTypeLabel } from '../../i18n/entityType';
import { buildLayers } from '../../map/layers';
import { keyValuesFeature, typeOf } from '../../model/entity';

export function ResultsMap({ entities }: { entities: readonly KeyValuesEntity[] }) {
  const { t, locale } = usePreferences();
  const [shown, setShown] = useState(false);
  const layers = useMemo(() => {
    const byType = new Map<string, EntityFeature[]>();
    for (const entity of entities) {
      const feature = keyValuesFeature(entity, locale);
      if (!feature) continue;
      const type = typeOf(entity);
      byType.set(type, [...(byType.get(type) ?? []), feature]);
    }
    return buildLayers([...byType].map(([type, features]) => ({ type, features })));
  }, [entities, locale]);
  const located = layers.reduce((n, l) => n + l.features.length, 0);
  if (located === 0) return <p class="note">{t('explorer.map.none')}</p>;
  return (
    <div class="results-map">
      <button type="button" class="button" aria-expanded={shown} aria-controls="results-map" onClick={() => setShown(!shown)}>
        {shown ? t('explorer.map.hide') : t('explorer.map.show', { count: located })}
      </button>
      <div id="results-map">
        {shown && <GeoMap layers={layers} label={t('explorer.map.label')} typeLabel={(type) => entityTypeLabel(type, locale)} />}
      </div>
    </div>
  );
}
