/** A point on the earth in WGS 84 degrees (latitude north, longitude east). */
export type GeoPoint = { readonly latitude: number; readonly longitude: number };

/** Mean earth radius (IUGG), km: the haversine error against the ellipsoid stays below 0.5 %. */
export const EARTH_RADIUS_KM = 6371.0088;

/**
 * Danish roads are not straight lines: a road trip is typically 1.2–1.4 times the great-circle
 * distance. 1.3 is the middle of that range; regions may configure their own factor.
 */
export const DEFAULT_ROAD_FACTOR = 1.3;

/** Average speed of a sample van including towns, traffic and parking, km/h. */
export const DEFAULT_SPEED_KMH = 50;

/**
 * A box around Denmark with a small margin (Gedser 54.56° N, Skagen 57.75° N, Blåvandshuk 8.07° E,
 * Christiansø 15.19° E): a coordinate outside it is a typo, swapped columns or another country.
 */
export const DENMARK_BOUNDS = { label: "Denmark", south: 54.4, north: 57.9, west: 7.9, east: 15.3 } as const;

/** A box sites' own coordinates must lie in; `label` names it in error messages. */
export type CoordinateBounds = {
  readonly label: string;
  readonly south: number;
  readonly north: number;
  readonly west: number;
  readonly east: number;
};

/** Any point on earth: another country's reference (`referenceRules: any`) has no Danish box. */
export const EARTH_BOUNDS: CoordinateBounds = {
  label: "the earth's range",
  south: -90,
  north: 90,
  west: -180,
  east: 180,
};

/**
 * The box for sites' coordinates under the reference rules: Denmark's for the Danish reference
 * (a point outside is a typo or swapped columns), any valid point for another country's table.
 */
export function coordinateBoundsFor(referenceRules: "denmark" | "any"): CoordinateBounds {
  return referenceRules === "denmark" ? DENMARK_BOUNDS : EARTH_BOUNDS;
}

/** True when the point lies within {@link DENMARK_BOUNDS}. */
export function isInDenmark(point: GeoPoint): boolean {
  return (
    point.latitude >= DENMARK_BOUNDS.south &&
    point.latitude <= DENMARK_BOUNDS.north &&
    point.longitude >= DENMARK_BOUNDS.west &&
    point.longitude <= DENMARK_BOUNDS.east
  );
}

const RADIANS_PER_DEGREE = Math.PI / 180;

/**
 * True when the point has finite coordinates within the ranges of latitude and longitude (NaN and
 * ±Infinity fail the range comparisons, so they need no check of their own).
 */
export function isValidGeoPoint(point: GeoPoint): boolean {
  return Math.abs(point.latitude) <= 90 && Math.abs(point.longitude) <= 180;
}

/**
 * Great-circle distance in km between two points (haversine formula, which stays accurate for the
 * short distances between neighbouring sites, unlike the spherical law of cosines).
 */
export function measureGreatCircleKm(from: GeoPoint, to: GeoPoint): number {
  const phi1 = from.latitude * RADIANS_PER_DEGREE;
  const phi2 = to.latitude * RADIANS_PER_DEGREE;
  const halfDeltaPhi = (phi2 - phi1) / 2;
  const halfDeltaLambda = ((to.longitude - from.longitude) * RADIANS_PER_DEGREE) / 2;
  const h = Math.sin(halfDeltaPhi) ** 2 + Math.cos(phi1) * Math.cos(phi2) * Math.sin(halfDeltaLambda) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Estimated road distance in km: the great-circle distance times the road factor (≥ 1, because a
 * road is never shorter than the straight line).
 */
export function estimateRoadKm(from: GeoPoint, to: GeoPoint, roadFactor = DEFAULT_ROAD_FACTOR): number {
  if (!(roadFactor >= 1)) throw new RangeError(`estimateRoadKm: road factor ${roadFactor}, expected ≥ 1`);
  return measureGreatCircleKm(from, to) * roadFactor;
}

/** Minutes to drive `roadKm` at an average of `speedKmh` (> 0). */
export function estimateTravelMinutes(roadKm: number, speedKmh = DEFAULT_SPEED_KMH): number {
  if (!(speedKmh > 0)) throw new RangeError(`estimateTravelMinutes: speed ${speedKmh} km/h, expected > 0`);
  return (roadKm / speedKmh) * 60;
}
