'use strict';
const path = require('node:path');
const { startTestServices } = require('./services');

module.exports = async function globalSetup() {
  if (!process.env.HUB_TEST) {
    throw new Error('Integration tests need the broker, database and environment that `npm test` prepares: run `npm test`.');
  }
  await startTestServices();
  process.stdout.write(`\n[test] services up (logs in ${path.join('.hub', 'test-logs')})\n`);
};
