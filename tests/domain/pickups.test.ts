import { describe, expect, it } from "vitest";
import { planSitePickups } from "../../src/domain/pickups.ts";

describe("planSitePickups", () => {
  const site = { regionCode: 1084, municipalityCode: 101, siteId: "S1" };
  it.each([
    {
      name: "next-morning pickup brings the kits for the site's next session that week",
      offset: 1,
      sessions: [
        { date: "2020-10-05", samples: 5 },
        { date: "2020-10-07", samples: 3 },
      ],
      expected: [
        { testDate: "2020-10-05", pickupDate: "2020-10-06", samples: 5, kitsToDeliver: 3 },
        { testDate: "2020-10-07", pickupDate: "2020-10-08", samples: 3, kitsToDeliver: 3 },
      ],
    },
    {
      name: "a session before the pickup date cannot use the kits: the next one after it does",
      offset: 2,
      sessions: [
        { date: "2020-10-05", samples: 4 },
        { date: "2020-10-06", samples: 2 },
        { date: "2020-10-08", samples: 7 },
      ],
      expected: [
        { testDate: "2020-10-05", pickupDate: "2020-10-07", samples: 4, kitsToDeliver: 7 },
        { testDate: "2020-10-06", pickupDate: "2020-10-08", samples: 2, kitsToDeliver: 7 },
        { testDate: "2020-10-08", pickupDate: "2020-10-10", samples: 7, kitsToDeliver: 7 },
      ],
    },
    {
      // Collected the same day: the kits are for the next session after it, never the same one.
      name: "a same-day pickup brings the kits for the next session",
      offset: 0,
      sessions: [
        { date: "2020-10-05", samples: 4 },
        { date: "2020-10-07", samples: 9 },
      ],
      expected: [
        { testDate: "2020-10-05", pickupDate: "2020-10-05", samples: 4, kitsToDeliver: 9 },
        { testDate: "2020-10-07", pickupDate: "2020-10-07", samples: 9, kitsToDeliver: 9 },
      ],
    },
    {
      name: "the last session of the week gets its kits replaced one for one",
      offset: 1,
      sessions: [{ date: "2020-10-09", samples: 6 }],
      expected: [{ testDate: "2020-10-09", pickupDate: "2020-10-10", samples: 6, kitsToDeliver: 6 }],
    },
  ])("$name", ({ offset, sessions, expected }) => {
    const pickups = planSitePickups({ ...site, sessions }, { pickupTime: "07:30", pickupDayOffset: offset });
    expect(pickups).toEqual(expected.map((e) => ({ ...site, pickupTime: "07:30", ...e })));
  });
});
