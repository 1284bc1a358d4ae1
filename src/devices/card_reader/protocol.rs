//! The SAM reader's frame protocol (`idcard-protocol.md`), as pure
//! functions: commands to bytes, a stream decoder that finds frames in
//! whatever the serial line delivers, and typed replies. No I/O here; the
//! driver ([`super::serial`]) and the simulator ([`super::ptysim`]) both
//! use it, one for each direction.
//!
//! Frame: `AA AA AA 96 69 · LEN_H LEN_L · payload · CHK`, where LEN counts
//! the payload and CHK, and CHK is the XOR of LEN and payload. The payload
//! of a request is `CMD PARA DATA…`; of a reply `SW1 SW2 SW3 DATA…`.

use std::fmt;

/// The five bytes that open every frame.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];
/// What the decoder synchronises on: the preamble without its first byte.
/// Captures with the first `AA` lost or glitched (`AA 00 AA AA 96 69 …`)
/// are reported from the field; LEN bounds and the checksum still guard
/// against false starts, so accepting them costs nothing.
const SYNC: [u8; 4] = [0xAA, 0xAA, 0x96, 0x69];
/// Bytes from the sync marker's first byte to the end of LEN.
const HEAD: usize = SYNC.len() + 2;
/// The smallest LEN: a request's CMD PARA CHK.
pub const MIN_LEN: usize = 3;
/// The largest LEN we accept. The longest reply in the protocol (base info
/// with a 1024-byte fingerprint) has LEN 2314; anything much larger is a
/// corrupted length, and waiting for it would swallow the frames after it.
pub const MAX_LEN: usize = 4096;

/// The XOR checksum of the bytes from LEN_H to the last data byte.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |a, b| a ^ b)
}

/// A whole frame around `payload` (the bytes between LEN and CHK).
pub fn encode_frame(payload: &[u8]) -> Vec<u8> {
    let len = payload.len() + 1;
    debug_assert!(len <= MAX_LEN, "frame too long: {len}");
    let mut out = Vec::with_capacity(PREAMBLE.len() + 2 + len);
    out.extend_from_slice(&PREAMBLE);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.extend_from_slice(payload);
    let chk = checksum(&out[PREAMBLE.len()..]);
    out.push(chk);
    out
}

/// Reader line speeds (the set-baud command's parameter is the index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Baud {
    B115200,
    B57600,
    B38400,
    B19200,
    B9600,
}

impl Baud {
    pub const ALL: [Baud; 5] = [Baud::B115200, Baud::B57600, Baud::B38400, Baud::B19200, Baud::B9600];

    pub fn rate(self) -> u32 {
        match self {
            Baud::B115200 => 115_200,
            Baud::B57600 => 57_600,
            Baud::B38400 => 38_400,
            Baud::B19200 => 19_200,
            Baud::B9600 => 9_600,
        }
    }

    pub fn from_rate(rate: u32) -> Option<Baud> {
        Baud::ALL.into_iter().find(|b| b.rate() == rate)
    }

    fn para(self) -> u8 {
        Baud::ALL.iter().position(|b| *b == self).unwrap_or(0) as u8
    }
}

/// Every command in the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    ResetModule,
    ModuleStatus,
    /// Read the SAM module's ID.
    SamId,
    FindCard,
    SelectCard,
    /// Text and photo.
    ReadBase,
    /// Text, photo and fingerprint.
    ReadBaseWithFingerprint,
    /// The address added on the card after issue (a move).
    ReadNewAddress,
    SetBaud(Baud),
}

impl Command {
    pub const ALL: [Command; 13] = [
        Command::ResetModule,
        Command::ModuleStatus,
        Command::SamId,
        Command::FindCard,
        Command::SelectCard,
        Command::ReadBase,
        Command::ReadBaseWithFingerprint,
        Command::ReadNewAddress,
        Command::SetBaud(Baud::B115200),
        Command::SetBaud(Baud::B57600),
        Command::SetBaud(Baud::B38400),
        Command::SetBaud(Baud::B19200),
        Command::SetBaud(Baud::B9600),
    ];

    /// CMD and PARA.
    pub fn code(self) -> (u8, u8) {
        match self {
            Command::ResetModule => (0x10, 0xFF),
            Command::ModuleStatus => (0x11, 0xFF),
            Command::SamId => (0x12, 0xFF),
            Command::FindCard => (0x20, 0x01),
            Command::SelectCard => (0x20, 0x02),
            Command::ReadBase => (0x30, 0x01),
            Command::ReadBaseWithFingerprint => (0x30, 0x10),
            Command::ReadNewAddress => (0x30, 0x03),
            Command::SetBaud(b) => (0x60, b.para()),
        }
    }

    pub fn from_code(cmd: u8, para: u8) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.code() == (cmd, para))
    }

    /// The request frame.
    pub fn encode(self) -> Vec<u8> {
        let (cmd, para) = self.code();
        encode_frame(&[cmd, para])
    }

    /// The bytes of the successful reply, for timeouts scaled to the line.
    pub fn expected_reply_len(self) -> usize {
        match self {
            Command::FindCard => 15,
            Command::SelectCard => 19,
            Command::SamId => 27,
            Command::ReadBase => 1295,
            Command::ReadBaseWithFingerprint => 2321,
            Command::ReadNewAddress => 7 + 4 + 70,
            _ => 11,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Command::ResetModule => "reset module",
            Command::ModuleStatus => "module status",
            Command::SamId => "read SAM ID",
            Command::FindCard => "find card",
            Command::SelectCard => "select card",
            Command::ReadBase => "read base info",
            Command::ReadBaseWithFingerprint => "read base info + fingerprint",
            Command::ReadNewAddress => "read latest added address",
            Command::SetBaud(_) => "set baud",
        }
    }
}

/// The module's status byte (SW3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sw3(pub u8);

/// What a status byte means for the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwClass {
    /// 90 success, 9F find card succeeded.
    Ok,
    /// 80: no card on the reader.
    NoCard,
    /// 81: a card is there but could not be selected (moved, not an ID card).
    SelectFailed,
    /// 91: the item asked for is not on the card (no added address).
    Empty,
    /// The card could not be read: 31, 32, 33, 40, 41, 47.
    CardError,
    /// The module cannot work: 60 self-test failed, 66 not authorised.
    ModuleFault,
    /// Our frame was refused: 10, 11, 21, 23, 24.
    HostError,
    Unknown,
}

impl Sw3 {
    pub fn class(self) -> SwClass {
        match self.0 {
            0x90 | 0x9F => SwClass::Ok,
            0x80 => SwClass::NoCard,
            0x81 => SwClass::SelectFailed,
            0x91 => SwClass::Empty,
            0x31 | 0x32 | 0x33 | 0x40 | 0x41 | 0x47 => SwClass::CardError,
            0x60 | 0x66 => SwClass::ModuleFault,
            0x10 | 0x11 | 0x21 | 0x23 | 0x24 => SwClass::HostError,
            _ => SwClass::Unknown,
        }
    }

    /// The meaning from the protocol's table, in English (technicians' tools).
    pub fn meaning(self) -> &'static str {
        match self.0 {
            0x90 => "success",
            0x9F => "find card succeeded",
            0x10 => "checksum error in host frame",
            0x11 => "length error in host frame",
            0x21 => "bad command or parameter",
            0x23 => "unauthorised operation",
            0x24 => "unrecognised error",
            0x31 => "card failed to authenticate module",
            0x32 => "module failed to authenticate card",
            0x33 => "information verification error",
            0x40 => "unrecognised card type",
            0x41 => "card read failed",
            0x47 => "get-random-number failed",
            0x60 => "module self-test failed, accepts no commands",
            0x66 => "module not authorised, unusable",
            0x80 => "find card failed (no card)",
            0x81 => "select card failed",
            0x91 => "item empty on card",
            _ => "not in the protocol's table",
        }
    }
}

impl fmt::Display for Sw3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X} ({})", self.0, self.meaning())
    }
}

/// A reply: the card's status, the module's status and the data.
#[derive(Clone, PartialEq, Eq)]
pub struct Reply {
    pub sw1: u8,
    pub sw2: u8,
    pub sw3: Sw3,
    pub data: Vec<u8>,
}

impl fmt::Debug for Reply {
    // Data may hold a card's text block: show its size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Reply {{ sw: {:02X} {:02X} {}, {} data bytes }}",
            self.sw1,
            self.sw2,
            self.sw3,
            self.data.len()
        )
    }
}

/// A reply may hold a card's text block: wiped when dropped.
impl Drop for Reply {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.data);
    }
}

impl Reply {
    /// A reply with status bytes `00 00 sw3`.
    pub fn status(sw3: u8) -> Reply {
        Reply::with_sw(0, 0, sw3, Vec::new())
    }

    pub fn with_data(sw3: u8, data: Vec<u8>) -> Reply {
        Reply::with_sw(0, 0, sw3, data)
    }

    pub fn with_sw(sw1: u8, sw2: u8, sw3: u8, data: Vec<u8>) -> Reply {
        Reply { sw1, sw2, sw3: Sw3(sw3), data }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut payload = Vec::with_capacity(3 + self.data.len());
        payload.extend_from_slice(&[self.sw1, self.sw2, self.sw3.0]);
        payload.extend_from_slice(&self.data);
        let frame = encode_frame(&payload);
        zeroize::Zeroize::zeroize(&mut payload);
        frame
    }

    /// A reply from a frame's payload.
    pub fn parse(payload: &[u8]) -> Result<Reply, FrameError> {
        match payload {
            [sw1, sw2, sw3, data @ ..] => Ok(Reply::with_sw(*sw1, *sw2, *sw3, data.to_vec())),
            _ => Err(FrameError::TooShort { len: payload.len() + 1 }),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.sw3.class() == SwClass::Ok
    }
}

/// A request as the reader sees it (the simulator's side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub cmd: u8,
    pub para: u8,
    pub data: Vec<u8>,
}

impl Request {
    pub fn parse(payload: &[u8]) -> Result<Request, FrameError> {
        match payload {
            [cmd, para, data @ ..] => Ok(Request { cmd: *cmd, para: *para, data: data.to_vec() }),
            _ => Err(FrameError::TooShort { len: payload.len() + 1 }),
        }
    }

    pub fn command(&self) -> Option<Command> {
        Command::from_code(self.cmd, self.para)
    }
}

/// Why bytes that looked like a frame were thrown away.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("frame length {len} is outside {MIN_LEN}..={MAX_LEN}")]
    BadLength { len: usize },
    #[error("checksum {got:02X} should be {expected:02X}")]
    BadChecksum { expected: u8, got: u8 },
    #[error("frame of length {len} is too short for its kind")]
    TooShort { len: usize },
}

/// Finds frames in a byte stream: hunts for the sync marker through any
/// garbage, waits for frames split across reads, returns several frames
/// from one read one at a time, and after a bad length or checksum drops
/// one byte and hunts again (so a good frame hidden behind a broken one
/// is still found).
///
/// ```
/// use gig_kiosk::devices::card_reader::protocol::{Command, Decoder};
/// let mut d = Decoder::new();
/// let bytes = Command::FindCard.encode();
/// d.push(&[0x00, 0x13]); // line noise
/// d.push(&bytes[..4]);
/// assert_eq!(d.next_frame(), None);
/// d.push(&bytes[4..]);
/// assert_eq!(d.next_frame(), Some(Ok(vec![0x20, 0x01])));
/// ```
#[derive(Default)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Bytes dropped while hunting (for diagnostics).
    skipped: u64,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Forgets any partial frame (after a timeout: "discard the partial
    /// frame and restart").
    pub fn reset(&mut self) {
        self.skipped += self.buf.len() as u64;
        zeroize::Zeroize::zeroize(&mut self.buf);
        self.buf.clear();
    }

    /// Bytes waiting for the rest of a frame.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Bytes thrown away so far (garbage, broken frames).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The next complete frame's payload, a broken frame's error, or `None`
    /// when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        let Some(start) = find(&self.buf, &SYNC) else {
            // Keep a tail that may be the start of a marker.
            let keep = (SYNC.len() - 1).min(self.buf.len());
            self.drop_front(self.buf.len() - keep);
            return None;
        };
        self.drop_front(start);
        if self.buf.len() < HEAD {
            return None;
        }
        let len = u16::from_be_bytes([self.buf[4], self.buf[5]]) as usize;
        if !(MIN_LEN..=MAX_LEN).contains(&len) {
            self.drop_front(1);
            return Some(Err(FrameError::BadLength { len }));
        }
        let total = HEAD + len;
        if self.buf.len() < total {
            return None;
        }
        let expected = checksum(&self.buf[4..total - 1]);
        let got = self.buf[total - 1];
        if expected != got {
            self.drop_front(1);
            return Some(Err(FrameError::BadChecksum { expected, got }));
        }
        let payload = self.buf[HEAD..total - 1].to_vec();
        zeroize::Zeroize::zeroize(&mut self.buf[..total]);
        self.buf.drain(..total);
        Some(Ok(payload))
    }

    fn drop_front(&mut self, n: usize) {
        if n > 0 {
            self.skipped += n as u64;
            self.buf.drain(..n);
        }
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.buf);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Every frame in `bytes` (a capture file), with the errors between them.
pub fn decode_all(bytes: &[u8]) -> Vec<Result<Vec<u8>, FrameError>> {
    let mut d = Decoder::new();
    d.push(bytes);
    std::iter::from_fn(|| d.next_frame()).collect()
}

/// The blocks of a base-info reply's data (after SW1–SW3): the 256-byte
/// text, and the sizes of the photo and fingerprint, which are dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct BaseInfo<'a> {
    pub text: &'a [u8],
    pub photo_len: usize,
    /// `None` for a read without fingerprint (`30 01`).
    pub fingerprint_len: Option<usize>,
}

/// Splits a base-info reply's data. The three-length (fingerprint) layout
/// is recognised by its lengths adding up, so either read's reply decodes.
pub fn split_base_info(data: &[u8]) -> Result<BaseInfo<'_>, BaseInfoError> {
    let be = |i: usize| data.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]) as usize);
    if let (Some(t), Some(p)) = (be(0), be(2))
        && 4 + t + p == data.len()
    {
        return check_text(BaseInfo { text: &data[4..4 + t], photo_len: p, fingerprint_len: None });
    }
    if let (Some(t), Some(p), Some(f)) = (be(0), be(2), be(4))
        && 6 + t + p + f == data.len()
    {
        return check_text(BaseInfo { text: &data[6..6 + t], photo_len: p, fingerprint_len: Some(f) });
    }
    Err(BaseInfoError::Lengths { data_len: data.len() })
}

fn check_text(b: BaseInfo<'_>) -> Result<BaseInfo<'_>, BaseInfoError> {
    if b.text.len() < super::text::TEXT_LEN {
        return Err(BaseInfoError::ShortText { len: b.text.len() });
    }
    Ok(b)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaseInfoError {
    #[error("the block lengths do not add up to the {data_len} data bytes")]
    Lengths { data_len: usize },
    #[error("the text block has {len} bytes, not 256")]
    ShortText { len: usize },
}

/// The base-info reply's data for a text block (and a blank photo and
/// fingerprint of the usual sizes): what a reader sends.
pub fn base_info_data(text: &[u8], fingerprint: Option<usize>) -> Vec<u8> {
    const PHOTO: usize = 1024;
    let mut d = Vec::with_capacity(6 + text.len() + PHOTO + fingerprint.unwrap_or(0));
    d.extend_from_slice(&(text.len() as u16).to_be_bytes());
    d.extend_from_slice(&(PHOTO as u16).to_be_bytes());
    if let Some(f) = fingerprint {
        d.extend_from_slice(&(f as u16).to_be_bytes());
    }
    d.extend_from_slice(text);
    // A photo and fingerprint we could not decode anyway: filler bytes.
    d.resize(d.len() + PHOTO + fingerprint.unwrap_or(0), 0x57);
    d
}

/// The SAM ID the way vendors' tools show it:
/// `b0.b2-u32le(b4)-u32le(b8)-u32le(b12)` (two digits each for b0 and b2).
pub fn format_sam_id(data: &[u8]) -> Option<String> {
    if data.len() < 16 {
        return None;
    }
    let u = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    Some(format!("{:02}.{:02}-{}-{}-{}", data[0], data[2], u(4), u(8), u(12)))
}

/// The wire time of `bytes` at `baud` (10 bits a byte: start, 8 data, stop).
pub fn wire_time(bytes: usize, baud: u32) -> std::time::Duration {
    std::time::Duration::from_micros(bytes as u64 * 10 * 1_000_000 / u64::from(baud.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
    }

    #[test]
    fn every_command_encodes_as_the_spec_lists() {
        let table = [
            (Command::ResetModule, "AA AA AA 96 69 00 03 10 FF EC"),
            (Command::ModuleStatus, "AA AA AA 96 69 00 03 11 FF ED"),
            (Command::SamId, "AA AA AA 96 69 00 03 12 FF EE"),
            (Command::FindCard, "AA AA AA 96 69 00 03 20 01 22"),
            (Command::SelectCard, "AA AA AA 96 69 00 03 20 02 21"),
            (Command::ReadBase, "AA AA AA 96 69 00 03 30 01 32"),
            (Command::ReadBaseWithFingerprint, "AA AA AA 96 69 00 03 30 10 23"),
            (Command::ReadNewAddress, "AA AA AA 96 69 00 03 30 03 30"),
            (Command::SetBaud(Baud::B115200), "AA AA AA 96 69 00 03 60 00 63"),
            (Command::SetBaud(Baud::B57600), "AA AA AA 96 69 00 03 60 01 62"),
            (Command::SetBaud(Baud::B38400), "AA AA AA 96 69 00 03 60 02 61"),
            (Command::SetBaud(Baud::B19200), "AA AA AA 96 69 00 03 60 03 60"),
            (Command::SetBaud(Baud::B9600), "AA AA AA 96 69 00 03 60 04 67"),
        ];
        for (c, bytes) in table {
            assert_eq!(c.encode(), hex(bytes), "{c:?}");
            let (cmd, para) = c.code();
            assert_eq!(Command::from_code(cmd, para), Some(c));
        }
        assert_eq!(table.len(), Command::ALL.len());
    }

    #[test]
    fn short_replies_from_the_spec_decode() {
        let cases = [
            ("AA AA AA 96 69 00 04 00 00 90 94", 0x90, 0),
            ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", 0x9F, 4),
            ("AA AA AA 96 69 00 04 00 00 80 84", 0x80, 0),
            ("AA AA AA 96 69 00 04 00 00 81 85", 0x81, 0),
            ("AA AA AA 96 69 00 04 00 00 91 95", 0x91, 0),
        ];
        for (bytes, sw3, data) in cases {
            let frames = decode_all(&hex(bytes));
            assert_eq!(frames.len(), 1, "{bytes}");
            let r = Reply::parse(frames[0].as_ref().unwrap()).unwrap();
            assert_eq!((r.sw3, r.data.len()), (Sw3(sw3), data), "{bytes}");
            assert_eq!(r.encode(), hex(bytes), "re-encoding {bytes}");
        }
        assert_eq!(Sw3(0x80).class(), SwClass::NoCard);
        assert_eq!(Sw3(0x66).class(), SwClass::ModuleFault);
        assert_eq!(Sw3(0x41).class(), SwClass::CardError);
    }

    #[test]
    fn the_decoder_hunts_through_garbage_and_a_glitched_preamble() {
        let mut bytes = hex("00 13 AA 96 AA AA");
        bytes.extend(hex("AA 00 AA AA 96 69 00 04 00 00 90 94"));
        let frames = decode_all(&bytes);
        assert_eq!(frames, vec![Ok(vec![0, 0, 0x90])]);
    }

    #[test]
    fn split_and_joined_frames() {
        let a = Reply::status(0x90).encode();
        let b = Reply::with_data(0x9F, vec![0; 4]).encode();
        let all: Vec<u8> = [a.clone(), b.clone(), a.clone()].concat();
        // Byte by byte.
        let mut d = Decoder::new();
        let mut got = Vec::new();
        for byte in &all {
            d.push(&[*byte]);
            while let Some(f) = d.next_frame() {
                got.push(f.unwrap());
            }
        }
        assert_eq!(got.len(), 3);
        // All at once.
        assert_eq!(decode_all(&all).len(), 3);
    }

    #[test]
    fn bad_checksum_and_length_are_reported_then_the_next_frame_is_found() {
        let mut broken = Reply::status(0x90).encode();
        *broken.last_mut().unwrap() ^= 0xFF;
        let good = Reply::status(0x80).encode();
        let frames = decode_all(&[broken, good.clone()].concat());
        assert!(matches!(frames[0], Err(FrameError::BadChecksum { .. })), "{frames:?}");
        assert_eq!(frames.last(), Some(&Ok(vec![0, 0, 0x80])));

        let mut long = hex("AA AA AA 96 69 FF FF 00");
        long.extend(&good);
        let frames = decode_all(&long);
        assert_eq!(frames[0], Err(FrameError::BadLength { len: 0xFFFF }));
        assert_eq!(frames.last(), Some(&Ok(vec![0, 0, 0x80])));

        // A truncated frame (card pulled mid-read) followed by a whole one:
        // the truncated one's length swallows the next, the checksum fails,
        // and the hunt finds the whole one inside.
        let read = Reply::with_data(0x90, base_info_data(&[0x20; 256], None)).encode();
        let frames = decode_all(&[&read[..300], &good[..]].concat());
        assert_eq!(frames.last(), None, "still waiting for the long frame: {frames:?}");
        let mut d = Decoder::new();
        d.push(&read[..300]);
        d.push(&good);
        d.push(&[0u8; 1000]);
        let got: Vec<_> = std::iter::from_fn(|| d.next_frame()).collect();
        assert!(got.contains(&Ok(vec![0, 0, 0x80])), "{got:?}");
    }

    #[test]
    fn base_info_layouts() {
        let text = [0x20u8; 256];
        let plain = base_info_data(&text, None);
        assert_eq!(Reply::with_data(0x90, plain.clone()).encode().len(), 1295);
        let b = split_base_info(&plain).unwrap();
        assert_eq!((b.text.len(), b.photo_len, b.fingerprint_len), (256, 1024, None));
        let fp = base_info_data(&text, Some(1024));
        assert_eq!(Reply::with_data(0x90, fp.clone()).encode().len(), 2321);
        let b = split_base_info(&fp).unwrap();
        assert_eq!((b.text.len(), b.photo_len, b.fingerprint_len), (256, 1024, Some(1024)));
        assert_eq!(split_base_info(&fp[..100]), Err(BaseInfoError::Lengths { data_len: 100 }));
        // The spec's offsets: text at frame offset 14, photo at 270, CHK at 1294.
        let frame = Reply::with_data(0x90, plain).encode();
        assert_eq!(&frame[5..14], &hex("05 08 00 00 90 01 00 04 00")[..]);
    }

    #[test]
    fn sam_id_and_wire_time() {
        let mut d = vec![5, 0, 1, 0];
        d.extend(1234u32.to_le_bytes());
        d.extend(5678u32.to_le_bytes());
        d.extend(90u32.to_le_bytes());
        assert_eq!(format_sam_id(&d).unwrap(), "05.01-1234-5678-90");
        assert_eq!(wire_time(1295, 115_200).as_millis(), 112);
        assert_eq!(wire_time(2321, 115_200).as_millis(), 201);
        assert_eq!(wire_time(1295, 9600).as_millis(), 1348);
    }
}
