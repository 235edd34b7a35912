# Sourced by bin/build and bin/pktstack: sets JAVA_HOME to a JDK 25 or newer, whatever the
# machine's default JDK is (a JAVA_HOME that already points at one wins), or fails with status 2.
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  JAVA_HOME=
  for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/java-25-*; do
    if [ -x "$j/bin/java" ]; then JAVA_HOME=$j; break; fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
  echo "$(basename "$0"): no JDK 25 found under /usr/lib/jvm; install Temurin 25 or set JAVA_HOME" >&2
  exit 2
fi
export JAVA_HOME
