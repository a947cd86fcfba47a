/**
 * The join transaction: the joins this stack initiates (joiner), those it accepts or refuses (joinent and allower),
 * renewal of a pair whose state one side lost, and the one-line reasons of every failure. Internal to the module.
 */
package io.raet4j.transactions.join;
