'use strict';
/**
 * What the bench's preloads (count-preload.js, profile-preload.js) wrap in a service, without changing its code: every
 * SQL statement sent through `pg`, and every produce call of the producers kafkajs hands out. Each hook gets what was
 * sent; a missing package means nothing to observe.
 */
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');

/** Calls `observe(text)` with the text of every statement a pg.Client sends. */
function observeStatements(observe) {
  try {
    const pg = require(require.resolve('pg', { paths: [root] }));
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function observedQuery(config, ...rest) {
      const text = typeof config === 'string' ? config : config && config.text;
      if (text) observe(text);
      return original.call(this, config, ...rest);
    };
  } catch {
    /* no pg: nothing to observe */
  }
}

/** Calls `observe([{ topic, messages }])` for every send / sendBatch of a kafkajs producer. */
function observeProduceCalls(observe) {
  try {
    const { Kafka } = require(require.resolve('kafkajs', { paths: [root] }));
    const originalProducer = Kafka.prototype.producer;
    Kafka.prototype.producer = function observedProducer(...args) {
      const producer = originalProducer.apply(this, args);
      const send = producer.send;
      const sendBatch = producer.sendBatch;
      producer.send = (record) => {
        observe([{ topic: record.topic, messages: record.messages || [] }]);
        return send(record);
      };
      producer.sendBatch = (batch) => {
        observe(batch.topicMessages || []);
        return sendBatch(batch);
      };
      return producer;
    };
  } catch {
    /* no kafkajs: nothing to observe */
  }
}

module.exports = { observeStatements, observeProduceCalls };
