//! Dates as the API and the pages accept them.

use jiff::civil::Date;

/// A date written exactly `YYYY-MM-DD`, from the year 2000 to 2999 (jiff alone also reads `20260105` and
/// date-times); the OpenAPI document's date pattern says the same.
pub fn strict_date(value: &str) -> Option<Date> {
    let shaped = value.len() == 10
        && value.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    shaped
        .then(|| value.parse::<Date>().ok())
        .flatten()
        .filter(|d| (2000..=2999).contains(&d.year()))
}
