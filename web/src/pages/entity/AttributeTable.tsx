// Every attribute of an entity: its name and kind, its value and metadata.
import { usePreferences } from '../../app/preferences';
import type { Entity } from '../../api/types';
import { CsvButton } from '../../components/CsvButton';
import { TableRegion } from '../../components/TableRegion';
import type { CsvColumn } from '../../csv/csv';
import { attributeRows, attributeValue, valueToText, type AttributeRow } from '../../model/entity';
import { AttributeMeta } from './AttributeMeta';
import { AttributeValue } from './AttributeValue';
import { attributeKindLabel } from './attributeKind';

export function AttributeTable({ entity }: { entity: Entity }) {
  const { t } = usePreferences();
  const rows = attributeRows(entity);
  const columns: CsvColumn<AttributeRow>[] = [
    { header: t('entity.attr.name'), definition: t('entity.csv.defName'), value: (r) => r.name },
    { header: t('entity.attr.kind'), definition: t('entity.csv.defKind'), value: (r) => r.instance.type },
    { header: t('entity.attr.value'), definition: t('entity.csv.defValue'), value: (r) => valueToText(attributeValue(r.instance)) },
    { header: t('entity.attr.unitCode'), definition: t('entity.csv.defUnitCode'), value: (r) => r.instance.unitCode },
    { header: t('entity.attr.observedAt'), definition: t('entity.csv.defObservedAt'), value: (r) => r.instance.observedAt },
    { header: t('entity.attr.datasetId'), definition: t('entity.csv.defDatasetId'), value: (r) => r.instance.datasetId },
  ];
  return (
    <>
      <TableRegion labelId="attributes-caption">
        <table class="data-table data-table--attributes" data-testid="attribute-table">
          <caption id="attributes-caption">{t('entity.attr.caption', { count: rows.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('entity.attr.nameAndKind')}</th>
              <th scope="col">{t('entity.attr.valueAndMeta')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ name, instance }, i) => (
              <tr key={`${name}-${i}`}>
                <th scope="row">
                  <span class="code attr-name">{name}</span>
                  <span class="attr-kind">{attributeKindLabel(instance.type, t)}</span>
                </th>
                <td>
                  <AttributeValue attribute={instance} />
                  <AttributeMeta attribute={instance} entityModifiedAt={entity.modifiedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      <CsvButton fileStem={`${t('entity.csv.fileStem')}_${entity.id}`} columns={columns} rows={() => rows} />
    </>
  );
}
