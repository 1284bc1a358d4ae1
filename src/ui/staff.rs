//! The staff pages' adapter: `StaffAdapter`'s callbacks become
//! [`StaffCommand`]s, and the core's [`StaffView`] fills its properties.

use slint::ComponentHandle;

use super::{
    AppWindow, CommandFn, StaffAdapter, StaffChoice, StaffDay, StaffItem, StaffLogLine, StaffNumber,
    StaffSetting, model,
};
use crate::app::Command;
use crate::app::staff::view::StaffView;
use crate::app::staff::{StaffCommand, StaffPage};

pub(super) fn bind(ui: &AppWindow, send: CommandFn) {
    let a = ui.global::<StaffAdapter>();
    let staff = move |c: StaffCommand| send(Command::Staff(c));
    let s = staff.clone();
    a.on_hold(move |h| s(StaffCommand::Hold(h)));
    let s = staff.clone();
    a.on_digit(move |d| {
        if let Ok(d) = u8::try_from(d) {
            s(StaffCommand::Digit(d))
        }
    });
    let s = staff.clone();
    a.on_erase(move || s(StaffCommand::Erase));
    let s = staff.clone();
    a.on_submit(move || s(StaffCommand::Submit));
    let s = staff.clone();
    a.on_go(move |p| match StaffPage::from_name(&p) {
        Some(p) => s(StaffCommand::Go(p)),
        None => tracing::error!("the UI asked for an unknown staff page {p:?}"),
    });
    let s = staff.clone();
    a.on_leave(move || s(StaffCommand::Leave));
    let s = staff.clone();
    a.on_set(move |key, value| s(StaffCommand::Set { key: key.into(), value: value.into() }));
    let s = staff.clone();
    a.on_set_number(move |key, typed| s(StaffCommand::SetNumber { key: key.into(), typed: typed.into() }));
    let s = staff.clone();
    a.on_undo_last(move || s(StaffCommand::Undo));
    let s = staff.clone();
    a.on_sync_now(move || s(StaffCommand::SyncNow));
    let s = staff.clone();
    a.on_test_print(move || s(StaffCommand::TestPrint));
    let s = staff.clone();
    a.on_print_summary(move || s(StaffCommand::PrintSummary));
    a.on_test_read_card(move || staff(StaffCommand::TestRead));
}

fn int(n: u64) -> i32 {
    n.min(i32::MAX as u64) as i32
}

pub(super) fn apply(ui: &AppWindow, v: &StaffView) {
    let a = ui.global::<StaffAdapter>();
    a.set_page(v.page.as_str().into());
    a.set_holding(v.holding);
    a.set_pad_digits(v.pad_digits as i32);
    a.set_pad_state(v.pad_state.as_str().into());
    a.set_pad_message(v.pad_message.as_str().into());
    a.set_status(model(
        v.status
            .iter()
            .map(|i| StaffItem {
                name: i.name.as_str().into(),
                value: i.value.as_str().into(),
                level: i.level.into(),
                advice: i.advice.as_str().into(),
            })
            .collect(),
    ));
    a.set_setup(model(
        v.setup
            .iter()
            .map(|s| StaffSetting {
                key: s.key.as_str().into(),
                label: s.label.as_str().into(),
                value: s.value.as_str().into(),
                choices: model(
                    s.choices
                        .iter()
                        .map(|(value, label, selected)| StaffChoice {
                            value: value.as_str().into(),
                            label: label.as_str().into(),
                            selected: *selected,
                        })
                        .collect(),
                ),
                number: s.number,
                restart: s.restart,
            })
            .collect(),
    ));
    a.set_numbers(model(
        v.numbers
            .iter()
            .map(|n| StaffNumber { label: n.label.as_str().into(), today: int(n.today), week: int(n.week) })
            .collect(),
    ));
    a.set_days(model(
        v.days.iter().map(|d| StaffDay { label: d.label.as_str().into(), visits: int(d.visits) }).collect(),
    ));
    a.set_log(model(
        v.log
            .iter()
            .map(|l| StaffLogLine { time: l.time.as_str().into(), text: l.text.as_str().into() })
            .collect(),
    ));
    a.set_summary(v.summary.as_str().into());
    a.set_summary_level(v.summary_level.into());
    a.set_notice(v.notice.as_str().into());
    a.set_notice_bad(v.notice_bad);
    a.set_undo(v.undo.as_str().into());
    a.set_test_read(v.test_read.as_str().into());
    a.set_printing(v.printing);
}
