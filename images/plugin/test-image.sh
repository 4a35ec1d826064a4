#!/usr/bin/env bash
# Runs the built image the way Sonobuoy would, without Kubernetes or a container engine: the OCI archive is unpacked
# with umoci and run with runc (read-only root, non-root uid, /tmp as tmpfs) against `aiconformance sim serve` on the
# host. Asserts that the run writes `done`, the JUnit and the filled checklist, that the workload roles start, and
# that the whole `aiconformance demo` passes inside the image (NUnit discovery, YAML, the Kubernetes client and the
# simulated API server: the reflection a trimmed build could lose).
# Called by `make image-test`; inputs from the environment:
#
#   IMAGE        the image reference inside the archive
#   ARCHIVE      the OCI archive written by `make image`
#   PUBLISH_DIR  the publish folder (its aiconformance serves the simulated cluster on the host)
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${IMAGE:?}" "${ARCHIVE:?}" "${PUBLISH_DIR:?}"
work=${IMAGE_TEST_DIR:-.build/image-test}
run_timeout=${IMAGE_TEST_RUN_TIMEOUT:-900}
max_archive_mb=${IMAGE_TEST_MAX_ARCHIVE_MB:-60}   # the size budget of the image (README, "The container image")
for tool in umoci runc jq; do
  command -v $tool >/dev/null || { echo "image-test: $tool is not installed (apt-get install umoci runc jq)" >&2; exit 1; }
done
[[ -f $ARCHIVE ]] || { echo "image-test: $ARCHIVE is missing; run 'make image' first" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "image-test: runc needs root here (run as root, or in CI)" >&2; exit 1; }

failures=0
pass() { echo "image-test: PASS $*"; }
fail() { echo "image-test: FAIL $*" >&2; failures=$((failures + 1)); }
now_ms() { date +%s%3N; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

containers=()
sim_pid=
cleanup() {
  for id in "${containers[@]}"; do runc delete --force "$id" >/dev/null 2>&1 || true; done
  [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work/layout" "$work/results" "$work/config"
work=$(cd "$work" && pwd)
tar -xf "$ARCHIVE" -C "$work/layout"
ref=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"] // empty' "$work/layout/index.json")
echo "image-test: unpacking $ARCHIVE (${ref:-$IMAGE})"
umoci unpack --image "$work/layout:${ref:-$IMAGE}" "$work/bundle" >/dev/null
base_config=$work/bundle/config.json.image
mv "$work/bundle/config.json" "$base_config"

# A runc bundle config from the image's: no rlimits (not allowed in this sandbox), read-only root, /tmp on tmpfs as
# the pod's emptyDir, the host's network namespace unless $2 is "isolated", process args from $1 (JSON array),
# and extra jq edits in $3.
bundle_config() {
  local args=$1 network=${2:-host} extra=${3:-.}
  jq --argjson args "$args" --arg network "$network" '
    .process.terminal = false
    | del(.process.rlimits)
    | .process.args = $args
    | .root.readonly = true
    | (if $network == "host" then .linux.namespaces |= map(select(.type != "network")) else . end)
    | .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777", "size=512m"]}]
  ' "$base_config" | jq "$extra" >"$work/bundle/config.json"
}

# run_container NAME ARGS_JSON [NETWORK] [JQ_EDIT] -> runs to completion; stdout/stderr in $work/NAME.log
run_container() {
  local name=$1 args=$2 network=${3:-host} extra=${4:-.}
  bundle_config "$args" "$network" "$extra"
  containers+=("aic-$name-$$")
  local rc=0
  timeout "$run_timeout" runc run -b "$work/bundle" "aic-$name-$$" >"$work/$name.log" 2>&1 </dev/null || rc=$?
  runc delete --force "aic-$name-$$" >/dev/null 2>&1 || true
  return $rc
}

# 1. Image facts: user, entrypoint, sizes, start-up time.
user=$(jq -r '.process.user.uid' "$base_config")
[[ $user != 0 ]] && pass "runs as non-root uid $user" || fail "the image runs as root"
[[ $(jq -r '.process.args[0]' "$base_config") == aiconformance ]] && pass "entrypoint is aiconformance" || fail "entrypoint is $(jq -c .process.args "$base_config")"
compressed=$(stat -c %s "$ARCHIVE")
unpacked=$(du -sb "$work/bundle/rootfs" | cut -f1)
app=$(du -sb "$work/bundle/rootfs/opt/aiconformance" | cut -f1)
start=$(now_ms)
run_container version '["aiconformance","version"]' || fail "aiconformance version exits non-zero: $(tail -3 "$work/version.log")"
startup_ms=$(( $(now_ms) - start ))
grep -q '^checklists: v1\.' "$work/version.log" && grep -q '^nunit: ' "$work/version.log" \
  && pass "version lists the embedded checklists and NUnit" || fail "version printed: $(head -4 "$work/version.log")"
[[ $compressed -le $((max_archive_mb * 1000000)) ]] && pass "archive within ${max_archive_mb} MB" \
  || fail "archive is $(mb "$compressed"), over the ${max_archive_mb} MB budget"
echo "image-test: size: archive $(mb "$compressed"), unpacked $(mb "$unpacked") (application $(mb "$app")); start-up (version, incl. runc) ${startup_ms} ms"

# The archive is what mirroring starts from (README: skopeo copy oci-archive:... docker://...).
if command -v skopeo >/dev/null; then
  if skopeo copy --quiet "oci-archive:$ARCHIVE" "oci:$work/mirror:aiconformance" >"$work/skopeo.log" 2>&1; then
    pass "skopeo reads the archive for mirroring"
  else
    fail "skopeo cannot copy the archive: $(tail -3 "$work/skopeo.log")"
  fi
fi

# 2. The probe role, in a network namespace of its own with only loopback: it needs no network at all.
start=$(now_ms)
if run_container probe '["aiconformance","probe"]' isolated && jq -e 'type == "object"' "$work/probe.log" >/dev/null 2>&1; then
  probe_ms=$(( $(now_ms) - start ))
  pass "probe role prints its JSON report (no network) in ${probe_ms} ms, incl. runc"
else
  fail "probe role: $(tail -5 "$work/probe.log")"
fi

# 3. Server roles, where this build has them: with a --port option they must answer on it (host network);
#    without one they must still be running after a few seconds.
run_container help '["aiconformance","--help"]' || true
for role in serve-echo serve-model; do
  if ! grep -qE "^ +$role( |$)" "$work/help.log"; then
    echo "image-test: SKIP $role: not a command of this build"
    continue
  fi
  run_container "$role-help" "[\"aiconformance\",\"$role\",\"--help\"]" || true
  port=
  args="[\"aiconformance\",\"$role\"]"
  if grep -q -- '--port' "$work/$role-help.log"; then
    port=$((20000 + RANDOM % 20000))
    args="[\"aiconformance\",\"$role\",\"--port\",\"$port\"]"
  fi
  bundle_config "$args"
  containers+=("aic-$role-$$")
  runc run -b "$work/bundle" "aic-$role-$$" >"$work/$role.log" 2>&1 </dev/null &
  role_pid=$!
  started=
  for _ in $(seq 1 100); do
    if [[ -n $port ]]; then
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { started="listens on port $port"; break; }
    elif [[ $_ -ge 30 ]]; then
      kill -0 "$role_pid" 2>/dev/null && started="is still running after 3 s"
      break
    fi
    kill -0 "$role_pid" 2>/dev/null || break
    sleep 0.1
  done
  runc kill "aic-$role-$$" TERM >/dev/null 2>&1 || true
  wait "$role_pid" 2>/dev/null || true
  runc delete --force "aic-$role-$$" >/dev/null 2>&1 || true
  [[ -n $started ]] && pass "$role role $started" || fail "$role role did not start: $(tail -5 "$work/$role.log")"
done

# 4. The whole demo inside the image, with only loopback: the embedded simulated cluster, NUnit discovering and running
#    every fixture, YAML checklists and scenarios, the Kubernetes client. The reference scenario is conformant, so
#    every test must pass (requirements without an automated test stay "needs attestation", so no --strict).
mkdir -p "$work/demo-results"
chmod 0777 "$work/demo-results"
start=$(now_ms)
demo_rc=0
run_container demo '["aiconformance","demo","--scenario","reference","--output","/tmp/demo"]' isolated \
  '.mounts += [{"destination": "/tmp/demo", "type": "bind", "source": "'"$work/demo-results"'", "options": ["rbind", "rw"]}]' || demo_rc=$?
demo_s=$(( ($(now_ms) - start) / 1000 ))
demo_tests=$(grep -c '<testcase ' "$work/demo-results/junit.xml" 2>/dev/null || true)
demo_failed=$(grep -cE '<(failure|error)[ >]' "$work/demo-results/junit.xml" 2>/dev/null || true)
if [[ $demo_rc == 0 && ${demo_tests:-0} -gt 0 && ${demo_failed:-0} == 0 ]] && ls "$work/demo-results"/AIConformance-1.*.yaml >/dev/null 2>&1; then
  pass "demo on the reference scenario: exit 0, $demo_tests test cases, none failed, checklist written (${demo_s}s)"
else
  fail "demo exited $demo_rc with ${demo_tests:-0} test cases, ${demo_failed:-0} failed: $(tail -5 "$work/demo.log")"
fi

# 5. Sonobuoy mode against the simulated cluster, as the plugin's ServiceAccount (RBAC of sonobuoy/).
"$PUBLISH_DIR/aiconformance" sim serve --scenario reference --as-plugin --kubeconfig-out "$work/kubeconfig" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 300); do grep -q '^ready' "$work/sim.log" 2>/dev/null && break; sleep 0.2; done
grep -q '^ready' "$work/sim.log" || { fail "the simulated cluster did not start: $(tail -5 "$work/sim.log")"; exit 1; }
k8s_version=$(sed -n 's/.*(Kubernetes \([^)]*\)).*/\1/p' "$work/sim.log" | head -1)
chmod 0644 "$work/kubeconfig"
chmod 0777 "$work/results"
# The plugin definition's config-map file, as Sonobuoy mounts it.
awk '/^config-map:/{on=1; next} on && /^  [^ ]/{if (file) exit; file=1; next} on && file {sub(/^    /, ""); print}' \
  sonobuoy/ai-conformance.yaml >"$work/config/ai-conformance.yaml"
sonobuoy_env='.process.env += ["SONOBUOY=true", "SONOBUOY_RESULTS_DIR=/tmp/sonobuoy/results", "SONOBUOY_CONFIG_DIR=/tmp/sonobuoy/config", "SONOBUOY_K8S_VERSION='"${k8s_version:-v1.35.0}"'", "KUBECONFIG=/tmp/kube/config"]
  | .mounts += [
      {"destination": "/tmp/sonobuoy/results", "type": "bind", "source": "'"$work/results"'", "options": ["rbind", "rw"]},
      {"destination": "/tmp/sonobuoy/config", "type": "bind", "source": "'"$work/config"'", "options": ["rbind", "ro"]},
      {"destination": "/tmp/kube/config", "type": "bind", "source": "'"$work/kubeconfig"'", "options": ["bind", "ro"]}]'
start=$(now_ms)
run_rc=0
run_container sonobuoy '["aiconformance","run"]' host "$sonobuoy_env" || run_rc=$?
run_s=$(( ($(now_ms) - start) / 1000 ))
echo "image-test: Sonobuoy-mode run exited $run_rc after ${run_s}s; last lines:"
tail -5 "$work/sonobuoy.log" | sed 's/^/    /'

if [[ -f $work/results/done ]]; then
  done_path=$(cat "$work/results/done")
  pass "done written: $done_path"
  handed=$work/results/${done_path#/tmp/sonobuoy/results/}
else
  fail "no done file in the results folder"
fi
listing=$(cd "$work/results" && find . -type f | sort)
if [[ -n ${handed:-} && -f $handed && $handed == *.tar.gz ]]; then
  listing=$(tar -tzf "$handed")
fi
grep -qE '(^|/)junit\.xml$' <<<"$listing" && pass "junit.xml handed to Sonobuoy" || fail "no junit.xml in the results: $listing"
grep -qE '(^|/)AIConformance-1\.[0-9]+\.yaml$' <<<"$listing" && pass "filled checklist handed to Sonobuoy" || fail "no AIConformance-1.NN.yaml in the results"
if [[ -f $work/results/junit.xml ]]; then
  tests=$(grep -c '<testcase ' "$work/results/junit.xml" || true)
  [[ $tests -gt 0 ]] && pass "junit.xml holds $tests test cases" || fail "junit.xml holds no test case"
fi
# 6. The same run with no network at all: the simulated cluster and the run share one container whose network
#    namespace has only loopback, so anything that needed more than the cluster would fail. Same tests expected.
kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
sim_pid=
mkdir -p "$work/offline-results"
chmod 0777 "$work/offline-results"
bundle_config '["aiconformance","sim","serve","--scenario","reference","--as-plugin","--kubeconfig-out","/tmp/kubeconfig"]' isolated \
  '.mounts += [{"destination": "/tmp/sonobuoy/results", "type": "bind", "source": "'"$work/offline-results"'", "options": ["rbind", "rw"]}]'
offline=aic-offline-$$
containers+=("$offline")
runc run -d -b "$work/bundle" "$offline" >"$work/offline-sim.log" 2>&1 </dev/null
for _ in $(seq 1 300); do grep -q '^ready' "$work/offline-sim.log" 2>/dev/null && break; sleep 0.2; done
offline_rc=0
runc exec --env SONOBUOY=true --env SONOBUOY_RESULTS_DIR=/tmp/sonobuoy/results --env KUBECONFIG=/tmp/kubeconfig \
  --env "SONOBUOY_K8S_VERSION=${k8s_version:-v1.35.0}" "$offline" aiconformance run >"$work/offline-run.log" 2>&1 </dev/null || offline_rc=$?
runc delete --force "$offline" >/dev/null 2>&1 || true
test_names() { grep -o '<testcase name="[^"]*"' "$1" 2>/dev/null | sort; }
if [[ -f $work/offline-results/done && -f $work/offline-results/junit.xml ]] \
   && [[ $(test_names "$work/offline-results/junit.xml") == "$(test_names "$work/results/junit.xml")" ]]; then
  pass "the same run with only loopback in its network namespace writes done and runs the same tests (exit $offline_rc)"
else
  fail "the run without network differs or did not finish (exit $offline_rc): $(tail -3 "$work/offline-run.log")"
fi

{
  echo "image=$IMAGE"
  echo "archive_bytes=$compressed"
  echo "unpacked_bytes=$unpacked"
  echo "startup_ms=$startup_ms"
  echo "probe_ms=${probe_ms:-}"
  echo "demo_seconds=$demo_s"
  echo "sonobuoy_run_seconds=$run_s"
} >"$work/report.txt"

if [[ $failures -gt 0 ]]; then
  echo "image-test: $failures check(s) failed; logs in $work" >&2
  exit 1
fi
echo "image-test: all checks passed (logs in $work)"
