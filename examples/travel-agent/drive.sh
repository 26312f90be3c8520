#!/usr/bin/env bash
# Drives a served travel agent over HTTP as a client would: a booking (a long-running operation), a question while
# it runs (answered at once on the secondary lane), then the one final answer that weaves both together.
#   examples/travel-agent/drive.sh http://127.0.0.1:8123
set -euo pipefail
url="${1:?usage: drive.sh <server url>}"
say() { echo "example: $*"; }
fail() { echo "example: FAILED: $*" >&2; exit 1; }

thread=$(curl -sf -XPOST "$url/threads" -H 'content-type: application/json' -d '{}' | jq -r .thread_id)
curl -sf "$url/threads/$thread/runs/wait" -H 'content-type: application/json' \
  -d '{"assistant_id":"travel","input":{"messages":"which flights go from OSL to LIS?"}}' \
  | jq -e '.messages[-1].content | test("SK1234")' >/dev/null || fail "the flight search did not answer"
say "search answered"

main=$(curl -sf "$url/threads/$thread/runs" -H 'content-type: application/json' \
  -d '{"assistant_id":"travel","input":{"messages":"book SK1234 please"}}' | jq -r .run_id)
for _ in $(seq 1 100); do
  status=$(curl -sf "$url/threads/$thread/operations" | jq -r '.[0].status // empty')
  [ "$status" = running ] && break
  sleep 0.1
done
[ "$status" = running ] || fail "the booking never ran as an operation (status '$status')"
say "booking runs in the background"

interim=$(curl -sf "$url/threads/$thread/runs/wait" -H 'content-type: application/json' \
  -d '{"assistant_id":"travel","input":{"messages":"how far along is it?"}}' | jq -r '.interim_messages[-1].content')
echo "$interim" | grep -Eq '[0-9]+% done' || fail "the question during the booking got '$interim'"
say "secondary lane: $interim"

curl -sf "$url/threads/$thread/runs/$main/join" >/dev/null
final=$(curl -sf "$url/threads/$thread/state" | jq -r '.values.messages[-1].content')
echo "$final" | grep -q 'Booked SK1234' || fail "the synthesis does not state the booking: '$final'"
echo "$final" | grep -q 'how far along is it' || fail "the synthesis forgot the question: '$final'"
say "synthesis: $final"
