import type { RecipientScope } from "../store/recipients.ts";

/*
 * Which files of a published week a recipient may see: the one place that decides it. Pure: a
 * path inside the week folder (POSIX, relative) in, yes or no out. Anything not shaped like a
 * plain relative path (empty, absolute, `.`/`..` or dot-named segments, backslashes, control
 * characters) is out of every scope, so a caller that forgot to clean a path still refuses it.
 *
 * - every role: the week's read-me files, `classification.csv` and `report.html` (no names);
 * - `national`: also `summary.json` and `manifest.json`, never a municipality or region folder;
 * - `municipality`: its municipalities' folders, also in the provisional look-ahead
 *   (`lookahead/<week>/municipalities/<code>/`), and the look-ahead's read-me files;
 * - `region`: its region's folder (`regions/<code>/`: pickups, routes).
 * Staff names and ids exist only under `municipalities/<code>/`, so only that municipality's
 * coordinators ever see them.
 */

/** Files at the week folder's root that every recipient sees (no names in any of them). */
export const SHARED_FILES: ReadonlySet<string> = new Set([
  "LÆS-MIG.txt",
  "README.txt",
  "classification.csv",
  "report.html",
]);

/** Root files for the national level only (they list every municipality's figures and files). */
export const NATIONAL_FILES: ReadonlySet<string> = new Set(["summary.json", "manifest.json"]);

/** Read-me files of the provisional look-ahead folder (no names). */
export const LOOKAHEAD_README_FILES: ReadonlySet<string> = new Set([
  "FORELØBIG-LÆS-MIG.txt",
  "PROVISIONAL-README.txt",
]);

const WEEK_FOLDER = /^\d{4}-W\d{2}$/;
// Control characters (NUL included), slashes of either kind: never part of a published name.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f\\/]/;

/** The segments of a clean relative path, or undefined when it is not one. */
export function pathSegments(relativePath: string): string[] | undefined {
  if (relativePath === "") return undefined;
  const segments = relativePath.split("/");
  for (const segment of segments) {
    if (segment === "" || segment.startsWith(".") || FORBIDDEN_CHARACTERS.test(segment)) return undefined;
  }
  return segments;
}

function isCodeFolder(segment: string | undefined, codes: readonly number[]): boolean {
  return segment !== undefined && /^\d+$/.test(segment) && codes.some((code) => String(code) === segment);
}

/** True when a recipient of `scope` may see the file at `relativePath` of a published week folder. */
export function isInScope(scope: RecipientScope, relativePath: string): boolean {
  const segments = pathSegments(relativePath);
  if (segments === undefined) return false;
  const [first, second, third, fourth] = segments;
  if (segments.length === 1) {
    if (SHARED_FILES.has(first ?? "")) return true;
    return scope.role === "national" && NATIONAL_FILES.has(first ?? "");
  }
  switch (scope.role) {
    case "national":
      return false;
    case "region":
      return (
        first === "regions" &&
        segments.length >= 3 &&
        scope.codes.length === 1 &&
        isCodeFolder(second, scope.codes)
      );
    case "municipality":
      if (first === "municipalities") return segments.length >= 3 && isCodeFolder(second, scope.codes);
      if (first !== "lookahead" || !WEEK_FOLDER.test(second ?? "")) return false;
      if (segments.length === 3) return LOOKAHEAD_README_FILES.has(third ?? "");
      return third === "municipalities" && segments.length >= 5 && isCodeFolder(fourth, scope.codes);
  }
}
