// An attribute's value: entity references link to their page, dates show in
// Tokyo time, structures as formatted JSON.
import { buildPath } from '../../app/match';
import { usePreferences } from '../../app/preferences';
import type { Attribute } from '../../api/types';
import { formatDateTime } from '../../format/datetime';
import { attributeValue, isEntityReference, isGeometry, valueToText } from '../../model/entity';
import { GeometryValue } from './GeometryValue';

function isDateTime(attribute: Attribute, value: unknown): value is string {
  const typed = value as { '@type'?: string; '@value'?: string } | null;
  if (typed && typeof typed === 'object' && typed['@type'] === 'DateTime') return true;
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && attribute.type !== 'Relationship';
}

export function AttributeValue({ attribute }: { attribute: Attribute }) {
  const prefs = usePreferences();
  const value = attributeValue(attribute);
  const references = Array.isArray(value) ? value : [value];
  if ((attribute.type === 'Relationship' || attribute.type === 'ListRelationship') && references.every(isEntityReference)) {
    return (
      <ul class="plain-list">
        {references.map((id) => (
          <li key={id}>
            <a href={buildPath('/explorer/entities/:id', { id })} class="code">
              {id}
            </a>
          </li>
        ))}
      </ul>
    );
  }
  if (attribute.type === 'GeoProperty' && isGeometry(value)) return <GeometryValue geometry={value} />;
  if (isDateTime(attribute, value)) {
    const raw = typeof value === 'string' ? value : String((value as { '@value'?: string })['@value']);
    return (
      <span>
        <time dateTime={raw}>{formatDateTime(raw, prefs)}</time> <span class="code note">{raw}</span>
      </span>
    );
  }
  if (value !== null && typeof value === 'object') {
    return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
  }
  return <span>{valueToText(value)}</span>;
}
