//! `kiosk screenshot --page staff-…`: staff mode's pages, reached as staff
//! reach them (hold the station name, type the PIN) in the screenshot's
//! temporary data directory, which gets a PIN (2580) and a week of sample
//! statistics first. Nothing here touches a real kiosk's data.

use crate::app::Command;
use crate::app::staff::{StaffCommand, StaffPage, pin};
use crate::clock::ManualClock;
use crate::store::staff::AuditRow;
use crate::store::{StatKind, Store};
use crate::ui::Inline;

use super::screenshot_cmd::StaffShot;

/// The screenshots' PIN (in their throw-away data directory only).
const PIN: [u8; 4] = [2, 5, 8, 0];

/// Sets the PIN (except for `staff-nopin`) and a week of numbers.
pub fn prepare(
    store: &mut Store,
    shot: StaffShot,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> anyhow::Result<()> {
    if shot != StaffShot::NoPin {
        let code: String = PIN.iter().map(|d| char::from(b'0' + d)).collect();
        let hash = pin::hash(&code).map_err(|e| anyhow::anyhow!("{e}"))?;
        let value = toml::Value::String(hash).to_string();
        store.change_staff_setting(
            pin::PIN_KEY,
            Some(&value),
            &AuditRow::new(now.timestamp() - 86_400, "pin_set"),
        )?;
    }
    // A plausible week at a busy station: more on market days.
    let kinds = [
        (StatKind::Visit, 60),
        (StatKind::CardRead, 28),
        (StatKind::Search, 140),
        (StatKind::View, 110),
        (StatKind::Apply, 14),
        (StatKind::Print, 22),
        (StatKind::Help, 3),
    ];
    for day in 0..7i64 {
        let busy = [7, 9, 6, 10, 8, 12, 5][day as usize];
        let at = now.timestamp() - (6 - day) * 86_400 - 3600;
        for (kind, base) in kinds {
            for _ in 0..base * busy / 10 {
                store.record_stat(kind, at, None)?;
            }
        }
    }
    Ok(())
}

/// From the attract page to the page asked for.
pub fn drive(k: &Inline, clock: &ManualClock, shot: StaffShot) {
    let staff = |c: StaffCommand| k.send(Command::Staff(c));
    let type_pin = |digits: &[u8]| {
        for d in digits {
            staff(StaffCommand::Digit(*d));
        }
    };
    staff(StaffCommand::Hold(true));
    clock.advance(5_000);
    k.send(Command::Tick);
    staff(StaffCommand::Hold(false));
    match shot {
        StaffShot::NoPin => {}
        StaffShot::Pin => type_pin(&PIN[..2]),
        StaffShot::Locked => {
            for _ in 0..5 {
                type_pin(&[1, 1, 1, 2]);
                staff(StaffCommand::Submit);
            }
        }
        StaffShot::Page(page) => {
            type_pin(&PIN);
            staff(StaffCommand::Submit);
            if page == StaffPage::Log || page == StaffPage::Setup {
                staff(StaffCommand::Set { key: "printer.paper".into(), value: "\"58mm\"".into() });
            }
            if page == StaffPage::Log {
                staff(StaffCommand::TestPrint);
                staff(StaffCommand::SyncNow);
            }
            staff(StaffCommand::Go(page));
        }
    }
    k.pump();
}
