// Every test run states the Node version it ran on; the project targets Node 24 LTS.
const major = Number(process.versions.node.split(".")[0]);
if (major !== 24) {
  throw new Error(`tests must run on Node 24, got ${process.version}: use npm test`);
}
