#!/usr/bin/env bash
# The date-sensitive tests (marker `dates`: history, tokens, calendar, reminders, sweeps, sessions)
# at moments where dates break, each run with the whole process moved there (tests/timetravel.py).
# Arguments go to pytest.
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
  "2027-06-23T12:00:00"            # the day before a Québec holiday (Fête nationale)
  "2027-06-30T12:00:00"            # a payment date, moved to the day before a holiday (Canada Day)
  "2027-04-01T12:00:00"            # the first of a month, written "1er avril" in French (issue 15)
)

# One pytest session: each date-sensitive test is collected once per moment (`--moments`, see
# tests/conftest.py), with the moment in its id, so a failure names its moment.
moments="$(IFS=,; echo "${MOMENTS[*]}")"
printf '==> [date matrix] the date-sensitive tests at %s moments: %s\n' "${#MOMENTS[@]}" "$moments"
.venv/bin/python -m pytest -m dates --moments "$moments" -q -p no:cacheprovider \
  -n "${PYTEST_WORKERS:-auto}" --dist load "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "[date matrix] no test collected: failing on purpose." >&2
  exit 1
fi
exit "$status"
