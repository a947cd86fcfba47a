/**
 * The duty cycle: the agent that runs every transaction on one thread, its clock, the estates' timers, the counters it
 * writes and the thread that owns it. Internal to the module.
 */
package io.raet4j.transactions.agent;
