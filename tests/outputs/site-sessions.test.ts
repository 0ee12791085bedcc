import { describe, expect, it } from "vitest";
import { groupSiteSessions, siteFileStem } from "../../src/outputs/site-sessions.ts";
import { ROWS, SITES } from "./document-fixture.ts";

describe("groupSiteSessions", () => {
  it("gives every site of the municipality, by id, with sessions by date and shift, people by id", () => {
    const sites = groupSiteSessions(ROWS, SITES);
    expect(
      sites.map((s) => [
        s.siteId,
        s.fileStem,
        s.sessions.map((x) => `${x.date} ${x.shift} ${x.people.length}`),
      ]),
    ).toEqual([
      ["S0492-HC01", "S0492-HC01", ["2020-10-08 evening 2", "2020-10-09 day 2"]],
      ["S0492-NH01", "S0492-NH01", ["2020-10-05 day 3", "2020-10-06 night 1"]],
      ["S0492-NH02", "S0492-NH02", []],
    ]);
    expect(sites[1]?.sessions[0]?.people.map((p) => p.employeeId)).toEqual([
      "E492-0001",
      "E492-0002",
      "E492-0003",
    ]);
  });

  it("refuses a row of a site outside the municipality, naming the site only", () => {
    const row = { ...(ROWS[0] as (typeof ROWS)[number]), siteId: "S0101-NH01" };
    expect(() => groupSiteSessions([row], SITES)).toThrow(/site S0101-NH01/);
    expect(() => groupSiteSessions([row], SITES)).not.toThrow(/E492/);
  });
});

describe("siteFileStem", () => {
  const cases = [
    { name: "a plain id is the file name", id: "S0101-NH01", stem: "S0101-NH01" },
    { name: "Danish letters are kept", id: "Ærø-Søby", stem: "Ærø-Søby" },
    // sha256("S/01") starts with the 8 hex digits below (printf 'S/01' | sha256sum).
    { name: "a slash cannot reach the path", id: "S/01", stem: "S_01-6461d37f" },
    { name: "nor a leading dot", id: ".hidden", stem: "_hidden-16924190" },
  ];
  it.each(cases)("$name", ({ id, stem }) => {
    expect(siteFileStem(id)).toBe(stem);
  });

  it("keeps two ids that differ only in unsafe characters apart", () => {
    expect(siteFileStem("S/01")).not.toBe(siteFileStem("S:01"));
  });
});
