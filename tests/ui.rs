//! UI tests: the real Slint window (compiled with debug info) under Slint's
//! testing backend, the real core, demo data and simulated devices
//! (`common/ui.rs`). Buttons are found and pressed by their accessible
//! labels, as a screen reader would; visible text is read back the same way.

mod common;

use std::time::{Duration, Instant};

use common::ui::{Kiosk, kiosk, kiosk_with};
use gig_kiosk::app::{Command, FilterChange};
use gig_kiosk::store::Store;
use gig_kiosk::ui::{JobsAdapter, SessionAdapter, StatusAdapter};
use i_slint_backend_testing::{AccessibleRole, ElementQuery};
use slint::{ComponentHandle, Model};

#[test]
fn navigation_reaches_every_page_and_back() {
    let t = kiosk(false);
    assert_eq!(t.page(), "attract");
    assert!(t.all_text().contains("今日附近的工作"), "{:?}", t.texts());
    t.press("请放身份证，或点屏幕开始");
    assert_eq!(t.page(), "jobs");
    assert!(t.all_text().contains(&format!("共 {} 个工作", t.count())));
    let job = t.first_job_label();
    t.press(&job);
    assert_eq!(t.page(), "detail");
    assert!(t.all_text().contains("用工单位"));
    t.press("返回");
    assert_eq!(t.page(), "jobs");
    t.press("权益补贴");
    assert_eq!(t.page(), "rights");
    assert!(t.all_text().contains("被拖欠工资怎么办"));
    t.press("首页");
    assert_eq!(t.page(), "jobs");
    t.press("呼叫工作人员");
    assert_eq!(t.page(), "help");
    assert!(t.k.ui.global::<StatusAdapter>().get_help_called());
    assert!(t.all_text().contains("已通知工作人员"));
    t.press("退出并清除信息");
    assert_eq!(t.page(), "attract");
    assert!(!t.k.ui.global::<StatusAdapter>().get_help_called(), "the help lamp goes out with the session");
}

#[test]
fn a_filter_narrows_the_list_and_clearing_restores_it() {
    let t = kiosk(false);
    t.press("请放身份证，或点屏幕开始");
    let all = t.count();
    assert!(all > 100, "{all}");
    t.press("筛选");
    assert_eq!(t.page(), "filters");
    t.press("离驿站多远: 1公里内");
    let near = t.count();
    assert!(0 < near && near < all, "{near} of {all}");
    let rows = t.k.ui.global::<JobsAdapter>().get_rows();
    assert_eq!(rows.row_count() as i32, near);
    for r in rows.iter() {
        assert!(r.distance.ends_with('米') || r.distance == "1公里", "{} is {}", r.title, r.distance);
    }
    t.press("结算方式: 日结");
    let daily = t.count();
    assert!(daily <= near);
    assert!(t.k.ui.global::<JobsAdapter>().get_rows().iter().all(|r| r.daily_pay));
    assert!(t.all_text().contains(&format!("查看 {daily} 个工作")), "the button says how many");
    t.press("查看工作");
    assert_eq!(t.page(), "jobs");
    assert!(t.all_text().contains(&format!("共 {daily} 个工作")));
    t.press("清除筛选");
    assert_eq!(t.count(), all);
}

#[test]
fn applying_with_a_card_queues_one_outbox_item_and_prints_a_slip() {
    let t = kiosk(false);
    t.press("请放身份证，或点屏幕开始");
    let id = t.k.ui.global::<JobsAdapter>().get_rows().row_data(0).unwrap().id.to_string();
    t.press(&t.first_job_label());
    t.press("报名这个工作");
    assert_eq!(t.page(), "identify");
    t.press("打开设备模拟器");
    t.press("1 放居民身份证");
    assert_eq!(t.page(), "apply");
    let text = t.all_text();
    assert!(text.contains("3502**********1233"), "masked ID shown: {text}");
    assert!(text.contains("王**"), "masked name shown");
    assert!(!text.contains("350206196803121233") && !text.contains("王建国"), "nothing unmasked on screen");
    t.press("确认报名");
    assert_eq!(t.page(), "applied");
    assert!(t.all_text().contains("报名成功"));
    assert!(t.all_text().contains("261123-0001"));
    assert!(t.all_text().contains("状态：等待发送"));
    let store = Store::open_in_dir(t.dir.path()).unwrap();
    assert_eq!(store.outbox_pending().unwrap(), 1);
    let (kind, body) = store.outbox_body(1).unwrap().unwrap();
    assert_eq!(kind, "application");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["posting_id"], id.as_str());
    t.press("打印凭条");
    assert_eq!(t.page(), "print");
    assert!(t.all_text().contains("打印好了，请取走凭条"));
    assert!(t.k.ui.global::<SessionAdapter>().get_has_slip(), "the slip is previewed");
    let slips: Vec<_> = std::fs::read_dir(t.dir.path().join("slips")).unwrap().collect();
    assert_eq!(slips.len(), 1, "the simulated printer wrote a PNG");
    // Applying again is refused kindly.
    t.press("返回");
    assert_eq!(t.page(), "applied");
    t.press("返回");
    assert_eq!(t.page(), "detail");
    t.press("报名这个工作");
    t.press("确认报名");
    assert!(t.all_text().contains("您已经报过这个工作了"));
    assert_eq!(Store::open_in_dir(t.dir.path()).unwrap().outbox_pending().unwrap(), 1);
}

#[test]
fn idle_timeout_warns_then_wipes_everything_personal() {
    let t = kiosk(false);
    t.press("打开设备模拟器");
    t.press("1 放居民身份证");
    t.press("长辈版：大字大按钮");
    let s = t.k.ui.global::<SessionAdapter>();
    assert_eq!(s.get_person_id(), "3502**********1233");
    assert!(t.all_text().contains("王**"));
    t.tick(50_000);
    assert!(t.all_text().contains("您还在吗？"), "warning shows 10 s before");
    assert!(t.all_text().contains("10 秒后返回首页，并清除您的信息。"));
    // A touch cancels it.
    t.press("我还在，继续");
    assert_eq!(s.get_warning_s(), 0);
    t.tick(50_000);
    t.tick(10_000);
    assert_eq!(t.page(), "attract");
    for v in [s.get_person_id(), s.get_person_name(), s.get_person_card(), s.get_application_no()] {
        assert!(v.is_empty(), "{v:?} left behind");
    }
    let text = t.all_text();
    assert!(!text.contains("王**") && !text.contains("3502**"), "{text}");
    assert!(!t.k.ui.global::<gig_kiosk::ui::Theme>().get_elder(), "elder mode ends with the session");
    assert!(t.k.core.borrow().session().person().is_none(), "and the card is gone from memory");
}

#[test]
fn lifting_the_card_ends_the_session() {
    let t = kiosk(false);
    t.press("打开设备模拟器");
    t.press("3 放港澳台居民居住证");
    let s = t.k.ui.global::<SessionAdapter>();
    assert_eq!(s.get_person_card(), "港澳台居民居住证");
    assert!(t.all_text().contains("陈**"));
    t.press("0 拿走证件");
    assert_eq!(t.page(), "attract");
    assert!(s.get_person_id().is_empty() && s.get_person_name().is_empty());
    assert!(!t.all_text().contains("陈**"));
}

#[test]
fn problem_cards_explain_and_offer_guest_mode() {
    let t = kiosk(false);
    t.press("打开设备模拟器");
    t.press("4 放过期身份证");
    assert_eq!(t.page(), "identify");
    assert!(t.all_text().contains("这张证件已过有效期"));
    t.press("5 放校验位错误的证");
    assert!(t.all_text().contains("这张证件的号码读出来不对"));
    t.press("不用身份证继续");
    assert_eq!(t.page(), "jobs");
}

#[test]
fn language_switch_changes_visible_text() {
    let t = kiosk(false);
    t.press("请放身份证，或点屏幕开始");
    let n = t.count();
    assert!(t.all_text().contains(&format!("共 {n} 个工作")));
    t.press("Language: English");
    let text = t.all_text();
    assert!(text.contains(&format!("{n} jobs")), "{text}");
    assert!(text.contains("Call staff") && text.contains("Back"), "{text}");
    assert!(!text.contains("呼叫工作人员"), "{text}");
    // Values made by the core follow too.
    let first = t.k.ui.global::<JobsAdapter>().get_rows().row_data(0).unwrap();
    assert!(first.wage_unit.starts_with("yuan/"), "{}", first.wage_unit);
    t.press("语言：中文");
    assert!(t.all_text().contains("呼叫工作人员"));
}

#[test]
fn a_slow_reader_never_blocks_the_screen() {
    let t = kiosk(true);
    t.press("请放身份证，或点屏幕开始");
    t.press("打开设备模拟器");
    t.press("S 设备：正常");
    let started = Instant::now();
    t.press("1 放居民身份证");
    // The press came back before the card was read (a press that waited
    // for the reader would find the person identified here), and while the
    // reader works the screen still answers. No stopwatch: how fast a
    // loaded machine runs does not change the order of these events.
    t.k.pump();
    assert!(t.k.ui.global::<SessionAdapter>().get_person_id().is_empty(), "the press waited for the reader");
    let all = t.count();
    t.k.send(Command::Filter(FilterChange::WithinKm(Some(3))));
    assert!(t.count() < all);
    let deadline = Instant::now() + Duration::from_secs(30);
    while t.k.ui.global::<SessionAdapter>().get_person_id().is_empty() {
        assert!(Instant::now() < deadline, "the slow card never arrived");
        std::thread::sleep(Duration::from_millis(50));
        t.k.pump();
    }
    // Threaded devices in demo mode: the serial driver reading the simulated
    // module on a pseudo-terminal, each of find, select and read answered
    // after 200 ms.
    assert!(started.elapsed() >= Duration::from_millis(600), "it was slow: {:?}", started.elapsed());
}

#[test]
fn every_button_on_every_page_has_a_label() {
    let t = kiosk(false);
    let check = |t: &Kiosk| {
        let buttons = ElementQuery::from_root(&t.k.ui)
            .match_descendants()
            .match_accessible_role(AccessibleRole::Button)
            .find_all();
        assert!(!buttons.is_empty(), "no buttons on {}", t.page());
        for b in buttons {
            let label = b.accessible_label().unwrap_or_default();
            assert!(!label.trim().is_empty(), "a button without a label on page {}", t.page());
        }
    };
    check(&t);
    t.press("请放身份证，或点屏幕开始");
    check(&t);
    for page in ["filters", "rights", "help"] {
        t.k.send(Command::Session(gig_kiosk::app::Input::Go(gig_kiosk::app::Page::from_name(page).unwrap())));
        check(&t);
    }
    t.press("首页");
    t.press(&t.first_job_label());
    check(&t);
    t.press("报名这个工作");
    check(&t);
}

#[test]
fn reader_trouble_is_shown_to_staff_and_explained_to_the_worker() {
    use gig_kiosk::devices::card_reader::{CardEvent, ReadProblem, ReaderStatus};
    let t = kiosk(false);
    t.press("请放身份证，或点屏幕开始");
    assert!(!t.all_text().contains("读卡器未连接"));
    // The cable pulled out (the drawer's switch): the top bar says so.
    t.press("打开设备模拟器");
    t.press("R 读卡器：已连接");
    assert!(t.all_text().contains("读卡器未连接"), "{}", t.all_text());
    assert!(!t.k.ui.global::<StatusAdapter>().get_reader_ready());
    t.k.send(Command::Session(gig_kiosk::app::Input::Go(gig_kiosk::app::Page::Identify)));
    assert!(t.all_text().contains("读卡器暂时不能用"));
    assert!(!t.all_text().contains("等待读卡"), "no promise of a read that cannot come");
    t.press("R 读卡器：已拔出");
    assert!(!t.all_text().contains("读卡器未连接"));
    assert!(t.all_text().contains("等待读卡"));
    // A module fault is a fault, not a missing cable.
    t.k.send(Command::Card(CardEvent::Status(ReaderStatus::ModuleFault(0x60))));
    assert!(t.all_text().contains("读卡器故障"));
    t.k.send(Command::Card(CardEvent::Status(ReaderStatus::Ready)));
    // A bank card on the reader while browsing: the worker is told why.
    t.k.send(Command::Session(gig_kiosk::app::Input::Go(gig_kiosk::app::Page::Jobs)));
    t.k.send(Command::Card(CardEvent::Status(ReaderStatus::ReadFailed(ReadProblem::NotAnIdCard))));
    assert_eq!(t.page(), "identify");
    assert!(t.all_text().contains("这张卡不是身份证"));
    t.k.send(Command::Card(CardEvent::Status(ReaderStatus::ReadFailed(ReadProblem::Unreadable(0x41)))));
    assert!(t.all_text().contains("没有读出来"));
    t.k.send(Command::Card(CardEvent::Status(ReaderStatus::Ready)));
    assert!(!t.all_text().contains("没有读出来"));
}

#[test]
fn a_real_printer_out_of_paper_is_explained_and_printing_again_works() {
    use std::sync::atomic::Ordering;
    let printer = common::PtyPrinter::start();
    printer.paper.store(0x72, Ordering::SeqCst);
    let port = printer.port.to_string_lossy().into_owned();
    let t = kiosk_with(false, |c| c.printer.port = port);
    t.press("请放身份证，或点屏幕开始");
    let label = t.first_job_label();
    t.press(&label);
    t.press("打印这个工作");
    assert_eq!(t.page(), "print");
    let text = t.all_text();
    assert!(text.contains("打印机没纸了"), "{text}");
    assert!(text.contains("打印机缺纸"), "the top bar tells staff: {text}");
    assert!(printer.received.lock().unwrap().is_empty(), "nothing printed without paper");
    // Staff load paper; the worker tries again.
    printer.paper.store(0x12, Ordering::SeqCst);
    t.press("再试一次");
    assert!(t.all_text().contains("打印好了，请取走凭条"), "{}", t.all_text());
    assert!(!t.all_text().contains("打印机缺纸"));
    let bytes = printer.wait_for(500);
    let text: String = gig_kiosk::slip::escpos::parse(&bytes)
        .iter()
        .filter_map(|o| match o {
            gig_kiosk::slip::escpos::Op::Text(t) => Some(gig_kiosk::slip::escpos::decode_text(t)),
            _ => None,
        })
        .collect();
    assert!(text.contains("12333"), "the slip went to the printer: {text}");
}

#[test]
fn a_broken_database_says_service_trouble_not_no_jobs() {
    let t = kiosk(false);
    t.press("请放身份证，或点屏幕开始");
    assert!(t.count() > 0);
    // The postings table disappears under the running kiosk.
    let other = rusqlite::Connection::open(t.dir.path().join("kiosk.db")).unwrap();
    other.execute_batch("ALTER TABLE postings RENAME TO postings_gone").unwrap();
    t.k.send(Command::Filter(FilterChange::WithinKm(Some(3))));
    let text = t.all_text();
    assert!(text.contains("服务暂时出了问题") && text.contains("不是没有工作"), "{text}");
    assert!(!text.contains("没有符合条件的工作"), "it must not look like 'no jobs': {text}");
    assert_eq!(t.k.ui.global::<StatusAdapter>().get_service_problem(), "store");
    // The page offers staff help.
    t.press("呼叫工作人员");
    assert_eq!(t.page(), "help");
}
