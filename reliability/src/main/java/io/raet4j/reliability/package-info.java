/**
 * Tools of the reliability suite, driven from tests or run as their own processes: {@link
 * io.raet4j.reliability.UdpProxy} relays UDP between clients and one target and partitions or loses on demand;
 * {@link io.raet4j.reliability.NetworkNamespaces} makes hosts in network namespaces joined by a bridge and takes their
 * links down or drops one direction; {@link io.raet4j.reliability.Fleet} starts {@code raet4j.jar} commands (and the
 * tools here) as separate processes to stop, kill and restart; {@link io.raet4j.reliability.Tally} sets the sender's
 * outcomes against what the receivers counted. Only the JDK is needed: the command line is driven as a user would
 * drive it.
 */
package io.raet4j.reliability;
