import type { Config } from "../config.ts";
import { addWeeks, compareWeeks, formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { OVERRIDE_ACTIONS, type Override, type OverrideAction } from "../domain/classify.ts";
import { coordinateBoundsFor } from "../domain/geo.ts";
import { UsageError } from "../errors.ts";
import { generateDemoInput } from "../roster/generate-demo.ts";
import { readSites } from "../roster/read-sites.ts";
import type { App } from "../worker/app.ts";
import {
  authorOf,
  formatWeekRange,
  printJson,
  stopIfAborted,
  stringFlag,
  usageText,
  weekFlag,
  withApp,
  type Command,
  type Flags,
} from "./command.ts";

const usage = usageText({
  synopsis: `override add --municipality CODE --action ACTION --from YYYY-Www --to YYYY-Www
                    --reason TEXT [--sites ID,ID] [--id ID] [--replace] [--author NAME] [--json]`,
  description: `Record an STPS decision (Danish Patient Safety Authority) in the store, with its author
and time; the runs of the weeks it covers apply it (re-run a week already published to apply it
there). Actions:
  keep-green       the municipality stays green whatever its incidence (e.g. a small controlled outbreak)
  force-red        the municipality is red whatever its incidence
  limit-to-sites   when red, frequent testing only at the named sites (--sites)

--from/--to are CLASSIFICATION weeks, both included: the run of week W publishes the rota of
test week W+1. To keep a municipality green for the tests of week 42, give --from 2020-W41.

Refused (exit 64): an unknown municipality code or site id (sites of the configured sites file,
or of the demo roster), a reversed range, and a keep-green that overlaps a force-red for the
same municipality (or the reverse), unless --replace withdraws the earlier one (audited).`,
  options: `  --municipality CODE  municipality code of the reference (e.g. 101 København)
  --action ACTION      keep-green | force-red | limit-to-sites
  --from YYYY-Www      first classification week
  --to YYYY-Www        last classification week (on or after --from)
  --reason TEXT        the decision's reason or case number (required)
  --sites ID,ID        site ids, for limit-to-sites only (required there)
  --id ID              the decision's id (default ovr-<code>-<from>-<action>), e.g. the STPS case number
  --replace            withdraw the contradicting decisions in force (recorded as replaced by this one)
  --author NAME        who decides (default $TESTROTA_AUTHOR, else $USER; required when neither is set)
  --json               print the added decision as JSON`,
  examples: `  # keep Vejen (575) green for the rota of test week 2020-W42: classification week 2020-W41
  testrota override add --municipality 575 --action keep-green --from 2020-W41 --to 2020-W41 \\
    --reason "STPS 2020-1234: controlled outbreak at one site" --author stps-lone
  # frequent testing only at two sites while Vejen is red, classification weeks 41-43
  testrota override add --municipality 575 --action limit-to-sites --sites S0575-NH01,S0575-NH02 \\
    --from 2020-W41 --to 2020-W43 --reason "STPS 2020-1235" --id STPS-2020-1235
  # turn the keep-green into a force-red: --replace withdraws the keep-green
  testrota override add --municipality 575 --action force-red --from 2020-W41 --to 2020-W42 \\
    --reason "STPS 2020-1240" --replace`,
});

/** Keep-green and force-red contradict each other; limit-to-sites refines red and contradicts neither. */
const CONTRADICTING: Partial<Record<OverrideAction, OverrideAction>> = {
  "keep-green": "force-red",
  "force-red": "keep-green",
};

/** True when the two decisions cover a common week of the same municipality and say the opposite. */
export function contradicts(a: Override, b: Override): boolean {
  return (
    a.municipalityCode === b.municipalityCode &&
    CONTRADICTING[a.action] === b.action &&
    compareWeeks(a.from, b.to) <= 0 &&
    compareWeeks(b.from, a.to) <= 0
  );
}

/** Site id → municipality code of the configured sites (or of the generated demo roster). */
async function readSiteMunicipalities(app: App): Promise<Map<string, number>> {
  const { config, municipalities } = app;
  const sites =
    config.demoRoster !== undefined
      ? generateDemoInput({ municipalities, ...config.demoRoster }).sites
      : config.sites !== undefined
        ? await readSites(config.sites, municipalities, undefined, coordinateBoundsFor(config.referenceRules))
        : [];
  return new Map(sites.map((site) => [site.id, site.municipalityCode]));
}

type Request = Omit<Override, "id" | "municipalityCode"> & {
  readonly id: string | undefined;
  readonly municipality: string;
  readonly author: string;
  readonly replace: boolean;
};

/** The flags as a request, or a usage error listing every problem with them. */
function parseRequest(flags: Flags, env: NodeJS.ProcessEnv): Request {
  const problems: string[] = [];
  const municipality = stringFlag(flags, "municipality")?.trim() ?? "";
  if (!/^\d+$/.test(municipality))
    problems.push(
      `--municipality: got ${JSON.stringify(municipality)}, expected a municipality code like 101`,
    );
  const action = stringFlag(flags, "action") ?? "";
  if (!OVERRIDE_ACTIONS.includes(action as OverrideAction))
    problems.push(`--action: got ${JSON.stringify(action)}, expected ${OVERRIDE_ACTIONS.join(" | ")}`);
  const from = weekFlag(flags, "from", problems);
  const to = weekFlag(flags, "to", problems);
  if (from !== undefined && to !== undefined && compareWeeks(from, to) > 0)
    problems.push(
      `--to: got ${formatIsoWeek(to)}, expected a week on or after --from ${formatIsoWeek(from)}`,
    );
  const reason = stringFlag(flags, "reason")?.trim() ?? "";
  if (reason === "") problems.push("--reason: missing, expected the reason or case number of the decision");
  const siteIds = (stringFlag(flags, "sites") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (action === "limit-to-sites" && siteIds.length === 0)
    problems.push("--sites: missing, expected the site ids for limit-to-sites (e.g. --sites S1,S2)");
  if (action !== "limit-to-sites" && siteIds.length > 0)
    problems.push(`--sites: only for limit-to-sites, got it with --action ${action}`);
  const author = authorOf(flags, env, problems);
  if (problems.length > 0 || from === undefined || to === undefined) throw new UsageError(problems, usage);
  return {
    id: stringFlag(flags, "id"),
    municipality,
    action: action as OverrideAction,
    from,
    to,
    siteIds,
    reason,
    author,
    replace: flags.replace === true,
  };
}

function describe(o: Override): string {
  return `${o.action} ${o.id} (${formatWeekRange(o.from, o.to)})`;
}

/** Problems with the request against the installation: municipality, sites, contradictions. */
async function checkAgainst(app: App, request: Request, decision: Override): Promise<Override[]> {
  const problems: string[] = [];
  const municipality = app.municipalities.find((m) => m.code === decision.municipalityCode);
  if (municipality === undefined) {
    throw new UsageError(
      [
        `--municipality: got ${request.municipality}, expected one of the ${app.municipalities.length} municipality codes of ${app.config.reference}`,
      ],
      usage,
    );
  }
  if (decision.siteIds.length > 0) {
    const siteMunicipality = await readSiteMunicipalities(app);
    for (const id of decision.siteIds) {
      const owner = siteMunicipality.get(id);
      if (owner === undefined)
        problems.push(`--sites: got ${JSON.stringify(id)}, expected a site id of ${siteOrigin(app.config)}`);
      else if (owner !== decision.municipalityCode)
        problems.push(
          `--sites: ${JSON.stringify(id)} is a site of municipality ${owner}, expected a site of ${municipality.code} ${municipality.name}`,
        );
    }
  }
  if (problems.length > 0) throw new UsageError(problems, usage);

  const fromConfig = app.config.overrides
    .map((o, index) => ({ o, index }))
    .filter(({ o }) => contradicts(decision, o));
  if (fromConfig.length > 0) {
    throw new UsageError(
      fromConfig.map(
        ({ o, index }) =>
          `${decision.action} for ${municipality.code} ${formatWeekRange(decision.from, decision.to)} contradicts ${describe(o)} in ${app.config.configFile}: overrides[${index}]; --replace cannot withdraw a decision of the config file: edit it`,
      ),
    );
  }
  const inStore = (await app.store.listOverrides()).filter((o) => contradicts(decision, o));
  if (inStore.length > 0 && !request.replace) {
    throw new UsageError(
      inStore.map(
        (o) =>
          `${decision.action} for ${municipality.code} ${formatWeekRange(decision.from, decision.to)} contradicts ${describe(o)}, in force; give --replace to withdraw it (or: testrota override remove --id ${o.id})`,
      ),
    );
  }
  if ((await app.store.listOverrides({ includeRemoved: true })).some((o) => o.id === decision.id)) {
    throw new UsageError(
      [`--id: ${JSON.stringify(decision.id)} exists (withdrawn decisions keep their id), expected a new id`],
      usage,
    );
  }
  return inStore;
}

function siteOrigin(config: Config): string {
  return config.demoRoster !== undefined ? "the demo roster" : (config.sites ?? "the sites file");
}

function testWeeks(from: IsoWeek, to: IsoWeek): string {
  return formatWeekRange(addWeeks(from, 1), addWeeks(to, 1));
}

export const overrideAddCommand: Command = {
  name: "override add",
  summary: "record an STPS decision (keep-green, force-red, limit-to-sites) for classification weeks",
  usage,
  options: {
    municipality: { type: "string" },
    action: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    reason: { type: "string" },
    sites: { type: "string" },
    id: { type: "string" },
    replace: { type: "boolean" },
    author: { type: "string" },
    json: { type: "boolean" },
  },
  run(flags, ctx) {
    const request = parseRequest(flags, ctx.env);
    return withApp(this, flags, ctx, async (app) => {
      const code = Number(request.municipality);
      const decision: Override = {
        id: request.id ?? `ovr-${code}-${formatIsoWeek(request.from)}-${request.action}`,
        municipalityCode: code,
        action: request.action,
        from: request.from,
        to: request.to,
        siteIds: request.siteIds,
        reason: request.reason,
      };
      const replaced = await checkAgainst(app, request, decision);
      stopIfAborted(ctx.signal, this.name);
      const at = new Date(app.clock()).toISOString();
      for (const old of replaced) {
        await app.store.removeOverride(old.id, {
          author: request.author,
          removedAt: at,
          note: `replaced by ${decision.id}`,
        });
      }
      await app.store.addOverride({ ...decision, author: request.author, createdAt: at });
      if (flags.json === true) {
        printJson(ctx.io, {
          added: {
            ...decision,
            from: formatIsoWeek(decision.from),
            to: formatIsoWeek(decision.to),
            author: request.author,
            createdAt: at,
          },
          testWeeks: testWeeks(decision.from, decision.to),
          replaced: replaced.map((o) => o.id),
        });
        return 0;
      }
      const lines = [
        `override ${decision.id} added: ${decision.action} for ${code}, classification weeks ${formatWeekRange(decision.from, decision.to)} (rotas of test weeks ${testWeeks(decision.from, decision.to)})`,
        ...replaced.map((o) => `override ${o.id} withdrawn: replaced by ${decision.id}`),
      ];
      ctx.io.stdout(`${lines.join("\n")}\n`);
      return 0;
    });
  },
};
