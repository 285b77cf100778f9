// Expands a JSON-LD file with jsonld.js and prints the result. Any attempt to load a remote
// document (a context by URL) fails: the bundle's case.jsonld must expand offline.
//   node infra/jsonld/expand.js case.jsonld
'use strict';
const fs = require('fs');
const jsonld = require('jsonld');

const offline = async (url) => {
  throw new Error(`refusing to load ${url}: case.jsonld must carry its context inline`);
};

(async () => {
  const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const expanded = await jsonld.expand(input, { documentLoader: offline, safe: true });
  process.stdout.write(JSON.stringify(expanded));
})().catch((error) => {
  process.stderr.write(`${error.name}: ${error.message}\n${JSON.stringify(error.details || {})}\n`);
  process.exit(1);
});
