#!/usr/bin/env bash
# Installs the system tools the test suite runs for real, when they are missing:
# the pinned nats-server (built by scripts/nats-server.sh), Maven + JDK 17 for the generated Kotlin
# SDK, python3 venv support for the generated Python SDK, headless Chromium for the
# A2A scorecard page and the dashboard's browser tests, Prometheus and Alertmanager (promtool, amtool)
# for the observability suites. Idempotent and quiet when all present.
set -euo pipefail

need=()
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
# test/cli/validate-bounds.test.ts measures a child's max RSS with GNU time -v
[ -x /usr/bin/time ] || need+=(time)
# the A2A scorecard test renders generated/scorecard/a2a.html in headless Chromium
[ -x /usr/bin/chromium-headless-shell ] || [ -x /usr/bin/chromium ] || need+=(chromium-headless-shell)
# observability: a real Prometheus scrapes a running runtime; promtool checks and unit-tests the
# alerting rules; amtool validates the Alertmanager receiver templates
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1 || need+=(prometheus-alertmanager)

# The generated Kotlin SDK's Maven dependencies (kotlinx-coroutines, jnats, serialization, JUnit)
# and the build plugins it and test/kotlin/peer-build.ts use, fetched once from Maven Central so
# the Kotlin suites can run Maven offline (mvn -o). Marker: the jnats jar the pom names.
kotlin_deps() {
  local root pom version otel tmp
  root="$(cd "$(dirname "$0")/.." && pwd)"
  pom="$root/generated/kotlin/pom.xml"
  [ -f "$pom" ] || return 0
  version=$(tr -d '\n' <"$pom" | sed -n 's#.*<artifactId>jnats</artifactId>[[:space:]]*<version>\([^<]*\)</version>.*#\1#p')
  otel=$(tr -d '\n' <"$pom" | sed -n 's#.*<artifactId>opentelemetry-sdk-testing</artifactId>[[:space:]]*<version>\([^<]*\)</version>.*#\1#p')
  [ -n "$version" ] && [ -f "$HOME/.m2/repository/io/nats/jnats/$version/jnats-$version.jar" ] &&
    { [ -z "$otel" ] || [ -f "$HOME/.m2/repository/io/opentelemetry/opentelemetry-sdk-testing/$otel/opentelemetry-sdk-testing-$otel.jar" ]; } && return 0
  echo "ensure-tools: fetching the Kotlin SDK's Maven dependencies (jnats $version, coroutines, plugins)" >&2
  tmp=$(mktemp -d)
  (cd "$root/generated/kotlin" && mvn -q -B test -Dtest=JsonSupportTest "-Doaio.build.dir=$tmp/target" \
    dependency:build-classpath "-Dmdep.outputFile=$tmp/classpath.txt" >&2)
  rm -rf "$tmp"
}

if [ ${#need[@]} -eq 0 ]; then
  bash "$(dirname "$0")/nats-server.sh" >/dev/null
  kotlin_deps
  exit 0
fi

echo "ensure-tools: installing ${need[*]} with apt-get" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ensure-tools: need root (or sudo) to apt-get install ${need[*]}" >&2
    exit 2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
echo "ensure-tools: done" >&2
bash "$(dirname "$0")/nats-server.sh" >/dev/null
kotlin_deps
