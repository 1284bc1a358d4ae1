//! The [`Builder`]: collects the layers (defaults, file, environment, staff
//! settings, fleet file, command line), checking each value against the
//! schema as it arrives, and builds a [`Config`] or every problem found.

use std::collections::BTreeMap;
use std::path::PathBuf;

use toml::Value;

use serde::Deserialize;

use super::schema::{self, Scope};
use super::{
    Config, ConfigError, DEFAULT_DATA_DIR, Layer, Loaded, Mode, Origin, Problem, Severity, demo_data_dir,
};

/// Collects layers, checking each value as it arrives.
#[derive(Debug, Clone)]
pub struct Builder {
    mode: Mode,
    values: BTreeMap<String, (Value, Origin)>,
    problems: Vec<Problem>,
    /// Keys some layer set, valid or not: an invalid value is reported as
    /// invalid, not also as missing.
    seen: std::collections::BTreeSet<String>,
    /// A layer could not be parsed at all; "missing" reports would be noise.
    pub(super) unreadable: bool,
    /// Treat unknown keys as errors (`config check`) or warnings (start-up).
    strict: bool,
}

impl Builder {
    /// Starts from the built-in defaults for `mode`.
    pub fn new(mode: Mode) -> Builder {
        let mut b = Builder {
            mode,
            values: BTreeMap::new(),
            problems: Vec::new(),
            seen: Default::default(),
            unreadable: false,
            strict: false,
        };
        let origin = Origin { layer: Layer::Default, line: None, var: None };
        let data_dir = match b.mode {
            Mode::Demo => demo_data_dir(),
            Mode::Configured(_) => PathBuf::from(DEFAULT_DATA_DIR),
        };
        b.put("storage.data_dir", Value::String(data_dir.display().to_string()), origin.clone());
        b.put("screen.idle_timeout_s", Value::Integer(60), origin.clone());
        b.put("screen.idle_warning_s", Value::Integer(10), origin.clone());
        b.put("screen.backend", Value::String("auto".into()), origin.clone());
        b.put("screen.renderer", Value::String("software".into()), origin.clone());
        b.put("screen.rotation", Value::Integer(0), origin.clone());
        b.put("screen.elder_default", Value::Boolean(false), origin.clone());
        b.put("gpio.enabled", Value::Boolean(false), origin.clone());
        b.put("gpio.presence_active", Value::String("high".into()), origin.clone());
        b.put("gpio.help_button_active", Value::String("low".into()), origin.clone());
        b.put("gpio.outputs_active", Value::String("high".into()), origin.clone());
        b.put("printer.paper", Value::String("80mm".into()), origin.clone());
        // Simulated devices belong to demo mode: a configured kiosk has no
        // printer until one is named.
        let printer_port = if b.mode == Mode::Demo { "simulated" } else { "none" };
        b.put("printer.port", Value::String(printer_port.into()), origin.clone());
        b.put("printer.baud", Value::Integer(9_600), origin.clone());
        b.put("printer.flow_control", Value::String("none".into()), origin.clone());
        b.put("printer.charset", Value::String("gb18030".into()), origin.clone());
        b.put("printer.qr", Value::String("native".into()), origin.clone());
        b.put("printer.finish", Value::String("partial-cut".into()), origin.clone());
        let reader_port = if b.mode == Mode::Demo { "simulated" } else { "auto" };
        b.put("reader.port", Value::String(reader_port.into()), origin.clone());
        b.put("reader.baud", Value::Integer(115_200), origin.clone());
        b.put("platform.sync_interval_s", Value::Integer(60), origin.clone());
        if b.mode == Mode::Demo {
            let s = crate::demo::DEMO_STATION;
            b.put("station.id", Value::String(s.id.into()), origin.clone());
            b.put("station.name", Value::String(s.name.into()), origin.clone());
            b.put("station.latitude", Value::Float(s.location.lat), origin.clone());
            b.put("station.longitude", Value::Float(s.location.lon), origin.clone());
            b.put("station.address", Value::String(s.address.into()), origin);
        }
        b
    }

    /// Unknown keys become errors instead of warnings.
    pub fn strict(mut self) -> Builder {
        self.strict = true;
        self
    }

    fn put(&mut self, path: &str, v: Value, origin: Origin) {
        self.values.insert(path.to_string(), (v, origin));
    }

    pub(super) fn problem(
        &mut self,
        severity: Severity,
        origin: Origin,
        column: Option<usize>,
        key: Option<String>,
        message: String,
    ) {
        self.problems.push(Problem { severity, origin, column, key, message });
    }

    fn unknown(&mut self, path: &str, origin: Origin, column: Option<usize>) {
        let sev = if self.strict { Severity::Error } else { Severity::Warning };
        let hint = match schema::suggest(path) {
            Some(k) => format!("unknown key (did you mean `{}`?)", k.path()),
            None => "unknown key".to_string(),
        };
        self.problem(sev, origin, column, Some(path.to_string()), hint);
    }

    fn offer(&mut self, path: &str, v: Value, origin: Origin, column: Option<usize>) {
        let Some(key) = schema::find(path) else {
            self.unknown(path, origin, column);
            return;
        };
        self.seen.insert(path.to_string());
        if key.scope == Scope::Bootstrap && matches!(origin.layer, Layer::Staff | Layer::Fleet(_)) {
            let msg =
                "can only be set in the configuration file, the environment or on the command line".into();
            self.problem(Severity::Warning, origin, column, Some(path.into()), msg);
            return;
        }
        match schema::check(key, v) {
            Ok(v) => self.put(path, v, origin),
            Err(msg) => self.problem(Severity::Error, origin, column, Some(path.into()), msg),
        }
    }

    /// Reads a TOML file layer (`layer` is `File` or `Fleet`).
    pub fn file(&mut self, layer: Layer, text: &str) {
        let at = |offset: usize| line_col(text, offset);
        let parsed = toml::de::DeTable::parse(text);
        let (values, spans) = match (text.parse::<toml::Table>(), parsed) {
            (Ok(v), Ok(s)) => (v, s),
            (Err(e), _) => {
                self.unreadable = true;
                let (line, col) = e.span().map(|s| at(s.start)).unwrap_or((1, 1));
                let origin = Origin { layer, line: Some(line), var: None };
                self.problem(
                    Severity::Error,
                    origin,
                    Some(col),
                    None,
                    format!("not valid TOML: {}", e.message()),
                );
                return;
            }
            (Ok(_), Err(e)) => {
                self.unreadable = true;
                let origin = Origin { layer, line: None, var: None };
                self.problem(Severity::Error, origin, None, None, format!("not valid TOML: {}", e.message()));
                return;
            }
        };
        let spans = spans.into_inner();
        self.walk(&layer, text, &values, &spans, "");
    }

    fn walk(
        &mut self,
        layer: &Layer,
        text: &str,
        values: &toml::Table,
        spans: &toml::de::DeTable<'_>,
        prefix: &str,
    ) {
        for (k, span_v) in spans.iter() {
            let name = k.get_ref().as_ref();
            let path = if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") };
            let Some(value) = values.get(name) else {
                continue;
            };
            let (line, col) = line_col(text, k.span().start);
            let origin = Origin { layer: layer.clone(), line: Some(line), var: None };
            match (value, span_v.get_ref().as_table()) {
                // A table is a section (or a section's parent, for dotted
                // sections like `devices.card_reader`) unless the schema has
                // a key by that path.
                (Value::Table(t), Some(st)) if schema::find(&path).is_none() => {
                    let known_parent = schema::KEYS.iter().any(|k| k.section.starts_with(&path));
                    if known_parent {
                        self.walk(layer, text, t, st, &path);
                    } else {
                        self.unknown(&path, origin, Some(col));
                    }
                }
                _ if prefix.is_empty() => {
                    // Keys must sit in a section.
                    let msg = "must be inside a [section]".to_string();
                    match schema::KEYS.iter().find(|k| k.name == name) {
                        Some(k) => self.problem(
                            Severity::Error,
                            origin,
                            Some(col),
                            Some(path),
                            format!("{msg}: did you mean `{}` under [{}]?", k.name, k.section),
                        ),
                        None => self.unknown(&path, origin, Some(col)),
                    }
                }
                _ if schema::find(&path).is_none() => self.unknown(&path, origin, Some(col)),
                _ => {
                    let (vline, vcol) = line_col(text, span_v.span().start);
                    let vorigin = Origin { line: Some(vline), ..origin };
                    self.offer(&path, value.clone(), vorigin, Some(vcol));
                }
            }
        }
    }

    /// Reads `KIOSK__SECTION__KEY` variables.
    pub fn env(&mut self, vars: impl IntoIterator<Item = (String, String)>) {
        for (var, text) in vars {
            let Some(rest) = var.strip_prefix("KIOSK__") else {
                continue;
            };
            let path = rest.split("__").map(str::to_lowercase).collect::<Vec<_>>().join(".");
            let origin = Origin { layer: Layer::Env, line: None, var: Some(var.clone()) };
            let Some(key) = schema::find(&path) else {
                self.unknown(&path, origin, None);
                continue;
            };
            self.seen.insert(path.clone());
            match schema::parse_env(key, &text) {
                Ok(v) => self.put(&path, v, origin),
                Err(msg) => self.problem(Severity::Error, origin, None, Some(path), msg),
            }
        }
    }

    /// Reads the settings staff changed on the device: `(key, TOML value)`.
    pub fn staff(&mut self, settings: &[(String, String)]) {
        for (path, text) in settings {
            let origin = Origin { layer: Layer::Staff, line: None, var: None };
            match format!("v = {text}").parse::<toml::Table>().map(|mut t| t.remove("v")) {
                Ok(Some(v)) => self.offer(path, v, origin, None),
                _ => self.problem(
                    Severity::Error,
                    origin,
                    None,
                    Some(path.clone()),
                    format!("stored value {text} is not a TOML value"),
                ),
            }
        }
    }

    /// A value given on the command line.
    pub fn command_line(&mut self, path: &str, v: Value) {
        self.offer(path, v, Origin { layer: Layer::CommandLine, line: None, var: None }, None);
    }

    /// Problems found so far.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The finished configuration, or every error found.
    pub fn build(mut self) -> Result<Loaded, ConfigError> {
        let check_required = !self.unreadable;
        for key in schema::KEYS.iter().filter(|k| k.required && check_required) {
            if !self.values.contains_key(&key.path()) && !self.seen.contains(&key.path()) {
                let origin = match &self.mode {
                    Mode::Configured(p) => Origin { layer: Layer::File(p.clone()), line: None, var: None },
                    Mode::Demo => Origin { layer: Layer::Default, line: None, var: None },
                };
                let msg = format!("required: add `{} = …` under [{}] ({})", key.name, key.section, key.help);
                self.problem(Severity::Error, origin, None, Some(key.path()), msg);
            }
        }
        let (errors, warnings): (Vec<Problem>, Vec<Problem>) =
            self.problems.into_iter().partition(|p| p.severity == Severity::Error);
        if !errors.is_empty() {
            return Err(ConfigError { problems: errors });
        }
        let mut root = toml::Table::new();
        for (path, (v, _)) in &self.values {
            let (section, name) = path.rsplit_once('.').unwrap_or(("", path));
            let mut t = &mut root;
            for part in section.split('.').filter(|s| !s.is_empty()) {
                t = t
                    .entry(part)
                    .or_insert_with(|| Value::Table(toml::Table::new()))
                    .as_table_mut()
                    .expect("sections are tables");
            }
            t.insert(name.to_string(), v.clone());
        }
        let config = Config::deserialize(Value::Table(root)).map_err(|e| ConfigError {
            problems: vec![Problem {
                severity: Severity::Error,
                origin: Origin { layer: Layer::Default, line: None, var: None },
                column: None,
                key: None,
                message: format!("internal: schema and Config disagree: {e}"),
            }],
        })?;
        let origins = self.values.into_iter().map(|(k, (_, o))| (k, o)).collect();
        Ok(Loaded { config, mode: self.mode, origins, warnings })
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
