// The mapped districts, zones and facilities as a table: the map's text
// alternative, and exportable to CSV.
import { buildPath } from '../../app/match';
import { usePreferences } from '../../app/preferences';
import type { EntityFeature } from '../../api/types';
import { CsvButton } from '../../components/CsvButton';
import { TableRegion } from '../../components/TableRegion';
import type { CsvColumn } from '../../csv/csv';
import { featureName, type MapLayer } from '../../map/layers';
import { layerLabel } from './layerLabel';

interface Row {
  layer: MapLayer;
  feature: EntityFeature;
}

function pointOf(feature: EntityFeature): [number, number] | undefined {
  return feature.geometry?.type === 'Point' ? [feature.geometry.coordinates[0] ?? NaN, feature.geometry.coordinates[1] ?? NaN] : undefined;
}

export function FeatureList({ layers }: { layers: readonly MapLayer[] }) {
  const { t, locale } = usePreferences();
  const rows: Row[] = layers.flatMap((layer) => layer.features.map((feature) => ({ layer, feature })));
  const columns: CsvColumn<Row>[] = [
    { header: t('map.list.name'), definition: t('map.csv.defName'), value: (r) => featureName(r.feature) },
    { header: t('map.list.layer'), definition: t('map.csv.defLayer'), value: (r) => layerLabel(r.layer, t, locale) },
    { header: t('map.list.type'), definition: t('map.csv.defType'), value: (r) => r.layer.type },
    { header: t('map.list.id'), definition: t('map.csv.defId'), value: (r) => String(r.feature.id ?? '') },
    { header: t('map.list.geometry'), definition: t('map.csv.defGeometry'), value: (r) => r.feature.geometry?.type },
    { header: t('map.list.longitude'), definition: t('map.csv.defLongitude'), value: (r) => pointOf(r.feature)?.[0] },
    { header: t('map.list.latitude'), definition: t('map.csv.defLatitude'), value: (r) => pointOf(r.feature)?.[1] },
  ];
  return (
    <>
      <TableRegion labelId="features-caption">
        <table class="data-table" data-testid="feature-table">
          <caption id="features-caption">{t('map.list.caption', { count: rows.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('map.list.name')}</th>
              <th scope="col">{t('map.list.layer')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ layer, feature }) => (
              <tr key={`${layer.id}-${String(feature.id)}`}>
                <th scope="row">
                  {feature.id !== undefined ? (
                    <a href={buildPath('/explorer/entities/:id', { id: String(feature.id) })}>{featureName(feature)}</a>
                  ) : (
                    featureName(feature)
                  )}
                </th>
                <td>{layerLabel(layer, t, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      <CsvButton fileStem={t('map.csv.fileStem')} columns={columns} rows={() => rows} />
    </>
  );
}
