//! The demo drawer: commands to the simulated devices (place a sample card,
//! pull the reader's cable, run the printer out of paper, slow everything
//! down, drop the network). Only simulated devices answer them.

use std::sync::atomic::Ordering;

use super::command::SimCommand;
use super::core::Core;
use crate::devices::printer::PrinterStatus;

impl Core {
    pub(super) fn sim(&mut self, c: SimCommand) {
        let reader = self.devices.card_simulator();
        let printer = self.devices.sim.printer.clone();
        let mut printer_status = None;
        let mut lamp = false;
        match c {
            SimCommand::PlaceCard(s) => reader.into_iter().for_each(|r| r.place(s)),
            SimCommand::RemoveCard => reader.into_iter().for_each(|r| r.remove()),
            SimCommand::ToggleReaderCable => {
                reader.into_iter().for_each(|r| r.set_plugged_in(!r.plugged_in()))
            }
            SimCommand::TogglePaper => {
                if let Some(p) = &printer {
                    let was_out = p.paper_out.fetch_xor(true, Ordering::SeqCst);
                    printer_status =
                        Some(if was_out { PrinterStatus::Ready } else { PrinterStatus::PaperOut });
                }
            }
            SimCommand::ToggleNetwork => {
                self.online = !self.online;
                self.offline_since = (!self.online).then(|| self.wall());
            }
            SimCommand::ToggleSlow => {
                self.sim_slow = !self.sim_slow;
                if let Some(p) = &printer {
                    p.slow.store(self.sim_slow, Ordering::SeqCst);
                }
                reader.into_iter().for_each(|r| r.set_slow(self.sim_slow));
            }
            // The core handles it as the sensor's event (core.rs).
            SimCommand::TogglePresence => {}
            // As the background sync reports a platform that answers 401.
            SimCommand::ToggleToken => {
                let refused = self.sync.as_ref().is_some_and(|s| s.unauthorized);
                self.sync = (!refused).then(|| crate::sync::worker::SyncStatus {
                    online: true,
                    offline_since: None,
                    last_success: None,
                    outbox_depth: self.outbox.pending,
                    last_error: Some(
                        "the platform answered HTTP 401: the token was refused (simulated)".into(),
                    ),
                    unauthorized: true,
                    cache_changed: false,
                    clock_offset_s: None,
                });
                lamp = true;
            }
        }
        if reader.is_none()
            && matches!(c, SimCommand::PlaceCard(_) | SimCommand::RemoveCard | SimCommand::ToggleReaderCable)
        {
            tracing::warn!("simulator command without a simulated reader: {c:?}");
        }
        if let Some(p) = printer_status {
            self.set_printer(p);
        }
        if lamp {
            self.update_lamp();
        }
    }
}
