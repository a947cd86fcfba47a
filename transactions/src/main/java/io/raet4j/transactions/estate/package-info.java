/**
 * Remote estates: their state machine, the state kept per estate, the registry and work lists, and this stack's own
 * estate and limits. Internal to the module.
 */
package io.raet4j.transactions.estate;
