#!/usr/bin/env bash
# The riffle command inside the images: the launcher at the repository root (./riffle) without its
# Maven build step. The class path is the CLI module's runtime class path in Maven's order, written
# at build time into a java argument file, so the JVM command line stays short (ONNX Runtime reads it).
set -euo pipefail
home="${RIFFLE_HOME:-/opt/riffle}"
# Flink on Java 17 needs these module opens (Flink's env.java.default-opts.all), as in ./riffle.
opens=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)
# A container's memory limit, not the host's, bounds the heap.
# shellcheck disable=SC2086
exec java ${RIFFLE_JAVA_OPTS:--XX:MaxRAMPercentage=75} "${opens[@]}" -Driffle.home="$home" \
  "@$home/classpath.args" io.riffle.cli.Riffle "$@"
