#!/bin/bash
# usage: strace-hold.sh ANSWER_US HOLD_NS(or "default") LABEL
J=/work/main/examples/target/raet4j.jar
A=$1; H=$2; L=$3
PORT=$((7600 + RANDOM % 300))
PROP=""; [ "$H" != "default" ] && PROP="-Draet4j.ack.hold.max.ns=$H"
cd /tmp/h1
strace -f -c -e trace=sendto,sendmsg -o /tmp/h1/pong-$L.strace java $PROP -jar $J pong --bind 127.0.0.1:$PORT --no-encryption --answer-after-us $A --idle-seconds 3 --dir /tmp/h1/st-pong-$L > /tmp/h1/pong-$L.out 2>&1 &
PP=$!
for i in $(seq 1 100); do grep -q "listening" /tmp/h1/pong-$L.out 2>/dev/null && break; sleep 0.1; done
strace -f -c -e trace=sendto,sendmsg -o /tmp/h1/ping-$L.strace java $PROP -jar $J ping --peer 127.0.0.1:$PORT --count 20000 --no-encryption --dir /tmp/h1/st-ping-$L > /tmp/h1/ping-$L.out 2>&1
wait $PP
echo "== $L answer-after ${A}us hold $H"
grep -h "p50\|round trips\|^{" /tmp/h1/ping-$L.out | tail -2 | cut -c1-250
echo "ping sendto: $(grep -h ' sendto' /tmp/h1/ping-$L.strace | awk '{print $4}')  pong sendto: $(grep -h ' sendto' /tmp/h1/pong-$L.strace | awk '{print $4}')"
