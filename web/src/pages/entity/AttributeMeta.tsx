// An attribute's unit, observation time, dataset id, last change and
// sub-attributes; nothing when it has none. The last change shows only
// when it differs from the entity's.
import { Fragment, type ComponentChildren } from 'preact';
import { usePreferences } from '../../app/preferences';
import type { Attribute } from '../../api/types';
import { formatDateTime } from '../../format/datetime';
import { attributeValue, subAttributes, valueToText } from '../../model/entity';

export function AttributeMeta({ attribute, entityModifiedAt }: { attribute: Attribute; entityModifiedAt?: string }) {
  const prefs = usePreferences();
  const { t } = prefs;
  const time = (iso: string) => <time dateTime={iso}>{formatDateTime(iso, prefs)}</time>;
  const items: [string, ComponentChildren, boolean][] = [];
  if (attribute.unitCode) items.push([t('entity.attr.unitCode'), attribute.unitCode, true]);
  if (attribute.observedAt) items.push([t('entity.attr.observedAt'), time(attribute.observedAt), false]);
  if (attribute.datasetId) items.push([t('entity.attr.datasetId'), attribute.datasetId, true]);
  for (const [key, sub] of subAttributes(attribute)) {
    const value = sub && typeof sub === 'object' ? (attributeValue(sub as Attribute) ?? sub) : sub;
    items.push([key, valueToText(value), false]);
  }
  if (attribute.modifiedAt && attribute.modifiedAt !== entityModifiedAt) items.push([t('entity.modifiedAt'), time(attribute.modifiedAt), false]);
  if (items.length === 0) return null;
  return (
    <dl class="meta">
      {items.map(([term, value, code], i) => (
        <Fragment key={i}>
          <dt>{term}</dt>
          <dd class={code ? 'code' : undefined}>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
