//! Property tests of the ID-card reader's codec: whatever the serial line
//! delivers, the decoder never panics, never grows without bound, and finds
//! every whole frame however the bytes are split; text blocks round-trip.

use gig_kiosk::devices::card_reader::protocol::{
    Decoder, MAX_LEN, Reply, base_info_data, decode_all, encode_frame, split_base_info,
};
use gig_kiosk::devices::card_reader::serial::card_from_reply;
use gig_kiosk::devices::card_reader::text::{CardFields, Layout, TEXT_LEN, encode_text, parse_text};
use proptest::prelude::*;

/// Bytes that can never contain the sync marker (`AA AA 96 69`).
fn noise() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>().prop_filter("no 0x69", |b| *b != 0x69), 0..64)
}

fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 2..40),
        prop::collection::vec(any::<u8>(), 2..(MAX_LEN - 1)),
    ]
}

/// Feeds `bytes` to a decoder in pieces cut at `cuts`, collecting frames.
fn feed(bytes: &[u8], cuts: &[usize]) -> (Vec<Vec<u8>>, Decoder) {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    let mut at = 0;
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.sort_unstable();
    points.push(bytes.len());
    for p in points {
        d.push(&bytes[at..p.max(at)]);
        at = p.max(at);
        while let Some(f) = d.next_frame() {
            if let Ok(f) = f {
                out.push(f);
            }
        }
    }
    (out, d)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn frames_survive_noise_and_any_split(
        frames in prop::collection::vec((noise(), payload()), 1..5),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut stream = Vec::new();
        for (junk, p) in &frames {
            stream.extend(junk);
            stream.extend(encode_frame(p));
        }
        let (got, d) = feed(&stream, &cuts);
        let want: Vec<Vec<u8>> = frames.iter().map(|(_, p)| p.clone()).collect();
        prop_assert_eq!(got, want);
        prop_assert!(d.pending() < 4, "leftover {}", d.pending());
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_bounded(
        bytes in prop::collection::vec(any::<u8>(), 0..6000),
        cuts in prop::collection::vec(any::<usize>(), 0..20),
    ) {
        let (_, d) = feed(&bytes, &cuts);
        prop_assert!(d.pending() <= 6 + MAX_LEN, "pending {}", d.pending());
        // Whatever came out can be treated as a reply without a panic.
        for f in decode_all(&bytes).into_iter().flatten() {
            if let Ok(r) = Reply::parse(&f) {
                let _ = card_from_reply(&r);
                let _ = split_base_info(&r.data);
            }
        }
    }

    #[test]
    fn a_corrupted_byte_never_yields_a_wrong_frame(
        p in prop::collection::vec(any::<u8>(), 2..300),
        at in any::<usize>(),
        flip in 1u8..=255,
    ) {
        let mut bytes = encode_frame(&p);
        // Any byte but LEN: a shortened LEN makes a shorter frame whose
        // XOR check passes one time in 256 (the protocol's weakness; the
        // reply parsers then refuse it by its size).
        let i = [0, 1, 2, 3, 4].into_iter().chain(7..bytes.len()).nth(at % (bytes.len() - 2)).unwrap();
        bytes[i] ^= flip;
        // Either the frame is rejected, or (when the damage hit the
        // preamble's first byte, which is not needed) it is intact.
        for f in decode_all(&bytes).into_iter().flatten() {
            prop_assert_eq!(&f, &p);
            prop_assert_eq!(i, 0);
        }
    }

    #[test]
    fn replies_round_trip(sw in any::<[u8; 3]>(), data in prop::collection::vec(any::<u8>(), 0..2300)) {
        let r = Reply::with_sw(sw[0], sw[1], sw[2], data);
        let frames = decode_all(&r.encode());
        prop_assert_eq!(frames.len(), 1);
        let back = Reply::parse(frames[0].as_ref().unwrap()).unwrap();
        prop_assert_eq!(back, r);
    }

    #[test]
    fn text_blocks_round_trip(
        layout in prop_oneof![Just(Layout::Resident), Just(Layout::ForeignPermanent), Just(Layout::HmtResidence)],
        name in "[王李张陈刘杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐]{1,14}",
        english in "[A-Z ,]{1,59}[A-Z]",
        digits in "[1-8][0-9]{16}",
        sex in "[0129]",
        ethnicity in 1u32..=56,
        birth in (1930i32..2010, 1u32..=12, 1u32..=28),
        long_term in any::<bool>(),
        fp in prop_oneof![Just(None), Just(Some(0usize)), Just(Some(512)), Just(Some(1024))],
    ) {
        let id = match layout {
            Layout::ForeignPermanent => format!("USA{}", &digits[..12]),
            _ => {
                let check = gig_kiosk::domain::card::gb11643_check_char(&digits).unwrap();
                format!("{digits}{check}")
            }
        };
        let f = CardFields {
            layout: Some(layout),
            name: name.clone(),
            english_name: english.trim().to_string(),
            sex,
            ethnicity: format!("{ethnicity:02}"),
            birth: format!("{:04}{:02}{:02}", birth.0, birth.1, birth.2),
            address: "福建省厦门市湖里区某路1号".into(),
            id_number: id.clone(),
            issuer: "厦门市公安局".into(),
            valid_from: "20200101".into(),
            valid_to: if long_term { "长期".into() } else { "20300101".into() },
            nationality: "USA".into(),
            permit_number: "H12345678".into(),
            issue_count: "02".into(),
        };
        let text = encode_text(&f);
        prop_assert_eq!(text.len(), TEXT_LEN);
        // Through a whole base-info reply, as the driver sees it.
        let reply = Reply::with_data(0x90, base_info_data(&text, fp));
        let card = card_from_reply(&reply).unwrap();
        prop_assert_eq!(card.name(), name.as_str());
        prop_assert_eq!(card.id_number_for_submission(), id.as_str());
        prop_assert_eq!(card.birth_date.map(|d| d.format("%Y%m%d").to_string()), Some(f.birth.clone()));
        prop_assert_eq!(
            card.valid_to == Some(gig_kiosk::domain::card::Validity::LongTerm),
            long_term
        );
        if layout == Layout::ForeignPermanent {
            prop_assert_eq!(card.english_name(), Some(f.english_name.as_str()));
        } else {
            prop_assert_eq!(card.checksum_ok(), Some(true));
        }
    }

    #[test]
    fn any_text_block_parses_without_panic(text in prop::collection::vec(any::<u8>(), TEXT_LEN)) {
        let _ = parse_text(&text);
    }
}
