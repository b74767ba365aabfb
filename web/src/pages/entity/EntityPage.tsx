// One entity: its name, type, times, every attribute, and a map of its location.
import { useMemo } from 'preact/hooks';
import type { PageProps } from '../../app/routes';
import { usePreferences } from '../../app/preferences';
import { errorMessage } from '../../api/errors';
import { getEntity } from '../../api/ngsi';
import { GeoMap } from '../../components/GeoMap';
import { Status } from '../../components/Status';
import { formatDateTime } from '../../format/datetime';
import { useAsync } from '../../hooks/useAsync';
import { entityTypeLabel } from '../../i18n/entityType';
import { buildLayers } from '../../map/layers';
import { entityFeatures, normalizedNameOf, typeOf } from '../../model/entity';
import { AttributeTable } from './AttributeTable';

export default function EntityPage({ params }: PageProps) {
  const prefs = usePreferences();
  const { t, locale } = prefs;
  const id = params['id'] ?? '';
  const state = useAsync((signal) => getEntity(id, signal), [id]);
  const entity = state.status === 'done' ? state.data : undefined;
  const layers = useMemo(() => {
    if (!entity) return [];
    return buildLayers([{ type: typeOf(entity), features: entityFeatures(entity, locale) }]);
  }, [entity, locale]);

  const name = entity ? (normalizedNameOf(entity, locale) ?? entity.id) : id;
  return (
    <div class="page page--entity">
      <nav class="breadcrumbs" aria-label={t('a11y.breadcrumbs')}>
        <ol>
          <li>
            <a href="/explorer">{t('page.explorer.title')}</a>
          </li>
          {entity && (
            <li>
              <a href={`/explorer?type=${encodeURIComponent(typeOf(entity))}`}>{entityTypeLabel(typeOf(entity), locale)}</a>
            </li>
          )}
          <li aria-current="page">{name}</li>
        </ol>
      </nav>
      <h1 data-testid="entity-name">{name}</h1>
      {state.status === 'loading' && <Status kind="loading" message={t('status.loading')} />}
      {state.status === 'error' && <Status kind="error" message={errorMessage(state.error, t)} />}
      {entity && (
        <>
          <dl class="entity-summary">
            <div>
              <dt>{t('entity.id')}</dt>
              <dd class="code" data-testid="entity-id">
                {entity.id}
              </dd>
            </div>
            <div>
              <dt>{t('entity.type')}</dt>
              <dd>
                {entityTypeLabel(typeOf(entity), locale)} <span class="code">{typeOf(entity)}</span>
              </dd>
            </div>
            {entity.createdAt && (
              <div>
                <dt>{t('entity.createdAt')}</dt>
                <dd>
                  <time dateTime={entity.createdAt}>{formatDateTime(entity.createdAt, prefs)}</time>
                </dd>
              </div>
            )}
            {entity.modifiedAt && (
              <div>
                <dt>{t('entity.modifiedAt')}</dt>
                <dd>
                  <time dateTime={entity.modifiedAt}>{formatDateTime(entity.modifiedAt, prefs)}</time>
                </dd>
              </div>
            )}
          </dl>
          <section aria-labelledby="attributes-heading">
            <h2 id="attributes-heading">{t('entity.attributes')}</h2>
            <AttributeTable entity={entity} />
          </section>
          {layers.length > 0 && (
            <section aria-labelledby="location-heading">
              <h2 id="location-heading">{t('entity.location')}</h2>
              <GeoMap layers={layers} label={t('entity.mapLabel', { name })} size="small" typeLabel={(type) => entityTypeLabel(type, locale)} />
            </section>
          )}
          <details class="raw">
            <summary>{t('entity.raw')}</summary>
            <pre class="json">{JSON.stringify(entity, null, 2)}</pre>
          </details>
        </>
      )}
    </div>
  );
}
