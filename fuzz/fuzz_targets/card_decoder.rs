//! The ID-card reader's decoder against arbitrary serial input: the first
//! byte picks how the rest is split into reads; every frame found is parsed
//! as a reply and, when it looks like one, as a card. Nothing may panic and
//! the decoder's buffer must stay bounded.
#![no_main]

use gig_kiosk::devices::card_reader::protocol::{Decoder, MAX_LEN, Reply, Request};
use gig_kiosk::devices::card_reader::serial::card_from_reply;
use gig_kiosk::devices::card_reader::text::parse_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&step, rest)) = data.split_first() else { return };
    let step = usize::from(step).max(1);
    let mut d = Decoder::new();
    for chunk in rest.chunks(step) {
        d.push(chunk);
        while let Some(frame) = d.next_frame() {
            let Ok(payload) = frame else { continue };
            let _ = Request::parse(&payload).map(|r| r.command());
            if let Ok(reply) = Reply::parse(&payload) {
                let _ = card_from_reply(&reply);
                if reply.data.len() >= 256 {
                    let _ = parse_text(&reply.data[..256]);
                }
            }
        }
        assert!(d.pending() <= 6 + MAX_LEN, "decoder buffer grew to {}", d.pending());
    }
});
