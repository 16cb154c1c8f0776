#!/usr/bin/env bash
# `npm audit --omit=dev` as a warning: known vulnerabilities in the production dependencies are printed, but the
# build never fails on them, nor when the registry does not answer (offline, or a mirror without the audit
# endpoint). npm audit cannot see packages bundled inside another package (cdktf's): SECURITY.md covers those.
set -u
cd "$(dirname "$0")/.."

limit="${AUDIT_TIMEOUT_SECONDS:-30}"
out="$(timeout "$limit" npm audit --omit=dev --fetch-timeout=5000 --fetch-retries=0 2>&1)"
status=$?

if [ "$status" -eq 0 ]; then
  echo "npm audit --omit=dev: no known vulnerabilities in the production dependencies"
elif [ "$status" -eq 124 ]; then
  echo "warning: npm audit --omit=dev: no answer from the registry within ${limit} s; not checked"
elif grep -qE '^npm (warn|error) audit' <<<"$out"; then
  # npm's own lines about the request (a refused connection, an unknown host, a mirror without the endpoint).
  echo "warning: npm audit --omit=dev: the registry could not be asked ($(grep -m1 -E '^npm (warn|error) audit' <<<"$out")); not checked"
else
  echo "warning: npm audit --omit=dev reports known vulnerabilities in the production dependencies:"
  echo "$out"
fi
exit 0
