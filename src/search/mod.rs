//! Finding postings: the query, Chinese text matching and the choice of
//! strategy. All pure; `store::search` runs the chosen plan in SQL.

pub mod plan;
pub mod query;
pub mod text;

pub use plan::{Driver, Estimates, Plan};
pub use query::{SearchHit, SearchQuery, SortOrder, StartWindow};
pub use text::TextQuery;
