// Display names of NGSI-LD attribute kinds.
import type { MessageKey } from '../../i18n/ja';
import type { Translate } from '../../i18n/translate';

const KINDS: Record<string, MessageKey> = {
  Property: 'attrKind.Property',
  GeoProperty: 'attrKind.GeoProperty',
  Relationship: 'attrKind.Relationship',
  LanguageProperty: 'attrKind.LanguageProperty',
  ListProperty: 'attrKind.ListProperty',
  ListRelationship: 'attrKind.ListRelationship',
  VocabProperty: 'attrKind.VocabProperty',
  JsonProperty: 'attrKind.JsonProperty',
};

export function attributeKindLabel(kind: string | undefined, t: Translate): string {
  const key = kind ? KINDS[kind] : undefined;
  return key ? t(key) : (kind ?? '');
}
