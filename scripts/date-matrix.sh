#!/usr/bin/env bash
# The date-sensitive tests (marker `dates`: history, tokens, calendar, reminders, sweeps, sessions)
# at moments where dates break, each run with the whole process moved there (tests/timetravel.py).
# Every moment is run even after a failure; the summary says which failed. Arguments go to pytest.
#
# A naive moment is Québec time. `.ci/run` calls this after the whole suite (`make dates` alone).
set -u
cd "$(dirname "$0")/.."

MOMENTS=(
  "$(date +%Y-%m-%dT%H:%M:%S%:z)"  # the wall clock's moment: today, whatever day CI runs
  "2026-12-31T23:59:00"            # the last minute of the year, Québec time (05:00 UTC next year)
  "2027-02-28T12:00:00"            # end of February in a common year
  "2028-02-29T12:00:00"            # a leap day
  "2027-03-14T01:55:00-05:00"      # five minutes before the spring DST change (02:00 EST -> 03:00 EDT)
  "2027-11-07T01:55:00-04:00"      # five minutes before the fall DST change (the first 01:55, EDT)
  "2027-05-20T09:00:00"            # a payment date (a Thursday of the biweekly calendar)
  "2027-06-23T12:00:00"            # the day before a Québec holiday (Fête nationale)
  "2027-06-30T12:00:00"            # a payment date moved to the day before a holiday (Canada Day)
)

failed=()
for moment in "${MOMENTS[@]}"; do
  printf '\n==> [date matrix] MON_DOSSIER_TEST_NOW=%s\n' "$moment"
  # --reuse-db: the test databases of the first moment serve the next ones (each test still runs in
  # its own transaction, or flushes).
  if ! MON_DOSSIER_TEST_NOW="$moment" .venv/bin/python -m pytest -m dates -q -p no:cacheprovider --reuse-db \
      -n "${PYTEST_WORKERS:-auto}" --dist load "$@"; then
    failed+=("$moment")
  fi
done

echo
if [ ${#failed[@]} -eq 0 ]; then
  echo "[date matrix] the date-sensitive tests pass at all ${#MOMENTS[@]} moments."
  exit 0
fi
echo "[date matrix] FAILED at ${#failed[@]} of ${#MOMENTS[@]} moments: ${failed[*]}" >&2
exit 1
