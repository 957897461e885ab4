#!/usr/bin/env bash
# Starts orgsim with the three demo orgs (Acme Production, UAT and Dev sandboxes, with drift
# between them) and connects them to Orgfleet through a real JWT bearer login, using a demo
# key that orgsim generates, and takes a first snapshot of each. Prints the orgsim PID on stdout; logs go to $ORGFLEET_HOME.
#   usage: demo-orgs.sh   (needs ORGFLEET_HOME; builds nothing: run after cargo build)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${ORGFLEET_HOME:?set ORGFLEET_HOME}"
export ORGFLEET_SECRET_STORE="${ORGFLEET_SECRET_STORE:-file}"
status="$ORGFLEET_HOME/orgsim.json"
rm -f "$status"
target/debug/orgsim --demo --jwt-key "$ORGFLEET_HOME/demo-jwt.pem" --status-file "$status" --port 0 \
  >"$ORGFLEET_HOME/orgsim.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  [[ -f "$status" ]] && break
  kill -0 "$pid" 2>/dev/null || { echo "orgsim did not start; see $ORGFLEET_HOME/orgsim.log" >&2; exit 1; }
  sleep 0.1
done
[[ -f "$status" ]] || { echo "orgsim did not write $status in 10 s" >&2; kill "$pid"; exit 1; }
login_url=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).login_url)' "$status")
for org in prod uat dev; do
  target/debug/orgfleet org login jwt --alias "acme-$org" --username "admin@$org.orgsim.test" \
    --client-id orgfleet-demo --key-file "$ORGFLEET_HOME/demo-jwt.pem" --instance-url "$login_url" \
    --tags demo,client-acme >&2
done
# Snapshots of all three, so the demo opens with something to browse and compare.
target/debug/orgfleet snapshot take acme-prod acme-uat acme-dev >&2
echo "$pid"
