// A small demo city for the UI tests: school districts as polygons, a hazard
// zone, a road, facilities with Japanese names, and a sensor without a location.
const square = (lon, lat, size = 0.01) => ({
  type: 'Polygon',
  coordinates: [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
});
const point = (lon, lat) => ({ type: 'Point', coordinates: [lon, lat] });
const prop = (value, extra = {}) => ({ type: 'Property', value, ...extra });
const geo = (value) => ({ type: 'GeoProperty', value });
const rel = (object) => ({ type: 'Relationship', object });

export const DISTRICTS = [
  { id: 'urn:ngsi-ld:District:chuo', name: '中央小学校区', lon: 139.94, lat: 35.88 },
  { id: 'urn:ngsi-ld:District:higashi', name: '東小学校区', lon: 139.95, lat: 35.88 },
  { id: 'urn:ngsi-ld:District:nishi', name: '西小学校区', lon: 139.93, lat: 35.88 },
];

export const SCHOOL_ID = 'urn:ngsi-ld:School:chuo-es';
export const SCHOOL_NAME = 'デモ市立中央小学校';
export const BUS_STOPS = 23;

export function demoCity() {
  const entities = [];
  for (const d of DISTRICTS) {
    entities.push({
      id: d.id,
      type: 'District',
      name: prop(d.name),
      population: prop(4200, { unitCode: 'C62', observedAt: '2026-04-01T00:00:00Z' }),
      location: geo(square(d.lon, d.lat)),
    });
  }
  entities.push({
    id: 'urn:ngsi-ld:HazardZone:flood-1',
    type: 'HazardZone',
    name: prop('浸水想定区域（デモ川）'),
    hazardType: prop('flood'),
    location: geo(square(139.936, 35.884, 0.012)),
  });
  entities.push({
    id: 'urn:ngsi-ld:Road:main-street',
    type: 'Road',
    name: prop('中央通り'),
    location: geo({ type: 'LineString', coordinates: [[139.925, 35.8935], [139.965, 35.8935]] }),
  });
  entities.push({
    id: SCHOOL_ID,
    type: 'School',
    name: prop(SCHOOL_NAME),
    capacity: prop(480, { unitCode: 'C62' }),
    address: prop({ addressRegion: 'デモ県', addressLocality: 'デモ市', streetAddress: '中央1-1' }),
    refDistrict: rel('urn:ngsi-ld:District:chuo'),
    location: geo(point(139.945, 35.885)),
  });
  entities.push(
    {
      id: 'urn:ngsi-ld:EvacuationShelter:chuo-gym',
      type: 'EvacuationShelter',
      name: prop('中央小学校体育館 避難所'),
      capacity: prop(300, { unitCode: 'C62' }),
      refDistrict: rel('urn:ngsi-ld:District:chuo'),
      location: geo(point(139.946, 35.886)),
    },
    {
      id: 'urn:ngsi-ld:EvacuationShelter:higashi-hall',
      type: 'EvacuationShelter',
      name: prop('東公民館 避難所'),
      capacity: prop(80, { unitCode: 'C62' }),
      refDistrict: rel('urn:ngsi-ld:District:higashi'),
      location: geo(point(139.955, 35.884)),
    },
    { id: 'urn:ngsi-ld:Station:demo', type: 'Station', name: prop('デモ市駅'), location: geo(point(139.938, 35.887)) },
    { id: 'urn:ngsi-ld:Clinic:machinaka', type: 'Clinic', name: prop('まちなか診療所'), location: geo(point(139.952, 35.882)) },
    { id: 'urn:ngsi-ld:Park:chuo', type: 'Park', name: prop('中央公園'), location: geo(point(139.942, 35.881)) },
    {
      id: 'urn:ngsi-ld:WaterLevelSensor:demo-river-1',
      type: 'WaterLevelSensor',
      name: prop('デモ川 水位計1'),
      waterLevel: prop(1.23, { unitCode: 'MTR', observedAt: '2026-11-25T03:00:00Z' }),
    },
  );
  for (let i = 1; i <= BUS_STOPS; i++) {
    entities.push({
      id: `urn:ngsi-ld:BusStop:${String(i).padStart(3, '0')}`,
      type: 'BusStop',
      name: prop(`デモ市バス停 ${i}番`),
      location: geo(point(139.931 + i * 0.001, 35.879 + (i % 5) * 0.002)),
    });
  }
  return entities;
}

export async function loadDemoCity(machi) {
  const entities = demoCity();
  const r = await machi.post('/entityOperations/create', entities);
  if (r.status !== 201) throw new Error(`seeding failed: ${r.status} ${r.text}`);
  return entities;
}
