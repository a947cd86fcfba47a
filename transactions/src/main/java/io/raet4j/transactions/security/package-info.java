/**
 * Handshake cryptography (signatures, agreements, cookies, transcripts) and the session keys that seal datagrams.
 */
package io.raet4j.transactions.security;
