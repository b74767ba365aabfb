// One page of entities: id (link to details), name, type, location.
import { buildPath } from '../../app/match';
import { usePreferences } from '../../app/preferences';
import type { KeyValuesEntity } from '../../api/types';
import { TableRegion } from '../../components/TableRegion';
import { entityTypeLabel } from '../../i18n/entityType';
import { geometryLabel } from '../../i18n/geometry';
import { isGeometry, nameOf, typeOf } from '../../model/entity';

export function EntityTable({ entities, caption }: { entities: readonly KeyValuesEntity[]; caption: string }) {
  const { t, locale } = usePreferences();
  return (
    <TableRegion labelId="entities-caption">
      <table class="data-table" data-testid="entity-table">
        <caption id="entities-caption">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('explorer.table.name')}</th>
            <th scope="col">{t('explorer.table.type')}</th>
            <th scope="col" class="col-wide">
              {t('explorer.table.id')}
            </th>
            <th scope="col">{t('explorer.table.location')}</th>
          </tr>
        </thead>
        <tbody>
          {entities.map((entity) => {
            const type = typeOf(entity);
            return (
              <tr key={entity.id}>
                <th scope="row">
                  <a href={buildPath('/explorer/entities/:id', { id: entity.id })}>{nameOf(entity, locale) ?? t('explorer.table.noName')}</a>
                </th>
                <td>{entityTypeLabel(type, locale)}</td>
                <td class="code col-wide">{entity.id}</td>
                <td>{isGeometry(entity['location']) ? geometryLabel(entity['location'].type, locale) : t('explorer.table.noLocation')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableRegion>
  );
}
