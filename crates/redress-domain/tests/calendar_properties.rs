//! Properties of the working-day calendar, over every division and any date from 2000 to 2098.
#![allow(clippy::unwrap_used)]

use jiff::civil::Date;
use proptest::prelude::*;
use redress_domain::calendar::{BankHolidays, Calendar, Division};

fn any_date() -> impl Strategy<Value = Date> {
    // 2000-01-01 plus up to ~98 years, so that adding up to 400 working days stays in range.
    (0i64..35_700).prop_map(|n| {
        jiff::civil::date(2000, 1, 1)
            .checked_add(jiff::Span::new().days(n))
            .unwrap()
    })
}

fn any_division() -> impl Strategy<Value = Division> {
    prop::sample::select(Division::ALL.to_vec())
}

fn calendar(division: Division) -> &'static Calendar {
    use std::sync::LazyLock;
    static CALS: LazyLock<Vec<Calendar>> =
        LazyLock::new(|| Division::ALL.iter().map(|d| Calendar::uk(*d)).collect());
    &CALS[Division::ALL.iter().position(|d| *d == division).unwrap()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn adding_working_days_never_lands_on_a_non_working_day(div in any_division(), d in any_date(), n in 0u32..400) {
        let cal = calendar(div);
        let out = cal.add_working_days(d, n).unwrap();
        prop_assert!(cal.is_working_day(out).unwrap());
        prop_assert!(!matches!(out.weekday(), jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday));
        prop_assert!(BankHolidays::embedded().holiday_on(div, out).is_none());
    }

    #[test]
    fn add_and_between_are_inverse(div in any_division(), d in any_date(), n in 0u32..400) {
        let cal = calendar(div);
        let out = cal.add_working_days(d, n).unwrap();
        prop_assert_eq!(cal.working_days_between(d, out).unwrap(), i64::from(n));
    }

    #[test]
    fn between_then_add_returns_to_a_working_day(div in any_division(), a in any_date(), span in 0i64..600) {
        let cal = calendar(div);
        let b = a.checked_add(jiff::Span::new().days(span)).unwrap();
        let start = cal.effective_start(a).unwrap();
        prop_assume!(cal.is_working_day(b).unwrap() && b >= start);
        let n = cal.working_days_between(a, b).unwrap();
        prop_assert!(n >= 0);
        prop_assert_eq!(cal.add_working_days(a, n as u32).unwrap(), b);
    }

    #[test]
    fn adding_is_monotonic_in_n_and_in_the_start(div in any_division(), d in any_date(), n in 0u32..300, gap in 0i64..30) {
        let cal = calendar(div);
        let a = cal.add_working_days(d, n).unwrap();
        let b = cal.add_working_days(d, n + 1).unwrap();
        prop_assert!(b > a);
        let later = d.checked_add(jiff::Span::new().days(gap)).unwrap();
        prop_assert!(cal.add_working_days(later, n).unwrap() >= a);
    }

    #[test]
    fn the_start_day_itself_never_counts(div in any_division(), d in any_date()) {
        let cal = calendar(div);
        let one = cal.add_working_days(d, 1).unwrap();
        prop_assert!(one > d);
        // Zero working days from a working day is that day.
        if cal.is_working_day(d).unwrap() {
            prop_assert_eq!(cal.add_working_days(d, 0).unwrap(), d);
        }
    }

    #[test]
    fn n_working_days_span_at_least_n_calendar_days(div in any_division(), d in any_date(), n in 1u32..300) {
        let cal = calendar(div);
        let out = cal.add_working_days(d, n).unwrap();
        let span = (out - d).get_days();
        prop_assert!(i64::from(span) >= i64::from(n));
    }
}
