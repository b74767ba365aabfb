import { describe, expect, it } from 'vitest';
import type { EntityFeature } from '../api/types';
import { buildLayers, featureName, kindOf } from './layers';
import { CATEGORY_COLORS, categoryColor } from './palette';

const point = (id: string, name?: string): EntityFeature => ({
  type: 'Feature',
  id,
  geometry: { type: 'Point', coordinates: [139.9, 35.8] },
  properties: name ? { name } : {},
});
const square: EntityFeature = {
  type: 'Feature',
  id: 'urn:ngsi-ld:District:1',
  geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] },
  properties: { name: '中央小学校区' },
};

describe('map layers', () => {
  it('sorts types into districts, hazard zones, roads, areas and facilities', () => {
    expect(kindOf('District', 'polygon')).toBe('district');
    expect(kindOf('AdministrativeArea', 'polygon')).toBe('district');
    expect(kindOf('HazardZone', 'polygon')).toBe('hazard');
    expect(kindOf('Park', 'polygon')).toBe('area');
    expect(kindOf('Road', 'line')).toBe('road');
    expect(kindOf('EvacuationShelter', 'point')).toBe('facility');
  });

  it('builds layers in drawing order with Okabe–Ito colours per facility type', () => {
    const layers = buildLayers([
      { type: 'School', features: [point('s1')] },
      { type: 'District', features: [square] },
      { type: 'EvacuationShelter', features: [point('e1'), point('e2'), { ...point('x'), geometry: null }] },
    ]);
    expect(layers.map((l) => [l.id, l.features.length])).toEqual([
      ['district:District', 1],
      ['facility:EvacuationShelter', 2],
      ['facility:School', 1],
    ]);
    expect(layers[1]?.color).toBe(CATEGORY_COLORS[0]);
    expect(layers[2]?.color).toBe(CATEGORY_COLORS[1]);
  });

  it('names features by name, else id', () => {
    expect(featureName(square)).toBe('中央小学校区');
    expect(featureName(point('urn:x'))).toBe('urn:x');
  });

  it('cycles the palette', () => {
    expect(categoryColor(CATEGORY_COLORS.length)).toBe(CATEGORY_COLORS[0]);
  });
});
