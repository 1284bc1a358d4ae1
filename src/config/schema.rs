//! Every configuration key the kiosk knows: its type, limits, default and
//! one line of help. The checker, the environment overrides, `kiosk config
//! show` and the completeness test of `deploy/kiosk.toml.example` all read
//! this table, so a key added here is known everywhere at once.

use toml::Value;

/// What values a key accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Any text, possibly empty.
    Text,
    /// Text with something other than spaces in it.
    Name,
    /// A number (integers accepted) in `min..=max`.
    Float {
        min: f64,
        max: f64,
    },
    /// A whole number in `min..=max`.
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// A filesystem path.
    Path,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// One of these whole numbers.
    IntChoice(&'static [i64]),
    /// Text never shown back (`config show` prints `<set>`), e.g. a token.
    Secret,
}

/// Which layers may set a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any layer.
    Any,
    /// Only the file, the environment and the command line: the key decides
    /// where the other layers are stored.
    Bootstrap,
}

#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub section: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    /// Whether a configured (non-demo) kiosk must set it.
    pub required: bool,
    pub scope: Scope,
    pub help: &'static str,
}

impl Key {
    pub fn path(&self) -> String {
        format!("{}.{}", self.section, self.name)
    }

    /// The environment variable that overrides this key.
    pub fn env_var(&self) -> String {
        format!("KIOSK__{}__{}", self.section.replace('.', "__"), self.name).to_uppercase()
    }
}

const fn key(section: &'static str, name: &'static str, kind: Kind, help: &'static str) -> Key {
    Key { section, name, kind, required: false, scope: Scope::Any, help }
}

const fn required(k: Key) -> Key {
    Key { required: true, ..k }
}

const fn bootstrap(k: Key) -> Key {
    Key { scope: Scope::Bootstrap, ..k }
}

/// The known keys, grouped by section in the order the example file uses.
pub const KEYS: &[Key] = &[
    required(key(
        "station",
        "id",
        Kind::Name,
        "Station identifier assigned by the platform, sent with every submission.",
    )),
    required(key("station", "name", Kind::Name, "Station name shown on screen and printed on slips.")),
    required(key(
        "station",
        "latitude",
        Kind::Float { min: 3.0, max: 54.0 },
        "Station latitude (WGS-84 degrees): distances are measured from here.",
    )),
    required(key(
        "station",
        "longitude",
        Kind::Float { min: 73.0, max: 136.0 },
        "Station longitude (WGS-84 degrees).",
    )),
    key("station", "address", Kind::Text, "Street address of the station, printed on slips."),
    bootstrap(key("storage", "data_dir", Kind::Path, "Directory for the database, slips and downloads.")),
    key(
        "screen",
        "idle_timeout_s",
        Kind::Int { min: 20, max: 600 },
        "Seconds without a touch before a session ends and personal data is wiped (default 60).",
    ),
    key(
        "screen",
        "idle_warning_s",
        Kind::Int { min: 5, max: 60 },
        "Seconds of warning before the idle timeout; any touch cancels it (default 10).",
    ),
    key(
        "screen",
        "backend",
        Kind::Choice(&["auto", "winit", "linuxkms"]),
        "How the kiosk draws: \"winit\" in a desktop session (X11/Wayland), \"linuxkms\" straight to the display \
         without one, \"auto\" picks (default auto; SLINT_BACKEND overrides).",
    ),
    key(
        "screen",
        "renderer",
        Kind::Choice(&["software", "opengl"]),
        "\"software\" (default: no GPU needed, least memory) or \"opengl\" (OpenGL ES through the GPU driver).",
    ),
    key(
        "screen",
        "rotation",
        Kind::IntChoice(&[0, 90, 180, 270]),
        "Degrees to turn the picture clockwise, for a panel mounted rotated (linuxkms only; default 0).",
    ),
    key(
        "screen",
        "elder_default",
        Kind::Bool,
        "Start every visit in elder mode (large text and buttons); workers can still switch (default false).",
    ),
    key(
        "screen",
        "output",
        Kind::Text,
        "The display connector to draw on (linuxkms), e.g. HDMI-A-1; empty: the first connected one.",
    ),
    key(
        "printer",
        "paper",
        Kind::Choice(&["58mm", "80mm", "80mm-narrow"]),
        "Slip paper width (default 80mm).",
    ),
    key(
        "printer",
        "port",
        Kind::Name,
        "Slip printer: a serial port (/dev/ttyUSB0), the USB printer device (/dev/usb/lp0), \
         tcp://HOST:9100, file:PATH (raw bytes), \"simulated\" (the demo's virtual printer: slips as PNG files), \
         or \"none\" (default in a configured kiosk: no printer; the print button says so).",
    ),
    key(
        "printer",
        "baud",
        Kind::IntChoice(&[9_600, 19_200, 38_400, 57_600, 115_200]),
        "Serial printer line speed (default 9600).",
    ),
    key(
        "printer",
        "flow_control",
        Kind::Choice(&["none", "rts-cts", "dsr-dtr"]),
        "Serial printer flow control (default none).",
    ),
    key(
        "printer",
        "charset",
        Kind::Choice(&["gb18030", "gbk"]),
        "Text encoding the printer expects (default gb18030).",
    ),
    key(
        "printer",
        "qr",
        Kind::Choice(&["native", "raster"]),
        "QR codes drawn by the printer, or sent as an image for printers without native QR (default native).",
    ),
    key(
        "printer",
        "finish",
        Kind::Choice(&["partial-cut", "cut", "tear-bar"]),
        "End of a slip: cut leaving a tab, cut fully, or feed to the tear bar (no cutter) (default partial-cut).",
    ),
    key(
        "platform",
        "url",
        Kind::Text,
        "Employment platform base URL (https://…; http:// only to a loopback address). Empty: no sync.",
    ),
    key(
        "platform",
        "token",
        Kind::Secret,
        "Device token for the platform (Authorization: Bearer); never logged.",
    ),
    key("platform", "kiosk_id", Kind::Text, "This kiosk's identifier on the platform (X-Kiosk-Id)."),
    key(
        "platform",
        "ca_file",
        Kind::Text,
        "Extra CA certificate (PEM) trusted for the platform, besides the system's roots.",
    ),
    key(
        "platform",
        "sync_interval_s",
        Kind::Int { min: 10, max: 86_400 },
        "Seconds between background syncs (default 60).",
    ),
    key(
        "reader",
        "port",
        Kind::Name,
        "ID-card reader port: \"auto\" (probe serial ports), a device such as /dev/serial/by-id/…, \
         or \"simulated\" (default auto; simulated in demo mode).",
    ),
    key(
        "reader",
        "baud",
        Kind::IntChoice(&[115_200, 57_600, 38_400, 19_200, 9_600]),
        "ID-card reader line speed (default 115200).",
    ),
    key(
        "gpio",
        "enabled",
        Kind::Bool,
        "Use the Raspberry Pi's GPIO pins below (default false: no sensor, button or lamps wired).",
    ),
    key("gpio", "presence_pin", Kind::Int { min: 0, max: 27 }, "Presence sensor input (BCM pin number)."),
    key(
        "gpio",
        "presence_active",
        Kind::Choice(&["high", "low"]),
        "Level the presence sensor drives when someone is there (default high, as PIR modules do).",
    ),
    key("gpio", "help_button_pin", Kind::Int { min: 0, max: 27 }, "Help button input (BCM pin number)."),
    key(
        "gpio",
        "help_button_active",
        Kind::Choice(&["high", "low"]),
        "Level while the help button is pressed (default low: button to ground, internal pull-up).",
    ),
    key("gpio", "help_lamp_pin", Kind::Int { min: 0, max: 27 }, "Help lamp output (BCM pin number)."),
    key(
        "gpio",
        "led_green_pin",
        Kind::Int { min: 0, max: 27 },
        "Status LED, green leg (BCM pin): green ok, green+red (amber) degraded, red fault.",
    ),
    key("gpio", "led_red_pin", Kind::Int { min: 0, max: 27 }, "Status LED, red leg (BCM pin)."),
    key(
        "gpio",
        "outputs_active",
        Kind::Choice(&["high", "low"]),
        "Level that lights the lamp and the LED (default high).",
    ),
    key(
        "staff",
        "pin_hash",
        Kind::Secret,
        "Argon2id hash of the staff PIN, written by `kiosk staff set-pin` (never the PIN itself); unset: staff mode stays closed.",
    ),
];

/// Looks up a key by its dotted path (`station.latitude`).
pub fn find(path: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.path() == path)
}

/// The known key closest in spelling to an unknown one, for "did you mean".
pub fn suggest(path: &str) -> Option<&'static Key> {
    KEYS.iter()
        .map(|k| (edit_distance(&k.path(), path), k))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Checks (and normalises: an integer for a float key becomes a float) a
/// value for `key`. The error is a sentence fragment for the problem list.
pub fn check(key: &Key, v: Value) -> Result<Value, String> {
    let found = |v: &Value| match v {
        Value::String(s) => format!("the text \"{s}\""),
        Value::Integer(i) => format!("the number {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Boolean(b) => format!("{b}"),
        Value::Datetime(d) => format!("the date {d}"),
        Value::Array(_) => "a list".into(),
        Value::Table(_) => "a table".into(),
    };
    match (key.kind, v) {
        (Kind::Text | Kind::Secret, v @ Value::String(_)) => Ok(v),
        (Kind::Name | Kind::Path, Value::String(s)) if !s.trim().is_empty() => Ok(Value::String(s)),
        (Kind::Name | Kind::Path, Value::String(_)) => Err("must not be empty".into()),
        (Kind::Float { min, max }, Value::Float(f)) if (min..=max).contains(&f) => Ok(Value::Float(f)),
        (Kind::Float { min, max }, Value::Integer(i)) if (min..=max).contains(&(i as f64)) => {
            Ok(Value::Float(i as f64))
        }
        (Kind::Float { min, max }, v @ (Value::Float(_) | Value::Integer(_))) => {
            let hint = match key.name {
                "latitude" | "longitude" => {
                    " (is the station in China, and are latitude and longitude the right way round?)"
                }
                _ => "",
            };
            Err(format!("{} is outside {min} to {max}{hint}", found(&v).trim_start_matches("the number ")))
        }
        (Kind::Int { min, max }, Value::Integer(i)) if (min..=max).contains(&i) => Ok(Value::Integer(i)),
        (Kind::Int { min, max }, Value::Integer(i)) => Err(format!("{i} is outside {min} to {max}")),
        (Kind::Bool, v @ Value::Boolean(_)) => Ok(v),
        (Kind::Choice(words), Value::String(s)) if words.contains(&s.as_str()) => Ok(Value::String(s)),
        (Kind::Choice(words), Value::String(s)) => Err(format!("\"{s}\" is not one of {}", words.join(", "))),
        (Kind::IntChoice(allowed), Value::Integer(i)) if allowed.contains(&i) => Ok(Value::Integer(i)),
        (Kind::IntChoice(allowed), Value::Integer(i)) => Err(format!("{i} is not one of {}", list(allowed))),
        (kind, v) => Err(format!("expected {}, found {}", describe(kind), found(&v))),
    }
}

/// Parses an environment variable's text as a value for `key`.
pub fn parse_env(key: &Key, text: &str) -> Result<Value, String> {
    let t = text.trim();
    let v = match key.kind {
        Kind::Text | Kind::Secret | Kind::Name | Kind::Path | Kind::Choice(_) => {
            Value::String(text.to_string())
        }
        Kind::Float { .. } => Value::Float(t.parse().map_err(|_| format!("\"{text}\" is not a number"))?),
        Kind::Int { .. } | Kind::IntChoice(_) => {
            Value::Integer(t.parse().map_err(|_| format!("\"{text}\" is not a whole number"))?)
        }
        Kind::Bool => match t.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Value::Boolean(true),
            "false" | "0" | "no" | "off" => Value::Boolean(false),
            _ => return Err(format!("\"{text}\" is not true or false")),
        },
    };
    check(key, v)
}

pub fn describe(kind: Kind) -> String {
    match kind {
        Kind::Text | Kind::Secret => "text".into(),
        Kind::Name => "non-empty text".into(),
        Kind::Float { min, max } => format!("a number from {min} to {max}"),
        Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
        Kind::Bool => "true or false".into(),
        Kind::Path => "a path".into(),
        Kind::Choice(words) => format!("one of {}", words.join(", ")),
        Kind::IntChoice(allowed) => format!("one of {}", list(allowed)),
    }
}

fn list(numbers: &[i64]) -> String {
    numbers.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        assert_eq!(find("station.latitude").unwrap().env_var(), "KIOSK__STATION__LATITUDE");
    }

    #[test]
    fn checks_and_normalises() {
        let lat = find("station.latitude").unwrap();
        assert_eq!(check(lat, Value::Integer(24)).unwrap(), Value::Float(24.0));
        assert!(check(lat, Value::Float(118.1)).unwrap_err().contains("right way round"));
        assert_eq!(
            check(lat, Value::String("24.5".into())).unwrap_err(),
            "expected a number from 3 to 54, found the text \"24.5\""
        );
        assert_eq!(parse_env(lat, " 24.50 ").unwrap(), Value::Float(24.5));
        assert!(parse_env(lat, "north").is_err());
        let name = find("station.name").unwrap();
        assert_eq!(check(name, Value::String("  ".into())).unwrap_err(), "must not be empty");
    }

    #[test]
    fn suggestions_for_typos() {
        assert_eq!(suggest("station.lattitude").unwrap().path(), "station.latitude");
        assert_eq!(suggest("storage.datadir").unwrap().path(), "storage.data_dir");
        assert!(suggest("printer.colour_depth").is_none());
    }

    #[test]
    fn keys_are_unique() {
        let mut paths: Vec<String> = KEYS.iter().map(Key::path).collect();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), KEYS.len());
    }
}
