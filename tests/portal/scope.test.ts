/*
 * The scope rules, path by path: what a coordinator of 101 (and of 101 + 147), the logistics of
 * region 1084 and the national level may see of a published week. Every expectation is written
 * out by hand from the rules in docs/portal.md, including the shapes a path must never have.
 */
import { describe, expect, it } from "vitest";
import { isInScope, pathSegments } from "../../src/portal/scope.ts";
import type { RecipientScope } from "../../src/store/recipients.ts";

const K101: RecipientScope = { role: "municipality", codes: [101] };
const K101_147: RecipientScope = { role: "municipality", codes: [101, 147] };
const R1084: RecipientScope = { role: "region", codes: [1084] };
const NATIONAL: RecipientScope = { role: "national", codes: [] };

type Case = {
  name: string;
  path: string;
  k101: boolean;
  k101and147: boolean;
  r1084: boolean;
  national: boolean;
};

const cases: Case[] = [
  // Shared, nameless files at the root.
  {
    name: "Danish week read-me",
    path: "LÆS-MIG.txt",
    k101: true,
    k101and147: true,
    r1084: true,
    national: true,
  },
  {
    name: "English week read-me",
    path: "README.txt",
    k101: true,
    k101and147: true,
    r1084: true,
    national: true,
  },
  {
    name: "classification",
    path: "classification.csv",
    k101: true,
    k101and147: true,
    r1084: true,
    national: true,
  },
  { name: "weekly report", path: "report.html", k101: true, k101and147: true, r1084: true, national: true },
  // National-only root files.
  { name: "summary", path: "summary.json", k101: false, k101and147: false, r1084: false, national: true },
  { name: "manifest", path: "manifest.json", k101: false, k101and147: false, r1084: false, national: true },
  {
    name: "an unknown root file",
    path: "secrets.txt",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  // Municipality folders: names live here.
  {
    name: "101's rota",
    path: "municipalities/101/rota.csv",
    k101: true,
    k101and147: true,
    r1084: false,
    national: false,
  },
  {
    name: "101's workbook",
    path: "municipalities/101/rota.xlsx",
    k101: true,
    k101and147: true,
    r1084: false,
    national: false,
  },
  {
    name: "101's site sheet",
    path: "municipalities/101/sites/S0101-NH01.pdf",
    k101: true,
    k101and147: true,
    r1084: false,
    national: false,
  },
  {
    name: "147's rota",
    path: "municipalities/147/rota.csv",
    k101: false,
    k101and147: true,
    r1084: false,
    national: false,
  },
  {
    name: "1010 is not 101",
    path: "municipalities/1010/rota.csv",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "0101 is not 101",
    path: "municipalities/0101/rota.csv",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "the folder itself",
    path: "municipalities/101",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  // The provisional look-ahead.
  {
    name: "101's provisional rota",
    path: "lookahead/2020-W42/municipalities/101/FORELØBIG-rota.csv",
    k101: true,
    k101and147: true,
    r1084: false,
    national: false,
  },
  {
    name: "147's provisional rota",
    path: "lookahead/2020-W42/municipalities/147/FORELØBIG-rota.csv",
    k101: false,
    k101and147: true,
    r1084: false,
    national: false,
  },
  {
    name: "look-ahead read-me",
    path: "lookahead/2020-W42/FORELØBIG-LÆS-MIG.txt",
    k101: true,
    k101and147: true,
    r1084: false,
    national: false,
  },
  {
    name: "look-ahead folder not a week",
    path: "lookahead/latest/municipalities/101/FORELØBIG-rota.csv",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  // Region folders.
  {
    name: "1084's pickups",
    path: "regions/1084/pickups.csv",
    k101: false,
    k101and147: false,
    r1084: true,
    national: false,
  },
  {
    name: "1084's pickups JSON",
    path: "regions/1084/pickups.json",
    k101: false,
    k101and147: false,
    r1084: true,
    national: false,
  },
  {
    name: "1084's routes",
    path: "regions/1084/routes.pdf",
    k101: false,
    k101and147: false,
    r1084: true,
    national: false,
  },
  {
    name: "1085's pickups",
    path: "regions/1085/pickups.csv",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  // Shapes that are never a published file.
  {
    name: "parent segment",
    path: "municipalities/101/../147/rota.csv",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "leading parent",
    path: "../out/2020-W40/classification.csv",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "current segment",
    path: "./classification.csv",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "absolute",
    path: "/classification.csv",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "empty segment",
    path: "municipalities//101/rota.csv",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "trailing slash",
    path: "municipalities/101/",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "backslash",
    path: "municipalities\\147\\rota.csv",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "backslash inside an allowed folder",
    path: "municipalities/101/..\\..\\147",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "NUL",
    path: "classification.csv\u0000.txt",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "dot folder",
    path: "municipalities/101/.git/config",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  {
    name: "dot file at the root",
    path: ".env",
    k101: false,
    k101and147: false,
    r1084: false,
    national: false,
  },
  { name: "empty path", path: "", k101: false, k101and147: false, r1084: false, national: false },
];

describe("isInScope", () => {
  it.each(cases)("$name: $path", ({ path, k101, k101and147, r1084, national }) => {
    expect({
      k101: isInScope(K101, path),
      k101and147: isInScope(K101_147, path),
      r1084: isInScope(R1084, path),
      national: isInScope(NATIONAL, path),
    }).toEqual({ k101, k101and147, r1084, national });
  });

  it("a national recipient never sees any file under municipalities/, whatever the code", () => {
    for (const code of [101, 147, 825, 860]) {
      expect(isInScope(NATIONAL, `municipalities/${code}/rota.csv`)).toBe(false);
      expect(isInScope(NATIONAL, `lookahead/2020-W42/municipalities/${code}/FORELØBIG-rota.csv`)).toBe(false);
    }
  });

  it("a region recipient with two codes (not a valid region scope) sees no region folder", () => {
    expect(isInScope({ role: "region", codes: [1084, 1085] }, "regions/1084/pickups.csv")).toBe(false);
  });
});

describe("pathSegments", () => {
  it("splits a clean path and refuses everything else", () => {
    expect(pathSegments("municipalities/101/sites/S0101-NH01.pdf")).toEqual([
      "municipalities",
      "101",
      "sites",
      "S0101-NH01.pdf",
    ]);
    for (const bad of ["", "/", "a//b", "a/./b", "a/../b", ".hidden", "a\\b", "a\u0001b", "a\u007fb"]) {
      expect(pathSegments(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});
