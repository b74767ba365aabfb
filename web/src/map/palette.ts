// Okabe–Ito colours, distinguishable with the common colour-vision
// deficiencies (Okabe & Ito, "Color Universal Design", 2008).
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

// Order for categories (facility types, chart series): the strongest first.
export const CATEGORY_COLORS: readonly string[] = [
  OKABE_ITO.orange,
  OKABE_ITO.skyBlue,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.blue,
  OKABE_ITO.yellow,
  OKABE_ITO.vermillion,
  OKABE_ITO.black,
];

export function categoryColor(index: number): string {
  return CATEGORY_COLORS[((index % CATEGORY_COLORS.length) + CATEGORY_COLORS.length) % CATEGORY_COLORS.length] ?? OKABE_ITO.black;
}
