#!/usr/bin/env bash
# End to end: starts a real `modelgate serve` on a free port with its data in a
# temporary directory, deploys examples/linear-regression with the modelgate CLI
# (an AKS service with key auth, and one with token auth), then drives modelgate-c
# against it: keys, unary scoring checked against the model's weights, a bad key,
# token auth, and ScoreStream with 1,000 requests (under valgrind, with a small
# receive window so flow control is exercised) and 10,000 requests (without).
#
# Usage: tests/e2e.sh path/to/modelgate-c
# The server binary: MODELGATE_BIN, else <repo>/.build/debug/modelgate. Without it
# the test is skipped, unless MODELGATE_REQUIRE_E2E=1, which makes that a failure.
# VALGRIND: the valgrind command line ("" runs without valgrind).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
CLIENT="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
EXAMPLE="$REPO/examples/linear-regression"
VALGRIND="${VALGRIND-valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1}"
BIN="${MODELGATE_BIN:-$REPO/.build/debug/modelgate}"
if [ ! -x "$BIN" ]; then
    echo "e2e: no modelgate binary at $BIN: run 'swift build --product modelgate' (or set MODELGATE_BIN)" >&2
    if [ "${MODELGATE_REQUIRE_E2E:-0}" = 1 ]; then exit 1; fi
    echo "e2e: SKIPPED"
    exit 0
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/modelgate-cclient-XXXXXX")"
SERVER_PID=""
EXTRA_PIDS=""
cleanup() {
    status=$?
    for pid in $EXTRA_PIDS; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ $status -ne 0 ]; then
        echo "--- e2e failed; the server's log ends:" >&2
        tail -n 40 "$WORK/server.log" >&2 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT

passed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
die() { echo "FAIL $*" >&2; exit 1; }

"$BIN" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
CREDENTIALS="$WORK/data/credentials.json"
ADDRESS=""
for _ in $(seq 1 600); do
    ADDRESS="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("server", ""))' "$CREDENTIALS" 2>/dev/null || true)"
    [ -n "$ADDRESS" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "modelgate serve exited"
    sleep 0.1
done
[ -n "$ADDRESS" ] || die "modelgate serve did not write its address within 60 s"
export MODELGATE_SERVER="$ADDRESS" MODELGATE_CREDENTIALS="$CREDENTIALS" MODELGATE_WORKSPACE=c-e2e

# Deploy with the modelgate CLI: key auth (the example's config) and token auth.
mg() { "$BIN" "$@" >>"$WORK/deploy.log" 2>&1 || { cat "$WORK/deploy.log" >&2; die "modelgate $*"; }; }
mg workspace create --name c-e2e --region westeurope
mg model register --name linreg --path "$EXAMPLE/model"
mg compute attach aks --name aks1 --cores 4 --memory-gb 8
mg model deploy -n linreg-keys -m linreg:1 -ic "$EXAMPLE/inferenceconfig.json" -dc "$EXAMPLE/deploymentconfig.json" -ct aks1
python3 - "$EXAMPLE/deploymentconfig.json" "$WORK/token-config.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config.update(authEnabled=False, tokenAuthEnabled=True)
json.dump(config, open(sys.argv[2], "w"))
PY
mg model deploy -n linreg-token -m linreg:1 -ic "$EXAMPLE/inferenceconfig.json" -dc "$WORK/token-config.json" -ct aks1
pass "deployed linreg-keys (key auth) and linreg-token (token auth) with the modelgate CLI"

# The C client, signing in with the credentials file.
c() { "$CLIENT" --server "$ADDRESS" --credentials "$CREDENTIALS" --workspace c-e2e "$@"; }
vc() { $VALGRIND "$CLIENT" --server "$ADDRESS" --credentials "$CREDENTIALS" --workspace c-e2e "$@"; }
check() { python3 "$HERE/check_results.py" "$@"; }

vc --service linreg-keys keys >"$WORK/keys" || die "keys"
PRIMARY="$(sed -n 1p "$WORK/keys")"
SECONDARY="$(sed -n 2p "$WORK/keys")"
[ -n "$PRIMARY" ] && [ -n "$SECONDARY" ] && [ "$PRIMARY" != "$SECONDARY" ] || die "keys: expected two different keys"
pass "signs in and gets the service's two keys (valgrind)"

SAMPLE="$(cat "$EXAMPLE/sample-request.json")"
echo "$SAMPLE" >"$WORK/sample.jsonl"
vc --service linreg-keys score "$SAMPLE" >"$WORK/out" || die "score with the fetched primary key"
check "$WORK/out" "$WORK/sample.jsonl" >/dev/null || die "score: $(cat "$WORK/out")"
pass "scores one request with the primary key fetched by sign-in; answers match weights.json (valgrind)"

$VALGRIND "$CLIENT" --server "$ADDRESS" --workspace c-e2e --service linreg-keys --key "$SECONDARY" \
    score "$SAMPLE" >"$WORK/out" || die "score with --key"
check "$WORK/out" "$WORK/sample.jsonl" >/dev/null || die "score --key: $(cat "$WORK/out")"
pass "scores with --key and no credentials at all (valgrind)"

set +e
$VALGRIND "$CLIENT" --server "$ADDRESS" --workspace c-e2e --service linreg-keys --key not-the-key \
    score "$SAMPLE" >"$WORK/out" 2>"$WORK/err"
rc=$?
set -e
[ $rc = 1 ] && grep -q "^error: UNAUTHENTICATED: " "$WORK/err" && [ ! -s "$WORK/out" ] \
    || die "a bad key: exit $rc, stderr $(cat "$WORK/err")"
pass "a bad key fails with UNAUTHENTICATED and exit status 1 (valgrind)"

set +e
vc --service linreg-keys score '{"rows": []}' >"$WORK/out" 2>"$WORK/err"
rc=$?
vc --service nope score "$SAMPLE" >/dev/null 2>"$WORK/err2"
rc2=$?
set -e
[ $rc = 1 ] && grep -q "^error: INTERNAL: .*data" "$WORK/err" || die "a failing run(): exit $rc, $(cat "$WORK/err")"
[ $rc2 = 1 ] && grep -q "^error: NOT_FOUND: " "$WORK/err2" || die "a missing service: exit $rc2, $(cat "$WORK/err2")"
pass "a failing run() is INTERNAL with the script's message; a missing service is NOT_FOUND (valgrind)"

vc --service linreg-token token >"$WORK/token" || die "token"
[ "$(tr -cd . <"$WORK/token")" = ".." ] || die "token: not a JWT: $(cat "$WORK/token")"
vc --service linreg-token --token-from-server score '{"data": [[1, 1, 1], [2, -3, 0.5]]}' >"$WORK/out" \
    || die "score with a token"
echo '{"data": [[1, 1, 1], [2, -3, 0.5]]}' >"$WORK/two.jsonl"
check "$WORK/out" "$WORK/two.jsonl" >/dev/null || die "token score: $(cat "$WORK/out")"
"$CLIENT" --server "$ADDRESS" --workspace c-e2e --service linreg-token --key "$(cat "$WORK/token")" \
    score '{"data": [[1, 1, 1], [2, -3, 0.5]]}' >"$WORK/out" || die "score with --key TOKEN"
check "$WORK/out" "$WORK/two.jsonl" >/dev/null || die "token score: $(cat "$WORK/out")"
set +e
vc --service linreg-token keys >/dev/null 2>"$WORK/err"
rc=$?
set -e
[ $rc = 1 ] && grep -q "^error: FAILED_PRECONDITION: " "$WORK/err" || die "keys of a token service: $(cat "$WORK/err")"
pass "a token-auth service: GetToken gives a JWT that scores; it has no keys (valgrind)"

python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
def write(name, count, bad=()):
    with open(f"{work}/{name}", "w") as out:
        for i in range(count):
            if i in bad:
                out.write("not json\n")
            else:
                out.write(json.dumps({"data": [[i * 0.5, (i % 7) - 3.0, 1.0 / (i + 1)]]}) + "\n")
write("stream1k.jsonl", 1000)
write("stream10k.jsonl", 10000)
write("mixed.jsonl", 5, bad=(1, 3))
PY

# 1,000 under valgrind with a 4 KiB receive window: answers need many WINDOW_UPDATEs.
vc --service linreg-keys --timeout 120 --window 4096 stream "$WORK/stream1k.jsonl" >"$WORK/out" || die "stream 1,000"
check "$WORK/out" "$WORK/stream1k.jsonl" || die "stream 1,000 answers"
pass "streams 1,000 requests on one call with a 4 KiB window: 1,000 correct answers in order (valgrind)"

start=$(date +%s.%N)
c --service linreg-keys --timeout 120 stream "$WORK/stream10k.jsonl" >"$WORK/out" \
    || die "stream 10,000: $(grep -m 3 '"error"' "$WORK/out")"
seconds=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")
check "$WORK/out" "$WORK/stream10k.jsonl" || die "stream 10,000 answers"
pass "streams 10,000 requests on one call: 10,000 correct answers in order (${seconds} s)"

c --service linreg-token --token-from-server --timeout 120 --max-in-flight 8 stream "$WORK/stream1k.jsonl" >"$WORK/out" \
    || die "stream with a token"
check "$WORK/out" "$WORK/stream1k.jsonl" >/dev/null || die "stream with a token: answers"
pass "streams 1,000 requests with a scoring token, at most 8 in flight"

set +e
vc --service linreg-keys stream "$WORK/mixed.jsonl" >"$WORK/out" 2>"$WORK/err"
rc=$?
set -e
[ $rc = 2 ] && grep -q "2 of 5 requests failed" "$WORK/err" || die "mixed stream: exit $rc, $(cat "$WORK/err")"
check "$WORK/out" "$WORK/mixed.jsonl" 1=INTERNAL 3=INTERNAL >/dev/null || die "mixed stream: $(cat "$WORK/out")"
set +e
head -n 3 "$WORK/stream1k.jsonl" >"$WORK/three.jsonl"
$VALGRIND "$CLIENT" --server "$ADDRESS" --workspace c-e2e --service linreg-keys --key wrong \
    stream "$WORK/three.jsonl" >"$WORK/out" 2>"$WORK/err"
rc=$?
set -e
# Each request names its service, so the server checks the key per request.
[ $rc = 2 ] && [ "$(grep -c '"code": "UNAUTHENTICATED"' "$WORK/out")" = 3 ] && [ "$(wc -l <"$WORK/out")" = 3 ] \
    || die "stream with a bad key: exit $rc, $(cat "$WORK/out" "$WORK/err")"
pass "in a stream a failed request fails only its own line (exit 2); a bad key is UNAUTHENTICATED (valgrind)"

# A server that is not there, and one that is not ModelGate/1.
set +e
$VALGRIND "$CLIENT" --server 127.0.0.1:1 --workspace w --service s --key k score '{}' 2>"$WORK/err"
rc=$?
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); print(s.getsockname()[1], flush=True)
c, _ = s.accept(); c.recv(100); c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"); c.close()' >"$WORK/port" &
HTTP_PID=$!
for _ in $(seq 1 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
$VALGRIND "$CLIENT" --server "127.0.0.1:$(cat "$WORK/port")" --workspace w --service s --key k score '{}' 2>"$WORK/err2"
rc2=$?
wait $HTTP_PID
set -e
[ $rc = 1 ] && grep -q "^error: UNAVAILABLE: cannot connect to 127.0.0.1:1" "$WORK/err" || die "no server: $(cat "$WORK/err")"
[ $rc2 = 1 ] && grep -q "^error: UNAVAILABLE: .*not a ModelGate/1 peer" "$WORK/err2" || die "not ModelGate: $(cat "$WORK/err2")"
pass "no server, or a server that is not ModelGate/1, is UNAVAILABLE (valgrind)"

# TLS: two more servers with `modelgate tls self-signed` certificates, one serving
# the example (deployed over TLS by the modelgate CLI), one that also requires a
# client certificate from the CA (--tls-client-ca).
CERTS="$WORK/tls"
"$BIN" tls self-signed --out "$CERTS" >/dev/null || die "modelgate tls self-signed"
"$BIN" tls self-signed --out "$WORK/other-ca" >/dev/null || die "modelgate tls self-signed (another CA)"
start_tls_server() { # name, then serve options; sets <NAME>_ADDRESS and <NAME>_CREDENTIALS
    local name="$1" dir="$WORK/$1"
    shift
    "$BIN" serve --listen 127.0.0.1:0 --data-dir "$dir" --tls-cert "$CERTS/cert.pem" --tls-key "$CERTS/key.pem" "$@" \
        >"$WORK/$name.log" 2>&1 &
    EXTRA_PIDS="$EXTRA_PIDS $!"
    local address=""
    for _ in $(seq 1 600); do
        address="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("server", ""))' "$dir/credentials.json" 2>/dev/null || true)"
        [ -n "$address" ] && break
        sleep 0.1
    done
    [ -n "$address" ] || { tail -n 20 "$WORK/$name.log" >&2; die "modelgate serve $* wrote no address"; }
    printf -v "${name}_ADDRESS" '%s' "$address"
    printf -v "${name}_CREDENTIALS" '%s' "$dir/credentials.json"
}
start_tls_server TLS
start_tls_server MTLS --tls-client-ca "$CERTS/ca.pem"
mgtls() {
    MODELGATE_SERVER="$TLS_ADDRESS" MODELGATE_CREDENTIALS="$TLS_CREDENTIALS" MODELGATE_TLS_CA="$CERTS/ca.pem" \
        "$BIN" "$@" >>"$WORK/deploy.log" 2>&1 || { cat "$WORK/deploy.log" >&2; die "modelgate $* (over TLS)"; }
}
mgtls workspace create --name c-e2e --region westeurope
mgtls model register --name linreg --path "$EXAMPLE/model"
mgtls compute attach aks --name aks1 --cores 4 --memory-gb 8
mgtls model deploy -n linreg-keys -m linreg:1 -ic "$EXAMPLE/inferenceconfig.json" -dc "$EXAMPLE/deploymentconfig.json" -ct aks1
tc() { $VALGRIND "$CLIENT" --credentials "$TLS_CREDENTIALS" --workspace c-e2e --service linreg-keys "$@"; }

$VALGRIND "$CLIENT" --server "$TLS_ADDRESS" --credentials "$TLS_CREDENTIALS" --tls-ca "$CERTS/ca.pem" connect \
    >"$WORK/out" || die "connect over TLS"
grep -Eq "^connected to $TLS_ADDRESS over TLSv1\.[23], ALPN modelgate/1\$" "$WORK/out" && grep -q "^signed in as " "$WORK/out" \
    || die "connect over TLS: $(cat "$WORK/out")"
tc --server "$TLS_ADDRESS" --tls-ca "$CERTS/ca.pem" score "$SAMPLE" >"$WORK/out" || die "score over TLS"
check "$WORK/out" "$WORK/sample.jsonl" >/dev/null || die "score over TLS: $(cat "$WORK/out")"
tc --server "$TLS_ADDRESS" --tls-ca "$CERTS/ca.pem" --timeout 120 --window 4096 stream "$WORK/stream1k.jsonl" \
    >"$WORK/out" || die "stream 1,000 over TLS"
check "$WORK/out" "$WORK/stream1k.jsonl" >/dev/null || die "stream 1,000 over TLS: answers"
pass "over TLS (ALPN modelgate/1), verifying the server against the CA file: one request, and 1,000 streamed with a 4 KiB window (valgrind)"

start=$(date +%s.%N)
"$CLIENT" --server "$TLS_ADDRESS" --credentials "$TLS_CREDENTIALS" --tls-ca "$CERTS/ca.pem" --workspace c-e2e \
    --service linreg-keys --timeout 120 stream "$WORK/stream10k.jsonl" >"$WORK/out" \
    || die "stream 10,000 over TLS: $(grep -m 3 '"error"' "$WORK/out")"
seconds=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")
check "$WORK/out" "$WORK/stream10k.jsonl" || die "stream 10,000 over TLS: answers"
PORT="${TLS_ADDRESS##*:}"
tc --server "localhost:$PORT" --tls-ca "$CERTS/ca.pem" score "$SAMPLE" >/dev/null || die "TLS to localhost"
pass "over TLS: 10,000 requests on one call (${seconds} s); a DNS name from the certificate works too"

tls_refused() { # expected-message-part, then modelgate-c options
    local want="$1"
    shift
    set +e
    tc "$@" score "$SAMPLE" >"$WORK/out" 2>"$WORK/err"
    local rc=$?
    set -e
    [ $rc = 1 ] && grep -q "^error: UNAVAILABLE: " "$WORK/err" && grep -qF -- "$want" "$WORK/err" && [ ! -s "$WORK/out" ] \
        || die "expected UNAVAILABLE saying '$want': exit $rc, $(cat "$WORK/err")"
}
tls_refused "not trusted by CA file '$WORK/other-ca/ca.pem'" --server "$TLS_ADDRESS" --tls-ca "$WORK/other-ca/ca.pem"
tls_refused "not trusted by the system trust store" --server "$TLS_ADDRESS" --tls
pass "a server certificate the CA file (or the system trust store) does not vouch for is refused (valgrind)"
tls_refused "not valid for 'wrong.example'" --server "$TLS_ADDRESS" --tls-ca "$CERTS/ca.pem" --tls-server-name wrong.example
pass "a server name the certificate does not carry is refused (valgrind)"

tls_refused "client certificate" --server "$MTLS_ADDRESS" --tls-ca "$CERTS/ca.pem"
tls_refused "client certificate" --server "$MTLS_ADDRESS" --tls-ca "$CERTS/ca.pem" \
    --tls-cert "$WORK/other-ca/client.pem" --tls-key "$WORK/other-ca/client-key.pem"
set +e
# Signed in over mutual TLS (the server's own credentials); it has no such workspace.
$VALGRIND "$CLIENT" --server "$MTLS_ADDRESS" --credentials "$MTLS_CREDENTIALS" --tls-ca "$CERTS/ca.pem" \
    --tls-cert "$CERTS/client.pem" --tls-key "$CERTS/client-key.pem" --workspace c-e2e --service linreg-keys keys \
    >/dev/null 2>"$WORK/err"
rc=$?
set -e
[ $rc = 1 ] && grep -q "^error: NOT_FOUND: " "$WORK/err" || die "keys over mutual TLS: exit $rc, $(cat "$WORK/err")"
pass "a server requiring a client certificate refuses none or one from another CA, and serves the CA's (valgrind)"

tls_refused "TLS to $ADDRESS" --server "$ADDRESS" --tls-ca "$CERTS/ca.pem"
set +e
$VALGRIND "$CLIENT" --server "$TLS_ADDRESS" --workspace c-e2e --service linreg-keys --key k score "$SAMPLE" \
    >/dev/null 2>"$WORK/err"
rc=$?
set -e
[ $rc = 1 ] && grep -q "^error: UNAVAILABLE: .*if it serves TLS" "$WORK/err" || die "plaintext to TLS: $(cat "$WORK/err")"
set +e
tc --server "$TLS_ADDRESS" --tls-ca "$CERTS/missing.pem" score "$SAMPLE" >/dev/null 2>"$WORK/err"
rc=$?
set -e
[ $rc = 1 ] && grep -q "^error: INVALID_ARGUMENT: cannot load TLS CA file '$CERTS/missing.pem': No such file" "$WORK/err" \
    || die "a missing CA file: exit $rc, $(cat "$WORK/err")"
pass "TLS to a plaintext port, or plaintext to a TLS port, is UNAVAILABLE; a missing CA file is INVALID_ARGUMENT (valgrind)"

echo "e2e: $passed passed"
