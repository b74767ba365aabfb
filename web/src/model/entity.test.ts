import { describe, expect, it } from 'vitest';
import type { Entity } from '../api/types';
import { attributeRows, attributeValue, entityFeatures, keyValuesFeature, nameOf, normalizedNameOf, subAttributes } from './entity';

const shelter: Entity = {
  id: 'urn:ngsi-ld:EvacuationShelter:1',
  type: 'EvacuationShelter',
  createdAt: '2026-11-25T04:11:58Z',
  name: { type: 'Property', value: '避難所' },
  capacity: { type: 'Property', value: 300, unitCode: 'C62', accuracy: { type: 'Property', value: 5 } },
  district: { type: 'Relationship', object: 'urn:ngsi-ld:District:1' },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.9, 35.8] } },
  temperature: [
    { type: 'Property', value: 20, datasetId: 'urn:a' },
    { type: 'Property', value: 21, datasetId: 'urn:b' },
  ],
};

describe('entity model', () => {
  it('lists every attribute instance, skipping core members', () => {
    const rows = attributeRows(shelter);
    expect(rows.map((r) => r.name)).toEqual(['capacity', 'district', 'location', 'name', 'temperature', 'temperature']);
    expect(attributeValue(rows[1]!.instance)).toBe('urn:ngsi-ld:District:1');
    expect(subAttributes(rows[0]!.instance).map(([k]) => k)).toEqual(['accuracy']);
  });

  it('reads names from values and language maps', () => {
    expect(normalizedNameOf(shelter, 'ja')).toBe('避難所');
    expect(nameOf({ id: 'x', type: 'T', name: { ja: '駅', en: 'Station' } }, 'en')).toBe('Station');
    expect(nameOf({ id: 'x', type: 'T', name: { ja: '駅' } }, 'en')).toBe('駅');
    expect(nameOf({ id: 'x', type: 'T' }, 'ja')).toBeUndefined();
  });

  it('makes features from GeoProperties', () => {
    expect(entityFeatures(shelter, 'ja')).toEqual([
      {
        type: 'Feature',
        id: shelter.id,
        geometry: { type: 'Point', coordinates: [139.9, 35.8] },
        properties: { type: 'EvacuationShelter', name: '避難所', attribute: 'location' },
      },
    ]);
    expect(keyValuesFeature({ id: 'x', type: 'T', location: 'nowhere' }, 'ja')).toBeNull();
  });
});
