/*
 * End to end over real SMTP: a real `smtp-server` on 127.0.0.1 receives the mails of real runs
 * (the bundled SSI files, a small synthetic roster). Recipients are added with the CLI. Each
 * recipient gets exactly one mail per published week — re-running a week with the same inputs
 * sends nothing new — with the link to the week's portal page, and no staff name or employee id
 * of the whole roster appears anywhere in the raw or the decoded mail.
 */
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import { generateDemoInput } from "../../src/roster/generate-demo.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createApp } from "../../src/worker/app.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { createRunFixture, SMALL_ROSTER, type RunFixture } from "../support/run-fixture.ts";

const ROSTER = { ...SMALL_ROSTER, staffShare: 0.001 };
const BASE_URL = "https://testrota.example.dk";

type Received = { from: string; to: string[]; raw: string };

let fixture: RunFixture;
let smtp: SMTPServer;
let mails: Received[];

beforeAll(async () => {
  mails = [];
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  fixture = createRunFixture((json) => {
    json.demoRoster = ROSTER;
    json.portal = { baseUrl: BASE_URL };
    json.smtp = {
      host: "127.0.0.1",
      port,
      secure: false,
      from: "testrota <testrota@example.invalid>",
      timeoutSeconds: 10,
    };
  });
  for (const args of [
    ["--role", "municipality", "--municipality", "101", "--email", "koordinator@kk.example.invalid"],
    ["--role", "region", "--region", "1084", "--email", "logistik@regionh.example.invalid"],
    ["--role", "national", "--email", "data@stps.example.invalid"],
  ]) {
    const result = await runCli(
      ["recipient", "add", ...args, "--config", fixture.configFile],
      { stdout: () => undefined, stderr: () => undefined },
      {
        env: { LOG_LEVEL: "silent", TESTROTA_AUTHOR: "test" },
      },
    );
    expect(result).toBe(0);
  }
  const app = await createApp({ config: fixture.config(), logger: createCapturingLogger().logger });
  try {
    await app.runWeek({ year: 2020, week: 39 }, { trigger: "cli" });
    await app.runWeek({ year: 2020, week: 40 }, { trigger: "cli" });
    const again = await app.runWeek({ year: 2020, week: 40 }, { trigger: "cli" });
    expect(again.changed).toBe(false);
  } finally {
    await app.close();
  }
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  fixture.cleanup();
});

/** Header and body of a raw message (RFC 5322: the first empty line separates them). */
function split(raw: string): { headers: string; body: string } {
  const at = raw.indexOf("\r\n\r\n");
  return { headers: raw.slice(0, at), body: raw.slice(at + 4) };
}

function header(headers: string, name: string): string {
  const unfolded = headers.replace(/\r\n[ \t]+/g, " ");
  const line = unfolded.split("\r\n").find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim() ?? "";
}

/** Quoted-printable (RFC 2045) decoded by hand: soft breaks removed, =XX as bytes, UTF-8. */
function decodeQuotedPrintable(text: string): string {
  const soft = text.replace(/=\r\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === "=" && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(soft.charCodeAt(i));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Encoded words (RFC 2047) of a header, Q or B. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, kind: string, text: string) =>
      kind.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : decodeQuotedPrintable(text.replace(/_/g, " ")),
    );
}

/** The text of a single-part mail, line ends as \n. */
function decodedBody(raw: string): string {
  const { headers, body } = split(raw);
  const encoding = header(headers, "Content-Transfer-Encoding").toLowerCase();
  const text =
    encoding === "quoted-printable"
      ? decodeQuotedPrintable(body)
      : encoding === "base64"
        ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
        : body;
  return text.replace(/\r\n/g, "\n");
}

describe("mail of published weeks over SMTP", () => {
  it("one mail per recipient per published week, re-runs with identical files add none", () => {
    const perRecipientWeek = mails
      .map((m) => `${m.to.join(",")} ${header(split(m.raw).headers, "X-Testrota-Week")}`)
      .sort();
    expect(perRecipientWeek).toEqual([
      "data@stps.example.invalid 2020-W39",
      "data@stps.example.invalid 2020-W40",
      "koordinator@kk.example.invalid 2020-W39",
      "koordinator@kk.example.invalid 2020-W40",
      "logistik@regionh.example.invalid 2020-W39",
      "logistik@regionh.example.invalid 2020-W40",
    ]);
    for (const mail of mails) {
      const { headers } = split(mail.raw);
      expect(mail.from).toBe("testrota@example.invalid");
      expect(header(headers, "To")).toBe(mail.to[0]);
      expect(header(headers, "Auto-Submitted")).toBe("auto-generated");
      expect(header(headers, "Message-ID")).toMatch(/^<[0-9a-f]{40}@testrota>$/);
    }
  });

  it("each mail links to its week's portal page and says what changed for the recipient", () => {
    for (const mail of mails) {
      const week = header(split(mail.raw).headers, "X-Testrota-Week");
      const text = decodedBody(mail.raw);
      expect(text).toContain(`${BASE_URL}/weeks/${week}\n`);
      const subject = decodeWords(header(split(mail.raw).headers, "Subject"));
      const testWeek = Number(week.slice(6)) + 1;
      expect(subject).toBe(
        `testrota: uge ${Number(week.slice(6))} er offentliggjort – testplan for uge ${testWeek}`,
      );
    }
    const coordinator = mails.find(
      (m) => m.to[0] === "koordinator@kk.example.invalid" && m.raw.includes("2020-W40"),
    );
    expect(decodedBody(coordinator?.raw ?? "")).toMatch(
      /^København \(101\): (rød|grøn), incidens [0-9]+,[0-9]{2} pr\. 100\.000/m,
    );
    expect(decodedBody(coordinator?.raw ?? "")).toMatch(/ \d+ planlagte test i uge 41\.$/m);
    const region = mails.find(
      (m) => m.to[0] === "logistik@regionh.example.invalid" && m.raw.includes("2020-W40"),
    );
    expect(decodedBody(region?.raw ?? "")).toMatch(
      /^Region Hovedstaden \(1084\): \d+ afhentninger fra \d+ arbejdssteder/m,
    );
  });

  it("no staff name or employee id of the roster appears in any mail, raw or decoded", async () => {
    const municipalities = await readReference(fixture.config().reference);
    const { staff } = generateDemoInput({ municipalities, ...ROSTER });
    expect(staff.length).toBeGreaterThan(1000);
    const texts = mails.flatMap((m) => [
      m.raw,
      decodedBody(m.raw),
      decodeWords(header(split(m.raw).headers, "Subject")),
    ]);
    for (const member of staff) {
      for (const text of texts) {
        expect(text.includes(member.employeeId), member.employeeId).toBe(false);
        if (member.name !== undefined) expect(text.includes(member.name), "a staff name").toBe(false);
      }
    }
  });
});
