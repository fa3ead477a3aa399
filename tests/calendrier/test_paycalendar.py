"""The pay calendar (PAY-1..3, PAI-3): one module answers every date question."""
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendrier import paycalendar, services, tasks
from calendrier.models import PaymentDate
from ramq_portal import clock
from tests.factories import aware

YEARS = st.dates(min_value=date(2026, 1, 15), max_value=date(2035, 12, 31))
needs_calendar = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def calendar_to_2036(db):
    services.generate_payment_dates(until=date(2036, 6, 30))


# --- PAY-3: business days ---------------------------------------------------------------------


def test_PAY_3_quebec_holidays_are_not_business_days():
    assert not paycalendar.is_business_day(date(2027, 5, 24))  # Journée nationale des patriotes, a Monday
    assert not paycalendar.is_business_day(date(2027, 6, 24))  # Fête nationale
    assert not paycalendar.is_business_day(date(2027, 12, 27))  # Christmas observed (25th is a Saturday)
    assert not paycalendar.is_business_day(date(2027, 5, 22))  # Saturday
    assert paycalendar.is_business_day(date(2027, 5, 25))


@given(day=YEARS, count=st.integers(min_value=1, max_value=15))
def test_PAY_3_adding_business_days_lands_on_a_business_day_and_skips_no_business_day(day, count):
    result = paycalendar.add_business_days(day, count)
    assert paycalendar.is_business_day(result)
    between = [day + timedelta(days=i) for i in range(1, (result - day).days + 1)]
    assert sum(paycalendar.is_business_day(d) for d in between) == count


@given(moment=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(clock.QUEBEC)),
       elapsed=st.timedeltas(min_value=timedelta(days=-40), max_value=timedelta(days=40)))
def test_PAY_3_lifetimes_and_leases_count_real_elapsed_time_across_dst_changes(moment, elapsed):
    later = clock.add(moment, elapsed)
    assert later.tzinfo is clock.QUEBEC
    assert later.astimezone(UTC) - moment.astimezone(UTC) == elapsed


def test_PAY_3_ten_minutes_from_01h55_on_the_november_change_is_01h05_standard_time():
    before = datetime(2027, 11, 7, 1, 55, tzinfo=clock.QUEBEC)  # the first 01:55 (EDT)
    after = clock.add(before, timedelta(minutes=10))
    assert (after.hour, after.minute, after.utcoffset()) == (1, 5, timedelta(hours=-5))
    with pytest.raises(ValueError, match="naive datetimes are not accepted"):
        clock.add(datetime(2027, 11, 7, 1, 55), timedelta(minutes=10))


def test_PAY_3_the_clock_is_quebec_time_and_refuses_naive_moments():
    # 02:30 UTC on May 20 is still May 19 in Québec.
    assert clock.quebec_date(datetime.fromisoformat("2027-05-20T02:30:00+00:00")) == date(2027, 5, 19)
    with pytest.raises(ValueError, match="naive datetimes are not accepted"):
        clock.quebec_date(datetime(2027, 5, 20, 2, 30))


def test_PAY_3_today_comes_from_the_injectable_clock(frozen_clock):
    frozen_clock(aware(2031, 2, 3, 23, 59))
    assert clock.today() == date(2031, 2, 3)
    frozen_clock(aware(2031, 2, 4, 0, 1))
    assert clock.today() == date(2031, 2, 4)


# --- PAY-1: the stored calendar -----------------------------------------------------------------


def test_PAY_1_generated_dates_are_every_two_weeks_from_the_anchor_on_business_days(calendar_to_2036, settings):
    dates = list(PaymentDate.objects.values_list("date", flat=True))
    assert dates[0] == settings.PAY_CALENDAR_ANCHOR
    for earlier, later in pairwise(dates):
        assert 7 < (later - earlier).days < 21
    assert all(paycalendar.is_business_day(d) for d in dates)
    # Canada Day 2027 is a payment Thursday: the payment moves to the previous business day.
    assert date(2027, 7, 1) not in dates and date(2027, 6, 30) in dates


def test_PAY_1_generating_twice_adds_nothing(calendar_to_2036):
    assert services.generate_payment_dates(until=date(2036, 6, 30)) == 0


def test_PAY_1_a_date_moved_by_staff_is_kept_when_the_calendar_is_regenerated(calendar_to_2036):
    PaymentDate.objects.filter(date=date(2027, 5, 20)).update(date=date(2027, 5, 19))
    services.generate_payment_dates(until=date(2036, 6, 30))
    assert not PaymentDate.objects.filter(date=date(2027, 5, 20)).exists()
    assert paycalendar.next_payment_date(date(2027, 5, 18)) == date(2027, 5, 19)


def test_PAY_1_the_daily_task_keeps_the_calendar_two_years_ahead(db, frozen_clock):
    frozen_clock(aware(2030, 3, 1))
    added = tasks.extend_pay_calendar()
    assert added > 50
    assert PaymentDate.objects.filter(date__gte=date(2032, 2, 1)).exists()
    assert tasks.extend_pay_calendar() == 0


def test_PAY_1_supervisor_generates_dates_in_the_admin_and_an_agent_cannot(client, agent, supervisor):
    url = reverse("admin:calendrier_paymentdate_generate")
    client.force_login(agent)
    assert client.post(url, {"until": "2026-06-30"}).status_code == 403
    assert not PaymentDate.objects.exists()
    client.force_login(supervisor)
    response = client.post(url, {"until": "2026-06-30"})
    assert response.status_code == 302
    assert PaymentDate.objects.count() == 12


def test_PAY_1_supervisor_moves_one_payment_date_in_the_admin(client, supervisor, calendar_to_2036):
    payment = PaymentDate.objects.get(date=date(2027, 5, 20))
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:calendrier_paymentdate_change", args=[payment.pk]), {"date": "2027-05-19", "note": "Déplacée"}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.date == date(2027, 5, 19)
    assert payment.history.first().history_user == supervisor


# --- PAY-2: effective date of dated changes --------------------------------------------------------


def test_PAY_2_a_change_the_day_before_a_payment_takes_effect_on_that_payment(calendar_to_2036):
    assert paycalendar.effective_date(aware(2027, 5, 19, 23, 59)) == date(2027, 5, 20)


def test_PAY_2_a_change_on_a_payment_date_waits_for_the_following_payment(calendar_to_2036):
    assert paycalendar.effective_date(aware(2027, 5, 20, 0, 1)) == date(2027, 6, 3)


def test_PAY_2_the_cut_off_is_midnight_quebec_time_not_utc(calendar_to_2036):
    # 03:30 UTC on May 20 is 23:30 on May 19 in Québec: still before the payment date.
    assert paycalendar.effective_date(datetime.fromisoformat("2027-05-20T03:30:00+00:00")) == date(2027, 5, 20)


@needs_calendar
@given(day=YEARS)
def test_PAY_2_effective_date_is_the_first_payment_date_strictly_after_the_change(calendar_to_2036, day):
    effective = paycalendar.effective_date(day)
    assert effective > day
    assert PaymentDate.objects.filter(date=effective).exists()
    assert not PaymentDate.objects.filter(date__gt=day, date__lt=effective).exists()
    assert (effective - day).days <= 21


@needs_calendar
@given(day=YEARS)
def test_PAY_2_past_the_stored_calendar_the_generation_rule_still_answers(db, day):
    # Nothing stored: the answer must equal what the stored calendar would say.
    effective_without = paycalendar.effective_date(day)
    assert effective_without in paycalendar.cycle_dates(day - timedelta(days=14), day + timedelta(days=28))
    assert effective_without > day


# --- PAI-3: deposit date and cheque window -----------------------------------------------------------


def test_PAI_3_a_thursday_payment_is_deposited_the_following_tuesday():
    assert paycalendar.deposit_date(date(2027, 5, 6)) == date(2027, 5, 11)


def test_PAY_3_PAI_3_the_patriots_day_monday_pushes_the_deposit_to_wednesday():
    # 2027-05-20 is a payment date and Monday May 24, 2027 is a Québec holiday.
    assert paycalendar.deposit_date(date(2027, 5, 20)) == date(2027, 5, 26)


@needs_calendar
@given(day=YEARS)
def test_PAI_3_deposit_is_the_third_business_day_after_the_payment_date(calendar_to_2036, day):
    payday = paycalendar.next_payment_date(day)
    deposit = paycalendar.deposit_date(payday)
    assert paycalendar.is_business_day(deposit)
    business_days_between = [
        payday + timedelta(days=i) for i in range(1, (deposit - payday).days + 1) if paycalendar.is_business_day(payday + timedelta(days=i))
    ]
    assert len(business_days_between) == 3


def test_PAI_3_a_cheque_arrives_5_to_7_days_after_the_payment_date(calendar_to_2036):
    nxt = paycalendar.next_payment(aware(2027, 5, 18))
    assert nxt.payment_date == date(2027, 5, 20)
    assert (nxt.cheque_from, nxt.cheque_to) == (date(2027, 5, 25), date(2027, 5, 27))
    assert nxt.deposit_date == date(2027, 5, 26)


def test_PAY_1_the_next_payment_of_a_payment_date_is_that_day(calendar_to_2036):
    assert paycalendar.next_payment_date(date(2027, 5, 20)) == date(2027, 5, 20)


# --- PAY-4 and the page that explains billing --------------------------------------------------------


def test_PAY_4_PAI_3_the_billing_tab_shows_the_next_payment_and_the_90_day_rule(client, alice, calendar_to_2036, frozen_clock):
    frozen_clock(aware(2027, 5, 18))
    client.force_login(alice.user)
    page = client.get(reverse("comptes:accounts")).content.decode()
    assert "20 mai 2027" in page  # the payment date
    assert "26 mai 2027" in page  # the deposit, after the Patriots' Day holiday
    assert "90 jours" in page


@needs_calendar
@given(day=YEARS)
def test_PAI_4_a_new_bank_account_is_paid_at_the_first_payment_with_3_business_days_to_prepare(calendar_to_2036, day):
    effective = paycalendar.bank_change_effective_date(day)
    assert PaymentDate.objects.filter(date=effective).exists() and effective > day
    lead = lambda payday: sum(paycalendar.is_business_day(day + timedelta(days=i)) for i in range(1, (payday - day).days))  # noqa: E731
    assert lead(effective) >= paycalendar.BANK_CHANGE_LEAD_BUSINESS_DAYS
    earlier = PaymentDate.objects.filter(date__gt=day, date__lt=effective).values_list("date", flat=True)
    assert all(lead(payday) < paycalendar.BANK_CHANGE_LEAD_BUSINESS_DAYS for payday in earlier)
    assert (effective - day).days <= 28
