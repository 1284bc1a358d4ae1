//! The apply service: one application for the identified person, written
//! to the outbox with its duplicate check in one transaction, then handed
//! to the background sync.

use super::core::Core;
use super::error::CoreError;
use super::session::ApplyOutcome;
use crate::store::{ApplicationRecord, NewApplication, OutboxState};
use crate::sync::bodies;

impl Core {
    pub(super) fn apply(&mut self, posting_id: &str) -> ApplyOutcome {
        let now = self.wall();
        match self.store.posting(posting_id) {
            Ok(Some(p)) if p.is_open(now) => {}
            Ok(_) => return ApplyOutcome::Closed,
            Err(e) => {
                self.checked::<()>("read the job to apply for", Err(e.into()));
                return ApplyOutcome::Failed;
            }
        }
        let Some(person) = self.session.person() else { return ApplyOutcome::Failed };
        let card = &person.card;
        let person_hash = self.device_key.person_hash(card.card_type.code(), card.id_number_for_submission());
        let body = bodies::application(posting_id, card, &self.cfg.station.id, now);
        let key = uuid::Uuid::new_v4().to_string();
        let rec = self.store.record_application(&NewApplication {
            posting_id,
            person_hash: &person_hash,
            idempotency_key: &key,
            body: &body,
            at: now,
        });
        match self.checked("record an application", rec.map_err(CoreError::from)) {
            Some(ApplicationRecord::New { application_no, outbox_id }) => {
                tracing::info!("application {application_no} queued (outbox {outbox_id})");
                self.applied_outbox = Some(outbox_id);
                self.outbox.applied = None;
                self.nudge_sync();
                let sent = matches!(self.store.outbox_state(outbox_id), Ok(Some(OutboxState::Done)));
                ApplyOutcome::Recorded { application_no, sent }
            }
            Some(ApplicationRecord::Duplicate { application_no }) => {
                ApplyOutcome::AlreadyApplied { application_no }
            }
            None => ApplyOutcome::Failed,
        }
    }
}
