/**
 * Datagrams in and out: the dispatcher that checks, opens and routes every datagram received, and the sender that
 * builds, seals and sends. Internal to the module.
 */
package io.raet4j.transactions.packet;
