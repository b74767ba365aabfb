// City map: districts, hazard zones, roads and facilities from the hub,
// drawn on a plain background (no map tiles).
import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from '../../app/routes';
import { usePreferences } from '../../app/preferences';
import { errorMessage } from '../../api/errors';
import { GeoMap } from '../../components/GeoMap';
import { Status } from '../../components/Status';
import { entityTypeLabel } from '../../i18n/entityType';
import { FeatureList } from './FeatureList';
import { LayerControls } from './LayerControls';
import { useCityLayers } from './useCityLayers';

export default function CityMapPage(_props: PageProps) {
  const { t, locale } = usePreferences();
  const state = useCityLayers(locale);
  const [visible, setVisible] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (state.status === 'done') setVisible(new Set(state.data.layers.map((l) => l.id)));
  }, [state]);

  return (
    <div class="page page--map">
      <h1>{t('page.map.title')}</h1>
      <p class="lead">{t('map.lead')}</p>
      {state.status === 'loading' && <Status kind="loading" message={t('status.loading')} />}
      {state.status === 'error' && <Status kind="error" message={errorMessage(state.error, t)} />}
      {state.status === 'done' && state.data.layers.length === 0 && <Status kind="empty" message={t('map.empty')} />}
      {state.status === 'done' && state.data.layers.length > 0 && (
        <>
          <div class="city-map">
            <GeoMap
              layers={state.data.layers}
              visible={visible}
              label={t('map.label')}
              districtLabels
              typeLabel={(type) => entityTypeLabel(type, locale)}
            />
            <LayerControls layers={state.data.layers} visible={visible} onChange={setVisible} />
          </div>
          {state.data.truncated.length > 0 && (
            <p class="note">{t('map.truncated', { types: state.data.truncated.map((type) => entityTypeLabel(type, locale)).join(', ') })}</p>
          )}
          <section aria-labelledby="features-heading">
            <h2 id="features-heading">{t('map.list.heading')}</h2>
            <FeatureList layers={state.data.layers} />
          </section>
        </>
      )}
    </div>
  );
}
