/**
 * The alive transaction: keepalives, round-trip samples from Alive and AliveAck, and the presence silence decides
 * (UNREACHABLE, DEAD). Internal to the module.
 */
package io.raet4j.transactions.alive;
