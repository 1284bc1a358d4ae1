//! Text search for Chinese (and mixed) job text.
//!
//! # Why not FTS5's default tokenizer
//!
//! SQLite FTS5's `unicode61` tokenizer splits on spaces and punctuation, so a
//! run of hanzi like `仓库装卸工` becomes a single token and a query for `装卸`
//! finds nothing. The `trigram` tokenizer fixes substring search but cannot
//! answer queries shorter than three characters, and most Chinese job
//! queries are one or two characters (`工`, `保洁`, `日结`).
//!
//! # What we do instead: bigrams, then verify
//!
//! The text is normalised ([`normalize`]: NFKC, so full-width `ＡＢ１`
//! becomes `ab1`; lower case) and cut into *runs* of CJK characters and runs
//! of other letters/digits ("words"); everything else separates runs. The
//! full-text index gets, for every CJK run, each pair of neighbouring
//! characters (the CJK bigram scheme of Lucene's CJKAnalyzer) plus the run's
//! last character, and every word whole. So `仓库装卸` is indexed as
//! `仓库 库装 装卸 卸`: every character either starts a term or is one, with
//! half the terms that also indexing every character alone would take
//! (imports are bound by term count; see `docs/performance.md`).
//!
//! A query is answered in two steps:
//!
//! 1. **Candidates** from the index: a one-character CJK query looks up the
//!    terms it starts (`"工"*`: 工人, 工地, … and a run-final 工), a longer
//!    one ANDs all of its bigrams, a word looks up the words it is a prefix
//!    of. This is always a superset of the true matches.
//! 2. **Verification** with [`TextQuery::matches`], which defines what a
//!    match *is*: every CJK run of the query occurs as a substring of the
//!    normalised text, and every word of the query is a prefix of a word of
//!    the text. `仓库装卸` therefore does not match `仓库，装卸`
//!    (the bigram `库装` is there, the substring is not).
//!
//! Whitespace in a query separates terms that must all match, in any order.
//!
//! Because verification defines the result, any strategy that finds a
//! superset of candidates (the index, a geographic scan, a full scan)
//! returns exactly the same postings; the tests hold every strategy to that.

use unicode_normalization::UnicodeNormalization;

/// Largest query accepted, in characters. Longer input is cut, not refused:
/// nobody types more on a kiosk, and it bounds the work per query.
pub const MAX_QUERY_CHARS: usize = 64;

/// NFKC and lower case: the form both stored text and queries are compared in.
pub fn normalize(s: &str) -> String {
    s.nfkc().flat_map(char::to_lowercase).collect()
}

/// Characters written without spaces between words: Han ideographs
/// (including the extension blocks and compatibility ideographs), kana and
/// hangul syllables.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3007        // 々 〆 〇
        | 0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF      // extension A
        | 0x4E00..=0x9FFF      // unified ideographs
        | 0xAC00..=0xD7AF      // hangul syllables
        | 0xF900..=0xFAFF      // compatibility ideographs
        | 0x20000..=0x3FFFF    // extensions B.. and supplementary planes
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunKind {
    Cjk,
    Word,
}

/// Splits normalised text into CJK runs and word runs.
fn runs(s: &str) -> impl Iterator<Item = (RunKind, &str)> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let start = rest.find(|c: char| is_cjk(c) || c.is_alphanumeric())?;
        rest = &rest[start..];
        let first = rest.chars().next()?;
        let kind = if is_cjk(first) { RunKind::Cjk } else { RunKind::Word };
        let end = rest
            .char_indices()
            .find(|&(_, c)| match kind {
                RunKind::Cjk => !is_cjk(c),
                RunKind::Word => is_cjk(c) || !c.is_alphanumeric(),
            })
            .map_or(rest.len(), |(i, _)| i);
        let (run, tail) = rest.split_at(end);
        rest = tail;
        Some((kind, run))
    })
}

/// The space-separated terms stored in the full-text index for normalised
/// `text`: CJK unigrams and bigrams, and whole words.
pub fn index_terms(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    let mut push = |t: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t);
    };
    for (kind, run) in runs(text) {
        match kind {
            RunKind::Word => push(run),
            RunKind::Cjk => {
                let idx: Vec<usize> = run.char_indices().map(|(i, _)| i).chain([run.len()]).collect();
                for w in idx.windows(3) {
                    push(&run[w[0]..w[2]]);
                }
                // The last character as a term of its own: every character
                // now starts a term (a bigram) or is one.
                if let [.., last, end] = idx[..] {
                    push(&run[last..end]);
                }
            }
        }
    }
    out
}

/// One run of a query term.
#[derive(Debug, Clone, PartialEq, Eq)]
enum QueryRun {
    /// Must occur as a substring.
    Cjk(String),
    /// Must be the prefix of some word.
    Word(String),
}

/// A parsed text query: terms (separated by whitespace), each made of runs;
/// every run of every term must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuery {
    original: String,
    runs: Vec<QueryRun>,
}

impl TextQuery {
    /// Parses user input. Returns `None` when nothing searchable is left
    /// (empty, or only punctuation).
    pub fn parse(input: &str) -> Option<TextQuery> {
        let cut: String = input.chars().take(MAX_QUERY_CHARS).collect();
        let norm = normalize(&cut);
        let mut qruns: Vec<QueryRun> = Vec::new();
        for (kind, run) in runs(&norm) {
            let r = match kind {
                RunKind::Cjk => QueryRun::Cjk(run.to_string()),
                RunKind::Word => QueryRun::Word(run.to_string()),
            };
            if !qruns.contains(&r) {
                qruns.push(r);
            }
        }
        if qruns.is_empty() {
            return None;
        }
        Some(TextQuery { original: cut.trim().to_string(), runs: qruns })
    }

    /// The query as the user typed it (trimmed, cut to the maximum length).
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Whether normalised `text` matches; see the module documentation.
    pub fn matches(&self, text: &str) -> bool {
        self.runs.iter().all(|r| match r {
            QueryRun::Cjk(s) => text.contains(s.as_str()),
            QueryRun::Word(w) => {
                runs(text).any(|(kind, run)| kind == RunKind::Word && run.starts_with(w.as_str()))
            }
        })
    }

    /// An FTS5 MATCH expression whose result is a superset of the matches.
    pub fn fts_expression(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for r in &self.runs {
            match r {
                QueryRun::Cjk(s) => {
                    let chars: Vec<char> = s.chars().collect();
                    if chars.len() == 1 {
                        parts.push(format!("\"{}\"*", chars[0]));
                    } else {
                        for pair in chars.windows(2) {
                            let bigram = format!("\"{}{}\"", pair[0], pair[1]);
                            if !parts.contains(&bigram) {
                                parts.push(bigram);
                            }
                        }
                    }
                }
                QueryRun::Word(w) => parts.push(format!("\"{w}\"*")),
            }
        }
        parts.join(" AND ")
    }

    /// The index terms whose document counts bound the number of candidates:
    /// exact terms for CJK runs and prefixes for words. The planner takes
    /// the smallest count as its estimate.
    pub fn index_keys(&self) -> Vec<IndexKey> {
        let mut keys = Vec::new();
        for r in &self.runs {
            match r {
                QueryRun::Cjk(s) => {
                    let chars: Vec<char> = s.chars().collect();
                    if chars.len() == 1 {
                        keys.push(IndexKey::Prefix(s.clone()));
                    } else {
                        for pair in chars.windows(2) {
                            keys.push(IndexKey::Exact(pair.iter().collect()));
                        }
                    }
                }
                QueryRun::Word(w) => keys.push(IndexKey::Prefix(w.clone())),
            }
        }
        keys
    }
}

/// A term to look up in the full-text index's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexKey {
    Exact(String),
    Prefix(String),
}

/// Builds the normalised text a posting is searched by: title, description,
/// trade, employer and address, one per line so that no CJK run spans two
/// fields.
pub fn search_text(fields: &[&str]) -> String {
    let mut joined = String::new();
    for f in fields {
        joined.push_str(f);
        joined.push('\n');
    }
    normalize(&joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> TextQuery {
        TextQuery::parse(s).unwrap()
    }

    #[test]
    fn normalises_full_width_and_case() {
        assert_eq!(normalize("ＡＢＣ１２３ 保洁"), "abc123 保洁");
        assert_eq!(normalize("KFC"), "kfc");
    }

    #[test]
    fn index_terms_are_unigrams_bigrams_and_words() {
        assert_eq!(index_terms("仓库装卸"), "仓库 库装 装卸 卸");
        assert_eq!(index_terms("a区3号 保洁"), "a 区 3 号 保洁 洁");
        assert_eq!(index_terms("工"), "工");
        assert_eq!(index_terms("—，。"), "");
    }

    #[test]
    fn runs_split_scripts_and_punctuation() {
        let r: Vec<_> = runs("厦门ab12，物流-x").collect();
        assert_eq!(
            r,
            vec![
                (RunKind::Cjk, "厦门"),
                (RunKind::Word, "ab12"),
                (RunKind::Cjk, "物流"),
                (RunKind::Word, "x")
            ]
        );
    }

    #[test]
    fn queries_of_every_length_match_substrings() {
        let text = search_text(&["仓库装卸工（日结）", "负责货物装卸、分拣", "装卸搬运"]);
        assert!(q("工").matches(&text));
        assert!(q("装卸").matches(&text));
        assert!(q("仓库装卸").matches(&text));
        assert!(q("仓库装卸工").matches(&text));
        assert!(q(" 日结  装卸 ").matches(&text), "terms in any order");
        assert!(!q("保洁").matches(&text));
        assert!(!q("库装卸分").matches(&text));
    }

    #[test]
    fn verification_rejects_index_false_positives() {
        // Every bigram of 仓库装卸 is in this text (仓库, 库装, 装卸), so the
        // index offers it as a candidate, but the substring is not there.
        let text = search_text(&["仓库装", "装卸"]);
        let query = q("仓库装卸");
        let terms = index_terms(&text);
        for key in query.index_keys() {
            let IndexKey::Exact(k) = key else { panic!() };
            assert!(terms.split(' ').any(|t| t == k), "{k} indexed");
        }
        assert!(!query.matches(&text));
    }

    #[test]
    fn words_match_as_prefixes() {
        let text = search_text(&["KFC 餐厅服务员", "电话 0592-5550123"]);
        assert!(q("kf").matches(&text));
        assert!(q("ＫＦＣ").matches(&text));
        assert!(q("555").matches(&text));
        assert!(!q("fc").matches(&text), "not a prefix of any word");
    }

    #[test]
    fn fts_expressions() {
        assert_eq!(q("工").fts_expression(), "\"工\"*");
        assert_eq!(q("保洁").fts_expression(), "\"保洁\"");
        assert_eq!(q("仓库装卸").fts_expression(), "\"仓库\" AND \"库装\" AND \"装卸\"");
        assert_eq!(q("KFC 保洁").fts_expression(), "\"kfc\"* AND \"保洁\"");
        assert_eq!(q("哈哈哈").fts_expression(), "\"哈哈\"", "repeated bigram once");
    }

    #[test]
    fn empty_and_punctuation_queries_are_none() {
        assert!(TextQuery::parse("").is_none());
        assert!(TextQuery::parse("  ，。！ ").is_none());
        assert!(TextQuery::parse("\"'*").is_none(), "no FTS syntax survives");
    }

    #[test]
    fn long_queries_are_cut() {
        let long = "装".repeat(500);
        let tq = q(&long);
        assert_eq!(tq.as_str().chars().count(), MAX_QUERY_CHARS);
    }
}
