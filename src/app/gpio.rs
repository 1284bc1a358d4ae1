//! The kiosk's physical signals: the help button and the on-screen
//! call-staff button do the same; the presence sensor wakes the attract
//! page and counts a visit; the help lamp and the status LED show the
//! state (`devices/gpio`).

use super::core::Core;
use super::session::{Input, Page};
use super::views::UiUpdate;
use crate::devices::gpio::{GpioEvent, StatusLed};
use crate::store::StatKind;

impl Core {
    /// A worker asked for staff (on screen or with the help button).
    pub(super) fn call_staff(&mut self, out: &mut Vec<UiUpdate>) -> bool {
        self.session.handle(Input::Touch, self.clock.now_ms());
        self.help_called = true;
        self.devices.gpio.set_help_lamp(true);
        self.stat(StatKind::Help, None);
        self.session.page() != Page::Help && self.input(Input::Go(Page::Help), out)
    }

    pub(super) fn gpio_event(&mut self, e: GpioEvent, out: &mut Vec<UiUpdate>) -> bool {
        match e {
            GpioEvent::HelpButton => self.call_staff(out),
            GpioEvent::Presence(near) => {
                self.someone_near = near;
                // Someone walked up to the idle kiosk: a visit, whether or
                // not they touch it.
                if near && self.session.page() == Page::Attract && !self.presence_visit {
                    self.presence_visit = true;
                    self.stat(StatKind::Visit, None);
                }
                if !near {
                    self.presence_visit = false;
                }
                false
            }
        }
    }

    /// Red when the kiosk cannot serve (its database fails), amber when it
    /// serves with a problem (reader, printer, network, a background task),
    /// green otherwise.
    pub(super) fn status_led(&self) -> StatusLed {
        let printer_ok = self.devices.printer.is_none() || self.printer.can_print();
        let synced = match &self.sync {
            None => true,
            Some(s) => self.online && !s.unauthorized,
        };
        if !self.troubles.is_empty() {
            StatusLed::Fault
        } else if self.reader.is_ready() && printer_ok && self.tasks.is_empty() && synced {
            StatusLed::Ok
        } else {
            StatusLed::Degraded
        }
    }

    pub(super) fn update_lamp(&mut self) {
        let s = self.status_led();
        self.devices.gpio.set_status(s);
    }
}
