import { describe, expect, it } from "vitest";
import {
  estimateRoadKm,
  estimateTravelMinutes,
  isValidGeoPoint,
  measureGreatCircleKm,
} from "../../src/domain/geo.ts";

// Expected values worked out by hand with R = 6371.0088 km: one degree of a great circle is
// 2πR/360 = 111.19508 km; one degree of longitude at 60° N is 2R·asin(cos 60°·sin 0.5°) = 55.59701 km.
describe("measureGreatCircleKm", () => {
  it.each([
    { name: "one degree of latitude", from: [55, 12], to: [56, 12], km: 111.19508 },
    { name: "one degree of longitude on the equator", from: [0, 0], to: [0, 1], km: 111.19508 },
    { name: "one degree of longitude at 60° N (about half)", from: [60, 10], to: [60, 11], km: 55.59701 },
    {
      name: "København Rådhuspladsen to Aarhus Rådhus",
      from: [55.6761, 12.5683],
      to: [56.1629, 10.2039],
      km: 156.94294,
    },
    { name: "the same point", from: [55.6761, 12.5683], to: [55.6761, 12.5683], km: 0 },
  ])("$name: $km km", ({ from, to, km }) => {
    const a = { latitude: from[0] as number, longitude: from[1] as number };
    const b = { latitude: to[0] as number, longitude: to[1] as number };
    expect(measureGreatCircleKm(a, b)).toBeCloseTo(km, 4);
    expect(measureGreatCircleKm(b, a)).toBeCloseTo(km, 4);
  });
});

describe("estimateRoadKm and estimateTravelMinutes", () => {
  const a = { latitude: 55.5, longitude: 12 };
  const b = { latitude: 56, longitude: 12 };
  it("multiplies the great-circle distance by the road factor (default 1.3)", () => {
    // 0.5° of latitude = 55.59754 km; × 1.3 = 72.27680 km.
    expect(estimateRoadKm(a, b)).toBeCloseTo(72.2768, 4);
    expect(estimateRoadKm(a, b, 1)).toBeCloseTo(55.59754, 4);
  });
  it("drives the road distance at the average speed (default 50 km/h)", () => {
    expect(estimateTravelMinutes(72.2768)).toBeCloseTo(86.73216, 4);
    expect(estimateTravelMinutes(60, 40)).toBe(90);
    expect(estimateTravelMinutes(0, 40)).toBe(0);
  });
  it.each([
    {
      name: "road factor below 1",
      run: () => estimateRoadKm(a, b, 0.9),
      message: "estimateRoadKm: road factor 0.9, expected ≥ 1",
    },
    {
      name: "speed 0",
      run: () => estimateTravelMinutes(10, 0),
      message: "estimateTravelMinutes: speed 0 km/h, expected > 0",
    },
    {
      name: "negative speed",
      run: () => estimateTravelMinutes(10, -5),
      message: "estimateTravelMinutes: speed -5 km/h, expected > 0",
    },
  ])("rejects $name", ({ run, message }) => {
    expect(run).toThrow(new RangeError(message));
  });
});

describe("isValidGeoPoint", () => {
  it.each([
    { point: { latitude: 55.6, longitude: 12.5 }, valid: true },
    { point: { latitude: 90, longitude: -180 }, valid: true },
    { point: { latitude: 91, longitude: 12 }, valid: false },
    { point: { latitude: 55, longitude: 181 }, valid: false },
    { point: { latitude: Number.NaN, longitude: 12 }, valid: false },
    { point: { latitude: 55, longitude: Number.NaN }, valid: false },
    { point: { latitude: 55, longitude: Number.POSITIVE_INFINITY }, valid: false },
    { point: { latitude: Number.NEGATIVE_INFINITY, longitude: 12 }, valid: false },
    { point: { latitude: -90, longitude: 180 }, valid: true },
  ])("$point.latitude, $point.longitude → $valid", ({ point, valid }) => {
    expect(isValidGeoPoint(point)).toBe(valid);
  });
});
