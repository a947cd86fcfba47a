#!/usr/bin/env bash
# Issue 14 part 1: ChaCha20 on the Vector API against libsodium and BouncyCastle, in one JMH run (-prof gc).
# Kept out of the Maven build: jdk.incubator.vector's incubator warning fails the project's -Werror compile.
# Needs the bench jar (mvn -B -q install -DskipTests). Usage: bench/vector/run.sh [JMH options]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../target/raet4j-bench.jar"
m2="${M2_REPO:-$HOME/.m2/repository}"
proc="$m2/org/openjdk/jmh/jmh-generator-annprocess/1.37/jmh-generator-annprocess-1.37.jar"
out="$(mktemp -d)"
# javac always warns that the incubator module is used: show its other output, and stop if it failed.
if ! javac --release 17 --add-modules jdk.incubator.vector -cp "$jar" -processorpath "$proc:$jar" \
    -d "$out" "$here"/src/io/raet4j/sodium/*.java 2> "$out/javac.log"; then
    cat "$out/javac.log" >&2
    echo "bench/vector: the benchmark did not compile (is $jar built? mvn -B -q install -DskipTests)" >&2
    exit 1
fi
grep -v "incubating" "$out/javac.log" >&2 || true
java --add-modules jdk.incubator.vector --add-opens java.base/jdk.internal.misc=ALL-UNNAMED \
    -cp "$out:$jar" org.openjdk.jmh.Main ChaCha20Benchmark "$@"
