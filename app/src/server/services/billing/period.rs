//! The dates of paid periods: when a charge's cycle ends and when the next one falls due.
use time::Date;

use crate::{model::BillingCycle, server::db::public::tenants::BillingRow};

/// `yyyy-MM-dd`; other shapes are `None`.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.get(..10)?.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = time::Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// `date` plus a cycle: the same day a month or a year later (the month's last day when it has
/// no such day: Jan 31 → Feb 28).
pub fn add_cycle(date: Date, cycle: BillingCycle) -> Date {
    let (year, month) = match cycle {
        BillingCycle::Monthly if date.month() == time::Month::December => (date.year() + 1, time::Month::January),
        BillingCycle::Monthly => (date.year(), date.month().next()),
        BillingCycle::Yearly => (date.year() + 1, date.month()),
    };
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// When the next cycle's charge falls due after `row`'s paid period.
pub fn next_cycle_date(row: &BillingRow) -> Option<time::Date> {
    row.current_period_end
        .map(|end| end.date())
        .or_else(|| row.current_period_start.map(|start| add_cycle(start.date(), row.billing_cycle)))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn cycles_end_on_the_same_day_or_the_months_last() {
        assert_eq!(add_cycle(date!(2026 - 01 - 15), BillingCycle::Monthly), date!(2026 - 02 - 15));
        assert_eq!(add_cycle(date!(2026 - 01 - 31), BillingCycle::Monthly), date!(2026 - 02 - 28));
        assert_eq!(add_cycle(date!(2026 - 12 - 04), BillingCycle::Monthly), date!(2027 - 01 - 04));
        assert_eq!(add_cycle(date!(2028 - 02 - 29), BillingCycle::Yearly), date!(2029 - 02 - 28));
    }
}
