// A map of GeoJSON layers. Leaflet and its CSS load with this component's
// first use, never with the first page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { usePreferences } from '../app/preferences';
import { buildPath } from '../app/match';
import type { EntityFeature } from '../api/types';
import { featureName, type MapLayer } from '../map/layers';
import type { CityMap } from '../map/leafletMap';
import { Status } from './Status';

interface Props {
  layers: readonly MapLayer[];
  visible?: ReadonlySet<string>;
  label: string;
  districtLabels?: boolean;
  typeLabel?: (type: string) => string;
  size?: 'large' | 'small';
}

export function GeoMap({ layers, visible, label, districtLabels = false, typeLabel = (t) => t, size = 'large' }: Props) {
  const { t } = usePreferences();
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<CityMap | null>(null);
  const fitted = useRef(false);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    import('../map/leafletMap')
      .then(({ createCityMap }) => {
        if (cancelled || !element.current) return;
        map.current = createCityMap(element.current, {
          zoomInTitle: t('map.zoomIn'),
          zoomOutTitle: t('map.zoomOut'),
          districtLabels,
          popup: (feature: EntityFeature, layer: MapLayer) => {
            const box = document.createElement('div');
            const title = document.createElement('strong');
            title.textContent = featureName(feature);
            const type = document.createElement('div');
            type.textContent = typeLabel(layer.type);
            box.append(title, type);
            if (feature.id !== undefined) {
              const link = document.createElement('a');
              link.href = buildPath('/explorer/entities/:id', { id: String(feature.id) });
              link.textContent = t('map.details');
              box.append(link);
            }
            return box;
          },
        });
        fitted.current = false;
        setReady(true);
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
      setReady(false);
      map.current?.destroy();
      map.current = null;
    };
    // Rebuilt when the language changes, so control titles follow it.
  }, [t]);

  useEffect(() => {
    if (!ready || !map.current) return;
    map.current.setLayers(layers, visible ?? new Set(layers.map((l) => l.id)), !fitted.current);
    fitted.current = true;
  }, [ready, layers, visible]);

  return (
    <div class={`geo-map geo-map--${size}`}>
      <div ref={element} class="geo-map__canvas" role="region" aria-label={label} data-testid="geo-map" />
      {!ready && !failed && <Status kind="loading" message={t('map.loading')} />}
      {failed && <Status kind="error" message={t('map.loadFailed')} />}
    </div>
  );
}
