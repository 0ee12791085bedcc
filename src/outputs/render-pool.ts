import { availableParallelism } from "node:os";
import { Worker, type MessagePort } from "node:worker_threads";
import { noPhaseTimer, type PhaseTimer } from "../lib/phase-timer.ts";
import type { DocumentJob } from "./document-jobs.ts";
import type { DocumentRenderer } from "./document-renderer.ts";
import { writeStagedFile, type StagedFile, type StagingFolder, type WeekFile } from "./staging.ts";

/*
 * The week's documents rendered on worker threads, one per core: every job is a pure function of
 * its plain data (DocumentJob), so the bytes are the same whatever the number of threads or the
 * order the jobs finish in. Each thread loads the renderers and the font once and takes batches of
 * jobs as it becomes free, the heaviest first, so one large workbook does not hold up the end.
 */

export type RenderOptions = {
  /** Threads to render on; 1 renders in this thread. Default: `os.availableParallelism()`. */
  readonly threads?: number | undefined;
  /** Each document family (`workbook`, `site-sheet`, `site-calendar`, …) is timed as a phase. */
  readonly timer?: PhaseTimer | undefined;
  /**
   * Write each document into this staging folder as soon as it is rendered and keep only its
   * size and SHA-256 (outputs/staging.ts); without it the bytes come back.
   */
  readonly staging?: StagingFolder | undefined;
};

/** A batch of jobs for a thread, and what it sends back. */
type BatchRequest = {
  readonly id: number;
  readonly jobs: readonly DocumentJob[];
  readonly staging: StagingFolder | undefined;
};
type BatchReply =
  | { readonly id: number; readonly outputs: WeekFile[] }
  | {
      readonly id: number;
      readonly error: string;
      readonly path: string;
      readonly code?: string | undefined;
    };

const WORKER_ENTRY = new URL("./render-worker.ts", import.meta.url);
/**
 * A render thread's heap. A thread keeps little (the renderers, the font, one batch of jobs: about
 * 30 MiB live at German scale) but makes much short-lived garbage; with the process's defaults
 * (a young generation sized for the planner's millions of rows, an old generation that grows to
 * gigabytes before it is collected) each thread held 200–280 MiB. Bounded, a thread collects
 * early: the largest document (a red municipality's workbook of thousands of rows) needs a few
 * tens of MiB, far below the bound.
 */
const THREAD_HEAP = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 } as const;

/** Batches per thread and family: small enough to balance the end, large enough to keep messages few. */
const BATCHES_PER_THREAD = 8;

let renderer: Promise<DocumentRenderer> | undefined;

/**
 * The renderers, imported on first use (in a render thread, or here when rendering in this
 * thread): a main thread that only hands out jobs never loads exceljs or pdfkit.
 */
function loadRenderer(): Promise<DocumentRenderer> {
  renderer ??= import("./document-renderer.ts").then((module) => module.createDocumentRenderer());
  return renderer;
}

/** Rough cost of a job: its rows (people tested; a route sheet's stops), plus a fixed part per document. */
function weightOf(job: DocumentJob): number {
  if (job.kind === "routes") return 20 + job.input.runs.reduce((sum, run) => sum + run.stops.length, 0);
  const sites = job.kind === "workbook" ? job.input.sites : [job.input.site];
  let people = 0;
  for (const site of sites) for (const session of site.sessions) people += session.people.length;
  return 20 + people;
}

/** The bytes as a view of their own buffer (a pooled Buffer shares its buffer and cannot move). */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
  ) {
    return bytes as Uint8Array<ArrayBuffer>;
  }
  return new Uint8Array(bytes);
}

/** Documents written at once by one thread: the next renders while these reach the disk. */
const WRITES_IN_FLIGHT = 8;

/** The errno code (`ENOSPC`, `EROFS`, …) of a failure, if it has one. */
function codeOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * A job that failed, with the path it was for; a failed write keeps its errno code, so the caller
 * can tell a full or read-only disk (store/storage-fault.ts) from a document that cannot render.
 */
class JobError extends Error {
  readonly path: string;
  readonly code: string | undefined;
  constructor(path: string, cause: unknown) {
    super(`rendering ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.path = path;
    this.code = codeOf(cause);
  }
}

/**
 * Renders `jobs` in order; with a staging folder each document is written there while the next
 * one renders, and only its size and digest are kept. A failure names the job's path.
 */
async function renderBatch(
  jobs: readonly DocumentJob[],
  render: DocumentRenderer,
  staging: StagingFolder | undefined,
): Promise<WeekFile[]> {
  const outputs: Promise<WeekFile>[] = [];
  const writing = new Set<Promise<WeekFile>>();
  try {
    for (const job of jobs) {
      let bytes: Uint8Array;
      try {
        bytes = await render(job);
      } catch (error) {
        throw new JobError(job.path, error);
      }
      if (staging === undefined) {
        outputs.push(Promise.resolve(bytes));
        continue;
      }
      const written = writeStagedFile(staging, job.path, bytes).catch((error: unknown) => {
        throw new JobError(job.path, error);
      });
      outputs.push(written);
      writing.add(written);
      void written.finally(() => writing.delete(written)).catch(() => undefined);
      if (writing.size >= WRITES_IN_FLIGHT) await Promise.race(writing);
    }
  } catch (error) {
    // The writes in flight settle first: the caller removes the staging folder after a failure.
    await Promise.allSettled(writing);
    throw error;
  }
  return Promise.all(outputs);
}

/**
 * Serves batches of jobs on `port` (the parent's side of a render thread, see render-worker.ts):
 * every reply carries the batch's documents (or, staged, their sizes and digests) in the order
 * asked, buffers moved, not copied.
 */
export function serveRenderJobs(port: MessagePort): void {
  const renderer = loadRenderer();
  // Renderers that cannot be loaded fail every batch with that error (below), not the thread.
  renderer.catch(() => undefined);
  port.on("message", (request: BatchRequest) => {
    renderer
      .then((render) => renderBatch(request.jobs, render, request.staging))
      .then(
        (outputs) => {
          const owned = outputs.map((file) => (file instanceof Uint8Array ? ownBuffer(file) : file));
          const reply: BatchReply = { id: request.id, outputs: owned };
          port.postMessage(
            reply,
            owned.flatMap((file) => (file instanceof Uint8Array ? [file.buffer] : [])),
          );
        },
        (error: unknown) => {
          const path = error instanceof JobError ? error.path : (request.jobs[0]?.path ?? "");
          const message =
            error instanceof JobError && error.cause instanceof Error ? error.cause.message : String(error);
          const code = error instanceof JobError ? error.code : undefined;
          port.postMessage({ id: request.id, error: message, path, code } satisfies BatchReply);
        },
      );
  });
}

type Thread = { readonly worker: Worker };

/** Splits the jobs (heaviest first) into batches of about equal weight, each at least one job. */
function planBatches(indexes: readonly number[], weights: readonly number[], threads: number): number[][] {
  const sorted = [...indexes].sort((a, b) => (weights[b] ?? 0) - (weights[a] ?? 0) || a - b);
  const total = sorted.reduce((sum, i) => sum + (weights[i] ?? 0), 0);
  const target = Math.max(1, total / (threads * BATCHES_PER_THREAD));
  const batches: number[][] = [];
  let batch: number[] = [];
  let weight = 0;
  for (const index of sorted) {
    batch.push(index);
    weight += weights[index] ?? 0;
    if (weight >= target) {
      batches.push(batch);
      batch = [];
      weight = 0;
    }
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** A set of render threads, started at once (they load while the caller does other work). */
class ThreadPool {
  private readonly threads: Thread[];
  private nextId = 0;
  private failure: Error | undefined;

  constructor(count: number) {
    this.threads = Array.from({ length: count }, () => {
      return { worker: new Worker(WORKER_ENTRY, { resourceLimits: THREAD_HEAP }) };
    });
  }

  get size(): number {
    return this.threads.length;
  }

  /** Renders the jobs at `indexes` into `outputs`, batch by batch on whichever thread is free. */
  run(
    jobs: readonly DocumentJob[],
    indexes: readonly number[],
    outputs: WeekFile[],
    staging: StagingFolder | undefined,
  ): Promise<void> {
    const weights = jobs.map(weightOf);
    const batches = planBatches(indexes, weights, this.threads.length);
    return new Promise((resolve, reject) => {
      let pending = 0;
      const fail = (error: Error): void => {
        this.failure ??= error;
        reject(this.failure);
      };
      const dispatch = (thread: Thread): void => {
        // After a failure nothing more is started; the caller closes the pool.
        const batch = this.failure === undefined ? batches.shift() : undefined;
        if (batch === undefined) {
          if (pending === 0) resolve();
          return;
        }
        const id = this.nextId++;
        pending++;
        const onMessage = (reply: BatchReply): void => {
          if (reply.id !== id) return;
          cleanup();
          pending--;
          if ("error" in reply) {
            const error = new Error(`rendering ${reply.path}: ${reply.error}`);
            fail(reply.code === undefined ? error : Object.assign(error, { code: reply.code }));
            return;
          }
          reply.outputs.forEach((bytes, k) => (outputs[batch[k] ?? -1] = bytes));
          dispatch(thread);
        };
        const onError = (error: Error): void => {
          cleanup();
          fail(new Error(`render thread failed: ${error.message}`, { cause: error }));
        };
        const onExit = (code: number): void => {
          cleanup();
          fail(new Error(`render thread exited with code ${code} while rendering`));
        };
        const cleanup = (): void => {
          thread.worker.off("message", onMessage);
          thread.worker.off("error", onError);
          thread.worker.off("exit", onExit);
        };
        thread.worker.on("message", onMessage);
        thread.worker.on("error", onError);
        thread.worker.on("exit", onExit);
        const request: BatchRequest = { id, jobs: batch.flatMap((i) => jobs[i] ?? []), staging };
        thread.worker.postMessage(request);
      };
      if (this.failure !== undefined) {
        reject(this.failure);
        return;
      }
      if (batches.length === 0) {
        resolve();
        return;
      }
      for (const thread of this.threads) dispatch(thread);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
  }
}

/** The families of `jobs` (their kinds) in the order they first appear, with their jobs' indexes. */
function familiesOf(jobs: readonly DocumentJob[]): Map<string, number[]> {
  const families = new Map<string, number[]>();
  jobs.forEach((job, index) => {
    const family = families.get(job.kind);
    if (family === undefined) families.set(job.kind, [index]);
    else family.push(index);
  });
  return families;
}

/** The number of render threads asked for, or one per core. */
export function renderThreads(threads: number | undefined): number {
  return Math.max(1, Math.floor(threads ?? availableParallelism()));
}

/**
 * Renders every job to bytes, in the order of `jobs`, family by family (each a phase of
 * `options.timer`), on `options.threads` worker threads. The bytes do not depend on the number of
 * threads: each job is rendered from its own data alone.
 */
export function renderDocumentJobs(
  jobs: readonly DocumentJob[],
  options: RenderOptions & { readonly staging: StagingFolder },
): Promise<StagedFile[]>;
export function renderDocumentJobs(
  jobs: readonly DocumentJob[],
  options?: RenderOptions & { readonly staging?: undefined },
): Promise<Uint8Array[]>;
export function renderDocumentJobs(
  jobs: readonly DocumentJob[],
  options?: RenderOptions,
): Promise<WeekFile[]>;
export async function renderDocumentJobs(
  jobs: readonly DocumentJob[],
  options: RenderOptions = {},
): Promise<WeekFile[]> {
  const timer = options.timer ?? noPhaseTimer;
  const outputs: WeekFile[] = new Array<WeekFile>(jobs.length);
  const families = familiesOf(jobs);
  const threads = Math.min(renderThreads(options.threads), jobs.length);
  if (threads <= 1) {
    const render = await loadRenderer();
    for (const [family, indexes] of families) {
      await timer.measure(family, async () => {
        const rendered = await renderBatch(
          indexes.flatMap((index) => jobs[index] ?? []),
          render,
          options.staging,
        );
        rendered.forEach((file, k) => (outputs[indexes[k] ?? -1] = file));
      });
    }
    return outputs;
  }
  const pool = new ThreadPool(threads);
  try {
    for (const [family, indexes] of families) {
      await timer.measure(family, () => pool.run(jobs, indexes, outputs, options.staging));
    }
  } finally {
    await pool.close();
  }
  return outputs;
}
