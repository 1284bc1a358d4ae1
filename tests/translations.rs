//! Every string the UI shows through `@tr()` has an English translation in
//! `assets/translations/en/LC_MESSAGES/gig-kiosk.po` (run
//! `python3 assets/translations/extract.py` after changing UI text).

use std::collections::BTreeMap;

fn ui_strings() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/ui"))];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "slint") {
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split("@tr(\"").skip(1) {
                    let end = part.find('"').unwrap();
                    out.push(part[..end].to_string());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn po(lang: &str) -> BTreeMap<String, String> {
    let path = format!("{}/assets/translations/{lang}/LC_MESSAGES/gig-kiosk.po", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut map = BTreeMap::new();
    let mut id = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("msgid \"") {
            id = Some(v.trim_end_matches('"').to_string());
        } else if let (Some(v), Some(i)) = (line.strip_prefix("msgstr \""), id.take()) {
            map.insert(i, v.trim_end_matches('"').to_string());
        }
    }
    map
}

#[test]
fn translations_are_complete() {
    let strings = ui_strings();
    assert!(strings.len() > 100, "found only {} strings: is the extractor broken?", strings.len());
    let en = po("en");
    let missing: Vec<&String> = strings.iter().filter(|s| en.get(*s).is_none_or(|t| t.is_empty())).collect();
    assert!(missing.is_empty(), "no English for: {missing:?}\n(run python3 assets/translations/extract.py)");
    for s in &strings {
        let t = &en[s];
        assert_eq!(s.matches("{}").count(), t.matches("{}").count(), "placeholders differ: {s} → {t}");
        assert!(
            !t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) || s == "模拟器",
            "untranslated hanzi in {t}"
        );
    }
}
