'use strict';
const { stopTestServices } = require('./services');

module.exports = async function globalTeardown() {
  await stopTestServices();
};
