// A GeoProperty's value: a point as longitude / latitude, other shapes by
// kind with their GeoJSON on request.
import { usePreferences } from '../../app/preferences';
import type { Geometry } from '../../api/types';
import { geometryLabel } from '../../i18n/geometry';

export function GeometryValue({ geometry }: { geometry: Geometry }) {
  const { t, locale } = usePreferences();
  if (geometry.type === 'Point') {
    const [lon, lat] = geometry.coordinates;
    return <span>{t('entity.point', { lon: String(lon), lat: String(lat) })}</span>;
  }
  return (
    <details class="geometry">
      <summary>{geometryLabel(geometry.type, locale)}</summary>
      <pre class="json">{JSON.stringify(geometry, null, 2)}</pre>
    </details>
  );
}
