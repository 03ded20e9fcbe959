//! UK working-day calendars.
//!
//! Every statutory clock in complaint handling is counted in *working days*: Monday to Friday, less the bank
//! holidays of the landlord's nation (England and Wales, Scotland, Northern Ireland) and any days the
//! organisation itself is closed. This module owns that arithmetic, so that no other part of Redress ever
//! counts days by hand.
//!
//! # The counting convention
//!
//! "Within N working days of D" falls on the **Nth working day after D**:
//! - D itself never counts;
//! - a D that is not a working day (a weekend, a bank holiday, a closure day) is treated as received on the
//!   next working day, which then does not count either. A complaint received on Saturday 20 December 2025 is
//!   treated as received on Monday 22 December, so "within 5 working days" ends on Wednesday 31 December
//!   (23, 24, 29, 30, 31 December: 25 and 26 December are bank holidays).
//!
//! The tests in this module pin that example and many others.
//!
//! # Data
//!
//! Bank holidays come from data in the gov.uk `bank-holidays.json` format. Redress embeds its own copy
//! (2015–2030) and accepts an updated official file at run time ([`BankHolidays::from_govuk_json`]). For years
//! the data does not cover, the statutory rules are applied (fixed dates with substitute weekdays, Easter by
//! the Gregorian computus, the first and last Mondays of May and August) together with the known one-off
//! holidays, so a clock never silently ignores a holiday because a file ran out.
//!
//! # Cost
//!
//! A [`Calendar`] precomputes, for every day from 2000-01-01 to 2099-12-31, whether it is a working day, how
//! many working days fall on or before it, and the list of working days in order. Every query is then two or
//! three array look-ups: O(1).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// The first day a [`Calendar`] covers.
pub const FIRST_DAY: Date = jiff::civil::date(2000, 1, 1);
/// The last day a [`Calendar`] covers.
pub const LAST_DAY: Date = jiff::civil::date(2099, 12, 31);

/// The bank-holiday divisions of the United Kingdom, named as in gov.uk's `bank-holidays.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Division {
    /// England and Wales.
    EnglandAndWales,
    /// Scotland.
    Scotland,
    /// Northern Ireland.
    NorthernIreland,
}

impl Division {
    /// All divisions, in gov.uk's order.
    pub const ALL: [Division; 3] = [
        Division::EnglandAndWales,
        Division::Scotland,
        Division::NorthernIreland,
    ];

    /// The gov.uk name (`england-and-wales`, `scotland`, `northern-ireland`).
    pub fn as_str(self) -> &'static str {
        match self {
            Division::EnglandAndWales => "england-and-wales",
            Division::Scotland => "scotland",
            Division::NorthernIreland => "northern-ireland",
        }
    }

    /// The name a person reads.
    pub fn display_name(self) -> &'static str {
        match self {
            Division::EnglandAndWales => "England and Wales",
            Division::Scotland => "Scotland",
            Division::NorthernIreland => "Northern Ireland",
        }
    }

    fn index(self) -> usize {
        match self {
            Division::EnglandAndWales => 0,
            Division::Scotland => 1,
            Division::NorthernIreland => 2,
        }
    }
}

impl fmt::Display for Division {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Division {
    type Err = CalendarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Division::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| CalendarError::UnknownDivision(s.to_owned()))
    }
}

/// What can go wrong with calendar data or a calendar query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A division name that gov.uk does not use.
    #[error("unknown calendar '{0}': use england-and-wales, scotland or northern-ireland")]
    UnknownDivision(String),
    /// A date outside the years a calendar covers.
    #[error("{0} is outside the dates Redress can count (2000-01-01 to 2099-12-31)")]
    OutOfRange(Date),
    /// A bank-holiday file that is not in the gov.uk format.
    #[error("the bank-holiday file is not in the gov.uk bank-holidays.json format: {0}")]
    BadFile(String),
}

/// One bank holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The day.
    pub date: Date,
    /// Its name, e.g. "Christmas Day (observed)".
    pub title: String,
}

/// The bank holidays of the three UK divisions.
///
/// Built from gov.uk-format data; years the data does not cover are filled from the rules (see the module
/// documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHolidays {
    /// Per division: date → name, for every year from 2000 to 2099.
    by_division: [BTreeMap<Date, String>; 3],
}

#[derive(Deserialize)]
struct GovUkFile {
    #[serde(rename = "england-and-wales")]
    england_and_wales: GovUkDivision,
    scotland: GovUkDivision,
    #[serde(rename = "northern-ireland")]
    northern_ireland: GovUkDivision,
}

#[derive(Deserialize)]
struct GovUkDivision {
    events: Vec<GovUkEvent>,
}

#[derive(Deserialize)]
struct GovUkEvent {
    title: String,
    date: String,
}

static EMBEDDED_JSON: &str = include_str!("../data/uk-bank-holidays.json");

static EMBEDDED: LazyLock<BankHolidays> = LazyLock::new(|| {
    // The embedded file is ours and is checked by the tests; should it ever fail to parse, fall back to the
    // rules alone rather than stop the service.
    BankHolidays::from_govuk_json(EMBEDDED_JSON).unwrap_or_else(|_| BankHolidays::from_rules_only())
});

impl BankHolidays {
    /// The bank holidays Redress ships with (gov.uk data for 2015–2030, rules elsewhere).
    pub fn embedded() -> &'static BankHolidays {
        &EMBEDDED
    }

    /// Reads a file in the gov.uk `bank-holidays.json` format. For each division, the years that file lists
    /// replace the rules for those years entirely (so a one-off holiday or a moved May Day is honoured).
    pub fn from_govuk_json(json: &str) -> Result<BankHolidays, CalendarError> {
        let file: GovUkFile =
            serde_json::from_str(json).map_err(|e| CalendarError::BadFile(e.to_string()))?;
        let mut out = BankHolidays::from_rules_only();
        for (division, events) in [
            (Division::EnglandAndWales, file.england_and_wales.events),
            (Division::Scotland, file.scotland.events),
            (Division::NorthernIreland, file.northern_ireland.events),
        ] {
            let mut listed: BTreeMap<Date, String> = BTreeMap::new();
            for event in events {
                let date: Date = event.date.parse().map_err(|_| {
                    CalendarError::BadFile(format!(
                        "{}: '{}' is not a date (YYYY-MM-DD)",
                        division, event.date
                    ))
                })?;
                listed.insert(date, event.title);
            }
            let years: BTreeSet<i16> = listed.keys().map(|d| d.year()).collect();
            let map = &mut out.by_division[division.index()];
            map.retain(|d, _| !years.contains(&d.year()));
            map.extend(listed);
        }
        Ok(out)
    }

    /// Holidays from the rules alone, for every year Redress counts.
    pub fn from_rules_only() -> BankHolidays {
        let mut by_division: [BTreeMap<Date, String>; 3] = Default::default();
        for division in Division::ALL {
            let map = &mut by_division[division.index()];
            for year in FIRST_DAY.year()..=LAST_DAY.year() {
                for h in rule_holidays(division, year) {
                    map.insert(h.date, h.title);
                }
            }
        }
        BankHolidays { by_division }
    }

    /// The holidays of one division in a year, in date order.
    pub fn in_year(&self, division: Division, year: i16) -> Vec<Holiday> {
        let from = jiff::civil::date(year, 1, 1);
        let to = jiff::civil::date(year, 12, 31);
        self.by_division[division.index()]
            .range(from..=to)
            .map(|(d, t)| Holiday {
                date: *d,
                title: t.clone(),
            })
            .collect()
    }

    /// The name of the bank holiday on `date`, if it is one.
    pub fn holiday_on(&self, division: Division, date: Date) -> Option<&str> {
        self.by_division[division.index()]
            .get(&date)
            .map(String::as_str)
    }

    /// A working-day calendar for one division plus organisation closure days.
    pub fn calendar(&self, division: Division, closure_days: &[Date]) -> Calendar {
        Calendar::build(
            division,
            self.by_division[division.index()].keys().copied(),
            closure_days,
        )
    }
}

/// The holidays the statutory rules give for a year (used where no data is loaded).
fn rule_holidays(division: Division, year: i16) -> Vec<Holiday> {
    let d = |m: i8, day: i8| jiff::civil::date(year, m, day);
    // Fixed-date holidays move to the next free weekday when they fall at a weekend.
    let mut fixed: Vec<(Date, &str)> = vec![(d(1, 1), "New Year's Day")];
    if division == Division::Scotland {
        fixed.push((d(1, 2), "New Year Holiday"));
    }
    if division == Division::NorthernIreland {
        fixed.push((d(3, 17), "Saint Patrick's Day"));
        fixed.push((d(7, 12), "Battle of the Boyne"));
    }
    if division == Division::Scotland {
        fixed.push((d(11, 30), "Saint Andrew's Day"));
    }
    fixed.push((d(12, 25), "Christmas Day"));
    fixed.push((d(12, 26), "Boxing Day"));

    let mut out: Vec<Holiday> = Vec::new();
    let mut taken: BTreeSet<Date> = BTreeSet::new();
    for (date, title) in &fixed {
        if !is_weekend(*date) {
            taken.insert(*date);
            out.push(Holiday {
                date: *date,
                title: (*title).to_owned(),
            });
        }
    }
    for (date, title) in &fixed {
        if is_weekend(*date) {
            let mut sub = *date;
            while is_weekend(sub) || taken.contains(&sub) {
                sub = sub.tomorrow().unwrap_or(sub);
            }
            taken.insert(sub);
            out.push(Holiday {
                date: sub,
                title: format!("{title} (observed)"),
            });
        }
    }

    let easter = easter_sunday(year);
    if let Ok(good_friday) = easter.checked_sub(jiff::Span::new().days(2)) {
        out.push(Holiday {
            date: good_friday,
            title: "Good Friday".into(),
        });
    }
    if division != Division::Scotland
        && let Ok(monday) = easter.checked_add(jiff::Span::new().days(1))
    {
        out.push(Holiday {
            date: monday,
            title: "Easter Monday".into(),
        });
    }
    out.push(Holiday {
        date: first_monday(year, 5),
        title: "Early May bank holiday".into(),
    });
    out.push(Holiday {
        date: last_monday(year, 5),
        title: "Spring bank holiday".into(),
    });
    out.push(Holiday {
        date: if division == Division::Scotland {
            first_monday(year, 8)
        } else {
            last_monday(year, 8)
        },
        title: "Summer bank holiday".into(),
    });

    // One-off changes outside the gov.uk data (which starts in 2015).
    match year {
        2002 => {
            out.retain(|h| h.title != "Spring bank holiday");
            out.push(Holiday {
                date: d(6, 3),
                title: "Golden Jubilee of Elizabeth II".into(),
            });
            out.push(Holiday {
                date: d(6, 4),
                title: "Spring bank holiday".into(),
            });
        }
        2011 => out.push(Holiday {
            date: d(4, 29),
            title: "Wedding of Prince William and Catherine Middleton".into(),
        }),
        2012 => {
            out.retain(|h| h.title != "Spring bank holiday");
            out.push(Holiday {
                date: d(6, 4),
                title: "Spring bank holiday".into(),
            });
            out.push(Holiday {
                date: d(6, 5),
                title: "Diamond Jubilee of Elizabeth II".into(),
            });
        }
        _ => {}
    }
    out.sort_by_key(|h| h.date);
    out
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn first_monday(year: i16, month: i8) -> Date {
    let mut d = jiff::civil::date(year, month, 1);
    while d.weekday() != Weekday::Monday {
        d = d.tomorrow().unwrap_or(d);
    }
    d
}

fn last_monday(year: i16, month: i8) -> Date {
    let mut d = jiff::civil::date(year, month, 1).last_of_month();
    while d.weekday() != Weekday::Monday {
        d = d.yesterday().unwrap_or(d);
    }
    d
}

/// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // month is 3 or 4 and day 1..=31 by construction.
    jiff::civil::date(year, month as i8, day as i8)
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(date: Date) -> i32 {
    let y = i32::from(date.year()) - i32::from(date.month() <= 2);
    let m = i32::from(date.month());
    let d = i32::from(date.day());
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `z` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i32) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i32::from(m <= 2);
    // Only ever called with indexes inside FIRST_DAY..=LAST_DAY, so every part is in range.
    jiff::civil::date(y as i16, m as i8, d as i8)
}

/// A working-day calendar: one UK division's bank holidays plus an organisation's closure days.
#[derive(Clone, PartialEq, Eq)]
pub struct Calendar {
    division: Division,
    closure_days: Vec<Date>,
    /// Day number of FIRST_DAY.
    base: i32,
    /// Offset from FIRST_DAY of the first day of each month, 2000-01 to 2099-12: turns a date into its
    /// index with two look-ups and no division.
    month_start: Vec<u32>,
    /// Per day from FIRST_DAY: `(working days on or before it) << 1 | (1 if it is a working day)`.
    counts: Vec<u32>,
    /// The working days, in order.
    working: Vec<Date>,
    /// Non-working weekdays (bank holidays and closure days), for explanations.
    non_working_weekdays: BTreeSet<Date>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("division", &self.division)
            .field("closure_days", &self.closure_days)
            .finish_non_exhaustive()
    }
}

impl Calendar {
    /// The calendar of a division with the embedded bank holidays and no closure days.
    pub fn uk(division: Division) -> Calendar {
        BankHolidays::embedded().calendar(division, &[])
    }

    fn build(
        division: Division,
        holidays: impl Iterator<Item = Date>,
        closure_days: &[Date],
    ) -> Calendar {
        let base = days_from_civil(FIRST_DAY);
        let len = (days_from_civil(LAST_DAY) - base + 1) as usize;
        let mut off = vec![false; len];
        let mut non_working_weekdays = BTreeSet::new();
        for date in holidays.chain(closure_days.iter().copied()) {
            if date < FIRST_DAY || date > LAST_DAY {
                continue;
            }
            off[(days_from_civil(date) - base) as usize] = true;
            if !is_weekend(date) {
                non_working_weekdays.insert(date);
            }
        }
        let mut counts = Vec::with_capacity(len);
        let mut working = Vec::with_capacity(len * 5 / 7 + 8);
        let mut count = 0u32;
        let first_weekday = FIRST_DAY.weekday().to_monday_zero_offset() as usize;
        for (i, is_off) in off.iter().enumerate() {
            let weekday = (first_weekday + i) % 7;
            let is_working = weekday < 5 && !is_off;
            if is_working {
                count += 1;
                working.push(civil_from_days(base + i as i32));
            }
            counts.push(count << 1 | u32::from(is_working));
        }
        let mut month_start = Vec::with_capacity(1200);
        for year in FIRST_DAY.year()..=LAST_DAY.year() {
            for month in 1..=12 {
                let first = jiff::civil::date(year, month, 1);
                month_start.push((days_from_civil(first) - base) as u32);
            }
        }
        let mut closure_days = closure_days.to_vec();
        closure_days.sort();
        closure_days.dedup();
        Calendar {
            division,
            closure_days,
            base,
            month_start,
            counts,
            working,
            non_working_weekdays,
        }
    }

    /// The division whose bank holidays this calendar uses.
    pub fn division(&self) -> Division {
        self.division
    }

    /// The organisation's own closure days.
    pub fn closure_days(&self) -> &[Date] {
        &self.closure_days
    }

    #[inline]
    fn index(&self, date: Date) -> Result<usize, CalendarError> {
        let year = date.year();
        if !(FIRST_DAY.year()..=LAST_DAY.year()).contains(&year) {
            return Err(CalendarError::OutOfRange(date));
        }
        let month = (year - FIRST_DAY.year()) as usize * 12 + (date.month() - 1) as usize;
        Ok(self.month_start[month] as usize + (date.day() - 1) as usize)
    }

    fn date_at(&self, index: u32) -> Date {
        civil_from_days(self.base + index as i32)
    }

    /// Whether `date` is a working day (a weekday that is neither a bank holiday nor a closure day).
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        Ok(self.counts[self.index(date)?] & 1 == 1)
    }

    /// Position, in the list of working days, of the day a clock that starts on `date` counts from: `date`
    /// itself when it is a working day, else the next working day.
    #[inline]
    fn start_position(&self, date: Date) -> Result<usize, CalendarError> {
        let count = self.counts[self.index(date)?];
        Ok(((count >> 1) - (count & 1)) as usize)
    }

    /// The day a clock starting on `date` counts from: `date` if it is a working day, otherwise the next
    /// working day.
    pub fn effective_start(&self, date: Date) -> Result<Date, CalendarError> {
        self.add_working_days(date, 0)
    }

    /// "Within `n` working days of `date`": the `n`th working day after `date` (see the module
    /// documentation for the convention). With `n = 0` this is [`Calendar::effective_start`].
    #[inline]
    pub fn add_working_days(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        let pos = self.start_position(date)? + n as usize;
        self.working
            .get(pos)
            .copied()
            .ok_or(CalendarError::OutOfRange(date))
    }

    /// Working days from the day a clock starting on `from` counts from, to `to`: the number of working days
    /// in `(effective_start(from), to]`, negative when `to` is earlier. For any working day `to` on or after
    /// `effective_start(from)`, `add_working_days(from, working_days_between(from, to)) == to`.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<i64, CalendarError> {
        let start = self.start_position(from)? as i64 + 1;
        let end = i64::from(self.counts[self.index(to)?] >> 1);
        Ok(end - start)
    }

    /// `n` calendar days after `date`.
    pub fn add_calendar_days(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        let i = self.index(date)? as i64 + i64::from(n);
        let last = self.counts.len() as i64 - 1;
        if i > last {
            return Err(CalendarError::OutOfRange(date));
        }
        Ok(self.date_at(i as u32))
    }

    /// `n` calendar months after `date`, on the same day of the month or the month's last day.
    pub fn add_months(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        let out = date
            .checked_add(jiff::Span::new().months(i64::from(n)))
            .map_err(|_| CalendarError::OutOfRange(date))?;
        self.index(out)?;
        Ok(out)
    }

    /// The weekdays in `(from, to]` that are not working days (bank holidays and closure days): what a
    /// deadline explanation says it skipped.
    pub fn skipped_weekdays(&self, from: Date, to: Date) -> Vec<Date> {
        if to <= from {
            return Vec::new();
        }
        use std::ops::Bound::{Excluded, Included};
        self.non_working_weekdays
            .range((Excluded(from), Included(to)))
            .copied()
            .collect()
    }
}

/// Formats skipped days as a person reads them: "25, 26 Dec, 1 Jan".
pub fn format_day_list(days: &[Date]) -> String {
    let mut out = String::new();
    write_day_list(&mut out, days);
    out
}

/// Appends skipped days as a person reads them ("25, 26 Dec, 1 Jan") to `out`.
pub fn write_day_list(out: &mut String, days: &[Date]) {
    use std::fmt::Write;
    for (i, day) in days.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}", day.day());
        let last_of_month = days
            .get(i + 1)
            .is_none_or(|next| next.month() != day.month() || next.year() != day.year());
        if last_of_month {
            out.push(' ');
            out.push_str(month_abbrev(day.month()));
        }
    }
}

/// A date written `YYYY-MM-DD`, cheaply (the clock explanations write many).
pub struct Iso(pub Date);

impl fmt::Display for Iso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let (y, m, day) = (d.year(), d.month(), d.day());
        let digits = [
            b'0' + (y / 1000 % 10) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b'-',
            b'0' + (day / 10) as u8,
            b'0' + (day % 10) as u8,
        ];
        // Only ASCII digits and hyphens were written.
        f.write_str(std::str::from_utf8(&digits).unwrap_or("????-??-??"))
    }
}

/// "Jan" … "Dec".
pub fn month_abbrev(month: i8) -> &'static str {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    NAMES[(month.clamp(1, 12) - 1) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ew() -> Calendar {
        Calendar::uk(Division::EnglandAndWales)
    }

    #[test]
    fn day_number_conversion_round_trips_across_the_whole_range() {
        let mut d = FIRST_DAY;
        while d <= LAST_DAY {
            assert_eq!(civil_from_days(days_from_civil(d)), d);
            d = d.tomorrow().unwrap();
        }
    }

    #[test]
    fn iso_dates_match_jiff() {
        for d in [
            date(2000, 1, 1),
            date(2025, 12, 23),
            date(2099, 12, 31),
            date(2026, 10, 5),
        ] {
            assert_eq!(Iso(d).to_string(), d.to_string());
        }
    }

    #[test]
    fn easter_dates_match_known_years() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
    }

    #[test]
    fn rules_reproduce_the_govuk_data_for_ordinary_years() {
        // Years with no one-off changes: the rules and the official data must agree exactly.
        let data = BankHolidays::embedded();
        let rules = BankHolidays::from_rules_only();
        for division in Division::ALL {
            for year in [
                2015, 2016, 2017, 2018, 2019, 2021, 2024, 2025, 2026, 2027, 2028, 2029, 2030,
            ] {
                if division == Division::Scotland && year == 2026 {
                    continue; // a one-off holiday: see the next test
                }
                let a: Vec<Date> = data
                    .in_year(division, year)
                    .iter()
                    .map(|h| h.date)
                    .collect();
                let b: Vec<Date> = rules
                    .in_year(division, year)
                    .iter()
                    .map(|h| h.date)
                    .collect();
                assert_eq!(a, b, "{division} {year}");
            }
        }
    }

    #[test]
    fn the_embedded_data_has_the_one_off_holidays() {
        let h = BankHolidays::embedded();
        for division in Division::ALL {
            assert!(h.holiday_on(division, date(2022, 6, 3)).is_some());
            assert!(h.holiday_on(division, date(2022, 9, 19)).is_some());
            assert!(h.holiday_on(division, date(2023, 5, 8)).is_some());
            // 2020's early May bank holiday moved to Friday 8 May for VE Day.
            assert!(h.holiday_on(division, date(2020, 5, 8)).is_some());
            assert!(h.holiday_on(division, date(2020, 5, 4)).is_none());
        }
        // Scotland's one-off holiday on Monday 15 June 2026 is in the data, and only Scotland's.
        assert!(
            h.holiday_on(Division::Scotland, date(2026, 6, 15))
                .is_some()
        );
        assert!(
            h.holiday_on(Division::EnglandAndWales, date(2026, 6, 15))
                .is_none()
        );
    }

    #[test]
    fn a_start_on_a_weekend_counts_from_the_next_working_day() {
        let cal = ew();
        // Saturday 20 Dec 2025 → treated as Monday 22 Dec. 5 WD: 23, 24, 29, 30, 31 Dec.
        assert_eq!(
            cal.add_working_days(date(2025, 12, 20), 5).unwrap(),
            date(2025, 12, 31)
        );
        assert_eq!(
            cal.add_working_days(date(2025, 12, 22), 5).unwrap(),
            date(2025, 12, 31)
        );
        assert_eq!(
            cal.effective_start(date(2025, 12, 20)).unwrap(),
            date(2025, 12, 22)
        );
    }

    #[test]
    fn christmas_and_new_year_are_skipped() {
        let cal = ew();
        // Tue 23 Dec 2025 + 10 WD: 24, 29, 30, 31 Dec, 2, 5, 6, 7, 8, 9 Jan.
        assert_eq!(
            cal.add_working_days(date(2025, 12, 23), 10).unwrap(),
            date(2026, 1, 9)
        );
        assert_eq!(
            cal.skipped_weekdays(date(2025, 12, 23), date(2026, 1, 9)),
            vec![date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)]
        );
        assert_eq!(
            format_day_list(&cal.skipped_weekdays(date(2025, 12, 23), date(2026, 1, 9))),
            "25, 26 Dec, 1 Jan"
        );
    }

    #[test]
    fn scotland_keeps_the_second_of_january_and_st_andrews_day() {
        let sc = Calendar::uk(Division::Scotland);
        let ew = ew();
        assert!(!sc.is_working_day(date(2026, 1, 2)).unwrap());
        assert!(ew.is_working_day(date(2026, 1, 2)).unwrap());
        // St Andrew's Day 2026 is Monday 30 November.
        assert!(!sc.is_working_day(date(2026, 11, 30)).unwrap());
        assert!(ew.is_working_day(date(2026, 11, 30)).unwrap());
        // St Andrew's Day 2025 is a Sunday: substitute Monday 1 December.
        assert!(!sc.is_working_day(date(2025, 12, 1)).unwrap());
        // But Scotland works on Easter Monday.
        assert!(sc.is_working_day(date(2026, 4, 6)).unwrap());
        assert!(!ew.is_working_day(date(2026, 4, 6)).unwrap());
    }

    #[test]
    fn northern_ireland_keeps_st_patricks_day_and_the_twelfth() {
        let ni = Calendar::uk(Division::NorthernIreland);
        assert!(!ni.is_working_day(date(2026, 3, 17)).unwrap());
        assert!(!ni.is_working_day(date(2025, 7, 14)).unwrap()); // 12 July 2025 is a Saturday.
        assert!(ni.is_working_day(date(2025, 7, 11)).unwrap());
        assert_eq!(
            ni.add_working_days(date(2026, 3, 16), 1).unwrap(),
            date(2026, 3, 18)
        );
    }

    #[test]
    fn working_days_between_counts_the_days_after_the_start() {
        let cal = ew();
        assert_eq!(
            cal.working_days_between(date(2025, 12, 23), date(2026, 1, 9))
                .unwrap(),
            10
        );
        assert_eq!(
            cal.working_days_between(date(2026, 1, 9), date(2025, 12, 23))
                .unwrap(),
            -10
        );
        assert_eq!(
            cal.working_days_between(date(2026, 1, 9), date(2026, 1, 9))
                .unwrap(),
            0
        );
    }

    #[test]
    fn closure_days_are_not_working_days() {
        let closures = [date(2025, 12, 29), date(2025, 12, 30), date(2025, 12, 31)];
        let cal = BankHolidays::embedded().calendar(Division::EnglandAndWales, &closures);
        assert_eq!(
            cal.add_working_days(date(2025, 12, 23), 2).unwrap(),
            date(2026, 1, 2)
        );
    }

    #[test]
    fn an_official_file_replaces_the_years_it_lists() {
        let json = r#"{
            "england-and-wales": {"division": "england-and-wales", "events": [
                {"title": "New Year's Day", "date": "2031-01-01", "notes": "", "bunting": true},
                {"title": "Extra holiday", "date": "2031-06-06", "notes": "", "bunting": true}
            ]},
            "scotland": {"division": "scotland", "events": []},
            "northern-ireland": {"division": "northern-ireland", "events": []}
        }"#;
        let h = BankHolidays::from_govuk_json(json).unwrap();
        assert_eq!(h.in_year(Division::EnglandAndWales, 2031).len(), 2);
        // Scotland 2031 is not in the file, so the rules still apply.
        assert!(
            h.holiday_on(Division::Scotland, date(2031, 12, 1))
                .is_some()
        );
    }

    #[test]
    fn a_bad_file_is_refused_with_a_reason() {
        let err = BankHolidays::from_govuk_json("{}").unwrap_err();
        assert!(err.to_string().contains("gov.uk"));
        let err = BankHolidays::from_govuk_json(
            r#"{"england-and-wales":{"events":[{"title":"x","date":"2025-13-01"}]},"scotland":{"events":[]},"northern-ireland":{"events":[]}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("2025-13-01"), "{err}");
    }

    #[test]
    fn dates_outside_the_range_are_refused_not_panicked() {
        let cal = ew();
        assert_eq!(
            cal.add_working_days(date(1999, 12, 31), 1),
            Err(CalendarError::OutOfRange(date(1999, 12, 31)))
        );
        assert!(cal.add_working_days(date(2099, 12, 30), 10).is_err());
        assert!(cal.add_calendar_days(date(2099, 12, 30), 10).is_err());
    }
}
