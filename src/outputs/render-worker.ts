import { isMainThread, parentPort } from "node:worker_threads";
import { serveRenderJobs } from "./render-pool.ts";

/*
 * Entry point of a document render thread (started by render-pool.ts, never imported): it serves
 * batches of DocumentJobs until the pool terminates it.
 */
if (isMainThread || parentPort === null) {
  throw new Error("render-worker.ts is a worker thread entry: start it through renderDocumentJobs");
}
serveRenderJobs(parentPort);
