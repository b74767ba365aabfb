// CSV columns for an entity list, each with its definition.
import type { KeyValuesEntity } from '../../api/types';
import type { CsvColumn } from '../../csv/csv';
import { entityTypeLabel } from '../../i18n/entityType';
import type { Locale, Translate } from '../../i18n/translate';
import { isGeometry, nameOf, typeOf } from '../../model/entity';

export function entityCsvColumns(t: Translate, locale: Locale): CsvColumn<KeyValuesEntity>[] {
  const point = (entity: KeyValuesEntity, index: 0 | 1) => {
    const location = entity['location'];
    return isGeometry(location) && location.type === 'Point' ? location.coordinates[index] : undefined;
  };
  return [
    { header: t('explorer.table.id'), definition: t('explorer.csv.defId'), value: (e) => e.id },
    { header: t('explorer.table.type'), definition: t('explorer.csv.defType'), value: (e) => typeOf(e) },
    { header: t('explorer.csv.typeLabel'), definition: t('explorer.csv.defTypeLabel'), value: (e) => entityTypeLabel(typeOf(e), locale) },
    { header: t('explorer.table.name'), definition: t('explorer.csv.defName'), value: (e) => nameOf(e, locale) },
    { header: t('explorer.csv.longitude'), definition: t('explorer.csv.defLongitude'), value: (e) => point(e, 0) },
    { header: t('explorer.csv.latitude'), definition: t('explorer.csv.defLatitude'), value: (e) => point(e, 1) },
    {
      header: t('explorer.csv.geometry'),
      definition: t('explorer.csv.defGeometry'),
      value: (e) => (isGeometry(e['location']) ? JSON.stringify(e['location']) : undefined),
    },
  ];
}
