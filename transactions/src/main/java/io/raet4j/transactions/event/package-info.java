/**
 * What the stack tells the application, queued where it happens and handed over at the end of the duty cycle.
 * Internal to the module.
 */
package io.raet4j.transactions.event;
