//! Staff mode through the real window (Slint's testing backend): the
//! hidden gesture with real pointer events on the station name, the PIN
//! pad and its lockout across a restart, the status page telling the truth
//! about the simulated devices, setup changes that take effect at once and
//! persist, refused values, the staff timeout, and the daily summary.

mod common;

use common::ui::{Kiosk, kiosk_with_pin};
use gig_kiosk::app::{Command, SimCommand};
use gig_kiosk::store::Store;
use gig_kiosk::ui::{SessionAdapter, StaffAdapter, StatusAdapter};
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::platform::{PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition, Model};

const PIN: &str = "2580";

fn staff_page(t: &Kiosk) -> String {
    t.k.ui.global::<StaffAdapter>().get_page().to_string()
}

/// Presses the station name in the top bar with a real pointer, holds it
/// for `ms` (the core's clock), and lets go.
fn hold_station_name(t: &Kiosk, ms: u64) {
    let station = t.k.ui.global::<StatusAdapter>().get_station();
    let name = ElementHandle::find_by_accessible_label(&t.k.ui, &station)
        .find(|e| e.accessible_role() == Some(AccessibleRole::Text))
        .expect("the station name is on screen");
    let (p, s) = (name.absolute_position(), name.size());
    let at = LogicalPosition::new(p.x + s.width / 2.0, p.y + s.height / 2.0);
    let w = t.k.ui.window();
    w.dispatch_event(WindowEvent::PointerMoved { position: at });
    w.dispatch_event(WindowEvent::PointerPressed { position: at, button: PointerEventButton::Left });
    // The core's clock ticks every 250 ms in the kiosk.
    for _ in 0..ms / 250 {
        t.tick(250);
    }
    w.dispatch_event(WindowEvent::PointerReleased { position: at, button: PointerEventButton::Left });
}

fn type_pin(t: &Kiosk, pin: &str) {
    for d in pin.chars() {
        t.press(&d.to_string());
    }
    t.press("确定");
}

fn enter(t: &Kiosk) {
    hold_station_name(t, 5_000);
    assert_eq!(staff_page(t), "pin");
    type_pin(t, PIN);
    assert_eq!(staff_page(t), "status", "{:?}", t.texts());
}

fn audit_actions(t: &Kiosk) -> Vec<String> {
    let store = Store::open_in_dir(t.dir.path()).unwrap();
    store.audit_log(100).unwrap().into_iter().rev().map(|r| r.action).collect()
}

#[test]
fn the_gesture_opens_the_pin_pad_only_from_the_attract_page() {
    let t = kiosk_with_pin(Some(PIN));
    // A short press does nothing.
    hold_station_name(&t, 4_000);
    assert_eq!(staff_page(&t), "");
    // A worker's session: the same gesture never opens staff mode.
    t.press("请放身份证，或点屏幕开始");
    assert_eq!(t.page(), "jobs");
    hold_station_name(&t, 6_000);
    assert_eq!(staff_page(&t), "", "not from a worker's session");
    assert_eq!(t.page(), "jobs");
    t.press("退出并清除信息");
    hold_station_name(&t, 5_000);
    assert_eq!(staff_page(&t), "pin");
    assert!(t.all_text().contains("请输入工作人员密码"), "{:?}", t.texts());
    // The pad's buttons are not the worker's: nothing started.
    assert_eq!(t.page(), "attract");
    t.press("取消");
    assert_eq!((staff_page(&t), t.page()), (String::new(), "attract".to_string()));
}

#[test]
fn five_wrong_pins_lock_the_pad_across_a_restart_and_the_right_pin_opens_status() {
    let t = kiosk_with_pin(Some(PIN));
    hold_station_name(&t, 5_000);
    for left in [4, 3, 2, 1] {
        type_pin(&t, "1357");
        assert!(t.all_text().contains(&format!("密码不对，还可以试 {left} 次")), "{:?}", t.texts());
    }
    type_pin(&t, "1357");
    let pad = t.k.ui.global::<StaffAdapter>();
    assert_eq!(pad.get_pad_state(), "locked");
    assert!(t.all_text().contains("已锁定"), "{:?}", t.texts());
    assert!(!t.has_button("确定"), "no keys while locked");

    // A restart (or a power cut) does not lift the lock.
    let t = t.restart();
    t.tick(60_000);
    hold_station_name(&t, 5_000);
    assert_eq!(staff_page(&t), "pin");
    assert_eq!(t.k.ui.global::<StaffAdapter>().get_pad_state(), "locked");
    t.press("返回首页");

    // Five minutes after it began, the right PIN opens the status page.
    t.tick(4 * 60_000);
    hold_station_name(&t, 5_000);
    assert_eq!(t.k.ui.global::<StaffAdapter>().get_pad_state(), "enter");
    type_pin(&t, PIN);
    assert_eq!(staff_page(&t), "status");
    let actions = audit_actions(&t);
    assert_eq!(actions.iter().filter(|a| *a == "wrong_pin").count(), 5, "{actions:?}");
    assert!(actions.contains(&"locked".to_string()) && actions.last().unwrap() == "entered", "{actions:?}");
}

#[test]
fn without_a_pin_staff_mode_says_how_to_set_one_and_stays_closed() {
    let t = kiosk_with_pin(None);
    hold_station_name(&t, 5_000);
    assert_eq!(t.k.ui.global::<StaffAdapter>().get_pad_state(), "no-pin");
    assert!(t.all_text().contains("kiosk staff set-pin"), "{:?}", t.texts());
    assert!(!t.has_button("确定"));
    t.press("返回首页");
    assert_eq!(staff_page(&t), "");
}

#[test]
fn the_status_page_tells_the_truth_about_paper_and_a_refused_token() {
    let t = kiosk_with_pin(Some(PIN));
    t.k.send(Command::Sim(SimCommand::TogglePaper));
    t.k.send(Command::Sim(SimCommand::ToggleToken));
    enter(&t);
    let status: Vec<_> = t.k.ui.global::<StaffAdapter>().get_status().iter().collect();
    let item = |name: &str| {
        status.iter().find(|i| i.name == name).unwrap_or_else(|| panic!("no {name} in {status:?}"))
    };
    assert_eq!(item("打印机").level, "fault");
    assert!(item("打印机").value.contains("缺纸"), "{:?}", item("打印机"));
    assert!(item("打印机").advice.contains("装入新纸卷"));
    assert_eq!(item("平台同步").level, "fault");
    assert!(item("平台同步").value.contains("拒绝"), "{:?}", item("平台同步"));
    assert!(item("平台同步").advice.contains("token"));
    assert_eq!(item("读卡器").level, "ok");
    for name in ["感应器和指示灯", "待发送", "磁盘剩余", "数据库", "软件版本"] {
        item(name);
    }
    // Paper back in: the page follows.
    t.k.send(Command::Sim(SimCommand::TogglePaper));
    let status: Vec<_> = t.k.ui.global::<StaffAdapter>().get_status().iter().collect();
    assert_eq!(status.iter().find(|i| i.name == "打印机").unwrap().level, "ok");
}

/// The width in dots of the newest slip the simulated printer made.
fn last_slip_width(t: &Kiosk) -> u32 {
    let mut slips: Vec<_> =
        std::fs::read_dir(t.dir.path().join("slips")).unwrap().map(|e| e.unwrap().path()).collect();
    slips.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    let decoder =
        png::Decoder::new(std::io::BufReader::new(std::fs::File::open(slips.last().unwrap()).unwrap()));
    decoder.read_info().unwrap().info().width
}

fn print_a_job(t: &Kiosk) {
    t.press("请放身份证，或点屏幕开始");
    let job = t.first_job_label();
    t.press(&job);
    t.press("打印这个工作");
    t.k.pump();
    assert_eq!(t.k.ui.global::<SessionAdapter>().get_print(), "done");
    t.press("退出并清除信息");
}

#[test]
fn a_paper_width_change_takes_effect_at_once_persists_and_can_be_undone() {
    let t = kiosk_with_pin(Some(PIN));
    print_a_job(&t);
    assert_eq!(last_slip_width(&t), 576, "80 mm paper: 576 dots");
    enter(&t);
    t.press("设备设置");
    t.press("纸宽: 58mm");
    assert!(t.all_text().contains("纸宽 已改为 58mm，已生效"), "{:?}", t.texts());
    t.press("退出工作人员模式");
    print_a_job(&t);
    assert_eq!(last_slip_width(&t), 384, "the next slip is 58 mm wide, without a restart");

    // It stays after a restart, and the log says who changed what.
    let t = t.restart();
    print_a_job(&t);
    assert_eq!(last_slip_width(&t), 384);
    let log = Store::open_in_dir(t.dir.path()).unwrap().audit_log(10).unwrap();
    let change = log.iter().find(|r| r.action == "changed").unwrap();
    assert_eq!(
        (change.key.as_deref(), change.old_value.as_deref(), change.new_value.as_deref()),
        (Some("printer.paper"), Some("\"80mm\""), Some("\"58mm\""))
    );

    // Undo returns to the previous value.
    enter(&t);
    t.press("设备设置");
    t.press("纸宽: 80mm（窄边）");
    t.press("撤销：纸宽");
    assert!(t.all_text().contains("已撤销：纸宽 恢复为 58mm"), "{:?}", t.texts());
}

#[test]
fn a_printer_port_change_rebuilds_the_printer_and_bad_values_are_refused() {
    let t = kiosk_with_pin(Some(PIN));
    enter(&t);
    t.press("设备设置");
    t.press("打印机端口: 无打印机");
    assert!(t.k.ui.global::<StatusAdapter>().get_printer() == "none", "the top bar knows at once");
    t.press("打印测试页");
    assert!(t.all_text().contains("本机没有设置打印机"), "{:?}", t.texts());
    t.press("打印机端口: 模拟（演示）");
    assert_eq!(t.k.ui.global::<StatusAdapter>().get_printer(), "ready");
    t.press("打印测试页");
    t.k.pump();
    assert!(t.all_text().contains("测试页已打印"), "{:?}", t.texts());

    // A latitude outside China, typed on the number pad: refused, with why.
    let a = t.k.ui.global::<StaffAdapter>();
    a.invoke_set_number("station.latitude".into(), "99".into());
    assert!(a.get_notice_bad());
    assert!(
        a.get_notice().contains("驿站纬度 没有修改") && a.get_notice().contains("outside 3 to 54"),
        "{}",
        a.get_notice()
    );
    // A value no button offers (as a broken UI or a stray message could send).
    a.invoke_set("printer.paper".into(), "\"99mm\"".into());
    assert!(a.get_notice_bad() && a.get_notice().contains("not one of"), "{}", a.get_notice());
    // A key staff may not touch.
    a.invoke_set("storage.data_dir".into(), "\"/tmp\"".into());
    assert!(a.get_notice_bad());
    let staff = Store::open_in_dir(t.dir.path()).unwrap().staff_settings().unwrap();
    assert!(staff.iter().all(|(k, _)| k != "station.latitude" && k != "storage.data_dir"), "{staff:?}");
    // A good one is taken: the distances change with the station.
    a.invoke_set_number("station.latitude".into(), "24.5".into());
    assert!(!a.get_notice_bad(), "{}", a.get_notice());
}

#[test]
fn the_staff_session_ends_after_three_quiet_minutes_with_the_workers_warning() {
    let t = kiosk_with_pin(Some(PIN));
    enter(&t);
    t.press("今日数据");
    t.tick(169_000);
    assert_eq!(t.k.ui.global::<SessionAdapter>().get_warning_s(), 0);
    t.tick(1_000);
    assert_eq!(t.k.ui.global::<SessionAdapter>().get_warning_s(), 10);
    assert!(t.all_text().contains("您还在吗"), "the same warning as the worker's: {:?}", t.texts());
    t.tick(10_000);
    assert_eq!((staff_page(&t), t.page()), (String::new(), "attract".to_string()));
    assert_eq!(audit_actions(&t).last().map(String::as_str), Some("timeout"));
}

#[test]
fn todays_numbers_count_what_workers_did_and_the_summary_prints() {
    let t = kiosk_with_pin(Some(PIN));
    t.press("请放身份证，或点屏幕开始"); // a visit
    t.press("筛选");
    t.press("离驿站多远: 1公里内"); // a search
    t.press("退出并清除信息");
    t.k.send(Command::Sim(SimCommand::PlaceCard(gig_kiosk::devices::card_reader::samples::Sample::Resident)));
    t.k.pump(); // a card starts a second visit
    t.k.send(Command::Sim(SimCommand::RemoveCard));
    t.k.pump();
    enter(&t);
    // A card while staff mode is open is a test read: not a worker's visit.
    t.press("设备设置");
    t.press("测试读卡");
    t.k.send(Command::Sim(SimCommand::PlaceCard(gig_kiosk::devices::card_reader::samples::Sample::Resident)));
    t.k.pump();
    let read = t.k.ui.global::<StaffAdapter>().get_test_read().to_string();
    assert!(read.contains("**") && read.contains("有效"), "masked: {read}");
    assert!(!read.chars().any(|c| c.is_ascii_digit() && read.matches(c).count() > 12), "{read}");
    t.press("今日数据");
    let numbers: Vec<_> = t.k.ui.global::<StaffAdapter>().get_numbers().iter().collect();
    let n = |label: &str| numbers.iter().find(|n| n.label == label).map(|n| (n.today, n.week)).unwrap();
    assert_eq!(n("来访人次"), (2, 2));
    assert_eq!(n("刷身份证"), (1, 1), "the staff's test read is not counted");
    assert_eq!(n("查找工作"), (1, 1));
    let slips = || std::fs::read_dir(t.dir.path().join("slips")).map(|d| d.count()).unwrap_or(0);
    let before = slips();
    t.press("打印今日统计");
    t.k.pump();
    assert!(t.all_text().contains("今日统计已打印"), "{:?}", t.texts());
    assert_eq!(slips(), before + 1);
}

#[test]
fn every_button_on_every_staff_page_has_a_label() {
    let t = kiosk_with_pin(Some(PIN));
    let check = |t: &Kiosk| {
        let buttons: Vec<ElementHandle> = i_slint_backend_testing::ElementQuery::from_root(&t.k.ui)
            .match_descendants()
            .match_predicate(|e| {
                matches!(e.accessible_role(), Some(AccessibleRole::Button | AccessibleRole::Tab))
            })
            .find_all();
        assert!(!buttons.is_empty());
        for b in buttons {
            let label = b.accessible_label().unwrap_or_default();
            assert!(!label.trim().is_empty(), "a button without a label on staff page {}", staff_page(t));
        }
    };
    hold_station_name(&t, 5_000);
    check(&t);
    type_pin(&t, PIN);
    for tab in ["设备状态", "设备设置", "今日数据", "操作记录"] {
        t.press(tab);
        check(&t);
    }
}
