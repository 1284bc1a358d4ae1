//! Reading postings and courses published as JSON or JSON-LD.
//!
//! A document is one of:
//! - a single record object;
//! - an array of records;
//! - a JSON-LD container `{"@context": .., "@graph": [..]}`, whose nodes may
//!   refer to each other with `{"@id": ..}` (an employer or place written
//!   once and referenced by many postings);
//! - a platform feed page `{"items": [..], "removed": [..], "cursor": .., "more": ..}`.
//!
//! Records are kept as raw JSON text until each is read on its own, so a
//! 100 000-posting file never becomes one giant tree in memory, and one bad
//! record costs only itself.

pub mod course;
pub mod fields;
pub mod posting;

use std::collections::HashMap;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

pub use fields::RecordError;

/// Why a whole document could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DocumentError {
    #[error(
        "not UTF-8 text (invalid byte at offset {offset}); save the file as UTF-8 (exports from some Chinese Windows tools are GBK)"
    )]
    NotUtf8 { offset: usize },
    #[error("not JSON: {message} at line {line}, column {column}")]
    NotJson { line: usize, column: usize, message: String },
    #[error("{0}")]
    Shape(String),
}

/// How the records were wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Single,
    Array,
    Graph,
    FeedPage,
    /// Valid JSON holding no records (a number, a string, null...).
    Empty,
}

/// A parsed document: raw records plus the feed-page fields.
#[derive(Debug)]
pub struct Document<'a> {
    pub shape: Shape,
    pub records: Vec<&'a RawValue>,
    /// Identifiers withdrawn by a feed page.
    pub removed: Vec<String>,
    /// Entries of `removed` that are not identifiers: (position, found).
    pub bad_removed: Vec<(usize, String)>,
    pub cursor: Option<String>,
    pub more: bool,
    /// Top-level keys of a container object, for extensions (`x-…`).
    pub top: HashMap<String, &'a RawValue>,
    /// Nodes of a `@graph` that records may reference by `@id`.
    refs: HashMap<String, Value>,
}

impl<'a> Document<'a> {
    /// Reads a record as a JSON tree, with `{"@id": ..}` references to
    /// other nodes of the same `@graph` replaced by those nodes.
    pub fn record(&self, raw: &RawValue) -> Value {
        // The document was fully validated as JSON when parsed.
        let mut v: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
        if !self.refs.is_empty() {
            resolve_refs(&mut v, &self.refs, 4);
        }
        v
    }

    /// A top-level extension value, when it is a string.
    pub fn top_str(&self, key: &str) -> Option<String> {
        self.top.get(key).and_then(|r| serde_json::from_str::<String>(r.get()).ok())
    }
}

fn json_error(e: &serde_json::Error) -> DocumentError {
    let message = e.to_string();
    // serde_json appends " at line L column C"; we print those ourselves.
    let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_string();
    DocumentError::NotJson { line: e.line(), column: e.column(), message }
}

/// Parses a document. Fails only when the bytes are not UTF-8 JSON or a
/// container's fields have the wrong shape; bad records are the caller's
/// to report one by one.
pub fn parse<'a>(bytes: &'a [u8]) -> Result<Document<'a>, DocumentError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| DocumentError::NotUtf8 { offset: e.valid_up_to() })?;
    let mut doc = Document {
        shape: Shape::Empty,
        records: Vec::new(),
        removed: Vec::new(),
        bad_removed: Vec::new(),
        cursor: None,
        more: false,
        top: HashMap::new(),
        refs: HashMap::new(),
    };
    match text.trim_start().as_bytes().first() {
        Some(b'[') => {
            doc.records = serde_json::from_str(text).map_err(|e| json_error(&e))?;
            doc.shape = Shape::Array;
        }
        Some(b'{') => {
            // One pass over the container: its keys, and the raw elements of
            // its record list.
            let top: TopLevel<'_> = serde_json::from_str(text).map_err(|e| json_error(&e))?;
            let raw_entry = |key: &str| -> Result<&RawValue, DocumentError> {
                // Rare: a list given as a single object. Find its raw text.
                let all: HashMap<String, &RawValue> =
                    serde_json::from_str(text).map_err(|e| json_error(&e))?;
                all.get(key).copied().ok_or_else(|| DocumentError::Shape(format!("\"{key}\" is missing")))
            };
            let records = |entry: Entry<'a>, key: &str| -> Result<Vec<&'a RawValue>, DocumentError> {
                match entry {
                    Entry::List(l) => Ok(l),
                    Entry::Object => Ok(vec![raw_entry(key)?]),
                    Entry::Other => Err(DocumentError::Shape(format!("\"{key}\" must be a list of records"))),
                }
            };
            if let Some(graph) = top.graph {
                doc.shape = Shape::Graph;
                let nodes = records(graph, "@graph")?;
                split_graph(&mut doc, nodes);
            } else if let Some(items) = top.items {
                doc.shape = Shape::FeedPage;
                doc.records = records(items, "items")?;
                read_feed_fields(&mut doc, &top.other)?;
            } else {
                doc.shape = Shape::Single;
                let whole: &RawValue = serde_json::from_str(text).map_err(|e| json_error(&e))?;
                doc.records.push(whole);
            }
            if doc.shape != Shape::Single {
                doc.top = top.other;
            }
        }
        _ => {
            // Valid JSON that holds no records is not an error; garbage is.
            serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| json_error(&e))?;
        }
    }
    Ok(doc)
}

/// A record list, as met in one pass.
enum Entry<'a> {
    List(Vec<&'a RawValue>),
    /// A single object where a list was expected (allowed by JSON-LD).
    Object,
    Other,
}

impl<'de> serde::Deserialize<'de> for Entry<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Entry<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of records")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Entry<'de>, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(raw) = seq.next_element::<&'de RawValue>()? {
                    v.push(raw);
                }
                Ok(Entry::List(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Entry<'de>, A::Error> {
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(Entry::Object)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Entry<'de>, E> {
                Ok(Entry::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Entry<'de>, E> {
                Ok(Entry::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Entry<'de>, E> {
                Ok(Entry::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Entry<'de>, E> {
                Ok(Entry::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Entry<'de>, E> {
                Ok(Entry::Other)
            }
            fn visit_unit<E>(self) -> Result<Entry<'de>, E> {
                Ok(Entry::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// A container object: its record list (`@graph` or `items`) and the raw
/// values of its other keys.
struct TopLevel<'a> {
    graph: Option<Entry<'a>>,
    items: Option<Entry<'a>>,
    other: HashMap<String, &'a RawValue>,
}

impl<'de> serde::Deserialize<'de> for TopLevel<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TopLevel<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<TopLevel<'de>, A::Error> {
                let mut top = TopLevel { graph: None, items: None, other: HashMap::new() };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "@graph" => top.graph = Some(map.next_value()?),
                        "items" => top.items = Some(map.next_value()?),
                        _ => {
                            top.other.insert(key, map.next_value()?);
                        }
                    }
                }
                Ok(top)
            }
        }
        d.deserialize_map(V)
    }
}

/// What a `@graph` node is, read without building its whole tree.
#[derive(serde::Deserialize)]
struct NodeHead {
    #[serde(rename = "@type", default)]
    ty: Option<Value>,
    #[serde(rename = "@id", default)]
    id: Option<Value>,
}

/// In a `@graph`, job postings and courses are records; other nodes with an
/// `@id` (organisations, places) are reference targets.
fn split_graph<'a>(doc: &mut Document<'a>, nodes: Vec<&'a RawValue>) {
    for raw in nodes {
        let head: Option<NodeHead> = serde_json::from_str(raw.get()).ok();
        let ty = head.as_ref().and_then(|h| h.ty.as_ref()).map(type_names).unwrap_or_default();
        let is_record = ty.is_empty()
            || ty.iter().any(|t| {
                ["JobPosting", "Course", "CourseInstance", "EducationalOccupationalProgram"]
                    .iter()
                    .any(|r| t == r || t.ends_with(&format!("/{r}")))
            });
        match (is_record, head.as_ref().and_then(|h| h.id.as_ref()).and_then(Value::as_str)) {
            (false, Some(id)) => {
                let node: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
                doc.refs.insert(id.to_string(), node);
            }
            _ => doc.records.push(raw),
        }
    }
}

fn type_names(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn read_feed_fields(doc: &mut Document<'_>, top: &HashMap<String, &RawValue>) -> Result<(), DocumentError> {
    if let Some(r) = top.get("removed") {
        let removed: Value = serde_json::from_str(r.get()).map_err(|e| json_error(&e))?;
        match removed {
            Value::Array(a) => {
                for (i, v) in a.into_iter().enumerate() {
                    match v {
                        Value::String(s) if !s.trim().is_empty() && s.len() <= fields::limits::IDENTIFIER => {
                            doc.removed.push(s.trim().to_string())
                        }
                        other => doc.bad_removed.push((i, fields::type_name(&other))),
                    }
                }
            }
            Value::Null => {}
            _ => {
                return Err(DocumentError::Shape("\"removed\" must be a list of identifiers".into()));
            }
        }
    }
    if let Some(c) = top.get("cursor") {
        match serde_json::from_str::<Value>(c.get()).map_err(|e| json_error(&e))? {
            Value::String(s) => doc.cursor = Some(s),
            Value::Null => {}
            _ => return Err(DocumentError::Shape("\"cursor\" must be text".into())),
        }
    }
    if let Some(m) = top.get("more") {
        doc.more = serde_json::from_str::<bool>(m.get())
            .map_err(|_| DocumentError::Shape("\"more\" must be true or false".into()))?;
    }
    Ok(())
}

/// Replaces objects that are only `{"@id": X}` with the graph node X,
/// `depth` levels down.
fn resolve_refs(v: &mut Value, refs: &HashMap<String, Value>, depth: u8) {
    if depth == 0 {
        return;
    }
    match v {
        Value::Object(o) => {
            if let Some(target) = reference(o).and_then(|id| refs.get(id)) {
                *v = target.clone();
                resolve_refs(v, refs, depth - 1);
                return;
            }
            for child in o.values_mut() {
                resolve_refs(child, refs, depth - 1);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| resolve_refs(c, refs, depth - 1)),
        _ => {}
    }
}

fn reference(o: &Map<String, Value>) -> Option<&str> {
    if o.len() == 1 { o.get("@id").and_then(Value::as_str) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let d = parse(br#"{"identifier": "a"}"#).unwrap();
        assert_eq!((d.shape, d.records.len()), (Shape::Single, 1));
        let d = parse(br#" [{"identifier": "a"}, 3, {"identifier": "b"}]"#).unwrap();
        assert_eq!((d.shape, d.records.len()), (Shape::Array, 3));
        let d = parse(
            br#"{"items": [{"identifier": "a"}], "removed": ["x", 5, ""], "cursor": "c9", "more": true}"#,
        )
        .unwrap();
        assert_eq!(d.shape, Shape::FeedPage);
        assert_eq!(d.removed, vec!["x"]);
        assert_eq!(d.bad_removed, vec![(1, "the number 5".into()), (2, "\"\"".into())]);
        assert_eq!((d.cursor.as_deref(), d.more), (Some("c9"), true));
        let d = parse(b"42").unwrap();
        assert_eq!((d.shape, d.records.len()), (Shape::Empty, 0));
        let d = parse("\u{feff}[]".as_bytes()).unwrap();
        assert_eq!(d.shape, Shape::Array, "byte-order mark is skipped");
    }

    #[test]
    fn graph_nodes_are_records_or_reference_targets() {
        let d = parse(
            br##"{"@context": "https://schema.org", "@graph": [
                {"@type": "Organization", "@id": "#org1", "name": "E", "telephone": "1"},
                {"@type": "JobPosting", "identifier": "p1", "hiringOrganization": {"@id": "#org1"}},
                {"@type": "JobPosting", "identifier": "p2"}
            ]}"##,
        )
        .unwrap();
        assert_eq!(d.records.len(), 2);
        let p1 = d.record(d.records[0]);
        assert_eq!(p1["hiringOrganization"]["name"], "E");
    }

    #[test]
    fn errors_say_where() {
        let e = parse(b"[{\"a\": 1},\n {\"b\": }]").unwrap_err();
        let DocumentError::NotJson { line, column, .. } = &e else { panic!("{e:?}") };
        assert_eq!((*line, *column), (2, 8));
        assert!(e.to_string().starts_with("not JSON: expected value at line 2, column 8"), "{e}");
        let e = parse(&[b'[', 0xB1, 0xA3, b']']).unwrap_err();
        assert_eq!(e, DocumentError::NotUtf8 { offset: 1 });
        assert!(parse(b"[{\"a\": 1}").is_err(), "truncated");
        assert!(parse(b"").is_err(), "empty file is not JSON");
        let e = parse(br#"{"items": 7}"#).unwrap_err();
        assert_eq!(e.to_string(), "\"items\" must be a list of records");
    }

    #[test]
    fn reference_cycles_terminate() {
        let d = parse(br#"{"@graph": [{"@id": "a", "@type": "Thing", "x": {"@id": "a"}}, {"@type": "JobPosting", "y": {"@id": "a"}}]}"#)
            .unwrap();
        let v = d.record(d.records[0]);
        assert!(v["y"]["x"].is_object());
    }
}
